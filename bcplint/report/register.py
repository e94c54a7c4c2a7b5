"""The exception register (``bcplint waivers``): every waiver and inline suppression, by expiry."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from bcplint.findings import Exemption


def _row(exemption: Exemption, today: dt.date) -> dict[str, Any]:
    return {
        "kind": exemption.kind,
        "name": exemption.name,
        "rule": exemption.rule,
        "target": exemption.target,
        "approved_by": exemption.approved_by,
        "expires": exemption.expires.isoformat() if exemption.expires else None,
        "days_left": exemption.days_left(today),
        "status": exemption.status,
        "hides": exemption.matched,
        "reason": exemption.reason,
        "path": exemption.path,
        "line": exemption.line,
        "problems": list(exemption.problems),
    }


def ordered(exemptions: Iterable[Exemption]) -> list[Exemption]:
    """Soonest expiry first; exemptions without an expiry last."""
    return sorted(exemptions, key=lambda e: (e.expires or dt.date.max, e.path, e.line, e.name))


def write_json(exemptions: Sequence[Exemption], today: dt.date, stream: TextIO) -> None:
    rows = [_row(e, today) for e in ordered(exemptions)]
    json.dump({"version": 1, "today": today.isoformat(), "exemptions": rows}, stream, indent=2, ensure_ascii=False)
    stream.write("\n")


def write_text(exemptions: Sequence[Exemption], today: dt.date, stream: TextIO) -> None:
    for e in ordered(exemptions):
        left = e.days_left(today)
        when = f"{e.expires.isoformat()} ({left} days left)" if e.expires and left is not None else "no expiry"
        if left is not None and left < 0:
            when = f"{e.expires.isoformat()} (expired {-left} days ago)" if e.expires else when
        who = f", approved by {e.approved_by}" if e.approved_by else ""
        target = f" on {e.target}" if e.target else ""
        stream.write(f"{e.path}:{e.line}: {e.status:<8} {e.rule}{target} until {when}{who}: {e.reason}\n")
    stream.write(f"\n{len(exemptions)} exemption{'s' if len(exemptions) != 1 else ''}.\n")


def write_markdown(exemptions: Sequence[Exemption], today: dt.date, stream: TextIO) -> None:
    stream.write("| expires | days left | status | rule | target | approved by | reason | where |\n")
    stream.write("|---|---:|---|---|---|---|---|---|\n")
    for e in ordered(exemptions):
        left = e.days_left(today)
        reason = e.reason.replace("|", "\\|")
        stream.write(
            f"| {e.expires.isoformat() if e.expires else 'never'} | {'' if left is None else left} | {e.status} "
            f"| {e.rule} | {e.target or ''} | {e.approved_by or ''} | {reason} | `{e.path}:{e.line}` |\n"
        )


REGISTER_FORMATS = {"text": write_text, "json": write_json, "markdown": write_markdown}
