"""Raw documents -> pydantic models, with every schema problem as a message at a field."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import reprlib
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from bcplint.errors import did_you_mean
from bcplint.model import API_VERSION, KINDS, BaseDocument

FieldPath = tuple[str | int, ...]


class DocumentList(dict[str, Any]):
    """Stands, as a :class:`ParsedDocument`'s data, for a YAML list whose items are plan
    documents: empty (no kind, no name), so validation reports the one problem, at the list."""

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count


# pydantic's error types for a value that is not a date; their wording ("input is too short",
# "invalid character in year") describes its parser, not what the user should write.
_DATE_ERRORS = frozenset({"date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"})
DATE_FORM = "a date written like 2026-01-05 (YYYY-MM-DD)"
# Year, month and day as digits, whatever their width: `2026-1-5`, `2026-02-30`, `2026-13-01`.
_DIGIT_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
# English and fixed: calendar.month_name follows the process locale, and output must not.
_MONTHS = ("", "January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class SchemaProblem:
    """One way a document breaks the format. ``at_key``: point at the key, not the value."""

    field: FieldPath
    message: str
    at_key: bool = False


def format_field(path: FieldPath) -> str:
    """``('backups', 0, 'frequency')`` -> ``backups[0].frequency`` (absurdly long keys shortened)."""
    text = ""
    for part in path:
        name = part if not isinstance(part, str) or len(part) <= 80 else part[:77] + "..."
        text += f"[{name}]" if isinstance(name, int) else (f".{name}" if text else str(name))
    return text


def validate(data: dict[str, Any]) -> tuple[BaseDocument | None, list[SchemaProblem]]:
    """Validate one document's data; return the model, or None and the problems."""
    if isinstance(data, DocumentList):
        return None, [
            SchemaProblem(
                field=(),
                message=f"a YAML list of {data.count} item(s) holding plan documents is not read; write each "
                "document as its own YAML document, separated by '---' lines",
            )
        ]
    api = data.get("apiVersion")
    if "apiVersion" not in data:
        return None, [
            SchemaProblem(field=(), message=f"missing apiVersion; add 'apiVersion: {API_VERSION}' to the document")
        ]
    if api != API_VERSION:
        return None, [
            SchemaProblem(
                field=("apiVersion",),
                message=f"unsupported apiVersion '{api}'; this version of bcplint reads {API_VERSION}",
            )
        ]
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        if kind is None:
            message = f"missing required field 'kind'; one of {', '.join(KINDS)}"
        else:
            # The suggestion is the fix; the full list only helps when there is none.
            hint = did_you_mean(str(kind), KINDS) or f"; kinds are {', '.join(KINDS)}"
            message = f"unknown kind '{kind}'{hint}"
        return None, [SchemaProblem(field=("kind",) if kind is not None else (), message=message)]
    model = KINDS[str(kind)]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, [_problem(error, model) for error in exc.errors(include_url=False)]


def _problem(error: Any, model: type[BaseDocument]) -> SchemaProblem:
    loc: FieldPath = tuple(error["loc"])
    name = format_field(loc)
    kind = error["type"]
    if kind == "missing":
        return SchemaProblem(field=loc[:-1], message=f"missing required field '{name}'")
    if kind == "invalid_key":
        return SchemaProblem(field=loc, message=f"key {_key_text(loc)} is not a field name", at_key=True)
    if kind == "extra_forbidden":
        allowed = _allowed_fields(model, loc[:-1])
        hint = did_you_mean(str(loc[-1]), allowed)
        return SchemaProblem(field=loc, message=f"unknown field '{name}'{hint}", at_key=True)
    if kind in _DATE_ERRORS:
        return SchemaProblem(field=loc, message=date_message(name, error.get("input")))
    got = _short(error.get("input"))
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return SchemaProblem(field=loc, message=f"'{name}' must be one of {expected}; got {got}")
    if kind == "value_error":
        if not loc:  # a rule about the document as a whole (a Waiver's expires or review_by)
            return SchemaProblem(field=loc, message=str(error["ctx"]["error"]))
        return SchemaProblem(field=loc, message=f"'{name}': {error['ctx']['error']}")
    if kind == "bool_type":
        # YAML 1.2 reads yes/no/on/off as text; bcplint and the JSON Schema take only true and false.
        return SchemaProblem(field=loc, message=f"'{name}' must be true or false; got {got}")
    return SchemaProblem(field=loc, message=f"'{name}': {error['msg'].lower()}; got {got}")


def date_message(name: str, value: Any) -> str:
    """Why ``value`` is not a date, and how to write one.

    ``'2026-02-30'`` is well-formed but impossible, and the message says why (February 2026
    has 28 days); anything else is told the expected form, ISO 8601's YYYY-MM-DD, with the
    date it probably meant when that is clear (``2026-1-5`` -> ``2026-01-05``; a date and time
    -> the date). Day-first and month-first forms (``05/01/2026``) are ambiguous: no guess.
    """
    text = value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value
    if isinstance(text, str):
        text = text.strip()
        match = _DIGIT_DATE.fullmatch(text)
        if match and all(len(part) == 2 for part in match.groups()[1:]):
            why = _impossible(*map(int, match.groups()))
            if why:
                return f"'{name}' is {text}, which is not a real date: {why}"
        meant = _probably_meant(text)
        if meant is not None:
            return f"'{name}' must be {DATE_FORM}; got {_short(text)} (did you mean {meant}?)"
    return f"'{name}' must be {DATE_FORM}; got {_short(text)}"


def _impossible(year: int, month: int, day: int) -> str:
    """Why a YYYY-MM-DD text names no day of the calendar ('' when it does)."""
    if year < dt.MINYEAR:
        return f"years start at {dt.MINYEAR:04d}"
    if not 1 <= month <= 12:
        return f"there is no month {month:02d}; months run from 01 to 12"
    last = calendar.monthrange(year, month)[1]
    if day < 1:
        return "days start at 01"
    if day > last:
        return f"{_MONTHS[month]} {year} has {last} days"
    return ""


def _probably_meant(text: str) -> str | None:
    """``2026-1-5`` or ``2026-01-05 10:00`` -> ``2026-01-05``, when that is a real date."""
    match = _DIGIT_DATE.match(text)
    if match is None or (match.end() < len(text) and text[match.end()] not in " Tt"):
        return None
    try:
        return dt.date(*map(int, match.groups())).isoformat()
    except ValueError:
        return None


def _allowed_fields(model: type[BaseDocument], parent: FieldPath) -> list[str]:
    """Field names valid at ``parent`` inside ``model``, for the did-you-mean hint."""
    current: Any = model
    for part in parent:
        if isinstance(part, int):
            continue
        info = getattr(current, "model_fields", {}).get(part)
        if info is None:
            return []
        current = _model_in(info.annotation)
    return list(getattr(current, "model_fields", {}))


def _model_in(annotation: Any) -> Any:
    """The pydantic model inside ``X | None`` or ``list[X]``, if any."""
    if hasattr(annotation, "model_fields"):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _short(value: Any) -> str:
    """A bounded repr: an alias bomb or a two-megabyte line must not end up in a message."""
    bounded = reprlib.Repr()  # Python 3.11 takes no keyword arguments here
    bounded.maxlevel, bounded.maxlist, bounded.maxdict = 2, 4, 4
    bounded.maxstring = bounded.maxother = 60
    return bounded.repr(value)


def _key_text(loc: FieldPath) -> str:
    return repr(loc[-1]) if loc else "''"
