"""docs/format.md is generated from the models; it must not drift, and its examples must be valid."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pydantic import BaseModel
from ruamel.yaml import YAML

from bcplint.api import LintOptions, lint
from bcplint.model.kinds import KINDS
from bcplint.model.validate import validate
from bcplint.report.format_reference import models_in, write_reference

REFERENCE = Path(__file__).resolve().parent.parent / "docs" / "format.md"


def generated() -> str:
    stream = io.StringIO()
    write_reference(stream)
    return stream.getvalue()


def test_docs_format_matches_the_models() -> None:
    assert REFERENCE.read_text(encoding="utf-8") == generated(), (
        "docs/format.md is out of date: run python -m bcplint.report.format_reference docs/format.md"
    )


def test_every_kind_and_every_field_is_documented() -> None:
    text = generated()
    for kind, model in KINDS.items():
        section = text.split(f"\n## {kind}\n", 1)[1].split("\n## ", 1)[0]
        for field in model.model_fields:
            if field not in ("apiVersion", "kind"):
                assert f"| `{field}` |" in section, (kind, field)


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_example_document_is_valid(kind: str, tmp_path: Path) -> None:
    """The example stands alone, so the names it refers to do not exist; its shape must be right."""
    text = generated()
    section = text.split(f"\n## {kind}\n", 1)[1]
    example = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert example is not None
    path = tmp_path / "example.yaml"
    path.write_text(example.group(1), encoding="utf-8")
    result = lint(LintOptions(paths=[tmp_path]))
    problems = [f.message for f in result.findings if f.rule_id in ("BCP001", "BCP002")]
    assert problems == []
    assert result.documents_checked == 1


def _constructs_of(model: type[BaseModel], seen: set[type[BaseModel]], out: set[tuple[str, str]]) -> None:
    """Every (object, field) of the format below ``model``: fields every document has are
    named after the base class that declares them, so any kind using them counts."""
    if model in seen:
        return
    seen.add(model)
    for field, info in model.model_fields.items():
        if field not in ("apiVersion", "kind", "name"):
            out.add((_declared_by(model, field), field))
        for inner in models_in(info.annotation):
            _constructs_of(inner, seen, out)


def _declared_by(model: type[BaseModel], field: str) -> str:
    return next(base.__name__ for base in reversed(model.__mro__) if field in getattr(base, "model_fields", {}))


def _used(model: BaseModel, out: set[tuple[str, str]]) -> None:
    for field in model.model_fields_set:
        out.add((_declared_by(type(model), field), field))
        value = getattr(model, field)
        items = value if isinstance(value, list) else list(value.values()) if isinstance(value, dict) else [value]
        for item in items:
            if isinstance(item, BaseModel):
                _used(item, out)


def test_the_complete_example_uses_every_construct_of_the_format() -> None:
    """examples/complete is where people look for how to write something: it must show it all."""
    everything: set[tuple[str, str]] = set()
    for model in KINDS.values():
        _constructs_of(model, set(), everything)
    used: set[tuple[str, str]] = set()
    for path in sorted((REFERENCE.parent.parent / "examples" / "complete" / "bcp").rglob("*.yaml")):
        for data in YAML(typ="safe", pure=True).load_all(path.read_text(encoding="utf-8")):
            model, problems = validate(data)
            assert model is not None, (path, problems)
            _used(model, used)
    assert sorted(everything - used) == []
