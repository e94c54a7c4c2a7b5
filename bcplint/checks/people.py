"""Checks about people and teams: deputies, reachability, verified details, too much on one person.

How a Team is judged (the owner of most real services and systems is a team, not a person):

- **cover** (deputy-assigned): a Team covers for itself when at least two of its people (its
  lead and members) are reachable; a Team with fewer has no one to stand in;
- **reachable** (contact-reachable): a Team is reachable through its on-call ``channel``, or
  through any member who is reachable;
- **key person** (key-person-concentration): a Team may own any number of things — spreading
  that load over a team is the remedy the rule asks for — so only Contacts are counted.

A Contact is reachable when it has every field the rule requires (``email`` and ``phone`` by
default); a Plan's ``contact_directory`` (phone numbers kept on purpose in an HR system or a
chat tool's profiles) stands for the phone numbers of everyone in the workspace.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pydantic import Field

from bcplint.checks.base import Context, Hit, NoParams, Params
from bcplint.model.kinds import Activation, Contact, Plan, Team
from bcplint.workspace.documents import Document, Workspace

KEY_KINDS = ("Service", "System")
# An unassessed criticality counts as high: see criticality-assessed.
KEY_CRITICALITIES = ("critical", "high", None)  # None: never assessed, counted as high
PARTY_KINDS = ("Contact", "Team")


def _contact(workspace: Workspace, name: str | None) -> Contact | None:
    doc = workspace.get(name, ("Contact",)) if name else None
    return doc.model if doc is not None and isinstance(doc.model, Contact) else None


def _team(workspace: Workspace, name: str | None) -> Team | None:
    doc = workspace.get(name, ("Team",)) if name else None
    return doc.model if doc is not None and isinstance(doc.model, Team) else None


def team_people(team: Team) -> list[str]:
    """The names of a team's people: its lead and members, each once, in that order."""
    return list(dict.fromkeys([*([team.lead] if team.lead else []), *team.members]))


def owner_deputy(ctx: Context, doc: Document, field: str, params: NoParams) -> Iterator[Hit]:
    """The owner named in ``field`` has someone to stand in: a deputy who is someone else, or,
    for a Team, two or more reachable people (see the module docstring).

    Passes when owner ``dba`` has ``deputy: sre``, or owner team ``it-ops`` has two members
    with email and phone; fails with outcome ``missing`` when the owner has no deputy,
    ``self`` when the deputy is the owner, ``excluded`` when the deputy is out of continuity
    scope, ``thin`` for a team of fewer than two reachable people. Silent without a known owner.
    """
    owner_name = getattr(doc.model, field, None)
    values = {"owner": owner_name}
    team = _team(ctx.workspace, owner_name)
    if team is not None:
        reachable = [p for p in team_people(team) if _reachable_contact(ctx.workspace, p)]
        if len(reachable) < 2:
            count = f"{len(reachable)} reachable {'person' if len(reachable) == 1 else 'people'}"
            yield Hit(
                doc=doc,
                field=(field,),
                outcome="thin",
                detail=f"is owned by team '{owner_name}', which has {count}; a team covers for itself only with two",
                values={**values, "count": count},
            )
        return
    owner = _contact(ctx.workspace, owner_name)
    if owner is None:
        return
    deputy = ctx.workspace.get(owner.deputy) if owner.deputy else None
    if deputy is not None and ctx.workspace.excluded(deputy):
        yield Hit(
            doc=doc,
            field=(field,),
            outcome="excluded",
            detail=f"owner '{owner_name}' has deputy '{owner.deputy}', who is out of continuity scope",
            values={**values, "deputy": owner.deputy},
        )
    elif not owner.deputy:
        yield Hit(
            doc=doc, field=(field,), outcome="missing", detail=f"owner '{owner_name}' has no deputy", values=values
        )
    elif owner.deputy == owner_name:
        yield Hit(
            doc=doc, field=(field,), outcome="self", detail=f"owner '{owner_name}' is their own deputy", values=values
        )


def authorities(activation: Activation | None) -> list[str]:
    """Who may invoke a plan: ``activation.authority`` as a list (one name or several)."""
    if activation is None or activation.authority is None:
        return []
    return [activation.authority] if isinstance(activation.authority, str) else list(activation.authority)


def responsible_parties(workspace: Workspace) -> set[str]:
    """Names of the Contacts and Teams who own something, hold a plan role or may invoke a
    plan. A responsible Team is judged as a team (its channel, its people), so its members are
    not each held to the standard of a responsible Contact. Gathered once per workspace."""

    def gather() -> set[str]:
        names: set[str] = set()
        for doc in workspace.valid():
            owner = getattr(doc.model, "owner", None)
            if isinstance(owner, str):
                names.add(owner)
            if isinstance(doc.model, Plan):
                names.update(role.contact for role in doc.model.roles)
                names.update(authorities(doc.model.activation))
        return names

    return workspace.memo("responsible-parties", gather)


class ReachableParams(Params):
    require: list[str] = Field(default_factory=lambda: ["email", "phone"], min_length=1)


def _has_directory(workspace: Workspace) -> bool:
    def find() -> bool:
        return any(isinstance(d.model, Plan) and d.model.contact_directory for d in workspace.valid(("Plan",)))

    return workspace.memo("contact-directory", find)


def _missing(workspace: Workspace, contact: Contact, require: Sequence[str]) -> list[str]:
    """The required fields a Contact lacks; a plan's contact directory stands for phones."""
    missing = [f for f in require if not getattr(contact, f, None)]
    if "phone" in missing and _has_directory(workspace):
        missing.remove("phone")
    return missing


def _reachable_contact(workspace: Workspace, name: str, require: Sequence[str] = ("email", "phone")) -> bool:
    contact = _contact(workspace, name)
    return contact is not None and not _missing(workspace, contact, require)


def contact_reachable(ctx: Context, params: ReachableParams) -> Iterator[Hit]:
    """A Contact or Team who owns something, holds a plan role or may invoke a plan can be reached.

    A Contact needs every field in ``require`` (default ``[email, phone]``; a plan's
    ``contact_directory`` stands for the phone); a Team needs an on-call ``channel`` or a
    reachable member. An owner without a phone fails (outcome ``missing``), a team with
    neither fails (outcome ``team``). Nobody without a responsibility is checked.
    """
    workspace = ctx.workspace
    responsible = responsible_parties(workspace)
    for doc in ctx.in_focus(workspace.valid(PARTY_KINDS)):
        if doc.name not in responsible:
            continue
        if isinstance(doc.model, Team):
            team = doc.model
            if team.channel is None and not any(
                _reachable_contact(workspace, p, params.require) for p in team_people(team)
            ):
                yield Hit(
                    doc=doc,
                    field=("channel",),
                    outcome="team",
                    detail="has no on-call channel and no member who can be reached",
                )
            continue
        assert isinstance(doc.model, Contact)
        missing = _missing(workspace, doc.model, params.require)
        if missing:
            yield Hit(
                doc=doc,
                field=(missing[0],),
                outcome="missing",
                detail=f"has no {' and no '.join(missing)}",
                values={"missing": " and no ".join(missing)},
            )


class VerifiedParams(Params):
    days: int = Field(ge=0)


def contact_verified(ctx: Context, params: VerifiedParams) -> Iterator[Hit]:
    """The details of every responsible Contact (see :func:`responsible_parties`) were checked
    within ``days`` (``last_verified``).

    With ``days: 180`` on 2026-11-23: ``last_verified: 2026-09-01`` passes; none fails
    (outcome ``missing``), ``2026-01-10`` fails (outcome ``stale``).
    """
    responsible = responsible_parties(ctx.workspace)
    for doc in ctx.in_focus(ctx.workspace.valid(("Contact",))):
        if doc.name not in responsible or not isinstance(doc.model, Contact):
            continue
        checked = doc.model.last_verified
        if checked is None:
            yield Hit(
                doc=doc,
                field=("last_verified",),
                outcome="missing",
                detail="has contact details that were never verified",
                values={"days": params.days},
            )
            continue
        age = (ctx.today - checked).days
        if age > params.days:
            yield Hit(
                doc=doc,
                field=("last_verified",),
                outcome="stale",
                detail=f"had its contact details verified on {checked.isoformat()}, {age} days ago "
                f"(limit {params.days} days)",
                values={"value": checked.isoformat(), "age": age, "days": params.days},
            )


class KeyPersonParams(Params):
    max: int = Field(ge=1)


def key_person(ctx: Context, params: KeyPersonParams) -> Iterator[Hit]:
    """No Contact owns, is the only deputy for, or is a ``people`` dependency of more than
    ``max`` critical/high Services and Systems.

    With ``max: 3``: a Contact owning three passes; owning four fails (outcome ``too_many``).
    Teams are not counted: spreading the load over a team is the remedy. Services and Systems
    whose criticality was never assessed count as high; those out of scope do not count.
    """
    workspace = ctx.workspace
    load: dict[str, list[str]] = {}
    needed: set[str] = set()  # Contacts counted because something depends on them as people
    for doc in workspace.valid(KEY_KINDS):
        if getattr(doc.model, "criticality", None) not in KEY_CRITICALITIES or workspace.excluded(doc):
            continue
        owner_name = getattr(doc.model, "owner", None)
        owner = _contact(workspace, owner_name)
        people = {owner_name} if owner_name else set()
        if owner is not None and owner.deputy:
            people.add(owner.deputy)
        for link in workspace.dependency_links(doc):
            if link.type == "people" and _contact(workspace, link.name) is not None and link.name not in people:
                people.add(link.name)
                needed.add(link.name)
        for person in people:
            load.setdefault(person, []).append(doc.name or "")
    for doc in ctx.in_focus(workspace.valid(("Contact",))):  # the load is counted over everything
        items = sorted(load.get(doc.name or "", []))
        if len(items) > params.max:
            role = "owner, deputy or needed person" if doc.name in needed else "owner or deputy"
            yield Hit(
                doc=doc,
                field=(),
                outcome="too_many",
                detail=f"is {role} for {len(items)} critical, high or unassessed services and systems "
                f"({', '.join(items)}); the limit is {params.max}",
                values={"count": len(items), "items": ", ".join(items), "max": params.max},
            )
