"""A workspace's files, read and parsed: from the work tree, the index or a commit, with unsaved
editor buffers in place of the files they edit.

Which buffers count (``overlays``, in the work tree only): a buffer whose file the workspace
lists is read instead of the file; a buffer of a file not on disk at all (a new, unsaved file)
is added when it lies in the workspace and could hold a plan (:func:`could_hold_plan`). A
buffer of a file the workspace leaves out (``exclude``, ``.gitignore``, a nested workspace) is
left out too, so a buffer gets exactly what ``bcplint check`` reports once it is saved.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from bcplint.load.cache import Cache
from bcplint.load.discover import SUFFIXES, SourceFile, Tree, WorkspaceSpec, display_path, list_sources
from bcplint.load.parse import LoadedFile, could_hold_plan, load_file
from bcplint.load.read import ReadStats, read_files

Reader = Callable[[Sequence[SourceFile]], list[LoadedFile]]


def load_files(
    spec: WorkspaceSpec,
    tree: Tree = "worktree",
    *,
    read_named: bool = True,
    overlays: Mapping[Path, bytes] | None = None,
    reader: Reader | None = None,
    cache: Cache | None = None,
    stats: ReadStats | None = None,
    texts_on_demand: bool = False,
) -> tuple[list[LoadedFile], tuple[str, ...]]:
    """Every candidate file of the workspace, loaded, in path order, and notes about files
    left out or read as no plan (:func:`bcplint.load.discover.list_sources` says which files).

    ``overlays`` (absolute path -> content) stand for files of the work tree (see the module
    docstring). ``reader`` reads files from disk or git (default :func:`read_files`, through
    ``cache`` when given, counting in ``stats``, with ``texts_on_demand``; the language server
    passes its own cache).
    """
    sources, skipped = list_sources(spec, tree, read_named=read_named)
    read = reader or (
        lambda chosen: read_files(
            chosen, repository=spec.repository, cache=cache, stats=stats, texts_on_demand=texts_on_demand
        )
    )
    buffers = _buffers(spec, sources, overlays) if overlays and tree == "worktree" else {}
    on_disk = [s for s in sources if s.display not in buffers]
    loaded = dict(zip((s.display for s in on_disk), read(on_disk), strict=True))
    explicit = {s.display: s.explicit for s in sources}
    for display, content in buffers.items():
        loaded[display] = load_file(display, content, explicit=explicit.get(display, True))
    files = [loaded[display] for display in sorted(loaded)]
    notes = (
        *skipped,
        *(note for f in files for note in f.notes),
        *(
            f"{f.path}: holds no bcplint/v1 document"
            for f in files
            if explicit.get(f.path) and not f.is_bcp and not f.notes
        ),
    )
    return files, notes


def _buffers(spec: WorkspaceSpec, sources: Sequence[SourceFile], overlays: Mapping[Path, bytes]) -> dict[str, bytes]:
    """The overlays that count, by report path."""
    listed = {s.display for s in sources}
    chosen = {}
    for path, content in overlays.items():
        display = display_path(path, spec.base)
        new_plan = (
            spec.root in Path(path).parents
            and not os.path.lexists(path)
            and str(path).lower().endswith(SUFFIXES)
            and could_hold_plan(content)
        )
        if display in listed or new_plan:
            chosen[display] = content
    return chosen
