"""The few exceptions bcplint raises; each message says what to do about it.

Any of these reaching the CLI becomes ``bcplint: error: <message>`` and exit code 2.
Problems *in the user's plan documents* are never exceptions: they are findings.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from pathlib import Path


class BcplintError(Exception):
    """A usage or configuration problem: the run cannot go on."""


class ConfigError(BcplintError):
    """The configuration file or a command-line option is wrong."""


class PackError(BcplintError):
    """A rule pack cannot be loaded or is invalid."""


class SourceError(BcplintError):
    """The files to check cannot be listed or read (bad path, git failure)."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return `` (did you mean X?)`` for the nearest choice, or an empty string."""
    matches = difflib.get_close_matches(word, sorted(set(choices)), n=1, cutoff=0.6)
    return f" (did you mean {matches[0]}?)" if matches else ""


def shown(path: Path | str) -> str:
    """``path`` as an error message names it: relative to the current directory when below it."""
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative
