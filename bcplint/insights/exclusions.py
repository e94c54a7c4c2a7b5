"""The documents a workspace declares out of continuity scope, for the reports to list."""

from __future__ import annotations

from collections.abc import Collection, Iterator

from bcplint.findings import Exclusion
from bcplint.load.parse import read_texts
from bcplint.load.positions import PositionIndex
from bcplint.workspace.documents import Document, Workspace


def exclusions(
    workspace: Workspace, positions: PositionIndex, focus: Collection[Document] | None = None
) -> Iterator[Exclusion]:
    """Each valid document with ``out_of_scope``, in load order, with the line of that key
    (only those in ``focus`` when given: a narrowed run reports no other)."""
    excluded = [doc for doc in workspace.valid() if workspace.excluded(doc) and (focus is None or doc in focus)]
    read_texts(doc.raw.source for doc in excluded)  # in one batch, not a query per file
    for doc in excluded:
        record = getattr(doc.model, "out_of_scope", None)
        assert record is not None  # Workspace.excluded says so
        line, _ = positions.locate(doc.raw.source, doc.raw.index, ("out_of_scope",), key=True)
        yield Exclusion(
            kind=doc.kind or "",
            name=doc.name or "",
            reason=record.reason,
            approved_by=record.approved_by,
            path=doc.path,
            line=line,
        )
