"""The git-aware parts of a run: a revision's files, history for BCP304, what a change touches."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bcplint.errors import SourceError
from bcplint.gitinfo import (
    Change,
    changed_paths,
    file_at,
    last_changes,
    merge_base,
    open_repo,
    shallow,
    tree_files,
)
from bcplint.loader import LoadedFile, load_file
from bcplint.model.kinds import Plan
from bcplint.sources import SUFFIXES, display_path, git_root
from bcplint.workspace import Doc, Workspace, references

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


@dataclass(frozen=True)
class BranchChanges:
    """What a branch changed: files (as reports name them) and document names it removed."""

    paths: set[str]
    names_before: set[str]  # names defined in those files at the merge base


def changes_since(repo: Repo, root: Path, ref: str, cwd: Path) -> BranchChanges:
    """Files changed since the merge base of ``ref`` and HEAD, and the names they held then.

    The names matter when a document is deleted or renamed: what referred to it is affected,
    though its file no longer holds it.
    """
    base = merge_base(repo, ref)
    paths = changed_paths(repo, base)
    names: set[str] = set()
    for path in paths:
        if path.lower().endswith(SUFFIXES):
            content = file_at(repo, base, path)
            if content is not None:
                held = (d.data.get("name") for d in load_file(path, content).documents)
                names.update(name for name in held if isinstance(name, str))
    return BranchChanges(paths={display_path(root / path, cwd) for path in paths}, names_before=names)


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
    since = max(min(reviews), dt.date.min + dt.timedelta(days=1)) - dt.timedelta(days=1)
    try:
        if shallow(root):
            return None, skipped + "this is a shallow clone; fetch the history (`fetch-depth: 0` in CI)"
        changes = last_changes(root, since, rev or "HEAD")
    except SourceError as exc:
        return None, skipped + str(exc)
    return {display_path(root / path, cwd): change for path, change in changes.items()}, None


def affected(workspace: Workspace, changed: set[str], removed: Collection[str] = ()) -> set[int]:
    """Documents (by id) in changed files or referring to a removed name, those that depend on
    them, and plans covering any of those."""
    dependents: dict[str, list[Doc]] = {}
    for doc in workspace.valid():
        for name in workspace.dependencies(doc):
            dependents.setdefault(name, []).append(doc)
    gone = set(removed) - set(workspace.by_name)
    stack = [doc for doc in workspace.docs if doc.path in changed]
    stack += [doc for doc in workspace.valid() if any(ref.target in gone for ref in references(doc))]
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
