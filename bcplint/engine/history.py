"""Git history for the rules that read it (check functions that declare ``needs={"history"}``,
such as BCP304 review-after-change's)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from bcplint.errors import SourceError
from bcplint.git.history import Change, last_changes
from bcplint.git.runner import is_shallow
from bcplint.model.kinds import Plan
from bcplint.workspace.documents import Workspace


@dataclass(frozen=True, kw_only=True)
class HistorySource:
    """Where history comes from: the repository holding the workspace, and the revision linted
    (``HEAD`` for the work tree and the index)."""

    repository: Path | None  # None outside git: the rule is skipped, with a note saying why
    rev: str = "HEAD"


def file_history(
    workspace: Workspace, repository: Path | None, rev: str
) -> tuple[dict[str, Change] | None, str | None]:
    """Repository path -> last change on the branch since the oldest plan review; or None and
    why history is unavailable (outside git, a shallow clone, no commits). Document paths are
    repository paths, so they index this directly."""
    reviews = [
        doc.model.reviewed.on
        for doc in workspace.valid(("Plan",))
        if isinstance(doc.model, Plan) and doc.model.reviewed and doc.model.reviewed.on
    ]
    if not reviews:
        return {}, None
    if repository is None:
        return None, "not inside a git repository, so there is no history to compare with"
    since = max(min(reviews), dt.date.min + dt.timedelta(days=1)) - dt.timedelta(days=1)
    try:
        if is_shallow(repository):
            return None, "this is a shallow clone; fetch the history (`fetch-depth: 0` in CI)"
        return last_changes(repository, since, rev), None
    except SourceError as exc:
        return None, str(exc)
