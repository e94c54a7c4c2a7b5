"""Parsed files kept between lint runs of one workspace, inside the server process.

While someone types, one buffer changes and the rest of the workspace does not: reading and
parsing a thousand unchanged files again on every keystroke is most of a run. A file parsed
earlier is reused while its ``stat`` signature (size, modification and status-change times in
nanoseconds, inode) is unchanged. The status-change time cannot be set back by tools that
restore modification times, and a rename or a new inode changes the signature too.

A cache must never change a result, so a file modified within :data:`RACY_SECONDS` of being
read is not kept (as git treats "racily clean" index entries): on a file system with coarse
timestamps a second write in the same tick would otherwise keep its old signature. Unsaved
buffers never come from here; :mod:`bcplint.server.lint` parses them on every run.

Files not held here are read through the cache of parsed files that ``bcplint check`` keeps on
disk (:mod:`bcplint.load.cache`, keyed by content), so opening an editor on a large workspace
that was checked before does not parse it all again. They are read in this process: the
server has threads, and forking a process with threads is not safe.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Sequence
from dataclasses import dataclass

from bcplint.load.cache import Cache
from bcplint.load.discover import SourceFile
from bcplint.load.parse import LoadedFile
from bcplint.load.read import read_files

RACY_SECONDS = 2.0

Signature = tuple[int, int, int, int]


@dataclass(frozen=True)
class _Entry:
    signature: Signature
    loaded: LoadedFile


@dataclass
class CacheStats:
    """What the last :meth:`ParsedFiles.read` did: files reused and files parsed."""

    reused: int = 0
    parsed: int = 0


class ParsedFiles:
    """Work-tree files of one workspace, parsed once and reused while unchanged on disk.

    Not thread-safe: the server lints one workspace at a time, on one worker thread. Files
    read afresh go through ``disk`` (the cache of parsed files on disk), when given.
    """

    def __init__(self, disk: Cache | None = None) -> None:
        self._entries: dict[tuple[str, str, bool], _Entry] = {}
        self._disk = disk
        self.stats = CacheStats()

    def read(self, sources: Sequence[SourceFile]) -> list[LoadedFile]:
        """Every source loaded (as :func:`bcplint.load.read.read_file` loads it), in the order given.

        Files no longer listed are forgotten, so the cache holds at most one workspace's files.
        """
        started = time.time_ns()
        racy = started - int(RACY_SECONDS * 1e9)
        stats = CacheStats()
        kept: dict[tuple[str, str, bool], _Entry] = {}
        loaded_files: list[LoadedFile | None] = []
        missing: list[tuple[int, tuple[str, str, bool], Signature | None, int]] = []
        for source in sources:
            assert source.path is not None  # work-tree sources only
            key = (str(source.path), source.display, source.explicit)
            signature, changed_at = _signature(source)
            entry = self._entries.get(key)
            if entry is not None and signature is not None and entry.signature == signature:
                stats.reused += 1
                kept[key] = entry
                loaded_files.append(entry.loaded)
            else:
                missing.append((len(loaded_files), key, signature, changed_at))
                loaded_files.append(None)
        fresh = read_files([sources[i] for i, _, _, _ in missing], workers=1, cache=self._disk)
        for (i, key, signature, changed_at), loaded in zip(missing, fresh, strict=True):
            stats.parsed += 1
            loaded_files[i] = loaded
            if signature is not None and changed_at < racy:
                kept[key] = _Entry(signature, loaded)
        self._entries = kept
        self.stats = stats
        return [loaded for loaded in loaded_files if loaded is not None]

    def __len__(self) -> int:
        return len(self._entries)


def _signature(source: SourceFile) -> tuple[Signature | None, int]:
    """The stat signature of a regular file and the later of its two change times; None for
    anything else (missing, a directory, a FIFO): those are read every time."""
    assert source.path is not None
    try:
        info = os.stat(source.path)
    except OSError:
        return None, 0
    if not stat.S_ISREG(info.st_mode):
        return None, 0
    signature = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
    return signature, max(info.st_mtime_ns, info.st_ctime_ns)
