"""Checks about people: deputies, reachability, too much resting on one person."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from bcplint.checks.base import Context, Hit, NoParams, Params
from bcplint.checks.filters import matches
from bcplint.model.kinds import Contact, Plan
from bcplint.workspace.documents import Document, Workspace

KEY_KINDS = ("Service", "System")
KEY_CRITICALITIES = {"criticality": ["critical", "high"]}


def _contact(workspace: Workspace, name: str | None) -> Contact | None:
    doc = workspace.get(name, ("Contact",)) if name else None
    return doc.model if doc is not None and isinstance(doc.model, Contact) else None


def owner_deputy(ctx: Context, doc: Document, field: str, params: NoParams) -> Iterator[Hit]:
    """The owner named in ``field`` has a deputy who is someone else.

    Passes when owner ``dba`` has ``deputy: sre``; fails with outcome ``missing`` when the
    owner has no deputy, ``self`` when the deputy is the owner. Silent without a known owner.
    """
    owner_name = getattr(doc.model, field, None)
    owner = _contact(ctx.workspace, owner_name)
    if owner is None:
        return
    values = {"owner": owner_name}
    if not owner.deputy:
        yield Hit(
            doc=doc, field=(field,), outcome="missing", detail=f"owner '{owner_name}' has no deputy", values=values
        )
    elif owner.deputy == owner_name:
        yield Hit(
            doc=doc, field=(field,), outcome="self", detail=f"owner '{owner_name}' is their own deputy", values=values
        )


def responsible_contacts(workspace: Workspace) -> set[str]:
    """Names of Contacts who own something or hold a role in a Plan."""
    names: set[str] = set()
    for doc in workspace.valid():
        owner = getattr(doc.model, "owner", None)
        if isinstance(owner, str):
            names.add(owner)
        if isinstance(doc.model, Plan):
            names.update(role.contact for role in doc.model.roles)
    return names


class ReachableParams(Params):
    require: list[str] = Field(default_factory=lambda: ["email", "phone"], min_length=1)


def contact_reachable(ctx: Context, params: ReachableParams) -> Iterator[Hit]:
    """A Contact who owns something or holds a plan role has every field in ``require``.

    With the default ``[email, phone]``: an owner with both passes; an owner without a
    phone fails (outcome ``missing``). A Contact with no responsibility is not checked.
    """
    responsible = responsible_contacts(ctx.workspace)
    for doc in ctx.workspace.valid(("Contact",)):
        if doc.name not in responsible:
            continue
        missing = [f for f in params.require if not getattr(doc.model, f, None)]
        if missing:
            yield Hit(
                doc=doc,
                field=(missing[0],),
                outcome="missing",
                detail=f"has no {' and no '.join(missing)}",
                values={"missing": " and no ".join(missing)},
            )


class KeyPersonParams(Params):
    max: int = Field(ge=1)


def key_person(ctx: Context, params: KeyPersonParams) -> Iterator[Hit]:
    """No Contact owns, or is the only deputy for, more than ``max`` critical/high Services and Systems.

    With ``max: 3``: a Contact owning three passes; owning four fails (outcome ``too_many``).
    """
    workspace = ctx.workspace
    load: dict[str, list[str]] = {}
    for doc in workspace.valid(KEY_KINDS):
        if not matches(doc.model, KEY_CRITICALITIES):
            continue
        owner_name = getattr(doc.model, "owner", None)
        owner = _contact(workspace, owner_name)
        people = {owner_name} if owner_name else set()
        if owner is not None and owner.deputy:
            people.add(owner.deputy)
        for person in people:
            load.setdefault(person, []).append(doc.name or "")
    for doc in workspace.valid(("Contact",)):
        items = sorted(load.get(doc.name or "", []))
        if len(items) > params.max:
            yield Hit(
                doc=doc,
                field=(),
                outcome="too_many",
                detail=f"is owner or deputy for {len(items)} critical or high services and systems "
                f"({', '.join(items)}); the limit is {params.max}",
                values={"count": len(items), "items": ", ".join(items), "max": params.max},
            )
