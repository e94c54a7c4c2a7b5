"""docs/format.md is generated from the models; it must not drift, and its examples must be valid."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from bcplint.api import LintOptions, lint
from bcplint.model.kinds import KINDS
from bcplint.report.format_reference import write_reference

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
