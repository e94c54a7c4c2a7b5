"""`bcplint schema --config`: the JSON Schema of `.bcplint.yaml` and `[tool.bcplint]`, generated
from the configuration model, agrees with the loader on what a configuration may say."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from bcplint.errors import ConfigError
from bcplint.load.config import Config, RuleConfig, config_json_schema, load_config
from bcplint.load.yaml_stream import load_one
from tests.conftest import EXAMPLES, REPO_ROOT, Run, write


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return config_json_schema()


def validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def loader_accepts(tmp_path: Path, name: str, text: str) -> bool:
    try:
        load_config(write(tmp_path, name, text))
    except ConfigError:
        return False
    return True


def test_schema_config_prints_a_valid_schema_of_every_key(bcplint: Callable[..., Run], schema: dict[str, Any]) -> None:
    run = bcplint("schema", "--config")
    assert run.code == 0
    assert json.loads(run.out) == json.loads(json.dumps(schema))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith("/config-v1.json")
    assert sorted(schema["properties"]) == sorted(Config.model_fields)
    assert schema["additionalProperties"] is False
    rule = schema["$defs"]["RuleConfig"]
    assert sorted(rule["properties"]) == sorted(RuleConfig.model_fields)
    assert rule["additionalProperties"] is False


def _properties(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    yield from schema["properties"].items()
    for definition in schema["$defs"].values():
        yield from definition["properties"].items()


def test_every_key_has_a_description(schema: dict[str, Any]) -> None:
    undescribed = [key for key, prop in _properties(schema) if len(prop.get("description", "")) < 20]
    assert undescribed == []


def test_schema_options_choose_one_schema(bcplint: Callable[..., Run]) -> None:
    run = bcplint("schema", "--config", "--pack")
    assert run.code == 2
    assert run.err == "bcplint: error: --pack and --config cannot be combined: each chooses a different schema\n"
    documents = json.loads(bcplint("schema").out)
    assert "docs_url" not in json.dumps(documents)  # the document schema stays the document schema


def test_the_bundled_examples_configurations_are_valid(schema: dict[str, Any]) -> None:
    configurations = sorted(EXAMPLES.glob("*/.bcplint.yaml"))
    assert len(configurations) >= 5
    for path in configurations:
        data = load_one(path.read_text(encoding="utf-8"))
        assert [e.message for e in validator(schema).iter_errors(data)] == [], path
        load_config(path)  # and the loader takes it


def test_the_readmes_configuration_example_is_valid(schema: dict[str, Any], tmp_path: Path) -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Configuration\n", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert "rules:" in example and "baseline:" in example
    data = load_one(example)
    assert [e.message for e in validator(schema).iter_errors(data)] == []
    assert loader_accepts(tmp_path, ".bcplint.yaml", example)


def test_an_unknown_key_is_rejected_by_both(schema: dict[str, Any], tmp_path: Path) -> None:
    for text, key in (("fail_onn: error\n", "fail_onn"), ("rules:\n  BCP301: {severty: warning}\n", "severty")):
        errors = list(validator(schema).iter_errors(load_one(text)))
        assert [e.validator for e in errors] == ["additionalProperties"] and key in errors[0].message
        with pytest.raises(ConfigError, match=f"unknown key '.*{key}'"):
            load_config(write(tmp_path, ".bcplint.yaml", text))


GOOD = [
    "",
    "paths: [bcp]\nexclude: [bcp/drafts, '*.draft.yaml']\n",
    "packs: null\nfail_on: never\n",
    "packs: [iso22301, policies/acme.yaml]\nselect: [BCP2, owner-assigned]\nignore: [BCP501]\n",
    "rules:\n  plan-reviewed: {params: {max_age_days: 180}}\n  BCP402: {severity: warning, enforce_from: 2027-01-01}\n",
    "docs_url: https://wiki.example.com/bcplint/rules/\n",
    "docs_url: https://wiki.example.com/continuity/{id}.html\n",
    "baseline: .bcplint-baseline.json\n",
]
BAD = [
    "fail_on: sometimes\n",
    "fail_on: ERROR\n",
    "paths: bcp\n",  # a string, not a list
    "packs: iso22301\n",
    "select: [BCP1, 2]\n",
    "baseline: 5\n",
    "rules:\n  BCP301: {severity: fatal}\n",
    "rules:\n  BCP301: {params: 180}\n",
    "rules:\n  BCP301: null\n",
    "rules:\n  BCP402: {enforce_from: 2027-13-01}\n",
    "rules:\n  BCP402: {enforce_from: 20270101}\n",  # a number, which pydantic alone reads as a timestamp
    "rules:\n  BCP402: {enforce_from: '86400'}\n",
    "rules:\n  BCP402: {enforce_from: 2027-01-01T00:00:00}\n",
    "docs_url: wiki.example.com/bcplint/rules/\n",
    "docs_url: https://wiki.example.com/bcplint/rules\n",
    "docs_url: ftp://wiki.example.com/rules/\n",
    "docs_url: [https://wiki.example.com/rules/]\n",
]


@pytest.mark.parametrize(("text", "valid"), [(t, True) for t in GOOD] + [(t, False) for t in BAD])
def test_schema_and_loader_agree_on_yaml(schema: dict[str, Any], tmp_path: Path, text: str, valid: bool) -> None:
    data = load_one(text) or {}
    assert validator(schema).is_valid(data) is valid
    assert loader_accepts(tmp_path, ".bcplint.yaml", text) is valid


@pytest.mark.parametrize(
    ("table", "valid"),
    [
        ('paths = ["bcp"]\nfail_on = "warning"\n', True),
        (
            'docs_url = "https://wiki.example.com/rules/"\n[tool.bcplint.rules.BCP301]\nparams = {max_age_days = 90}\n',
            True,
        ),
        ('fail_on = "sometimes"\n', False),
        ('docs_url = "https://wiki.example.com/rules"\n', False),
        ("[tool.bcplint.rules.BCP301]\nseverity = 3\n", False),
    ],
)
def test_schema_and_loader_agree_on_pyproject(schema: dict[str, Any], tmp_path: Path, table: str, valid: bool) -> None:
    text = f'[project]\nname = "plan"\n\n[tool.bcplint]\n{table}'
    data = tomllib.loads(text)["tool"]["bcplint"]
    assert validator(schema).is_valid(data) is valid
    assert loader_accepts(tmp_path, "pyproject.toml", text) is valid
