"""Checks on the exemptions themselves, run after every other rule has been applied."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from bcplint.checks.base import Context, Hit, NoParams
from bcplint.findings import Exemption, plural


def _hit(ctx: Context, exemption: Exemption, outcome: str, detail: str, field: str) -> Hit:
    doc = ctx.workspace.get(exemption.name, ("Waiver",)) if exemption.kind == "waiver" else None
    described = {"waiver": f"Waiver '{exemption.name}'", "inline": f"suppression at {exemption.name}"}
    values = {
        "exemption": described.get(exemption.kind, f"baseline entry at {exemption.name}"),
        "rule": exemption.rule,
        "target": exemption.target or "",
        "expires": exemption.expires.isoformat() if exemption.expires else "",
    }
    if doc is not None:
        return Hit(
            doc=doc,
            field=(exemption.field if outcome == "invalid" else field,),
            outcome=outcome,
            detail=detail,
            values=values,
        )
    return Hit(
        doc=None,
        field=(),
        outcome=outcome,
        detail=detail,
        values=values,
        position=(exemption.path, exemption.line, exemption.column),
    )


def waiver_expired(ctx: Context, params: NoParams, exemptions: Sequence[Exemption]) -> Iterator[Hit]:
    """A waiver or suppression whose ``expires``/``until`` date has passed (it no longer hides anything).

    On 2026-11-23: ``expires: 2026-12-31`` passes; ``expires: 2026-10-31`` fails (outcome ``expired``).
    """
    for exemption in exemptions:
        if exemption.status == "expired" and exemption.expires is not None:
            detail = f"expired on {exemption.expires.isoformat()}; the findings it hid are reported again"
            yield _hit(ctx, exemption, "expired", detail, "expires")


def waiver_unused(ctx: Context, params: NoParams, exemptions: Sequence[Exemption]) -> Iterator[Hit]:
    """A valid, unexpired waiver, suppression or baseline entry that matched no finding.

    A waiver of BCP402 on a System whose backups are now tested fails (outcome ``unused``).
    """
    for exemption in exemptions:
        if exemption.status == "unused":
            detail = exemption.hint or "matches no finding any more; remove it"
            yield _hit(ctx, exemption, "unused", detail, "rule")


def waiver_invalid(ctx: Context, params: NoParams, exemptions: Sequence[Exemption]) -> Iterator[Hit]:
    """A waiver or suppression that cannot take effect: unknown rule, no reason, self-approved.

    ``# bcplint: ignore[BCP402]`` without ``-- reason`` fails (outcome ``invalid``).
    """
    for exemption in exemptions:
        if exemption.status == "invalid":
            yield _hit(ctx, exemption, "invalid", "; ".join(exemption.problems), "rule")


def waiver_review_due(ctx: Context, params: NoParams, exemptions: Sequence[Exemption]) -> Iterator[Hit]:
    """A standing risk acceptance (a Waiver with ``review_by``) past its review date.

    It keeps hiding its finding (it was accepted for good), but the acceptance is due for
    review. On 2026-11-23: ``review_by: 2027-06-30`` passes, ``review_by: 2026-06-30`` fails
    (outcome ``review``).
    """
    for exemption in exemptions:
        due = exemption.review_by
        if due is not None and due < ctx.today and exemption.status in ("active", "unused"):
            days = (ctx.today - due).days
            detail = f"was due for review on {due.isoformat()}, {plural(days, 'day')} ago"
            yield _hit(ctx, exemption, "review", detail, "review_by")
