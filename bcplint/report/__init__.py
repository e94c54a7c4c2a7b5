"""Formatters: each takes the whole result and writes to the stream it is given.

``FORMATTERS`` is the one registry; the CLI's ``--format`` and ``--output`` choices come from
it. Each formatter module is imported only when used, so the heavy ones (junit-xml) cost nothing
to a run that does not ask for them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bcplint.findings import LintResult


@dataclass(frozen=True, kw_only=True)
class ReportOptions:
    """How a report is written. ``cwd``: the directory text output makes paths relative to
    (machine-readable formats always use paths relative to the result's base)."""

    color: bool = False
    quiet: bool = False
    cwd: Path | None = None


Formatter = Callable[[LintResult, TextIO, ReportOptions], None]


def _module(name: str) -> Formatter:
    def write(result: LintResult, stream: TextIO, options: ReportOptions) -> None:
        module = importlib.import_module(f"bcplint.report.{name}")
        if name == "text":
            module.write(result, stream, color=options.color, quiet=options.quiet, cwd=options.cwd)
        else:
            module.write(result, stream)

    return write


FORMATTERS: dict[str, Formatter] = {
    "text": _module("text"),
    "json": _module("json_report"),
    "junit": _module("junit"),
    "sarif": _module("sarif"),
    "github": _module("github"),
    "markdown": _module("markdown"),
    "gitlab": _module("gitlab"),
}

# Formats that list passing checks too, which the engine records only on request.
NEEDS_CHECKS = frozenset({"junit"})

__all__ = ["FORMATTERS", "NEEDS_CHECKS", "Formatter", "ReportOptions"]
