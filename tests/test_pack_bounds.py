"""Packs are data, bounded and offline (DESIGN §8): regexes run with RE2, schema fragments refer
only to themselves, and every pack error is exit 2 with the pack file and line."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TODAY, Run, write

HEADER = """\
apiVersion: bcplint/pack/v1
pack: acme
title: ACME continuity policy
rules:
  - id: ACME001
    name: title-shape
    severity: error
    summary: Titles follow the naming policy.
    applies_to: {kinds: [System]}
    params: {shape: '^[A-Z]'}
"""  # the check goes on line 11
SYSTEM = "apiVersion: bcplint/v1\nkind: System\nname: web\ncriticality: high\ntitle: {title}\n"


def pattern_pack(regex: str) -> str:
    return HEADER + f"    check: {{function: pattern, field: title, params: {{regex: '{regex}'}}}}\n"


def schema_pack(fragment: str) -> str:
    """A ``schema`` check whose fragment is written in block style from line 16 on."""
    indented = "".join(f"          {line}\n" for line in fragment.splitlines())
    return (
        HEADER + "    check:\n      function: schema\n      field: title\n      params:\n        schema:\n" + indented
    )


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Fail loudly, and record, any attempt to open a connection during the test."""
    attempts: list[Any] = []

    def refuse(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise AssertionError(f"bcplint opened a network connection to {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


def run(bcplint: Callable[..., Run], root: Path, pack: str, title: str = "Web servers", *args: str) -> Run:
    write(root, "policies/acme.yaml", pack)
    write(root, "bcp/web.yaml", SYSTEM.format(title=json.dumps(title)))
    command = args or ("check", "bcp", "--today", TODAY, "--format", "json", "--pack", "policies/acme.yaml")
    return bcplint(*command, cwd=root)


def assert_pack_error(result: Run, root: Path, line: int, column: int, problem: str) -> None:
    assert result.code == 2, result.out + result.err
    assert result.err == f"bcplint: error: {root / 'policies/acme.yaml'}:{line}:{column}: rule ACME001: {problem}\n"
    assert result.out == ""


REGEX_HELP = "(RE2 syntax: no backreferences or lookaround; see docs/writing-packs.md)"


@pytest.mark.parametrize(
    ("regex", "reason"),
    [
        ("(a)\\1", "invalid escape sequence: \\1"),
        ("(?=a)b", "invalid perl operator: (?="),
        ("(?<!a)b", "invalid perl operator: (?<!"),
        ("a++", "bad repetition operator: ++"),
        ("[a-", "missing ]: [a-"),
    ],
    ids=["backreference", "lookahead", "lookbehind", "possessive", "unclosed"],
)
def test_a_pattern_re2_cannot_run_is_a_pack_error_at_its_line(
    bcplint: Callable[..., Run], tmp_path: Path, regex: str, reason: str
) -> None:
    result = run(bcplint, tmp_path, pattern_pack(regex))
    problem = f"check 'pattern': parameter 'regex': regular expression '{regex}' cannot be used: {reason}"
    assert_pack_error(result, tmp_path, 11, 62, f"{problem} {REGEX_HELP}")


def test_a_pattern_from_a_rule_parameter_points_at_the_parameter(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    pack = pattern_pack("$shape").replace("'^[A-Z]'", "'(?=[A-Z])'")
    result = run(bcplint, tmp_path, pack)
    reason = "invalid perl operator: (?="
    problem = f"check 'pattern': parameter 'regex': regular expression '(?=[A-Z])' cannot be used: {reason}"
    assert_pack_error(result, tmp_path, 10, 21, f"{problem} {REGEX_HELP}")


def test_a_bad_pattern_set_in_the_configuration_names_the_configuration(
    bcplint: Callable[..., Run], tmp_path: Path
) -> None:
    write(tmp_path, ".bcplint.yaml", "rules:\n  ACME001: {params: {shape: '(a)\\1'}}\n")
    result = run(bcplint, tmp_path, pattern_pack("$shape"))
    assert result.code == 2
    assert result.err.startswith("bcplint: error: .bcplint.yaml: in 'rules': rule ACME001: ")
    assert "regular expression '(a)\\1' cannot be used" in result.err


def test_patterns_are_re2s(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    """RE2 semantics, as documented: a search, ``$`` only at the very end, ``\\d`` ASCII digits."""
    for title, regex, found in [
        ("Web servers", "^[A-Z]", False),
        ("web servers", "^[A-Z]", True),
        ("Web 1", "\\d$", False),
        ("Web \u0661", "\\d$", True),  # an Arabic-Indic digit is not \\d in RE2
    ]:
        result = run(bcplint, tmp_path, pattern_pack(regex), title)
        findings = [f for f in json.loads(result.out)["findings"] if f["rule_id"] == "ACME001"]
        assert bool(findings) is found, (title, regex, findings)


# --- schema fragments -----------------------------------------------------------------------

OUTSIDE = (
    "points outside the fragment; a fragment may only refer to itself (for example '#/$defs/name'): "
    "bcplint never fetches or reads a schema"
)


@pytest.mark.parametrize(
    ("fragment", "line", "column", "problem"),
    [
        ("$ref: https://example.com/s.json", 16, 17, f"reference 'https://example.com/s.json' {OUTSIDE}"),
        ("$ref: http://127.0.0.1:9/s.json", 16, 17, f"reference 'http://127.0.0.1:9/s.json' {OUTSIDE}"),
        ("$ref: file:///etc/passwd", 16, 17, f"reference 'file:///etc/passwd' {OUTSIDE}"),
        ("$ref: ../secrets.json", 16, 17, f"reference '../secrets.json' {OUTSIDE}"),
        ("$ref: urn:acme:titles", 16, 17, f"reference 'urn:acme:titles' {OUTSIDE}"),
        (
            "anyOf:\n- type: 'null'\n- $dynamicRef: https://example.com/s.json#meta",
            18,
            26,
            f"reference 'https://example.com/s.json#meta' {OUTSIDE}",
        ),
        ("$ref: '#/$defs/missing'", 16, 17, "reference '#/$defs/missing' points to nothing in the fragment"),
        ("$ref: '#/x'\nx: 5", 16, 17, "reference '#/x' points to a value that is not a schema"),
        (
            "$ref: '#/$defs/a'\n$defs:\n  a: {allOf: [{$ref: '#/$defs/b'}]}\n  b: {not: {$ref: '#/$defs/a'}}",
            19,
            22,
            "references form a cycle that never moves into the value, so evaluating it would never end",
        ),
        ("$schema: https://json-schema.org/draft/2020-12/schema", 16, 20, "remove '$schema': a fragment is always "),
        (
            "type: object\npatternProperties: {'^x-': {}}\nunevaluatedProperties: false",
            18,
            34,
            "'unevaluatedProperties' cannot be used in a fragment that has 'patternProperties'",
        ),
        (
            "type: string\npattern: '(a)\\1'",
            17,
            20,
            f"regular expression '(a)\\1' cannot be used: invalid escape sequence: \\1 {REGEX_HELP}",
        ),
        (
            "properties:\n  tags:\n    patternProperties:\n      '(?=x)': {}",
            19,
            17,
            f"regular expression '(?=x)' cannot be used: invalid perl operator: (?= {REGEX_HELP}",
        ),
        ("type: text", 16, 17, "invalid JSON Schema: 'text' is not valid under any of the given schemas"),
    ],
    ids=[
        "https",
        "http-loopback",
        "file-uri",
        "relative-file",
        "other-id",
        "dynamic-ref",
        "nowhere",
        "not-a-schema",
        "cycle",
        "dialect",
        "unevaluated-with-patterns",
        "pattern",
        "pattern-property",
        "invalid",
    ],
)
def test_fragment_problems_are_pack_errors_at_their_line(
    bcplint: Callable[..., Run],
    tmp_path: Path,
    no_network: list[Any],
    fragment: str,
    line: int,
    column: int,
    problem: str,
) -> None:
    result = run(bcplint, tmp_path, schema_pack(fragment))
    prefix = "check 'schema': parameter 'schema': "
    assert result.code == 2, result.out + result.err
    expected = f"bcplint: error: {tmp_path / 'policies/acme.yaml'}:{line}:{column}: rule ACME001: {prefix}{problem}"
    assert result.err.startswith(expected), result.err
    assert result.err.count("\n") == 1 and result.out == ""  # that one line and nothing else
    assert no_network == []


def test_verify_reports_the_same_pack_error(bcplint: Callable[..., Run], tmp_path: Path, no_network: list[Any]) -> None:
    pack = schema_pack("$ref: https://example.com/s.json")
    checked = run(bcplint, tmp_path, pack)
    verified = run(bcplint, tmp_path, pack, "Web servers", "verify", "policies/acme.yaml")
    assert verified.code == checked.code == 2
    assert verified.err == checked.err
    assert f"{tmp_path / 'policies/acme.yaml'}:16:17: rule ACME001:" in verified.err


def test_a_fragment_that_refers_to_itself_works(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    """References inside the fragment and an RE2 pattern: evaluated as the schema means."""
    fragment = "$ref: '#/$defs/title'\n$defs:\n  title: {type: string, pattern: '^[A-Z][a-z]+( [a-z]+)*$'}\n"
    for title, found in [("Web servers", False), ("web servers", True), ("Web servers\n", True)]:
        result = run(bcplint, tmp_path, schema_pack(fragment), title)
        findings = [f for f in json.loads(result.out)["findings"] if f["rule_id"] == "ACME001"]
        assert bool(findings) is found, (title, findings)


EXERCISE = """\
apiVersion: bcplint/v1
kind: Exercise
name: drill
type: technical-drill
date: 2026-04-04
scope: [web]
result: pass
recovery_times: {times}
"""


@pytest.mark.parametrize(
    ("times", "error"),
    [
        ("{web: 2h, db: 4h}", None),
        ("{web: 30m}", "'30m' does not match 'h$'"),
        ("{Web: 2h}", "'Web' does not match any of the regexes: '^[a-z]+$'"),
    ],
)
def test_pattern_properties_and_additional_properties_use_re2(
    bcplint: Callable[..., Run], tmp_path: Path, times: str, error: str | None
) -> None:
    fragment = "type: object\npatternProperties: {'^[a-z]+$': {pattern: 'h$'}}\nadditionalProperties: false"
    pack = (
        schema_pack(fragment)
        .replace("kinds: [System]", "kinds: [Exercise]")
        .replace("field: title", "field: recovery_times")
    )
    write(tmp_path, "policies/acme.yaml", pack)
    write(tmp_path, "bcp/drill.yaml", EXERCISE.format(times=times))
    result = bcplint("check", "bcp", "--today", TODAY, "--format", "json", "--pack", "policies/acme.yaml", cwd=tmp_path)
    errors = [f["message"] for f in json.loads(result.out)["findings"] if f["rule_id"] == "ACME001"]
    assert errors == ([] if error is None else [f"Exercise 'drill' recovery_times: {error}"])


def test_pack_model_errors_give_the_line(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    pack = pattern_pack("^A").replace("    severity: error\n", "    severty: error\n")
    result = run(bcplint, tmp_path, pack)
    assert result.code == 2
    assert result.err == (
        f"bcplint: error: {tmp_path / 'policies/acme.yaml'}:7:5: rule ACME001: rules[0].severty: unknown key\n"
    )


def test_an_unknown_parent_pack_is_reported_at_its_extends_line(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    pack = pattern_pack("^A").replace("title: ACME continuity policy\n", "title: ACME\nextends: [iso22301, nist]\n")
    result = run(bcplint, tmp_path, pack)
    assert result.code == 2
    assert result.err.startswith(
        f"bcplint: error: {tmp_path / 'policies/acme.yaml'}:4:21: unknown pack 'nist'; built-in packs: "
    )
