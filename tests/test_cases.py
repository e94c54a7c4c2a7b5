"""Rule cases from ``tests/cases/<RULE>/{pass,fail}/``, one test per case.

A case is a YAML file, or a directory of files (a small workspace). Fail cases state every
finding of the rule they expect, in comments anywhere in the case::

    # expect: BCP201 7:1              (in a single-file case: line:column in this file)
    # expect: BCP003 services/a.yaml:5:9   (in a directory case: path relative to the case)
    # expect: BCP204 7:14 "via 'orders-api'"  (optionally, text the finding's message contains)

The test runs only that rule, at the fixed evaluation date, and compares the exact set of
(rule, file, line, column). Pass cases must produce no finding of their rule at all.

Each case is copied to a temporary directory first: it must be a workspace of its own, and
inside this repository its workspace would be the whole repository.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from bcplint.api import LintOptions, lint
from tests.conftest import TODAY

CASES = Path(__file__).parent / "cases"
_EXPECT = re.compile(r'#\s*expect:\s*(\w+)\s+(?:(\S+):)?(\d+):(\d+)(?:\s+"(.*)")?\s*$', re.MULTILINE)


def _cases(outcome: str) -> list[pytest.param]:
    params = []
    for rule_dir in sorted(p for p in CASES.iterdir() if p.is_dir()):
        for case in sorted((rule_dir / outcome).glob("*")):
            params.append(pytest.param(rule_dir.name, case, id=f"{rule_dir.name}-{outcome}-{case.name}"))
    return params


Finding = tuple[str, str, int, int]


def _lint(rule: str, case: Path, workspace: Path) -> dict[Finding, str]:
    """(rule, file, line, column) -> message of each finding of ``rule`` on the case, checked
    as the workspace ``workspace`` (an empty directory outside git)."""
    if case.is_dir():
        shutil.copytree(case, workspace, dirs_exist_ok=True)
    else:
        shutil.copy(case, workspace / case.name)
    options = LintOptions(select=[rule], today=dt.date.fromisoformat(TODAY), cwd=workspace, packs=["iso22301"])
    result = lint(options)
    return {(f.rule_id, f.path, f.line, f.column): f.message for f in result.findings if f.rule_id == rule}


def _expected(rule: str, case: Path) -> dict[Finding, str]:
    """Expected findings, each with text its message must contain (empty: anything)."""
    files = sorted(case.rglob("*")) if case.is_dir() else [case]
    expected: dict[Finding, str] = {}
    for file in files:
        if not file.is_file():
            continue
        for rule_id, path, line, column, text in _EXPECT.findall(file.read_text(encoding="utf-8", errors="replace")):
            where = path or file.relative_to(case if case.is_dir() else case.parent).as_posix()
            expected[(rule_id, where, int(line), int(column))] = text
    assert expected, f"{case}: a fail case must state its findings with '# expect: RULE line:col'"
    assert {e[0] for e in expected} == {rule}, f"{case}: expectations must be for {rule}"
    return expected


@pytest.mark.parametrize(("rule", "case"), _cases("fail"))
def test_fail_case(rule: str, case: Path, tmp_path: Path) -> None:
    found, expected = _lint(rule, case, tmp_path), _expected(rule, case)
    assert set(found) == set(expected)
    for key, text in expected.items():
        assert text in found[key], f"{key}: message {found[key]!r} does not contain {text!r}"


@pytest.mark.parametrize(("rule", "case"), _cases("pass"))
def test_pass_case(rule: str, case: Path, tmp_path: Path) -> None:
    assert _lint(rule, case, tmp_path) == {}


def test_every_rule_has_both_kinds_of_case() -> None:
    for rule_dir in sorted(p for p in CASES.iterdir() if p.is_dir()):
        assert any((rule_dir / "fail").glob("*")), f"{rule_dir.name} has no failing case"
        assert any((rule_dir / "pass").glob("*")), f"{rule_dir.name} has no passing case"
