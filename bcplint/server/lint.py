"""One workspace linted as the editor sees it: the files on disk with the open buffers overlaid.

This is :func:`bcplint.api.lint` for a long-running process: the same discovery, the same rules
and configuration, the same engine, so a buffer's diagnostics are exactly what ``bcplint check``
reports once it is saved (the tests hold the two side by side). Two things differ. Unchanged
files come from a :class:`~bcplint.server.cache.ParsedFiles` cache instead of being parsed
again, and the whole workspace's findings are kept (not narrowed to some paths), because every
open document of the workspace gets its diagnostics from the same run.

Which buffers count: one whose file the workspace lists (``bcplint check`` would read it) is
read from the buffer instead of the disk; one that is not on disk at all (a new, unsaved file)
is added when it lies in the workspace and mentions ``bcplint/``. A buffer of a file that the
workspace leaves out (``exclude``, ``.gitignore``, a nested workspace) is left out here too.
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

from bcplint.api import LintOptions, check_workspace, select_rules
from bcplint.baseline import Baseline
from bcplint.baseline import load as load_baseline
from bcplint.discovery import SUFFIXES, WorkspaceSpec, display_path, find_root, find_workspaces, list_sources
from bcplint.findings import Finding, LintResult
from bcplint.history import HistorySource
from bcplint.loader import MARKDOWN_SUFFIXES, MARKER, LoadedFile, load_file
from bcplint.packs import Rule
from bcplint.server.cache import ParsedFiles
from bcplint.workspace import Workspace, build_workspace


@dataclass(frozen=True, kw_only=True)
class Buffer:
    """An open document: its URI, its file's absolute path (directories resolved as
    :mod:`bcplint.discovery` resolves them), its text and the version the client gave it."""

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
    """Lint the whole workspace of ``spec`` with ``buffers`` read in place of their files.

    Raises what :func:`bcplint.api.lint` raises for a broken configuration, pack or baseline.
    """
    rules, known_rules = select_rules(LintOptions(cwd=spec.root), spec.config)
    sources, notes = list_sources(spec, "worktree", read_named=False)
    overlays = {display_path(b.path, spec.base): b for b in buffers}
    listed = {s.display for s in sources}
    on_disk = [s for s in sources if s.display not in overlays]
    files: dict[str, LoadedFile] = dict(zip((s.display for s in on_disk), cache.read(on_disk), strict=True))
    used: dict[str, Buffer] = {}
    for display, buffer in overlays.items():
        if display in listed:
            files[display] = load_file(display, buffer.content)
        elif _is_new_plan(buffer, spec):
            files[display] = load_file(display, buffer.content, explicit=True)
        else:
            continue
        used[display] = buffer
    with _collector_paused():
        workspace = build_workspace([files[d] for d in sorted(files)], today)
        result = check_workspace(
            workspace,
            rules,
            today,
            (*spec.notes, *notes),
            known_rules=known_rules,
            baseline=_baseline(spec),
            history=HistorySource(repository=spec.repository),
        )
    result = dataclasses.replace(result, base=spec.base)
    by_path: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_path.setdefault(finding.path, []).append(finding)
    return Snapshot(
        spec=spec,
        result=result,
        workspace=workspace,
        rules=tuple(rules),
        buffers=used,
        findings={path: tuple(found) for path, found in by_path.items()},
    )


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


def could_be_plan(path: Path, text: str) -> bool:
    """True for a buffer worth linting: a YAML file that mentions ``bcplint/``, or a Markdown
    file whose front matter could (prose that merely mentions bcplint is not a plan)."""
    name = path.name.lower()
    if name.endswith(MARKDOWN_SUFFIXES):
        return text.lstrip("\ufeff").startswith("---") and MARKER.decode() in text
    return name.endswith(SUFFIXES) and MARKER.decode() in text


def _is_new_plan(buffer: Buffer, spec: WorkspaceSpec) -> bool:
    """A buffer of a file not on disk yet, inside the workspace, that could hold a plan."""
    inside = spec.root in buffer.path.parents
    return inside and not os.path.lexists(buffer.path) and could_be_plan(buffer.path, buffer.text)


def _baseline(spec: WorkspaceSpec) -> Baseline | None:
    """The baseline the configuration names (relative to it), as ``bcplint check`` reads it."""
    loaded = spec.config
    if not loaded.config.baseline or loaded.root is None:
        return None
    path = loaded.root / loaded.config.baseline
    return load_baseline(path, display_path(path, spec.base))


def _existing_directory(path: Path) -> Path:
    current = path
    while not current.is_dir() and current != current.parent:
        current = current.parent
    return current
