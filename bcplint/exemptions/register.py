"""The exception register: every waiver and inline suppression of a run, as it stands today."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from bcplint.findings import Exemption


@dataclass(frozen=True, kw_only=True)
class Register:
    """Exemptions (soonest expiry first) and the evaluation date their days left count from."""

    exemptions: tuple[Exemption, ...]
    today: dt.date

    @classmethod
    def of(cls, exemptions: Iterable[Exemption], today: dt.date) -> Register:
        return cls(exemptions=tuple(ordered(exemptions)), today=today)


def ordered(exemptions: Iterable[Exemption]) -> list[Exemption]:
    """Soonest expiry (or review date, for standing acceptances) first; exemptions with neither
    last; then by place."""
    return sorted(exemptions, key=lambda e: (e.expires or e.review_by or dt.date.max, e.path, e.line, e.name))


def ends(exemption: Exemption) -> str:
    """When an exemption ends, for a register: its expiry, ``never (review by ...)`` for a
    standing acceptance, or ``never``."""
    if exemption.expires:
        return exemption.expires.isoformat()
    return f"never (review by {exemption.review_by.isoformat()})" if exemption.review_by else "never"
