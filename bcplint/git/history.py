"""What git knows and a plan cannot claim: what changed since a fork point, and when each
file last changed on the branch being checked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from bcplint.git.runner import GitError, is_shallow, resolve, run, text, zsplit


@dataclass(frozen=True, kw_only=True)
class Change:
    """The last commit on the checked branch that touched a file."""

    sha: str
    date: dt.date  # committer date of that commit, in UTC
    subject: str

    @property
    def short(self) -> str:
        return self.sha[:7]


def merge_base(root: Path, ref: str, head: str = "HEAD") -> str:
    """The commit ``head`` forked from ``ref``. GitError naming what to fetch otherwise."""
    if resolve(root, ref) is None:
        hint = f"fetch it first, e.g. `git fetch origin {ref.split('/', 1)[-1]}`"
        raise GitError(f"--changed-since: unknown revision '{ref}'; {hint}")
    try:
        return text(root, "merge-base", "--end-of-options", ref, head).strip()
    except GitError:
        advice = (
            "this is a shallow clone; fetch more history (`git fetch --deepen=200` or `fetch-depth: 0` in CI)"
            if is_shallow(root)
            else f"'{ref}' and {head} share no history"
        )
        raise GitError(f"--changed-since: cannot find where {head} forked from '{ref}': {advice}") from None


def changed_paths(root: Path, base: str | None, *, target: str) -> set[str]:
    """Repository paths that differ between ``base`` and the linted tree, deletions included.

    ``target`` is ``"worktree"`` (committed, staged, unstaged and untracked changes),
    ``"index"`` (what the next commit records) or a commit. ``base`` None means HEAD (for the
    index: before the first commit, everything in the index is new).
    NUL-separated output, so names with any characters arrive unquoted.
    """
    diff = ["diff", "--name-only", "--no-renames", "--no-ext-diff", "-z"]
    if target == "worktree":
        changed = set(zsplit(text(root, *diff, base or "HEAD", "--")))
        changed.update(zsplit(text(root, "ls-files", "-z", "--others", "--exclude-standard")))
    elif target == "index":
        changed = set(zsplit(text(root, *diff, "--cached", *([base] if base else []), "--")))
    else:
        changed = set(zsplit(text(root, *diff, base or f"{target}^", target, "--")))
    return changed


def has_commits(root: Path) -> bool:
    return resolve(root, "HEAD") is not None


def last_changes(root: Path, since: dt.date, rev: str = "HEAD") -> dict[str, Change]:
    """Repository path -> the newest commit on the first-parent history of ``rev`` that
    touched it, among commits since ``since`` (committer dates, UTC).

    First parents only, with each merge listing what it brought in: a change made on a branch
    counts from the day it was merged into the branch being checked, not from the day it was
    written on the side. (A fast-forward leaves no merge commit, so its commits keep their own
    dates: git records no other.) One ``git log`` for the whole repository, newest first.
    """
    try:
        output = run(
            root,
            "log",
            "--first-parent",
            "--diff-merges=first-parent",
            f"--since={since.isoformat()}T00:00:00Z",
            "--no-renames",
            "--name-only",
            "-z",
            "--format=%x01%H%x09%ct%x09%s",
            "--end-of-options",
            rev,
            "--",
        ).decode("utf-8", "surrogateescape")
    except GitError:
        raise GitError(f"the repository has no commit '{rev}' to read history from") from None
    changes: dict[str, Change] = {}
    for record in output.split("\x01")[1:]:
        header, _, names = record.partition("\0")  # -z: "\x01<header>\0\n<path>\0<path>\0"
        sha, timestamp, subject = [*header.split("\t", 2), "", ""][:3]
        change = Change(sha=sha, date=dt.datetime.fromtimestamp(int(timestamp), dt.UTC).date(), subject=subject)
        for name in (n.strip("\n") for n in names.split("\0")):
            if name:
                changes.setdefault(name, change)
    return changes
