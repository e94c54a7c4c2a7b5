"""Document checks that compare values: with another field, with today, with a JSON Schema."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Iterator
from typing import Any, Literal

from pydantic import Field, field_validator

from bcplint.checks.base import Context, FieldValue, Hit, NoParams, Params, lookup, parse_field, render
from bcplint.checks.fields import shorten
from bcplint.checks.objectives import inherited_wording
from bcplint.model.types import Duration
from bcplint.workspace.documents import Document

_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "<=": operator.le,
    "<": operator.lt,
    ">=": operator.ge,
    ">": operator.gt,
    "==": operator.eq,
    "!=": operator.ne,
}


def _comparable(value: Any) -> Any:
    """Durations compare by length; dates and numbers as they are; anything else is skipped."""
    if isinstance(value, Duration):
        return value.seconds
    if isinstance(value, (dt.date, int, float)) and not isinstance(value, bool):
        return value
    return None


class CompareParams(Params):
    other: str = Field(description="field path of the value to compare with")
    op: Literal["<=", "<", ">=", ">", "==", "!="] = "<="
    aggregate: Literal["each", "min", "max"] = Field(
        default="each", description="compare each value of a wildcard path, or only the smallest/largest"
    )
    inherit: bool = Field(
        default=False,
        description="when other is rto or rpo and the document states none, compare with the objective it "
        "inherits from what depends on it (the message says where from)",
    )

    @field_validator("other")
    @classmethod
    def _valid_path(cls, value: str) -> str:
        parse_field(value)
        return value


def compare(ctx: Context, doc: Document, field: str, params: CompareParams) -> Iterator[Hit]:
    """``field op other`` holds wherever both are set (durations by length, dates by day).

    With ``other: mtpd, op: "<="`` on ``rto``: passes ``rto: 4h, mtpd: 1d``; fails (outcome
    ``violated``) ``rto: 2d, mtpd: 1d``; says nothing when either is missing.
    """
    [other] = lookup(doc.model, params.other) or [FieldValue((), None)]
    right = _comparable(other.value)
    other_text = render(other.value)
    if right is None and params.inherit and params.other in ("rto", "rpo"):
        value, other_text = inherited_wording(ctx.workspace, doc, params.other)
        right = _comparable(value)
    if right is None:
        return
    found = [f for f in lookup(doc.model, field) if _comparable(f.value) is not None]
    if params.aggregate != "each" and found:
        pick = min if params.aggregate == "min" else max
        found = [pick(found, key=lambda f: _comparable(f.value))]
    for item in found:
        if not _OPERATORS[params.op](_comparable(item.value), right):
            yield Hit(
                doc=doc,
                field=item.path,
                outcome="violated",
                detail=f"{field} ({render(item.value)}) is not {params.op} {params.other} ({other_text})",
                values={"value": render(item.value), "other": other_text, "item": item.item or ""},
            )


class DefinedAnyParams(Params):
    fields: list[str] = Field(min_length=1, description="field paths, at least one of which must be set")

    @field_validator("fields")
    @classmethod
    def _valid_paths(cls, value: list[str]) -> list[str]:
        for path in value:
            parse_field(path)
        return value


def defined_any(ctx: Context, doc: Document, field: str, params: DefinedAnyParams) -> Iterator[Hit]:
    """At least one of ``fields`` is set; the hit points at ``field`` (usually their parent).

    With ``fields: [contingency.alternative, contingency.plan]``: passes with either set;
    fails (outcome ``missing``) with neither.
    """
    for path in params.fields:
        if any(f.value not in (None, "", []) for f in lookup(doc.model, path)):
            return
    [where] = lookup(doc.model, field) or [FieldValue((), None)]
    yield Hit(doc=doc, field=where.path, outcome="missing", detail=f"has none of {', '.join(params.fields)}")


def not_future(ctx: Context, doc: Document, field: str, params: NoParams) -> Iterator[Hit]:
    """A date that records something done (a review, a test) is not after the evaluation date.

    On 2026-11-23 passes ``on: 2026-11-23``; fails (outcome ``future``) ``on: 2026-12-01``.
    """
    for found in lookup(doc.model, field):
        if isinstance(found.value, dt.date) and found.value > ctx.today:
            yield Hit(
                doc=doc,
                field=found.path,
                outcome="future",
                detail=f"{field} is {found.value.isoformat()}, after today ({ctx.today.isoformat()})",
                values={"value": found.value.isoformat(), "today": ctx.today.isoformat(), "item": found.item or ""},
            )


class SchemaParams(Params):
    schema_: dict[str, Any] = Field(alias="schema", description="a JSON Schema (draft 2020-12) fragment")

    @field_validator("schema_")
    @classmethod
    def _valid_schema(cls, value: dict[str, Any]) -> dict[str, Any]:
        """Valid JSON Schema 2020-12, and safe to evaluate (see :mod:`bcplint.checks.fragments`).

        Raises ValueError; a FragmentError also says where in the fragment the problem is.
        """
        # jsonschema costs some 65 ms to import: only packs that use this check pay for it.
        import jsonschema  # noqa: PLC0415

        from bcplint.checks.fragments import FragmentError, audit  # noqa: PLC0415 - imports jsonschema

        try:
            # No format checker: its "regex" check would compile the pack's patterns with Python's re.
            jsonschema.Draft202012Validator.check_schema(value, format_checker=None)  # type: ignore[arg-type]
        except jsonschema.SchemaError as exc:
            raise FragmentError(f"invalid JSON Schema: {exc.message}", tuple(exc.absolute_path)) from None
        audit(value)
        return value


def schema(ctx: Context, doc: Document, field: str, params: SchemaParams) -> Iterator[Hit]:
    """The field's value, as written in YAML, is valid against a JSON Schema fragment.

    With ``schema: {type: array, contains: {properties: {role: {const: spokesperson}}}}`` on
    ``roles``: passes when one role is ``spokesperson``; fails (outcome ``invalid``) otherwise.
    An absent field is validated as null, so ``type`` decides whether absence is allowed.
    Regexes run with RE2 and references stay inside the fragment (checked when the pack loads).
    """
    import jsonschema  # noqa: PLC0415 - see SchemaParams: only packs that use this check pay for it

    from bcplint.checks.fragments import fragment_validator  # noqa: PLC0415 - imports jsonschema

    validator = fragment_validator(params.schema_)
    for found in lookup(doc.raw.data, field):
        error = jsonschema.exceptions.best_match(validator.iter_errors(found.value))
        if error is not None:
            message = shorten(error.message, 300)  # jsonschema quotes the whole value
            yield Hit(
                doc=doc,
                field=(*found.path, *error.absolute_path),
                outcome="invalid",
                detail=f"{field}: {message}",
                values={"error": message, "item": found.item or ""},
            )
