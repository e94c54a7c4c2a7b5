"""The files git knows: in the work tree, in the index, in a commit; and their contents.

Listings are repository-relative POSIX paths, sorted. Contents of the index and of commits
come from git's object store (``cat-file --batch``): nothing is checked out and the work tree
is never read, so ``--staged`` sees what ``git commit`` records and ``--rev`` what a commit held.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from bcplint.git.runner import GitError, git_environment, resolve, text, zsplit

# Entries that are not regular files: symbolic links and submodules (gitlinks) are skipped,
# as a symbolic link found in a directory walk is not followed out of the repository.
_REGULAR_MODES = frozenset({"100644", "100755"})


@dataclass(frozen=True, order=True, kw_only=True)
class Entry:
    """A regular file recorded by git: where it is in the repository and its blob id."""

    path: str
    blob: str


def worktree_files(root: Path, under: str = "") -> list[str]:
    """Tracked files plus untracked ones git does not ignore, below ``under`` ('' for all).

    A file deleted from the work tree but still in the index is listed by git; the caller
    decides what to do with a name that no longer exists.
    """
    args = ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--deduplicate"]
    return sorted(set(zsplit(text(root, *args, "--", under or "."))))


def index_entries(root: Path, under: str = "") -> list[Entry]:
    """The regular files of the index (what the next commit records), below ``under``.

    Honours ``GIT_INDEX_FILE``, so inside ``git commit -a`` it is the index being committed.
    Unmerged paths (a conflict in progress) have no single content and are left out.
    """
    entries: dict[str, Entry] = {}
    unmerged: set[str] = set()
    for record in zsplit(text(root, "ls-files", "-z", "--stage", "--", under or ".")):
        info, _, path = record.partition("\t")
        mode, blob, stage = info.split(" ")
        if stage != "0":
            unmerged.add(path)
        elif mode in _REGULAR_MODES:
            entries[path] = Entry(path=path, blob=blob)
    return sorted(entry for path, entry in entries.items() if path not in unmerged)


def revision_entries(root: Path, rev: str, under: str = "") -> list[Entry]:
    """The regular files of commit ``rev`` below ``under``. GitError for an unknown revision."""
    sha = resolve(root, rev)
    if sha is None:
        raise GitError(f"unknown revision '{rev}'; check the name or fetch it first")
    entries = []
    for record in zsplit(text(root, "ls-tree", "-r", "-z", "--full-tree", sha, "--", under or ".")):
        info, _, path = record.partition("\t")
        mode, kind, blob = info.split(" ")
        if kind == "blob" and mode in _REGULAR_MODES:
            entries.append(Entry(path=path, blob=blob))
    return sorted(entries)


def read_blobs(root: Path, objects: Sequence[str], *, limit: int) -> Iterator[bytes | None]:
    """The contents of ``objects`` (blob ids or ``rev:path`` names), in order, from one
    ``git cat-file --batch``. None for an object that is missing or larger than ``limit``
    bytes (its bytes are streamed past, never held in memory).
    """
    if not objects:
        return
    process = subprocess.Popen(
        ["git", "cat-file", "--batch", "--buffer"],
        cwd=root,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=git_environment(),
    )
    assert process.stdin is not None and process.stdout is not None
    # Requests are written by a thread: with every request written first, git's answers
    # would fill the pipe and both sides would wait for each other.
    writer = threading.Thread(target=_write_requests, args=(process.stdin, objects), daemon=True)
    writer.start()
    try:
        for _ in objects:
            yield _read_one(process.stdout, limit)
    finally:
        process.stdout.close()
        writer.join()
        process.wait()


def _write_requests(stream: IO[bytes], objects: Iterable[str]) -> None:
    try:
        for name in objects:
            stream.write(name.encode("utf-8", "surrogateescape") + b"\n")
        stream.close()
    except (BrokenPipeError, ValueError):  # the reader stopped early
        pass


def _read_one(stream: IO[bytes], limit: int) -> bytes | None:
    header = stream.readline()
    parts = header.split()
    if len(parts) != 3:  # "<name> missing" (or git died): nothing to read
        return None
    size = int(parts[2])
    if size > limit:
        remaining = size + 1
        while remaining:
            chunk = stream.read(min(remaining, 1 << 20))
            if not chunk:
                break
            remaining -= len(chunk)
        return None
    content = stream.read(size)
    stream.read(1)  # the newline after each object
    return content
