"""Shared value types of the bcplint/v1 format: durations, locations, references."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, WithJsonSchema

Criticality = Literal["critical", "high", "medium", "low"]


_UNITS = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}
_SHORT = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
# ISO 8601 durations without years and months: those are not fixed lengths of time.
_ISO = re.compile(r"^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
DURATION_PATTERN = r"^((\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?|P(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?)$"
DURATION_HELP = "a duration such as 30m, 4h, 1h30m, 2d, 1w or ISO 8601 PT4H"


@dataclass(frozen=True)
class Duration:
    """A length of time, kept with the text the user wrote for messages.

    Not orderable on purpose: compare ``.seconds`` (``1h`` and ``PT1H`` are equally long).
    """

    seconds: int
    text: str

    def __str__(self) -> str:
        return self.text

    @classmethod
    def parse(cls, text: str) -> Duration:
        return _parse_duration(text.strip())


@functools.lru_cache(maxsize=1024)  # plans repeat a handful of durations thousands of times
def _parse_duration(text: str) -> Duration:
    for pattern in (_SHORT, _ISO):
        match = pattern.match(text)
        if match and any(match.groups()):
            parts = [int(g) if g else 0 for g in match.groups()]
            weights = (_UNITS["w"], _UNITS["d"], _UNITS["h"], _UNITS["m"], _UNITS["s"])
            return Duration(sum(p * w for p, w in zip(parts, weights, strict=True)), text)
    hint = " (months and years are not fixed durations)" if re.search(r"\d+(y|mo|Y)", text) else ""
    raise ValueError(f"'{text}' is not {DURATION_HELP}{hint}")


def _to_duration(value: Any) -> Duration:
    if isinstance(value, Duration):
        return value
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f"expected {DURATION_HELP}, got {value!r}")
    return Duration.parse(value)


DurationField = Annotated[
    Duration,
    BeforeValidator(_to_duration),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "pattern": DURATION_PATTERN, "description": DURATION_HELP}),
]


@dataclass(frozen=True)
class Ref:
    """Marks a field as a reference to another document by name, of one of ``kinds``."""

    kinds: tuple[str, ...]


def ref_field(*kinds: str) -> Any:
    """Field metadata of a reference: a non-empty name, described for editors."""
    return Field(min_length=1, description=f"name of a {' or '.join(kinds)}")


class Strict(BaseModel):
    """Base of every model: unknown fields are errors, so typos are caught."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class HostLocation(Strict):
    """Where something runs: a provider and, optionally, a region."""

    provider: str = Field(min_length=1, description="hosting provider, e.g. aws, azure, on-prem")
    region: str | None = Field(default=None, description="provider region, e.g. us-east-1")

    def key(self) -> tuple[str, str | None]:
        """Case-insensitive identity used when comparing two locations."""
        return (self.provider.lower(), self.region.lower() if self.region else None)
