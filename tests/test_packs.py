"""User rule packs: written as data, validated strictly, never able to run code."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import TODAY, Run, write

HEADER = "apiVersion: bcplint/pack/v1\npack: acme\ntitle: ACME continuity policy\nframework: ACME-POL\n"

FAST_RECOVERY = (
    HEADER
    + """\
extends: [iso22301]
rules:
  - id: ACME001
    name: critical-rto-within-4h
    severity: error
    summary: Critical services recover within four hours.
    clauses: ["4.2"]
    applies_to:
      kinds: [Service]
      where: {criticality: critical}
    params: {max_rto: 4h}
    check: {function: duration_max, field: rto, params: {max: $max_rto}}
    message: "{label} has an RTO of {value}; ACME policy allows at most {max}"
  - id: BCP101
    severity: warning
"""
)

SLOW_SERVICE = """\
apiVersion: bcplint/v1
kind: Service
name: checkout
criticality: critical
rto: 8h
"""


def run_pack(bcplint: Callable[..., Run], root: Path, pack: str, *extra: str) -> Run:
    write(root, "policies/acme.yaml", pack)
    write(root, "bcp/checkout.yaml", SLOW_SERVICE)
    return bcplint(
        "check", "bcp", "--pack", "policies/acme.yaml", "--today", TODAY, "--format", "json", *extra, cwd=root
    )


def test_custom_rule_with_parameters_and_inherited_pack(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    run = run_pack(bcplint, tmp_path, FAST_RECOVERY)
    assert run.code == 1, run.err
    findings = {f["rule_id"]: f for f in json.loads(run.out)["findings"]}
    assert findings["ACME001"]["message"] == "Service 'checkout' has an RTO of 8h; ACME policy allows at most 4h"
    assert findings["ACME001"]["clauses"] == ["ACME-POL 4.2"]
    assert (findings["ACME001"]["line"], findings["ACME001"]["column"]) == (5, 6)
    # Inherited from iso22301, severity lowered by the user pack, clauses kept.
    assert findings["BCP101"]["severity"] == "warning"
    assert findings["BCP101"]["clauses"] == ["ISO 22301:2019 5.3"]


def test_custom_rule_passes_when_within_policy(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    run = run_pack(bcplint, tmp_path, FAST_RECOVERY.replace("max_rto: 4h", "max_rto: 8h"), "--select", "ACME001")
    assert run.code == 0
    assert json.loads(run.out)["findings"] == []


@pytest.mark.parametrize(
    ("pack", "message"),
    [
        (
            FAST_RECOVERY.replace("function: duration_max", "function: exec"),
            "rule ACME001: unknown check function 'exec'",
        ),
        (
            FAST_RECOVERY.replace("max_rto: 4h", "max_rto: soon"),
            "rule ACME001: check 'duration_max': parameter 'max': 'soon' is not a duration",
        ),
        (
            FAST_RECOVERY.replace("    severity: error\n", "    severty: error\n", 1),
            "rule ACME001: rules[0].severty: unknown key",
        ),
        (
            FAST_RECOVERY.replace("extends: [iso22301]", "extends: [acme.yaml]"),
            "pack 'acme' extends itself (acme.yaml -> acme.yaml)",
        ),
        (FAST_RECOVERY.replace("field: rto", "field: rto..x"), "rule ACME001: invalid field path 'rto..x'"),
        (
            FAST_RECOVERY.replace("{max: $max_rto}", "{max: $max}"),
            "rule ACME001: check 'duration_max' uses '$max', but the rule has no parameter 'max'",
        ),
        (
            FAST_RECOVERY.replace("{criticality: critical}", "{criticality: {like: crit}}"),
            "rule ACME001: applies_to.where: condition on 'criticality'",
        ),
        (
            HEADER + "rules:\n  - id: ACME002\n    severity: error\n",
            "rule ACME002: has no 'name' and is not a built-in rule",
        ),
        (HEADER + "rules: [\n", "acme.yaml:6:1: rule pack is not valid YAML"),
        (HEADER + "extends: [nist]\n", "unknown pack 'nist'"),
    ],
    ids=[
        "unknown-function",
        "bad-parameter",
        "unknown-key",
        "extends-itself",
        "bad-field",
        "unknown-param-ref",
        "bad-filter",
        "incomplete-rule",
        "bad-yaml",
        "unknown-parent",
    ],
)
def test_malformed_packs_are_usage_errors(bcplint: Callable[..., Run], tmp_path: Path, pack: str, message: str) -> None:
    run = run_pack(bcplint, tmp_path, pack)
    assert run.code == 2
    assert run.err.startswith("bcplint: error: ")
    assert message in run.err
    assert "acme.yaml" in run.err or "unknown pack" in run.err
    assert run.err.count("\n") == 1 and run.out == ""  # one line, and no report of a run that did not happen


def test_a_pack_cannot_reach_python_through_message_templates(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    pack = FAST_RECOVERY.replace('message: "{label} has', 'message: "{label.__class__} {0} has')
    run = run_pack(bcplint, tmp_path, pack, "--select", "ACME001")
    [finding] = json.loads(run.out)["findings"]
    assert finding["message"].startswith("{label.__class__} {0} has an RTO of 8h")


def test_a_pack_cannot_use_python_tags(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    run = run_pack(bcplint, tmp_path, HEADER + "rules: !!python/object/apply:os.system [echo pwned]\n")
    assert run.code == 2
    assert "rule pack is not valid YAML" in run.err
    assert "pwned" not in run.out


def test_unknown_builtin_pack(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    run = bcplint("check", "--pack", "iso2230", cwd=tmp_path)
    assert run.code == 2
    assert "unknown pack 'iso2230' (did you mean iso22301?)" in run.err


def test_a_shipped_pack_is_parsed_once_and_again_when_its_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shipped packs are kept parsed, and their rules resolved, per process (every lint resolves
    them), keyed by their text: an edited pack file is read as edited, and a broken one fails
    every time, naming its line."""
    from bcplint.errors import PackError  # noqa: PLC0415 - imported where the test needs it
    from bcplint.packs import load  # noqa: PLC0415

    shipped = tmp_path / "rules"
    shipped.mkdir()
    for pack in load.builtin_pack_dir().glob("*.yaml"):
        (shipped / pack.name).write_bytes(pack.read_bytes())
    monkeypatch.setattr(load, "builtin_pack_dir", lambda: shipped)
    before = load.resolve_rules(["iso22301"], tmp_path)
    assert load.resolve_rules(["iso22301"], tmp_path)[0] is before[0]  # kept, not merged again
    first, origin = load.read_pack("catalog", tmp_path)
    assert origin == str(shipped / "catalog.yaml")
    assert load.read_pack("catalog", tmp_path)[0] is first  # kept, not parsed again

    catalog = shipped / "catalog.yaml"
    text = catalog.read_text(encoding="utf-8")
    summary = next(r.summary for r in first.rules if r.id == "BCP101")
    catalog.write_text(text.replace(summary, "Every service has a named owner (edited)."), encoding="utf-8")
    edited, _ = load.read_pack("catalog", tmp_path)
    assert next(r.summary for r in edited.rules if r.id == "BCP101") == "Every service has a named owner (edited)."
    rules = {r.id: r for r in load.resolve_rules(["iso22301"], tmp_path)}
    assert rules["BCP101"].summary == "Every service has a named owner (edited)."

    catalog.write_text(text + "rules: [oops\n", encoding="utf-8")
    for _ in range(2):  # a pack with a problem is never kept
        with pytest.raises(PackError, match=r"catalog\.yaml:\d+:\d+: rule pack is not valid YAML"):
            load.read_pack("catalog", tmp_path)
        with pytest.raises(PackError, match=r"catalog\.yaml:\d+:\d+: rule pack is not valid YAML"):
            load.resolve_rules(["iso22301"], tmp_path)
    catalog.write_text(text, encoding="utf-8")
    again, _ = load.read_pack("catalog", tmp_path)
    assert next(r.summary for r in again.rules if r.id == "BCP101") == summary
    assert {r.id: r.summary for r in load.resolve_rules(["iso22301"], tmp_path)}["BCP101"] == summary
