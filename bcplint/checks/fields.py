"""Document checks on one field: is it there, does it look right, is it recent enough.

Each check's docstring carries a passing and a failing example; ``tests/unit/test_checks.py``
runs them.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from pydantic import Field, field_validator

from bcplint.checks.base import Context, Hit, NoParams, Params, lookup, render
from bcplint.checks.filters import check_where, matches
from bcplint.model.types import Duration
from bcplint.workspace.documents import Document

if TYPE_CHECKING:
    import re2


def _is_empty(value: Any) -> bool:
    return value is None or value in ("", [], {})


def defined(ctx: Context, doc: Document, field: str, params: NoParams) -> Iterator[Hit]:
    """The field is present and not empty.

    Passes: ``owner: cto``. Fails (outcome ``missing``): no ``owner`` key, or ``owner: ""``.
    """
    for found in lookup(doc.model, field):
        if _is_empty(found.value):
            yield Hit(
                doc=doc,
                field=found.path,
                outcome="missing",
                detail=f"has no {field}",
                values={"item": found.item or ""},
            )


def truthy(ctx: Context, doc: Document, field: str, params: NoParams) -> Iterator[Hit]:
    """The field is present and true.

    Passes: ``stateless: true``. Fails (outcome ``false``): ``stateless: false`` or absent.
    """
    for found in lookup(doc.model, field):
        if not found.value:
            yield Hit(
                doc=doc,
                field=found.path,
                outcome="false",
                detail=f"{field} is not true",
                values={"item": found.item or ""},
            )


REGEX_HELP = "RE2 syntax: no backreferences or lookaround; see docs/writing-packs.md"


@functools.lru_cache(maxsize=256)  # the same few pack patterns, for every document
def compile_regex(text: str) -> re2._Regexp[str]:
    """A pack's regular expression, compiled with RE2, which matches in time linear in the text.

    Python's ``re`` backtracks: ``^(a+)+$`` takes minutes on forty characters. RE2 has no
    backtracking, so it has no backreferences or lookaround; a pattern that uses them raises
    ValueError with RE2's reason. YamlText: https://github.com/google/re2/wiki/Syntax.
    """
    import re2  # noqa: PLC0415 - only packs with regexes pay for the import (some milliseconds)

    options = re2.Options()
    options.log_errors = False  # RE2 would print its own copy of the error on stderr
    try:
        return re2.compile(text, options)
    except re2.error as exc:
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise ValueError(f"regular expression '{text}' cannot be used: {reason} ({REGEX_HELP})") from None


class PatternParams(Params):
    regex: str

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        compile_regex(value)
        return value


def pattern(ctx: Context, doc: Document, field: str, params: PatternParams) -> Iterator[Hit]:
    """A present field's text matches ``regex`` (searched, so anchor it with ^…$ if needed).

    With ``regex: '@example\\.com$'`` passes ``email: cto@example.com``, fails (outcome
    ``mismatch``) ``email: cto@gmail.com``. An absent field is left to ``defined``. The
    regex is RE2's (see :func:`compile_regex`), so a check takes time linear in the text.
    """
    compiled = compile_regex(params.regex)
    for found in lookup(doc.model, field):
        if found.value is not None and not compiled.search(render(found.value)):
            shown = shorten(render(found.value))
            yield Hit(
                doc=doc,
                field=found.path,
                outcome="mismatch",
                detail=f"{field} '{shown}' does not match {params.regex}",
                values={"value": shown, "item": found.item or ""},
            )


def shorten(text: str, limit: int = 80) -> str:
    """A value as a message quotes it: cut short, since a value may be megabytes long."""
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


class EnumParams(Params):
    values: list[Any] = Field(min_length=1)


def enum(ctx: Context, doc: Document, field: str, params: EnumParams) -> Iterator[Hit]:
    """A present field's value is one of ``values`` (strings compare case-insensitively).

    With ``values: [pass]`` passes ``result: pass``, fails (outcome ``other``) ``result: fail``.
    """
    for found in lookup(doc.model, field):
        if found.value is not None and not matches({"v": found.value}, {"v": params.values}):
            allowed = ", ".join(render(v) for v in params.values)
            yield Hit(
                doc=doc,
                field=found.path,
                outcome="other",
                detail=f"{field} is '{render(found.value)}', expected one of {allowed}",
                values={"value": render(found.value), "allowed": allowed, "item": found.item or ""},
            )


class MaxAgeParams(Params):
    days: int = Field(ge=0)


def max_age(ctx: Context, doc: Document, field: str, params: MaxAgeParams) -> Iterator[Hit]:
    """A date field is set and no more than ``days`` before the evaluation date.

    With ``days: 365`` on 2026-11-23: passes ``on: 2026-01-10``; fails with outcome
    ``stale`` for ``on: 2025-01-10`` and with outcome ``missing`` when there is no date.
    """
    for found in lookup(doc.model, field):
        values: dict[str, object] = {"days": params.days, "item": found.item or ""}
        if found.value is None:
            yield Hit(doc=doc, field=found.path, outcome="missing", detail=f"has no {field}", values=values)
        elif isinstance(found.value, dt.date):
            age = (ctx.today - found.value).days
            if age > params.days:
                values.update(value=found.value.isoformat(), age=age)
                yield Hit(
                    doc=doc,
                    field=found.path,
                    outcome="stale",
                    detail=f"{field} is {found.value.isoformat()}, {age} days ago (limit {params.days})",
                    values=values,
                )


class CountParams(Params):
    min: int = Field(ge=1)
    where: dict[str, Any] = Field(default_factory=dict)

    @field_validator("where")
    @classmethod
    def _valid_filter(cls, value: dict[str, Any]) -> dict[str, Any]:
        check_where(value)
        return value


def count_min(ctx: Context, doc: Document, field: str, params: CountParams) -> Iterator[Hit]:
    """A list field holds at least ``min`` items matching ``where``.

    With ``min: 1, where: {priority: secondary}`` on ``communication.internal``: passes when
    one channel has ``priority: secondary``; fails (outcome ``too_few``) otherwise.
    """
    for found in lookup(doc.model, field):
        items = found.value if isinstance(found.value, list) else []
        count = sum(1 for item in items if matches(item, params.where))
        if count < params.min:
            yield Hit(
                doc=doc,
                field=found.path,
                outcome="too_few",
                detail=f"{field} has {count} matching item(s), needs {params.min}",
                values={"count": count, "min": params.min},
            )


class DurationMaxParams(Params):
    max: str

    @field_validator("max")
    @classmethod
    def _is_duration(cls, value: str) -> str:
        Duration.parse(value)
        return value


def duration_max(ctx: Context, doc: Document, field: str, params: DurationMaxParams) -> Iterator[Hit]:
    """A present duration field is no longer than ``max``.

    With ``max: 4h`` passes ``rto: 2h`` and ``rto: PT4H``; fails (outcome ``too_long``)
    ``rto: 8h``. An absent field is left to ``defined``.
    """
    limit = Duration.parse(params.max)
    for found in lookup(doc.model, field):
        if isinstance(found.value, Duration) and found.value.seconds > limit.seconds:
            yield Hit(
                doc=doc,
                field=found.path,
                outcome="too_long",
                detail=f"{field} is {found.value}, longer than {limit}",
                values={"value": str(found.value), "max": str(limit), "item": found.item or ""},
            )
