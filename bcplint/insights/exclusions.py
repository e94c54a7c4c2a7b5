"""The documents a workspace declares out of continuity scope, for the reports to list."""

from __future__ import annotations

from collections.abc import Iterator

from bcplint.findings import Exclusion
from bcplint.load.positions import PositionIndex
from bcplint.workspace.documents import Workspace


def exclusions(workspace: Workspace, positions: PositionIndex) -> Iterator[Exclusion]:
    """Each valid document with ``out_of_scope``, in load order, with the line of that key."""
    for doc in workspace.valid():
        record = getattr(doc.model, "out_of_scope", None)
        if record is None:
            continue
        line, _ = positions.locate(doc.raw.source, doc.raw.index, ("out_of_scope",), key=True)
        yield Exclusion(
            kind=doc.kind or "",
            name=doc.name or "",
            reason=record.reason,
            approved_by=record.approved_by,
            path=doc.path,
            line=line,
        )
