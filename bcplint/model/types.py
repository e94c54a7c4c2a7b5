"""Shared value types of the bcplint/v1 format: durations, locations, references."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import annotated_types
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    PlainSerializer,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

Criticality = Literal["critical", "high", "medium", "low"]

# How a message names a field that was left out (rule messages such as "{label} is
# {criticality} but has no RTO" must still read as a sentence).
UNSET_WORDING = {"criticality": "of unassessed criticality"}


_UNITS = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}


def _in_order(units: str) -> str:
    """A regex for one or more of ``units``, each at most once and in this order: ``1h30m``, not ``30m1h``."""
    return "|".join(
        f"[0-9]+{first}" + "".join(f"(?:[0-9]+{later})?" for later in units[i + 1 :]) for i, first in enumerate(units)
    )


# One pattern, used both by the parser here and as the JSON Schema's `pattern`, so editors and
# `bcplint check` cannot disagree. It is written for every regex engine a schema meets (Python's
# re, ECMA-262 in editors, RE2): ASCII digits spelled [0-9] (\d is Unicode-aware in Python), at
# least one unit (so "", "P" and "PT" are not durations), a "T" only when a time unit follows,
# and the whitespace a YAML value may carry around it, which also makes "$" mean the same in
# every engine (Python's "$" also matches before a final newline). ISO 8601 durations leave out
# years and months: those are not fixed lengths of time.
_BLANK = "[ \\t\\n\\r]*"
_SHORT_FORM = _in_order("wdhms")
_ISO_FORM = f"P(?:(?:{_in_order('WD')})(?:T(?:{_in_order('HMS')}))?|T(?:{_in_order('HMS')}))"
DURATION_PATTERN = f"^{_BLANK}(?:{_SHORT_FORM}|{_ISO_FORM}){_BLANK}$"
DURATION_HELP = "a duration such as 30m, 4h, 1h30m, 2d, 1w or ISO 8601 PT4H"
_DURATION = re.compile(DURATION_PATTERN)
_AMOUNTS = re.compile(r"([0-9]+)([A-Za-z])")


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
        """``"1h30m"`` -> ``Duration(5400, "1h30m")``; raises ValueError for anything that does not match
        :data:`DURATION_PATTERN` (spaces, tabs and line breaks around the value are allowed)."""
        return _parse_duration(text)


@functools.lru_cache(maxsize=1024)  # plans repeat a handful of durations thousands of times
def _parse_duration(text: str) -> Duration:
    # re.search, exactly as a JSON Schema validator applies `pattern`.
    if _DURATION.search(text):
        stripped = text.strip(" \t\n\r")
        # The pattern allows "M" only after "T" in ISO form (minutes), so every unit letter
        # lower-cased is one of _UNITS; the leading "P" and "T" carry no number.
        seconds = sum(int(amount) * _UNITS[unit.lower()] for amount, unit in _AMOUNTS.findall(stripped))
        return Duration(seconds, stripped)
    hint = " (months and years are not fixed durations)" if re.search(r"[0-9](y|mo|Y)", text) else ""
    raise ValueError(f"{_quoted(text)} is not {DURATION_HELP}{hint}")


def _short(text: str) -> str:
    """Text for a message, cut short: a value may be megabytes long."""
    return text if len(text) <= 80 else f"{text[:77]}..."


def _quoted(text: str) -> str:
    return f"'{_short(text)}'"


def _to_duration(value: Any) -> Duration:
    if isinstance(value, Duration):
        return value
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f"expected {DURATION_HELP}, got {_short(repr(value))}")
    return Duration.parse(value)


DurationField = Annotated[
    Duration,
    BeforeValidator(_to_duration),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "pattern": DURATION_PATTERN, "description": DURATION_HELP}),
]

# ISO 8601 calendar dates, YYYY-MM-DD. The pattern rules out impossible months and days where a
# regex can (it lets 29 February through in every year); `format: date` with a format checker,
# and bcplint, also reject 29 February outside leap years. Editors that check only the pattern
# therefore flag every other impossible date.
_MONTH_DAY = "(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-9])|(?:0[13-9]|1[0-2])-30|(?:0[13578]|1[02])-31)"
DATE_PATTERN = f"^[0-9]{{4}}-{_MONTH_DAY}$"
DATE_HELP = "a date written YYYY-MM-DD"
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _to_date(value: Any) -> dt.date:
    """Text ``YYYY-MM-DD`` (how YAML dates reach the model) -> date; a ``date`` passes through.

    Stricter than pydantic's own date parsing on purpose: no timestamps (``0`` is not
    1970-01-01), no times, no other ISO forms; exactly what ``format: date`` accepts.
    """
    if type(value) is dt.date:
        return value
    # One error type for every way of not being a date: bcplint.model.validate words the message
    # (the expected form, the date probably meant, why an impossible date is impossible).
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise PydanticCustomError("date_parsing", "not " + DATE_HELP)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("date_parsing", "not a real date") from None


DateField = Annotated[
    dt.date,
    BeforeValidator(_to_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN, "description": DATE_HELP}),
]


def _whole_number(value: Any) -> Any:
    """``12.0`` -> ``12``: JSON Schema counts a float with no fraction as an integer, so bcplint does too."""
    return int(value) if type(value) is float and value.is_integer() else value


# A count of things (people a site holds): a whole number, never negative.
Count = Annotated[int, annotated_types.Ge(0), BeforeValidator(_whole_number)]


@dataclass(frozen=True)
class Ref:
    """Marks a field as a reference to another document by name, of one of ``kinds``."""

    kinds: tuple[str, ...]


def ref_field(*kinds: str) -> Any:
    """Field metadata of a reference: a non-empty name, described for editors."""
    return Field(min_length=1, description=f"name of a {' or '.join(kinds)}")


class Strict(BaseModel):
    """Base of every model: unknown fields are errors, so typos are caught; values are taken as they are."""

    # strict: no coercion that the JSON Schema would not allow ("yes" or 1 for true, bytes for text).
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False, strict=True)


def given(field: str) -> dict[str, JsonValue]:
    """JSON Schema: ``field`` is present with a value (null counts as absent, as in the models)."""
    return {"required": [field], "not": {"properties": {field: {"type": "null"}}}}


def not_both(first: str, second: str) -> dict[str, JsonValue]:
    """JSON Schema: ``first`` and ``second`` are not both given (what a model validator checks)."""
    return {"not": {"allOf": [given(first), given(second)]}}


class HostLocation(Strict):
    """Where something runs: a provider and, optionally, a region and its zones (availability
    zones, data halls: whatever the provider calls the failure domains inside a region)."""

    model_config = ConfigDict(**Strict.model_config, json_schema_extra=not_both("zone", "zones"))

    provider: str = Field(min_length=1, description="hosting provider, e.g. aws, azure, on-prem", examples=["aws"])
    region: str | None = Field(default=None, description="provider region, e.g. us-east-1")
    zone: str | None = Field(
        default=None, min_length=1, description="the one zone it runs in", examples=["us-central1-b"]
    )
    zones: list[Annotated[str, Field(min_length=1)]] = Field(
        default_factory=list,
        description="the zones it runs in at once (zone-redundant); give zone or zones, not both",
        examples=[["eu-west-1a", "eu-west-1b", "eu-west-1c"]],
    )

    @model_validator(mode="after")
    def _zone_or_zones(self) -> HostLocation:
        if self.zone is not None and "zones" in self.model_fields_set:  # even zones: [], as the schema says
            raise ValueError("give 'zone' (one zone) or 'zones' (several), not both")
        return self

    def key(self) -> tuple[str, str | None]:
        """Case-insensitive identity used when comparing two locations (zones left out: a zone
        is inside its region, so two places in one region are one place to the region rules)."""
        return (self.provider.lower(), self.region.lower() if self.region else None)

    def zone_names(self) -> tuple[str, ...]:
        """The zones named, lower-cased and without repeats, in the order written; () when none."""
        names = [self.zone] if self.zone is not None else self.zones
        return tuple(dict.fromkeys(name.lower() for name in names))
