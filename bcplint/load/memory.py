"""Parsed files kept in memory by a process that checks the same workspaces again and again.

A fresh ``bcplint check`` finds unchanged files in the cache on disk (:mod:`bcplint.load.cache`)
but still reads and decodes every entry: on the 10,000-document benchmark that is a third of a
pre-commit run. The daemon (:mod:`bcplint.daemon`) lives on between runs, so it keeps the files
it loaded, under the same content keys as the cache on disk, and a later run takes every file
whose content it has seen as it is. A key names the content exactly (git's blob id, or the
bytes of a work-tree file read and hashed now, with the code that parses them), so a file
kept here is the file parsing that content makes: memory can never change a result.

Each workspace keeps the files of its last two runs (a ``--staged`` run reads the index, a
full run the work tree: one key serves both while they agree), so memory holds at most about
two copies of each workspace it serves.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

from bcplint.load.cache import Cache
from bcplint.load.discover import SourceFile
from bcplint.load.files import Reader
from bcplint.load.parse import LoadedFile
from bcplint.load.read import ReadStats, read_files, source_key

# Workspaces kept at once; the least recently checked one is forgotten first.
MAX_WORKSPACES = 4

_Kept = dict[tuple[bytes, str, bool], LoadedFile]  # (content key, report path, explicit) -> file


class FileMemory:
    """Files loaded by earlier runs of this process, per workspace root (see the module docstring).

    Not thread-safe: the daemon serves one run at a time.
    """

    def __init__(self) -> None:
        self._runs: OrderedDict[Path, tuple[_Kept, _Kept]] = OrderedDict()
        self.reused = 0  # files the last read took from memory
        self.read = 0  # files it read through the cache on disk (and parsed, if not there)

    def reader(self, root: Path, repository: Path | None, cache: Cache, stats: ReadStats) -> Reader:
        """A :data:`~bcplint.load.files.Reader` for one run of the workspace at ``root``: files
        kept from its last two runs are taken as they are, the others read as
        :func:`~bcplint.load.read.read_files` reads them (through ``cache``), and what the run
        read is counted in ``stats`` as that function counts it."""

        def read(sources: Sequence[SourceFile]) -> list[LoadedFile]:
            return self._read(root, repository, cache, stats, sources)

        return read

    def _read(
        self, root: Path, repository: Path | None, cache: Cache, stats: ReadStats, sources: Sequence[SourceFile]
    ) -> list[LoadedFile]:
        before, last = self._runs.pop(root, ({}, {}))
        now: _Kept = {}
        loaded: list[LoadedFile | None] = []
        missing: list[int] = []
        for source in sources:
            key = source_key(cache, source)
            entry = (key or b"", source.display, source.explicit)
            found = last.get(entry, before.get(entry)) if key is not None else None
            if found is None:
                missing.append(len(loaded))
                loaded.append(None)
                continue
            now[entry] = found
            stats.found += 1
            stats.keys[source.display] = entry[0]
            loaded.append(found)
        # Texts read now, not on demand: a file kept here outlives the run that read it.
        fresh = read_files([sources[i] for i in missing], repository=repository, cache=cache, stats=stats)
        for i, file in zip(missing, fresh, strict=True):
            loaded[i] = file
            source = sources[i]
            key = stats.keys.get(source.display)  # the key of the bytes it was made from
            if key is not None:
                now[(key, source.display, source.explicit)] = file
        self._runs[root] = (last, now)
        while len(self._runs) > MAX_WORKSPACES:
            self._runs.popitem(last=False)
        self.reused, self.read = len(sources) - len(missing), len(missing)
        return [file for file in loaded if file is not None]


_ACTIVE: list[FileMemory] = []


def keep_files_in_memory(memory: FileMemory | None) -> None:
    """Make ``memory`` the one every run of this process reads through (None: none). For a
    process that serves many runs (the daemon); a command line run has no use for it."""
    _ACTIVE[:] = [memory] if memory is not None else []


def file_memory() -> FileMemory | None:
    """The memory runs of this process read through, if one was set."""
    return _ACTIVE[0] if _ACTIVE else None
