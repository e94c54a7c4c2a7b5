"""Checks of continuity scope: what was left out on purpose must not hold up what was kept in."""

from __future__ import annotations

from collections.abc import Iterator

from bcplint.checks.base import Context, Hit, NoParams
from bcplint.workspace.documents import Document, Workspace


def excluded_dependency(ctx: Context, doc: Document, field: str, params: NoParams) -> Iterator[Hit]:
    """Nothing the document depends on is out of continuity scope (ISO 22301:2019 4.3.2:
    exclusions must not affect the ability to provide continuity).

    ``depends_on: [legacy-ftp]`` fails (outcome ``excluded``) when ``legacy-ftp`` has
    ``out_of_scope``, naming its reason; passes otherwise. Every dependency type counts: an
    excluded office a critical service relies on is as much a gap as an excluded database.
    """
    workspace = ctx.workspace
    if workspace.memo("names-out-of-scope", lambda: _out_of_scope(workspace)).isdisjoint(workspace.dependencies(doc)):
        return  # the common case, decided without typing every link
    for link in workspace.dependency_links(doc):
        target = workspace.get(link.name)
        exclusion = getattr(target.model, "out_of_scope", None) if target is not None else None
        if exclusion is None:
            continue
        yield Hit(
            doc=doc,
            field=("depends_on", link.index),
            outcome="excluded",
            detail=f"depends on '{link.name}', which is out of continuity scope ({exclusion.reason})",
            values={"dependency": link.name, "reason": exclusion.reason},
        )


def _out_of_scope(workspace: Workspace) -> frozenset[str]:
    """Names whose document (the one ``workspace.get`` finds) is out of continuity scope."""
    return frozenset(name for name, doc in workspace.by_name.items() if workspace.excluded(doc))
