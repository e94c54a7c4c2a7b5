"""What git knows and a plan cannot claim: what changed, when, and what a commit contained.

Everything is read from git objects with gitpython (imported only here, only when needed):
no checkout, no change to the work tree or the index.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bcplint.errors import SourceError
from bcplint.loader import could_hold_plan
from bcplint.reading import MAX_FILE_BYTES
from bcplint.sources import SUFFIXES

if TYPE_CHECKING:
    from git import Repo

_SYMLINK_MODE = 0o120000


@dataclass(frozen=True, kw_only=True)
class Change:
    """The last commit that touched a file."""

    sha: str
    date: dt.date  # committer date, in UTC
    subject: str

    @property
    def short(self) -> str:
        return self.sha[:7]


def open_repo(root: Path) -> Repo:
    import git  # gitpython: heavy, so imported only by the features that need history

    try:
        return git.Repo(root)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise SourceError(f"{root}: not a git repository") from None


def resolve(repo: Repo, rev: str) -> str | None:
    """The commit ``rev`` names, or None. ``git rev-parse --verify``: gitpython's own revision
    parser raises assorted errors (IndexError for ``@{-5}``) on odd input."""
    try:
        return _git(Path(str(repo.working_tree_dir)), "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").strip()
    except SourceError:
        return None


def merge_base(repo: Repo, ref: str, head: str = "HEAD") -> str:
    """The commit ``head`` forked from ``ref``; a clear error naming what to fetch otherwise."""
    import git

    if resolve(repo, ref) is None:
        hint = f"fetch it first, e.g. `git fetch origin {ref.split('/', 1)[-1]}`"
        raise SourceError(f"--changed-since: unknown revision '{ref}'; {hint}")
    try:
        return str(repo.git.merge_base(ref, head).strip())
    except git.GitCommandError:
        advice = (
            "this is a shallow clone; fetch more history (`git fetch --deepen=200` or `fetch-depth: 0` in CI)"
            if shallow(Path(str(repo.working_tree_dir)))
            else f"'{ref}' and {head} share no history"
        )
        raise SourceError(f"--changed-since: cannot find where {head} forked from '{ref}': {advice}") from None


def changed_paths(repo: Repo, base: str) -> set[str]:
    """Repository-relative paths changed since ``base``: committed, staged, unstaged, untracked,
    deleted. NUL-separated, so names with non-ASCII characters arrive unquoted."""
    root = Path(str(repo.working_tree_dir))
    changed = set(_git(root, "diff", "--name-only", "--no-renames", "-z", base).split("\0"))
    changed.update(_git(root, "ls-files", "-z", "--others", "--exclude-standard").split("\0"))
    return {path for path in changed if path}


def file_at(repo: Repo, rev: str, path: str) -> bytes | None:
    """The content of ``path`` at ``rev``, or None where it did not exist."""
    result = subprocess.run(
        ["git", "cat-file", "blob", f"{rev}:{path}"], cwd=str(repo.working_tree_dir), capture_output=True, check=False
    )
    return result.stdout if result.returncode == 0 else None


def tree_files(repo: Repo, rev: str, subpaths: Iterable[str]) -> list[tuple[str, bytes]]:
    """(repository path, content) of the candidate files of ``rev`` under ``subpaths``.

    Read from git objects: nothing is checked out. Symbolic links and submodules are skipped.
    """
    import git

    sha = resolve(repo, rev)
    if sha is None:
        raise SourceError(f"--rev: unknown revision '{rev}'; check the name or fetch it first")
    tree = repo.commit(sha).tree
    prefixes = [p.strip("/") for p in subpaths if p.strip("/") not in ("", ".")]
    for prefix in prefixes:
        try:
            tree / prefix
        except KeyError:
            raise SourceError(f"--rev: {prefix} does not exist in {rev}") from None
    files = []
    for item in tree.traverse():
        if not isinstance(item, git.Blob) or item.mode == _SYMLINK_MODE:
            continue
        path = str(item.path)
        if not path.lower().endswith(SUFFIXES):
            continue
        if prefixes and not any(path == p or path.startswith(p + "/") for p in prefixes):
            continue
        if item.size > MAX_FILE_BYTES:  # as in the work tree: a stray dump must not fill memory
            continue
        content = item.data_stream.read()
        if could_hold_plan(content):  # the same pre-filter as the work tree: keep only what may be ours
            files.append((path, content))
    return sorted(files)


def _git(root: Path, *args: str) -> str:
    """Run one read-only git command in ``root``; SourceError with git's message on failure."""
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
    if result.returncode != 0:
        raise SourceError(result.stderr.decode("utf-8", "replace").strip() or f"git {args[0]} failed")
    return result.stdout.decode("utf-8", "replace")


def shallow(root: Path) -> bool:
    return _git(root, "rev-parse", "--is-shallow-repository").strip() == "true"


def last_changes(root: Path, since: dt.date, rev: str = "HEAD") -> dict[str, Change]:
    """Repository path -> the newest commit at or before ``rev`` that touched it, since ``since``.

    One ``git log`` for the whole repository, newest first; the first sighting of a path wins.
    A plain subprocess, not gitpython: importing gitpython would cost a small plan's run more
    than the history itself, and this is the only git call BCP304 needs.
    """
    try:
        output = _git(
            root,
            "log",
            rev,
            f"--since={since.isoformat()}T00:00:00Z",
            "--no-renames",
            "--name-only",
            "-z",
            "--format=%x01%H%x09%ct%x09%s",
        )
    except SourceError:
        raise SourceError(f"the repository has no commit '{rev}' to read history from") from None
    changes: dict[str, Change] = {}
    for record in output.split("\x01")[1:]:
        header, _, names = record.partition("\0")  # -z: "\x01<header>\0\n<path>\0<path>\0"
        sha, timestamp, subject = [*header.split("\t", 2), "", ""][:3]
        change = Change(sha=sha, date=dt.datetime.fromtimestamp(int(timestamp), dt.UTC).date(), subject=subject)
        for name in (n.strip("\n") for n in names.split("\0")):
            if name:
                changes.setdefault(name, change)
    return changes
