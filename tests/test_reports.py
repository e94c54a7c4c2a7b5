"""Every report format: golden files on one fixed workspace, and each checked by a real consumer.

Regenerate the golden files after an intended change with ``BCPLINT_UPDATE_GOLDEN=1 pytest``.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable
from pathlib import Path

import jsonschema
import junitparser
import pytest

from bcplint.findings import Finding, LintResult, RuleInfo, Severity
from bcplint.report import FORMATTERS, ReportOptions
from tests.conftest import REPO_ROOT, TODAY, Run

GOLDEN = Path(__file__).parent / "golden"
WORKSPACE = GOLDEN / "workspace"
SARIF_SCHEMA = REPO_ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
EXTENSIONS = {
    "text": "txt",
    "json": "json",
    "junit": "xml",
    "sarif": "sarif",
    "github": "txt",
    "markdown": "md",
    "gitlab": "json",
}


def report(bcplint: Callable[..., Run], output_format: str) -> str:
    if not (REPO_ROOT / ".git").exists():
        pytest.skip("golden paths are relative to this project's repository root; this copy is not a git checkout")
    # BCP304 reads this repository's commit dates: not part of a fixed golden output.
    run = bcplint(
        "check", ".", "--today", TODAY, "--format", output_format, "--no-color", "--ignore", "BCP304", cwd=WORKSPACE
    )
    assert run.code == 1, run.err
    return run.out


@pytest.mark.parametrize("output_format", sorted(FORMATTERS))
def test_golden(bcplint: Callable[..., Run], output_format: str) -> None:
    # Byte-identical across processes and hash seeds: tests/test_determinism.py.
    golden = GOLDEN / "expected" / f"report.{output_format}.{EXTENSIONS[output_format]}"
    output = report(bcplint, output_format)
    if os.environ.get("BCPLINT_UPDATE_GOLDEN"):
        golden.write_text(output, encoding="utf-8")
    assert golden.exists(), f"no golden file yet: run BCPLINT_UPDATE_GOLDEN=1 pytest {__file__}"
    assert output == golden.read_text(encoding="utf-8")


def test_every_format_has_a_golden_file() -> None:
    assert sorted(p.name.split(".")[1] for p in (GOLDEN / "expected").iterdir()) == sorted(FORMATTERS)


def test_sarif_is_valid_against_the_official_schema(bcplint: Callable[..., Run]) -> None:
    if not SARIF_SCHEMA.exists():
        pytest.skip(f"the SARIF 2.1.0 schema is not at {SARIF_SCHEMA} (it lives in the shared folder beside the repo)")

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    log = json.loads(report(bcplint, "sarif"))
    validator = jsonschema.Draft7Validator(schema)
    assert [e.message for e in validator.iter_errors(log)] == []
    waived = json.loads(_render("sarif", _waived_result()))
    assert [e.message for e in validator.iter_errors(waived)] == []


def test_sarif_content(bcplint: Callable[..., Run]) -> None:
    run = json.loads(report(bcplint, "sarif"))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert not location["artifactLocation"]["uri"].startswith("/")
        assert location["region"]["startLine"] >= 1
        assert len(result["partialFingerprints"]["bcplint/v1"]) == 32
    rto = next(r for r in rules if r["id"] == "BCP201")
    assert rto["shortDescription"]["text"] and rto["help"]["text"]
    assert "ISO 22301:2019 8.2.2" in rto["properties"]["tags"]


def test_junit_counts_with_an_independent_reader(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    path = tmp_path / "report.xml"
    json_run = bcplint(
        "check",
        ".",
        "--today",
        TODAY,
        "--format",
        "json",
        "--output",
        f"junit:{path}",
        "--ignore",
        "BCP304",
        cwd=WORKSPACE,
    )
    findings = json.loads(json_run.out)["findings"]
    xml = junitparser.JUnitXml.fromfile(str(path))
    cases = [case for suite in xml for case in suite]
    # The default --fail-on error: only errors fail a testcase, as they fail the run.
    failing = {
        (f["rule_id"], f["path"], f["kind"], f["document"])
        for f in findings
        if f["rule_id"] != "BCP001" and f["severity"] == "error"
    }
    errors = {f["path"] for f in findings if f["rule_id"] == "BCP001"}
    outcomes = [type(r).__name__ for case in cases for r in case.result]
    assert outcomes.count("Failure") == len(failing)
    warnings = [f for f in findings if f["severity"] == "warning"]
    assert warnings and all(any(f["message"] in (case.system_out or "") for case in cases) for f in warnings)
    assert outcomes.count("Error") == len(errors)
    assert outcomes.count("Skipped") == 0
    assert len({(case.classname, case.name) for case in cases}) == len(cases) == sum(s.tests for s in xml)
    assert len({case.name for case in cases}) == len(cases)  # GitLab merges equal names
    # Passing checks are testcases too: schema-violation checks every document, so it has one
    # testcase per document, passing unless the document broke the schema.
    report = json.loads(json_run.out)
    schema_cases = [case for case in cases if case.classname.endswith(".BCP002")]
    broken = {(f["path"], f["document"]) for f in findings if f["rule_id"] == "BCP002"}
    assert len(schema_cases) == report["summary"]["documents"]
    assert sum(1 for case in schema_cases if not case.result) == report["summary"]["documents"] - len(broken)
    assert all(case._elem.get("file") for case in cases)


def _waived_result() -> LintResult:
    rule = RuleInfo(
        id="BCP402",
        name="backup-tested",
        severity=Severity.ERROR,
        summary="s",
        rationale="r",
        fix="f",
        clauses=("ISO 22301:2019 8.5",),
        pack="iso22301",
    )
    finding = Finding(
        path="bcp/db.yaml",
        line=9,
        column=5,
        rule_id="BCP402",
        rule_name="backup-tested",
        severity=Severity.ERROR,
        message="System 'db': backup 'nightly' has never been restore-tested",
        kind="System",
        document="db",
        field="backups[0].last_restore_test.date",
        clauses=("ISO 22301:2019 8.5",),
        waiver="Waiver 'db-restore' until 2027-01-31: new storage arrives in January",
    )
    return LintResult(findings=(finding,), files_checked=1, documents_checked=1, rules=(rule,))


def _render(output_format: str, result: LintResult) -> str:
    stream = io.StringIO()
    FORMATTERS[output_format](result, stream, ReportOptions())
    return stream.getvalue()


def test_waived_findings_are_marked_in_every_format(tmp_path: Path) -> None:
    result = _waived_result()
    junit = tmp_path / "r.xml"
    junit.write_text(_render("junit", result), encoding="utf-8")
    [case] = [c for s in junitparser.JUnitXml.fromfile(str(junit)) for c in s]
    [skipped] = case.result
    assert isinstance(skipped, junitparser.Skipped)
    assert skipped.message == "waived: Waiver 'db-restore' until 2027-01-31: new storage arrives in January"
    [sarif_result] = json.loads(_render("sarif", result))["runs"][0]["results"]
    assert sarif_result["suppressions"] == [
        {"kind": "external", "status": "accepted", "justification": result.findings[0].waiver}
    ]
    assert _render("github", result).startswith("::notice file=bcp/db.yaml,line=9,col=5,")
    assert "| error (waived) |" in _render("markdown", result)
    assert "(waived: Waiver 'db-restore'" in _render("text", result)
    assert json.loads(_render("json", result))["findings"][0]["waiver"] == result.findings[0].waiver
    assert json.loads(_render("json", result))["summary"]["waived"] == 1


def test_github_escapes_workflow_command_syntax() -> None:
    result = _waived_result()
    finding = result.findings[0]
    tricky = Finding(**{**finding.__dict__, "message": "50% done\nnext: line", "path": "a,b:c.yaml", "waiver": None})
    out = _render("github", LintResult(findings=(tricky,), files_checked=1, documents_checked=1))
    assert out == "::error file=a%2Cb%3Ac.yaml,line=9,col=5,title=BCP402 backup-tested::50%25 done%0Anext: line\n"


def test_several_reports_from_one_run(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    outputs = {f: tmp_path / "reports" / f"bcplint.{EXTENSIONS[f]}" for f in ("junit", "sarif", "markdown")}
    args = [arg for f, p in outputs.items() for arg in ("--output", f"{f}:{p}")]
    run = bcplint("check", ".", "--today", TODAY, "--no-color", "--ignore", "BCP304", *args, cwd=WORKSPACE)
    assert run.code == 1
    assert run.out == report(bcplint, "text")
    for output_format, path in outputs.items():
        assert path.read_text(encoding="utf-8") == report(bcplint, output_format)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("junit", "'junit' is not FORMAT:PATH"),
        ("xml:out.xml", "unknown format 'xml'"),
        ("sarif:", "is not FORMAT:PATH"),
    ],
)
def test_bad_output_option(bcplint: Callable[..., Run], value: str, message: str) -> None:
    run = bcplint("check", ".", "--output", value, cwd=WORKSPACE)
    assert run.code == 2
    assert message in run.err


def test_unwritable_output_is_a_clear_error(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    run = bcplint("check", ".", "--today", TODAY, "--output", f"sarif:{blocker}/x.sarif", cwd=WORKSPACE)
    assert run.code == 2
    assert run.err.startswith(f"bcplint: error: {blocker}/x.sarif: cannot write the sarif report")
