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
    """Soonest expiry first; exemptions without an expiry last; then by place."""
    return sorted(exemptions, key=lambda e: (e.expires or dt.date.max, e.path, e.line, e.name))
