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
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Sequence
from dataclasses import dataclass

from bcplint.load.discover import SourceFile
from bcplint.load.parse import LoadedFile
from bcplint.load.read import read_file

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

    Not thread-safe: the server lints one workspace at a time, on one worker thread.
    """

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str, bool], _Entry] = {}
        self.stats = CacheStats()

    def read(self, sources: Sequence[SourceFile]) -> list[LoadedFile]:
        """Every source loaded (as :func:`bcplint.load.read.read_file` loads it), in the order given.

        Files no longer listed are forgotten, so the cache holds at most one workspace's files.
        """
        started = time.time_ns()
        racy = started - int(RACY_SECONDS * 1e9)
        stats = CacheStats()
        kept: dict[tuple[str, str, bool], _Entry] = {}
        loaded_files = []
        for source in sources:
            assert source.path is not None  # work-tree sources only
            key = (str(source.path), source.display, source.explicit)
            signature, changed_at = _signature(source)
            entry = self._entries.get(key)
            if entry is not None and signature is not None and entry.signature == signature:
                loaded, stats.reused = entry.loaded, stats.reused + 1
            else:
                loaded, stats.parsed = read_file(source), stats.parsed + 1
                if signature is None or changed_at >= racy:
                    loaded_files.append(loaded)
                    continue
                entry = _Entry(signature, loaded)
            kept[key] = entry
            loaded_files.append(loaded)
        self._entries = kept
        self.stats = stats
        return loaded_files

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
