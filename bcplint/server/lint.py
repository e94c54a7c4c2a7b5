"""One workspace linted as the editor sees it: the files on disk with the open buffers overlaid.

This is :func:`bcplint.api.lint` for a long-running process: the same discovery, the same rules
and configuration, the same engine, so a buffer's diagnostics are exactly what ``bcplint check``
reports once it is saved (the tests hold the two side by side). Two things differ. Unchanged
files come from a :class:`~bcplint.server.cache.ParsedFiles` cache instead of being parsed
again, and the whole workspace's findings are kept (not narrowed to some paths), because every
open document of the workspace gets its diagnostics from the same run.

Which buffers count is decided where ``bcplint check`` decides it for overlays
(:mod:`bcplint.load.files`): a buffer of a listed file replaces it, a new unsaved file that
could hold a plan is added, a buffer of a file the workspace leaves out is left out.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bcplint.engine.history import HistorySource
from bcplint.engine.lint import baseline_of
from bcplint.engine.options import LintOptions
from bcplint.engine.run import Run, check
from bcplint.findings import Finding, LintResult
from bcplint.load.discover import SUFFIXES, WorkspaceSpec, display_path, find_root, find_workspaces
from bcplint.load.files import load_files
from bcplint.load.parse import could_hold_plan
from bcplint.packs import Rule
from bcplint.packs.selection import select_rules
from bcplint.server.cache import ParsedFiles
from bcplint.workspace.documents import Workspace, build_workspace


@dataclass(frozen=True, kw_only=True)
class Buffer:
    """An open document: its URI, its file's absolute path (directories resolved as
    :mod:`bcplint.load.discover` resolves them), its text and the version the client gave it."""

    uri: str
    path: Path
    text: str
    version: int | None = None

    @property
    def content(self) -> bytes:
        """The text as the bytes a saved file would hold (lone surrogates kept, so the loader
        reports them as it reports invalid UTF-8 on disk)."""
        return self.text.encode("utf-8", "surrogatepass")


@dataclass(frozen=True, kw_only=True)
class Snapshot:
    """One lint of one workspace: its result (every finding, paths relative to ``spec.base``),
    the documents it saw, its rules, and the buffers it read, by display path."""

    spec: WorkspaceSpec
    result: LintResult
    workspace: Workspace
    rules: tuple[Rule, ...]
    buffers: Mapping[str, Buffer]
    findings: Mapping[str, tuple[Finding, ...]] = field(default_factory=dict)  # display path -> findings

    def display(self, path: Path) -> str:
        return display_path(path, self.spec.base)

    def path_of(self, display: str) -> Path:
        """The absolute path of a file named as the result names it."""
        return Path(os.path.normpath(self.spec.base / display))


def resolved(path: Path) -> Path:
    """``path`` with its directory's symbolic links resolved, as discovery resolves paths."""
    return Path(os.path.realpath(path.parent)) / path.name


def workspace_of(path: Path) -> WorkspaceSpec:
    """The workspace a buffer's file belongs to (it need not exist yet), reporting on everything.

    Raises ConfigError for a broken configuration, SourceError when git cannot list files.
    """
    start = path if os.path.lexists(path) else _existing_directory(path.parent)
    root, _ = find_root(start if start.is_dir() else start.parent)
    specs = find_workspaces([str(start)], cwd=root)
    spec = next((s for s in specs if s.root == root), specs[0])
    return dataclasses.replace(spec, targets=None)


def lint(spec: WorkspaceSpec, buffers: Sequence[Buffer], cache: ParsedFiles, today: dt.date) -> Snapshot:
    """Lint the whole workspace of ``spec`` with ``buffers`` read in place of their files:
    the pipeline of ``bcplint check`` (:mod:`bcplint.engine`), with unchanged files from
    ``cache``. Raises what :func:`bcplint.api.lint` raises for a broken configuration, pack or
    baseline."""
    options = LintOptions(cwd=spec.root, today=today, read_named_files=False)
    selection = select_rules(spec.config, cwd=spec.root)
    overlays = {b.path: b.content for b in buffers}
    files, notes = load_files(spec, read_named=False, overlays=overlays, reader=cache.read)
    loaded = {f.path for f in files}
    used = {display: b for b in buffers if (display := display_path(b.path, spec.base)) in loaded}
    run = Run(
        rules=selection.rules,
        today=today,
        known_rules=selection.known,
        baseline=baseline_of(spec, options),
        history=HistorySource(repository=spec.repository),
    )
    with _collector_paused():
        workspace = build_workspace(files, today)
        result = check(run, workspace, (*spec.notes, *notes))
    result = dataclasses.replace(result, base=spec.base)
    by_path: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_path.setdefault(finding.path, []).append(finding)
    return Snapshot(
        spec=spec,
        result=result,
        workspace=workspace,
        rules=selection.rules,
        buffers=used,
        findings={path: tuple(found) for path, found in by_path.items()},
    )


def could_be_plan(path: Path, text: str) -> bool:
    """True for a buffer worth linting: a file whose name and content could hold a plan
    (the same test ``bcplint check`` makes before it parses a file)."""
    name = path.name.lower()
    return name.endswith(SUFFIXES) and could_hold_plan(text.encode("utf-8", "surrogatepass"))


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while the rules run, as in the command line: checking
    allocates many objects and almost no cycles, and the collector's passes over a heap that
    also holds the cached files cost a third of a large run. Parsing (cache misses) keeps it on,
    as each parser leaves cycles behind; it is on again between runs."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _existing_directory(path: Path) -> Path:
    current = path
    while not current.is_dir() and current != current.parent:
        current = current.parent
    return current
