"""Reading and parsing many files, on every core when there are enough of them.

Parsing dominates a large run, and each file parses independently, so above a threshold the
files are split between worker processes. Results come back in the original order, so output
does not depend on scheduling.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence

from bcplint.loader import LoadedFile, LoadProblem, load_file
from bcplint.sources import SourceFile

# Below this many files a second process costs more (start-up, pickling) than it saves.
PARALLEL_THRESHOLD = 400
# Far beyond any plan; keeps a stray dump or disk image from exhausting memory.
MAX_FILE_BYTES = 100 * 2**20


def read_file(source: SourceFile) -> LoadedFile:
    """One file's documents, or a problem saying why it could not be read. Never raises."""
    try:
        info = source.path.stat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO would block the run, a device never end
            return _unreadable(source, "not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            return _unreadable(source, f"file is larger than {MAX_FILE_BYTES // 2**20} MB; split the plan into files")
        content = source.path.read_bytes()
    except OSError as exc:
        return _unreadable(source, f"cannot read file: {exc.strerror or exc}")
    return load_file(source.display, content, explicit=source.explicit)


def _unreadable(source: SourceFile, message: str) -> LoadedFile:
    problem = LoadProblem(path=source.display, line=1, column=1, message=message)
    return LoadedFile(path=source.display, problem=problem)


def _read_chunk(sources: Sequence[SourceFile]) -> list[LoadedFile]:
    return [read_file(source) for source in sources]


def read_files(sources: Sequence[SourceFile], *, workers: int | None = None) -> list[LoadedFile]:
    """Every file loaded, in the order given."""
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers < 2 or len(sources) < PARALLEL_THRESHOLD:
        return _read_chunk(sources)
    import multiprocessing  # only large runs pay for these imports
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods():
        return _read_chunk(sources)
    # Contiguous chunks keep each worker's results in order; a few per worker balance the load.
    count = workers * 4
    size = -(-len(sources) // count)
    chunks = [sources[i : i + size] for i in range(0, len(sources), size)]
    context = multiprocessing.get_context("fork")  # no re-import: workers start in milliseconds
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return [loaded for chunk in pool.map(_read_chunk, chunks) for loaded in chunk]
