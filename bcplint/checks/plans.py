"""Checks of what a Plan says it does: when and by whom it is invoked, its procedures, and whom
it notifies within what time (ISO 22301:2019 8.4.3 to 8.4.5)."""

from __future__ import annotations

from collections.abc import Iterator

from bcplint.checks.base import Context, Hit, NoParams
from bcplint.checks.people import authorities
from bcplint.model.kinds import Plan, Procedure, Service
from bcplint.workspace.documents import Document

PROCEDURES = ("response", "recovery", "return_to_normal")


def _written(procedure: Procedure | None) -> bool:
    return procedure is not None and bool(procedure.link or procedure.steps)


def plan_procedures(ctx: Context, doc: Document, field: str, params: NoParams) -> Iterator[Hit]:
    """The Plan says when it is invoked (``activation.criteria``), by whom
    (``activation.authority``), and how to respond, recover and return to normal
    (``procedures``: steps or a link each).

    A plan with all five passes. Each one missing fails once: outcome ``criteria``,
    ``authority`` or ``procedure`` (with ``{procedure}`` naming it). The recovery procedure may
    also be written per Service: when every Service the plan covers has ``recovery`` steps or a
    procedure, the plan needs no recovery procedure of its own.
    """
    plan = doc.model
    if not isinstance(plan, Plan):
        return
    activation = plan.activation
    if activation is None or not activation.criteria:
        yield Hit(
            doc=doc, field=("activation", "criteria"), outcome="criteria", detail="does not say when it is invoked"
        )
    if not authorities(activation):
        yield Hit(
            doc=doc, field=("activation", "authority"), outcome="authority", detail="does not say who may invoke it"
        )
    procedures = plan.procedures
    for name in PROCEDURES:
        if _written(getattr(procedures, name, None) if procedures else None):
            continue
        if name == "recovery" and plan.covers and _every_service_recovers(ctx, plan):
            continue
        words = name.replace("_", " ")
        yield Hit(
            doc=doc,
            field=("procedures", name),
            outcome="procedure",
            detail=f"has no {words} procedure (steps or a link)",
            values={"procedure": words},
        )


def _every_service_recovers(ctx: Context, plan: Plan) -> bool:
    services = [ctx.workspace.get(name, ("Service",)) for name in plan.covers]
    return all(
        s is not None
        and isinstance(s.model, Service)
        and s.model.recovery is not None
        and bool(s.model.recovery.procedure or s.model.recovery.steps)
        for s in services
    )


def notification_deadlines(ctx: Context, doc: Document, field: str, params: NoParams) -> Iterator[Hit]:
    """The Plan says whom it notifies within what time (``communication.notify``), over one of
    its own channels.

    ``notify: [{audience: customers, within: 1h, channel: status}]`` passes when ``status`` is
    one of the plan's channels. Fails with outcome ``missing`` (no notification at all),
    ``deadline`` (an entry without ``within``) or ``channel`` (a channel the plan does not
    list).
    """
    plan = doc.model
    if not isinstance(plan, Plan):
        return
    communication = plan.communication
    notify = communication.notify if communication else []
    if not notify:
        yield Hit(
            doc=doc,
            field=("communication", "notify"),
            outcome="missing",
            detail="does not say whom it notifies within what time",
        )
        return
    assert communication is not None
    channels = {c.name for c in (*communication.internal, *communication.external)}
    for i, entry in enumerate(notify):
        values = {"audience": entry.audience}
        if entry.within is None:
            yield Hit(
                doc=doc,
                field=("communication", "notify", i),
                outcome="deadline",
                detail=f"notifies {entry.audience} without a deadline (within)",
                values=values,
            )
        if entry.channel is not None and entry.channel not in channels:
            yield Hit(
                doc=doc,
                field=("communication", "notify", i, "channel"),
                outcome="channel",
                detail=f"notifies {entry.audience} over '{entry.channel}', which is none of its channels",
                values={**values, "channel": entry.channel},
            )
