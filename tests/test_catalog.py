"""The shipped catalog: every rule present, mapped to clauses, exemplified, documented."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
from ruamel.yaml import YAML

from bcplint.checks import CHECKS
from bcplint.insights.maturity import load_levels
from bcplint.insights.readiness import columns
from bcplint.load.config import LoadedConfig
from bcplint.packs.model import pack_json_schema
from bcplint.packs.selection import select_rules
from tests.conftest import REPO_ROOT, Run, write
from tests.test_packs import FAST_RECOVERY


def shipped_pack(name: str) -> dict[str, Any]:
    """A shipped pack file as plain YAML, read without bcplint: the oracle for what it lists."""
    data: dict[str, Any] = YAML(typ="safe", pure=True).load((REPO_ROOT / "rules" / f"{name}.yaml").read_bytes())
    return data


CATALOG = {rule["id"]: rule for rule in shipped_pack("catalog")["rules"]}
FRAMEWORKS = {name: shipped_pack(name) for name in ("iso22301", "itil-itscm")}


def test_rules_json_lists_every_catalog_rule_with_its_framework_clauses(bcplint: Callable[..., Run]) -> None:
    run = bcplint("rules", "--format", "json")
    assert run.code == 0
    rules = json.loads(run.out)["rules"]
    assert [r["id"] for r in rules] == sorted(CATALOG) and len(rules) > 30
    for rule in rules:
        defined = CATALOG[rule["id"]]
        assert (rule["name"], rule["severity"], rule["summary"]) == (
            defined["name"],
            defined["severity"],
            defined["summary"],
        )
        assert rule["rationale"] and rule["fix"], rule["id"]
        # Both framework packs enable every catalog rule, each mapping it to clauses of its framework.
        enabled_by = {
            name: entry for name, pack in FRAMEWORKS.items() for entry in pack["rules"] if entry["id"] == rule["id"]
        }
        assert rule["packs"] == list(enabled_by) == list(FRAMEWORKS), rule["id"]
        assert rule["clauses"] == [
            f"{FRAMEWORKS[name]['framework']} {clause}"
            for name in rule["packs"]
            for clause in enabled_by[name]["clauses"]
        ]
        assert all(enabled_by[name]["clauses"] for name in FRAMEWORKS), f"{rule['id']} has no clause in a framework"


def test_rules_of_one_pack(bcplint: Callable[..., Run]) -> None:
    rules = json.loads(bcplint("rules", "--pack", "itil-itscm", "--format", "json").out)["rules"]
    assert all(all(c.startswith("ITIL 4 SCM ") for c in r["clauses"]) for r in rules)


def test_rules_text(bcplint: Callable[..., Run]) -> None:
    lines = bcplint("rules").out.splitlines()
    assert lines[0].split() == ["BCP001", "parse-error", "error", "A", "file", "is", "not", "valid", "YAML."]
    assert lines[1].strip() == "[ISO 22301:2019 7.5.2; ITIL 4 SCM plans]"


def test_verify_passes_on_the_shipped_packs(bcplint: Callable[..., Run]) -> None:
    run = bcplint("verify")
    assert run.code == 0, run.out
    assert re.fullmatch(r"(\d+) examples: \1 passed, 0 failed\n", run.out)
    assert int(run.out.split()[0]) >= 2 * len(CATALOG) - 1
    # Every shipped rule has passing and failing examples, except BCP304: its failures need git
    # history, so its failing cases are real repositories in tests/test_git.py.
    assert run.err == "bcplint: note: BCP304 review-after-change has no passing and failing examples\n"


def test_verify_names_the_example_that_breaks(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    examples = """\
    examples:
      pass:
        - |
          {apiVersion: bcplint/v1, kind: Service, name: s, criticality: critical, rto: 2h}
      fail:
        - |
          {apiVersion: bcplint/v1, kind: Service, name: s, criticality: critical, rto: 3h}
"""
    pack = FAST_RECOVERY.replace("  - id: BCP101\n", examples + "  - id: BCP101\n")
    write(tmp_path, "acme.yaml", pack)
    run = bcplint("verify", "acme.yaml", cwd=tmp_path)
    assert run.code == 1
    failing = [line for line in run.out.splitlines() if line.startswith("FAIL")]
    assert failing == [
        f"FAIL ACME001 critical-rto-within-4h: failing example 1 ({tmp_path / 'acme.yaml'}): "
        "expected a finding, got none"
    ]
    assert run.out.splitlines()[-1].endswith("1 failed")
    # Fixing the rule (a 2h limit) makes the pack's own tests pass.
    write(tmp_path, "acme.yaml", pack.replace("max_rto: 4h", "max_rto: 2h"))
    assert bcplint("verify", "acme.yaml", "-v", cwd=tmp_path).code == 0


def test_explain_shows_why_examples_and_fix(bcplint: Callable[..., Run]) -> None:
    run = bcplint("explain", "rto-defined")
    assert run.code == 0
    assert run.out.startswith("BCP201 rto-defined (error)\n")
    assert "Clauses: ISO 22301:2019 8.2.2; ITIL 4 SCM BIA\n" in run.out
    assert "  -> Service 'helpdesk' is critical but has no RTO\n" in run.out
    assert run.out.index("Fails:") < run.out.index("Passes:") < run.out.index("How to fix:")


def test_explain_unknown_rule(bcplint: Callable[..., Run]) -> None:
    run = bcplint("explain", "BCP999")
    assert run.code == 2
    assert "unknown rule 'BCP999'" in run.err


def test_readme_catalog_is_generated_from_the_packs(bcplint: Callable[..., Run]) -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    start, end = "<!-- rules:start -->\n", "<!-- rules:end -->"
    assert start in readme and end in readme, "README must mark the generated rules table"
    table = readme.split(start, 1)[1].split(end, 1)[0]
    generated = bcplint("rules", "--format", "markdown").out
    assert table.strip() == generated.strip(), "regenerate with: bcplint rules --format markdown"


def test_pack_schema_file_is_generated_and_matches_the_shipped_packs() -> None:

    shipped = json.loads((REPO_ROOT / "rules" / "pack.schema.json").read_text(encoding="utf-8"))
    assert shipped == pack_json_schema(), "regenerate with: bcplint schema --pack > rules/pack.schema.json"
    validator = jsonschema.Draft202012Validator(shipped)
    packs = [*(REPO_ROOT / "rules").glob("*.yaml"), REPO_ROOT / "examples/custom-pack/policies/acme.yaml"]
    for pack in packs:
        # Through JSON, as an editor sees it: dates are strings there.
        data = json.loads(json.dumps(YAML(typ="safe").load(pack.read_text(encoding="utf-8")), default=str))
        assert [e.message for e in validator.iter_errors(data)] == [], pack


def test_every_check_function_is_documented() -> None:
    guide = (REPO_ROOT / "docs" / "writing-packs.md").read_text(encoding="utf-8")
    assert [name for name in CHECKS if f"`{name}`" not in guide] == []


def test_custom_pack_example_works_as_its_readme_says(bcplint: Callable[..., Run]) -> None:
    example = REPO_ROOT / "examples" / "custom-pack"
    assert bcplint("verify", "policies/acme.yaml", cwd=example).code == 0
    run = bcplint("check", "--select", "ACME,BCP301", "--today", "2026-11-23", "--format", "json", cwd=example)
    assert {(f["rule_id"], f["document"]) for f in json.loads(run.out)["findings"]} == {
        ("ACME001", "shop"),
        ("ACME002", "acme-bcp"),
        ("BCP301", "acme-bcp"),
    }


def test_every_catalog_rule_has_test_cases() -> None:
    cases = REPO_ROOT / "tests" / "cases"
    missing = [
        rule for rule in sorted(CATALOG) if not (cases / rule / "fail").is_dir() or not (cases / rule / "pass").is_dir()
    ]
    # BCP304 needs git history: real repositories in tests/test_git.py. BCP802 needs the rule it
    # finds unused to run too, which a case (one rule at a time) cannot do: tests/test_waivers.py
    # and tests/test_suppressions.py.
    assert missing == ["BCP304", "BCP802"]
    assert sorted(p.name for p in cases.iterdir() if p.is_dir()) == sorted(set(CATALOG) - set(missing))


def test_readme_inline_suppression_example_works(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    [example] = [block for block in readme.split("```yaml\n")[1:] if "# bcplint: ignore[" in block.split("```")[0]]
    document = example.split("```")[0] + "owner: cto\ncriticality: critical\nrto: 1h\nstateless: true\n"
    write(tmp_path, "bcp/web.yaml", document)
    run = bcplint("check", "bcp", "--today", "2026-11-23", "--format", "json", "--select", "BCP702,BCP802",
                  cwd=tmp_path)  # fmt: skip
    [finding] = json.loads(run.out)["findings"]
    assert finding["rule_id"] == "BCP702" and finding["waiver"] is not None


def test_the_levels_and_readiness_columns_name_rules_that_exist() -> None:
    """rules/levels/*.yaml are data about rules: a typo there would silently drop a rule from a
    maturity level or a readiness column."""
    known = {rule.id for rule in select_rules(LoadedConfig(), cwd=REPO_ROOT).rules}
    levels = {rule for level in load_levels() for rule in level.requires}
    readiness = {rule for column in columns() for rule in column.rules}
    assert levels and readiness
    assert sorted(levels - known) == [] and sorted(readiness - known) == []
    assert len({column.name for column in columns()}) == len(columns())  # every question once
