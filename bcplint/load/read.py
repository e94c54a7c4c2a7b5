"""Reading and parsing many files, on every core when there are enough of them.

Parsing dominates a large run, and each file parses independently, so above a threshold the
files are split between worker processes. Files of the index or of a commit are read from
git's object store, one ``git cat-file --batch`` per chunk, inside the worker that parses
them, so their bytes never cross a process boundary. Results come back in the original
order, so output does not depend on scheduling.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

from bcplint.git.trees import read_blobs
from bcplint.load.discover import SourceFile
from bcplint.load.parse import LoadedFile, LoadProblem, load_file

# Below this many files a second process costs more (start-up, pickling) than it saves.
PARALLEL_THRESHOLD = 400
# Far beyond any plan; keeps a stray dump or disk image from exhausting memory.
MAX_FILE_BYTES = 100 * 2**20
_TOO_LARGE = f"file is larger than {MAX_FILE_BYTES // 2**20} MB; split the plan into files"


def read_file(source: SourceFile) -> LoadedFile:
    """One work-tree file's documents, or a problem saying why it could not be read. Never raises."""
    assert source.path is not None
    try:
        info = source.path.stat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO would block the run, a device never end
            return _unreadable(source, "not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            return _unreadable(source, _TOO_LARGE)
        content = source.path.read_bytes()
    except OSError as exc:
        return _unreadable(source, f"cannot read file: {exc.strerror or exc}")
    return load_file(source.display, content, explicit=source.explicit)


def _unreadable(source: SourceFile, message: str) -> LoadedFile:
    problem = LoadProblem(path=source.display, line=1, column=1, message=message)
    return LoadedFile(path=source.display, problem=problem)


def _read_chunk(sources: Sequence[SourceFile], repository: Path | None) -> list[LoadedFile]:
    blobs = [s.blob for s in sources if s.blob is not None]
    contents = iter(read_blobs(repository, blobs, limit=MAX_FILE_BYTES)) if blobs and repository else iter(())
    loaded = []
    for source in sources:
        if source.blob is None:
            loaded.append(read_file(source))
            continue
        content = next(contents, None)
        if content is None:
            loaded.append(_unreadable(source, _TOO_LARGE))
        else:
            loaded.append(load_file(source.display, content, explicit=source.explicit))
    return loaded


def read_files(
    sources: Sequence[SourceFile], *, repository: Path | None = None, workers: int | None = None
) -> list[LoadedFile]:
    """Every file loaded, in the order given. ``repository`` holds the blobs of git sources."""
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers < 2 or len(sources) < PARALLEL_THRESHOLD:
        return _read_chunk(sources, repository)
    # Only large runs pay for these imports (some milliseconds: a pre-commit run is mostly start-up).
    import multiprocessing  # noqa: PLC0415
    from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415

    if "fork" not in multiprocessing.get_all_start_methods():
        return _read_chunk(sources, repository)
    # Contiguous chunks keep each worker's results in order; a few per worker balance the load.
    count = workers * 4
    size = -(-len(sources) // count)
    chunks = [sources[i : i + size] for i in range(0, len(sources), size)]
    context = multiprocessing.get_context("fork")  # no re-import: workers start in milliseconds
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        results = pool.map(_read_chunk, chunks, [repository] * len(chunks))
        return [loaded for chunk in results for loaded in chunk]
