"""Workspace checks on the structure of the plan: parsing, schema, names, references, cycles."""

from __future__ import annotations

from collections.abc import Iterator

from bcplint.checks.base import Context, Hit, NoParams
from bcplint.model import KINDS
from bcplint.workspace.documents import references
from bcplint.workspace.graph import find_cycles


def parse_error(ctx: Context, params: NoParams) -> Iterator[Hit]:
    """A file that cannot be read as YAML (syntax, duplicate keys, tags, encoding)."""
    for loaded in ctx.workspace.files:
        if loaded.problem is not None:
            problem = loaded.problem
            yield Hit(
                doc=None,
                field=(),
                outcome="parse",
                detail=problem.message,
                position=(problem.path, problem.line, problem.column),
            )


def schema_violation(ctx: Context, params: NoParams) -> Iterator[Hit]:
    """A document that does not match the bcplint/v1 format, one hit per problem."""
    for doc in ctx.workspace.docs:
        for problem in doc.problems:
            yield Hit(doc=doc, field=problem.field, outcome="schema", detail=problem.message, at_key=problem.at_key)


def unknown_reference(ctx: Context, params: NoParams) -> Iterator[Hit]:
    """A reference that names no document, or a document of the wrong kind.

    A reference to a document whose own ``kind`` is missing or unknown (``kind: contact``) is
    not judged: that document's BCP002 finding names the real problem and its fix, and what
    it was meant to be is anyone's guess until it is fixed. A known but wrong kind is reported
    whether or not the target passed the schema: that mismatch is true either way.
    """
    workspace = ctx.workspace
    for doc in ctx.in_focus(workspace.valid()):  # a hit on a document is about its own references
        for ref in references(doc):
            target = workspace.by_name.get(ref.target)
            expected = _one_of(ref.kinds)
            if target is None:
                yield Hit(
                    doc=doc,
                    field=ref.field,
                    outcome="unknown",
                    detail=f"refers to '{ref.target}', but no document has that name (expected a {expected})",
                    values={"target": ref.target},
                )
            elif target.kind not in ref.kinds and target.kind in KINDS:
                yield Hit(
                    doc=doc,
                    field=ref.field,
                    outcome="wrong_kind",
                    detail=f"refers to '{ref.target}', which is a {target.kind}, not a {expected}",
                    values={"target": ref.target},
                )


def duplicate_name(ctx: Context, params: NoParams) -> Iterator[Hit]:
    """A second document with a name already taken (names are unique across all kinds).

    The first use is passed on as the hit's ``related`` document, so the message can say
    where it is down to the line (``{related_at}``); ``detail`` names its file only.
    """
    for doc, first in ctx.workspace.duplicates:
        kind = first.kind if first.kind in KINDS else "document"
        yield Hit(
            doc=doc,
            field=("name",),
            outcome="duplicate",
            detail=f"reuses a name already taken by the {kind} in {first.path}",
            values={"other": first.path, "other_kind": kind},
            related=(first, ("name",)),
        )


def dependency_cycle(ctx: Context, params: NoParams) -> Iterator[Hit]:
    """``depends_on`` links that lead back to where they started, reported once per cycle."""
    workspace = ctx.workspace
    for cycle in find_cycles(workspace, ctx.focus_names()):
        start = workspace.by_name[cycle[0]]
        following = cycle[1] if len(cycle) > 1 else cycle[0]
        index = workspace.dependencies(start).index(following)
        chain = " -> ".join([*cycle, cycle[0]])
        yield Hit(
            doc=start,
            field=("depends_on", index),
            outcome="cycle",
            detail=f"depends on itself through the cycle {chain}",
            values={"cycle": chain},
        )


def _one_of(kinds: tuple[str, ...]) -> str:
    """('Service', 'System', 'Supplier') -> 'Service, System or Supplier'."""
    return kinds[0] if len(kinds) == 1 else f"{', '.join(kinds[:-1])} or {kinds[-1]}"
