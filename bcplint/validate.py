"""Raw documents -> pydantic models, with every schema problem as a message at a field."""

from __future__ import annotations

import reprlib
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from bcplint.errors import did_you_mean
from bcplint.loader import DocumentList
from bcplint.model import API_VERSION, KINDS, Document

FieldPath = tuple[str | int, ...]


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


def validate(data: dict[str, Any]) -> tuple[Document | None, list[SchemaProblem]]:
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
            message = f"unknown kind '{kind}'{did_you_mean(str(kind), KINDS)}; kinds are {', '.join(KINDS)}"
        return None, [SchemaProblem(field=("kind",) if kind is not None else (), message=message)]
    model = KINDS[str(kind)]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, [_problem(error, model) for error in exc.errors(include_url=False)]


def _problem(error: Any, model: type[Document]) -> SchemaProblem:
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
    got = _short(error.get("input"))
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return SchemaProblem(field=loc, message=f"'{name}' must be one of {expected}; got {got}")
    if kind == "value_error":
        return SchemaProblem(field=loc, message=f"'{name}': {error['ctx']['error']}")
    return SchemaProblem(field=loc, message=f"'{name}': {error['msg'].lower()}; got {got}")


def _allowed_fields(model: type[Document], parent: FieldPath) -> list[str]:
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
