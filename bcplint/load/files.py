"""A workspace's files, read and parsed: from the work tree, the index or a commit, with unsaved
editor buffers in place of the files they edit."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from bcplint.load.discover import SUFFIXES, SourceFile, Tree, WorkspaceSpec, display_path, list_sources
from bcplint.load.parse import LoadedFile, load_file
from bcplint.load.read import read_files


def load_files(
    spec: WorkspaceSpec,
    tree: Tree = "worktree",
    *,
    read_named: bool = True,
    overlays: Mapping[Path, bytes] | None = None,
) -> tuple[list[LoadedFile], tuple[str, ...]]:
    """Every candidate file of the workspace, loaded, in path order, and notes about files
    left out or read as no plan (:func:`bcplint.load.discover.list_sources` says which files).

    ``overlays`` (absolute path -> content) replace files of the work tree, or add unsaved
    ones, when they lie in the workspace and could be plans by their names.
    """
    sources, skipped = list_sources(spec, tree, read_named=read_named)
    if overlays and tree == "worktree":
        files, sources = _with_overlays(spec, sources, overlays)
    else:
        files = read_files(sources, repository=spec.repository)
    notes = (
        *skipped,
        *(note for f in files for note in f.notes),
        *(
            f"{f.path}: holds no bcplint/v1 document"
            for f, s in zip(files, sources, strict=True)
            if s.explicit and not f.is_bcp and not f.notes
        ),
    )
    return files, notes


def _with_overlays(
    spec: WorkspaceSpec, sources: list[SourceFile], overlays: Mapping[Path, bytes]
) -> tuple[list[LoadedFile], list[SourceFile]]:
    buffers = {
        display_path(path, spec.base): content
        for path, content in overlays.items()
        if spec.root in Path(path).parents and str(path).lower().endswith(SUFFIXES)
    }
    on_disk = [s for s in sources if s.display not in buffers]
    read = dict(zip((s.display for s in on_disk), read_files(on_disk, repository=spec.repository), strict=True))
    known = {s.display: s for s in sources}
    merged = sorted({*known, *buffers})
    ordered_sources = [known.get(d) or SourceFile(display=d, path=spec.base / d, explicit=True) for d in merged]
    files = [
        load_file(d, buffers[d], explicit=known[d].explicit if d in known else True) if d in buffers else read[d]
        for d in merged
    ]
    return files, ordered_sources
