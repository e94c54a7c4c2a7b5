"""``docs/format.md``: the bcplint/v1 format, generated from the models (the one source of truth).

Every kind and every object type it uses, each field with its type, whether it is required,
what it means (the field's description) and an example value (the field's own example, else
one made from its type). ``tests/test_format_reference.py`` fails when the file drifts;
regenerate with ``python -m bcplint.report.format_reference docs/format.md``.
"""

from __future__ import annotations

import datetime as dt
import sys
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from bcplint.model.kinds import KINDS
from bcplint.model.parts import DEPENDENCY_TYPES, SCENARIOS
from bcplint.model.types import Duration, Ref
from bcplint.report.markdown_summary import table_cell
from bcplint.workspace.objectives import COUNTED_TYPES, SCENARIO_WORDING

INTRODUCTION = """\
# The bcplint/v1 format

Generated from bcplint's models by `python -m bcplint.report.format_reference docs/format.md`;
`bcplint schema` prints the same format as a JSON Schema for editors.

Every document is a YAML mapping (or the front matter of a Markdown file) with `apiVersion:
bcplint/v1`, a `kind` and a `name` unique in its workspace. References are plain names.
Durations are written `30m`, `4h`, `1h30m`, `2d`, `1w` or in ISO 8601 (`PT4H`); dates as
`YYYY-MM-DD`. Unknown fields are errors, so a typo is caught.

The schema says what a document looks like; whether a plan is complete is the rules' job.
A value nobody has assessed or recorded is left out — a rule reports the gap — never
invented to satisfy the format.
"""


def write_reference(stream: TextIO) -> None:
    """Write the whole reference: the introduction, each kind, then each object type."""
    stream.write(INTRODUCTION)
    stream.write("\nKinds: " + ", ".join(f"[{name}](#{name.lower()})" for name in KINDS) + ".\n")
    objects: dict[str, type[BaseModel]] = {}
    for name, model in KINDS.items():
        stream.write(f"\n## {name}\n\n{_doc(model)}\n\n")
        _table(model, stream, objects)
        stream.write(f"\n```yaml\n{_example_document(name, model)}```\n")
    stream.write(_semantics())
    stream.write("\n## Objects\n\nThe values that fields of the kinds above hold, in alphabetical order.\n")
    pending = list(objects.values())
    while pending:  # objects inside objects, so every one that appears gets its section
        for inner in _models_in_fields(pending.pop()):
            if inner.__name__ not in objects:
                objects[inner.__name__] = inner
                pending.append(inner)
    for name in sorted(objects):
        stream.write(f"\n### {name}\n\n{_doc(objects[name])}\n\n")
        _table(objects[name], stream, {})


def _semantics() -> str:
    """How the rules read dependency types, per-scenario objectives, inheritance and scope,
    from the tables the rules use (:mod:`bcplint.workspace.objectives`)."""
    rows = []
    for kind in DEPENDENCY_TYPES:
        bounds = [name.upper() for name in ("rto", "rpo") if kind in COUNTED_TYPES[name]]
        rows.append(f"| `{kind}` | {', '.join(bounds) or 'neither'} |")
    scenarios = ", ".join(f"`{name}` ({SCENARIO_WORDING[name]})" for name in SCENARIOS)
    return f"""
## How the rules read objectives and dependencies

**Dependency types.** A `depends_on` entry is a name, or `{{name, type}}`. Without a type, a
Site is a `facility`, a Contact or Team `people`, and anything else `runtime`. A dependency
bounds the objectives of what depends on it (dependency-rto-inversion, dependency-rpo-inversion,
within-impact-tolerance) only along the types that carry them:

| type | bounds |
|---|---|
{chr(10).join(rows)}

Recovery tooling must be back before what it rebuilds, so it bounds the RTO; it holds none of
the dependent's data, so not the RPO. People and facilities are mapped, not timed:
site-alternate and key-person-concentration read them.

**Objectives per scenario.** `objectives` entries hold a target, an estimate or a measurement
for one kind of disruption: {scenarios}. The plain `rto` and `rpo` are the target for every
scenario no entry overrides. The inversion rules compare targets like with like (the plain
values, then each scenario); capability-meets-objective compares estimates and measurements
with the target of their scenario.

**Objectives flow down.** A System that states no RTO (or RPO), plain or per scenario, is judged
against the strictest one stated by what depends on it, through the types above; the finding
says where it came from. A Service's own objectives are the impact analysis's to set and are
never inherited. A System whose data lives in a `data` dependency is not asked for an RPO or
backups of its own: the data store is.

**Out of scope.** A document with `out_of_scope` is judged by no rule but those about the files
themselves (BCP001-BCP005); reports list it with its reason, and excluded-dependency reports a
critical, high or unassessed Service or System that relies on it.
"""


def _doc(model: type[BaseModel]) -> str:
    return " ".join((model.__doc__ or "").split())


def _table(model: type[BaseModel], stream: TextIO, objects: dict[str, type[BaseModel]]) -> None:
    stream.write("| field | type | required | meaning | example |\n|---|---|---|---|---|\n")
    for name, info in model.model_fields.items():
        if name in ("apiVersion", "kind") and model.__name__ in KINDS:
            continue
        for inner in models_in(info.annotation):
            objects.setdefault(inner.__name__, inner)
        kind = _type_text(info.annotation, info)
        required = "yes" if info.is_required() else ""
        meaning = info.description or ""
        example = _example_text(info)
        stream.write(f"| `{name}` | {kind} | {required} | {table_cell(meaning)} | {example} |\n")


def _models_in_fields(model: type[BaseModel]) -> Iterator[type[BaseModel]]:
    for info in model.model_fields.values():
        yield from models_in(info.annotation)


def models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    """The pydantic models a field's type holds: ``list[Backup] | None`` -> ``Backup``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for arg in typing.get_args(annotation):
        yield from models_in(arg)


def _type_text(annotation: Any, info: FieldInfo | None = None) -> str:
    """How a reader reads the type: ``duration``, ``list of Contact or Team``, ``one of a, b``."""
    ref = _ref(annotation, info)
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _type_text(typing.get_args(annotation)[0], None) if ref is None else f"name of a {_kinds(ref)}"
    if ref is not None and annotation is str:
        return f"name of a {_kinds(ref)}"
    if origin in (typing.Union, types.UnionType):
        parts = [a for a in typing.get_args(annotation) if a is not type(None)]
        return " or ".join(_type_text(a, info if len(parts) == 1 else None) for a in parts)
    if origin is typing.Literal:
        return "one of " + ", ".join(f"`{v}`" for v in typing.get_args(annotation))
    if origin is list:
        return f"list of {_type_text(typing.get_args(annotation)[0], None)}"
    if origin is dict:
        key, value = typing.get_args(annotation)
        return f"map of {_type_text(key)} to {_type_text(value)}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    simple = {str: "text", bool: "true or false", int: "number", Duration: "duration", dt.date: "date"}
    return simple.get(annotation, str(annotation))


def _ref(annotation: Any, info: FieldInfo | None) -> Ref | None:
    for meta in (*(info.metadata if info else ()), *getattr(annotation, "__metadata__", ())):
        if isinstance(meta, Ref):
            return meta
    return None


def _kinds(ref: Ref) -> str:
    return " or ".join(ref.kinds) if len(ref.kinds) < 4 else "document"


def _example_text(info: FieldInfo) -> str:
    value = info.examples[0] if info.examples else _example_value(info.annotation, info)
    return f"`{_yaml_inline(value)}`" if value is not None else ""


def _example_value(annotation: Any, info: FieldInfo | None = None) -> Any:
    """A plausible value of a type, for the example column and the example documents."""
    ref = _ref(annotation, info)
    if ref is not None:
        return {"Contact": "cto", "Service": "checkout", "System": "orders-db"}.get(ref.kinds[0], "name")
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner = typing.get_args(annotation)
        return _example_value(inner[0], None) if _ref(annotation, None) is None else "name"
    if origin in (typing.Union, types.UnionType):
        return _example_value(next(a for a in typing.get_args(annotation) if a is not type(None)), info)
    if origin is typing.Literal:
        return typing.get_args(annotation)[0]
    if origin is list:
        item = _example_value(typing.get_args(annotation)[0], None)
        return None if item is None else [item]
    if origin is dict:
        return {"checkout": _example_value(typing.get_args(annotation)[1], None)}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return None
    return {bool: True, Duration: "4h", dt.date: "2026-06-01", int: 1}.get(annotation)


def _yaml_inline(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "[" + ", ".join(_yaml_inline(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_yaml_inline(v)}" for k, v in value.items()) + "}"
    return str(value)


def _example_document(kind: str, model: type[BaseModel]) -> str:
    """The required fields of a kind, a title, and the fields with an example, as a document
    one could start from."""
    lines = ["apiVersion: bcplint/v1", f"kind: {kind}", f"name: example-{kind.lower()}"]
    for name, info in model.model_fields.items():
        if name in ("apiVersion", "kind", "name", "annotations", "links"):
            continue
        if not (info.is_required() or name == "title" or info.examples):
            continue
        value = info.examples[0] if info.examples else _example_value(info.annotation, info)
        if name == "title":
            value = f"An example {kind}"
        if value is not None:
            lines.append(f"{name}: {_yaml_inline(value)}")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    """``python -m bcplint.report.format_reference [PATH]``: write the reference (stdout without PATH)."""
    if len(argv) > 1:
        with Path(argv[1]).open("w", encoding="utf-8", newline="\n") as stream:
            write_reference(stream)
    else:
        write_reference(sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
