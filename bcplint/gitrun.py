"""The git-aware parts of a run: a revision's files, history for BCP304, what a change touches."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from bcplint.errors import SourceError
from bcplint.gitinfo import Change, changed_paths, last_changes, merge_base, open_repo, shallow, tree_files
from bcplint.loader import LoadedFile, load_file
from bcplint.model.kinds import Plan
from bcplint.sources import display_path, git_root
from bcplint.workspace import Doc, Workspace

if TYPE_CHECKING:
    from git import Repo


def repository(cwd: Path, why: str) -> tuple[Repo, Path]:
    root = git_root(cwd)
    if root is None:
        raise SourceError(f"{why} needs a git repository, and {cwd} is not inside one")
    return open_repo(root), root


def revision_files(repo: Repo, root: Path, rev: str, paths: Iterable[str], cwd: Path) -> list[LoadedFile]:
    """The files of commit ``rev`` under ``paths``, loaded from git objects (nothing checked out)."""
    subpaths = []
    for path in paths:
        absolute = (cwd / path).resolve()
        try:
            subpaths.append(absolute.relative_to(root.resolve()).as_posix())
        except ValueError:
            raise SourceError(f"--rev: {path} is outside the repository {root}") from None
    return [load_file(display_path(root / name, cwd), content) for name, content in tree_files(repo, rev, subpaths)]


def changed_display_paths(repo: Repo, root: Path, ref: str, cwd: Path) -> set[str]:
    """Files changed since the merge base of ``ref`` and HEAD, as reports name them."""
    base = merge_base(repo, ref)
    return {display_path(root / path, cwd) for path in changed_paths(repo, base)}


def history(workspace: Workspace, cwd: Path, rev: str | None) -> tuple[dict[str, Change] | None, str | None]:
    """Last change per file since the oldest plan review, or None and why it is unavailable."""
    reviews = [
        doc.model.reviewed.on
        for doc in workspace.valid(("Plan",))
        if isinstance(doc.model, Plan) and doc.model.reviewed and doc.model.reviewed.on
    ]
    if not reviews:
        return {}, None
    # The repository holding the plan, wherever bcplint was started from.
    where = (cwd / workspace.docs[0].path).parent if workspace.docs else cwd
    root = git_root(where if where.is_dir() else cwd)
    skipped = "BCP304 review-after-change was skipped: "
    if root is None:
        return None, skipped + "not inside a git repository, so there is no history to compare with"
    since = min(reviews) - dt.timedelta(days=1)
    try:
        if shallow(root):
            return None, skipped + "this is a shallow clone; fetch the history (`fetch-depth: 0` in CI)"
        changes = last_changes(root, since, rev or "HEAD")
    except SourceError as exc:
        return None, skipped + str(exc)
    return {display_path(root / path, cwd): change for path, change in changes.items()}, None


def affected(workspace: Workspace, changed: set[str]) -> set[int]:
    """Documents (by id) in changed files, those that depend on them, and plans covering any of those."""
    dependents: dict[str, list[Doc]] = {}
    for doc in workspace.valid():
        for name in workspace.dependencies(doc):
            dependents.setdefault(name, []).append(doc)
    stack = [doc for doc in workspace.docs if doc.path in changed]
    seen: set[int] = set()
    while stack:
        doc = stack.pop()
        if id(doc) in seen:
            continue
        seen.add(id(doc))
        if doc.name is not None:
            stack.extend(dependents.get(doc.name, []))
            stack.extend(workspace.referrers("Plan", "covers").get(doc.name, []))
    return seen
