"""What a run is asked to do: :class:`LintOptions`, re-exported by :mod:`bcplint.api`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, kw_only=True)
class LintOptions:
    """What to check and how. ``None`` means: take it from the workspace's configuration.

    ``paths`` narrow what is reported, never what the rules see: each path's whole workspace
    is loaded (see :mod:`bcplint.load.discover`). ``staged`` lints the index (what ``git
    commit`` records) and reports on staged documents and what depends on, refers to or
    covers them; ``changed_since`` does the same for what changed since the merge base with a
    ref. ``today`` is the evaluation date of every date rule (default: today in UTC).
    """

    paths: Sequence[str] = ()
    packs: Sequence[str] | None = None
    select: Sequence[str] | None = None
    ignore: Sequence[str] | None = None
    today: dt.date | None = None
    config_path: Path | None = None
    cwd: Path = field(default_factory=Path.cwd)
    fail_on: str | None = None  # overrides every workspace's configured fail_on
    record_checks: bool = False  # list passing checks too (JUnit, coverage; it costs time)
    assess_maturity: bool = False  # maturity levels per Service (JSON and the report show them)
    baseline: Path | None = None  # accept the findings listed in this baseline file
    ignore_baseline: bool = False  # not even the configured one (when writing a new baseline)
    rev: str | None = None  # lint the tree of this commit, read from git objects
    staged: bool = False  # lint the index, read from git objects
    changed_since: str | None = None  # report only on what changed since the merge base with this ref
    read_named_files: bool = True  # parse files named in ``paths`` even when they do not look like plans
    # Keep parsed files between runs, keyed by content, in the user's cache directory
    # (``BCPLINT_CACHE_DIR`` overrides it; see bcplint.load.cache). Never changes a result.
    cache: bool = True
    # Unsaved editor buffers: absolute path -> content, read instead of the file on disk (the
    # language server judges a buffer against the whole workspace while the user types).
    overlays: Mapping[Path, bytes] = field(default_factory=dict)

    @property
    def tree(self) -> str:
        """What is read: ``"worktree"``, ``"index"`` or the revision given."""
        return "index" if self.staged else (self.rev or "worktree")


def today_utc() -> dt.date:
    """Today's date in UTC: the default evaluation date."""
    return dt.datetime.now(dt.UTC).date()
