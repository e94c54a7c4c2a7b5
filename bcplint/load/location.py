"""Where bcplint keeps what outlives a run: the cache of parsed files and results, and the
daemon's socket. Imports nothing heavy: the command line's first steps use it."""

from __future__ import annotations

import os
from pathlib import Path

ENVIRONMENT_VARIABLE = "BCPLINT_CACHE_DIR"

__all__ = ["ENVIRONMENT_VARIABLE", "default_directory"]


def default_directory() -> Path:
    """``BCPLINT_CACHE_DIR`` when set, else the user's cache directory for bcplint
    (``~/.cache/bcplint`` on Linux, ``~/Library/Caches/bcplint`` on macOS,
    ``%LOCALAPPDATA%\\bcplint\\Cache`` on Windows)."""
    configured = os.environ.get(ENVIRONMENT_VARIABLE)
    if configured:
        return Path(configured).expanduser()
    import platformdirs  # noqa: PLC0415 - only runs that use the cache pay for it

    return Path(platformdirs.user_cache_dir("bcplint", appauthor=False))
