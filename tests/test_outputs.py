"""Reports their consumers accept: GitHub code scanning and Microsoft's SARIF validator, JUnit
dashboards that agree with the exit code, one-line text, and baselines that do not flood reports.

Evaluation date: TODAY (2026-11-23). The SARIF schema is read from the shared folder beside the
repository (the test skips, saying so, without it); Microsoft's validator is found through
BCPLINT_SARIF_MULTITOOL (which .ci/run sets) or a project-local node_modules.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import junitparser
import pytest

from bcplint.findings import Finding, LintResult, RuleInfo, Severity
from bcplint.report import FORMATTERS, ReportOptions
from bcplint.report.sarif import sarif_log
from tests.conftest import CONTACTS, REPO_ROOT, TODAY, Run, write

Bcplint = Callable[..., Run]

SARIF_SCHEMA = REPO_ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
GOLDEN_WORKSPACE = Path(__file__).parent / "golden" / "workspace"


# A Plan with no internal channel at all: BCP501 reports two outcomes on the same field and line.
PLAN = """\
apiVersion: bcplint/v1
kind: Plan
name: bcp
owner: cto
approved: {by: coo, "on": 2026-06-01}
reviewed: {by: coo, "on": 2026-06-01}
communication: {internal: [], external: [{name: status, type: status-page, provider: statuspage}]}
"""

# A high Service without an RTO (BCP201, an error) and a Service whose owner has no deputy
# (BCP102, a warning).
SERVICES = """\
apiVersion: bcplint/v1
kind: Service
name: helpdesk
owner: cto
criticality: high
rpo: 1h
---
apiVersion: bcplint/v1
kind: Service
name: billing
owner: coo
criticality: high
rto: 4h
rpo: 1h
"""


def sarif_of(bcplint: Bcplint, root: Path, *args: str) -> tuple[Run, dict[str, Any]]:
    run = bcplint("check", ".", "--today", TODAY, "--format", "sarif", *args, cwd=root)
    assert run.code in (0, 1), run.err
    return run, json.loads(run.out)


def render(output_format: str, result: LintResult, **options: Any) -> str:
    stream = io.StringIO()
    FORMATTERS[output_format](result, stream, ReportOptions(**options))
    return stream.getvalue()


# --- SARIF: fingerprints ---------------------------------------------------------------------------


def test_two_outcomes_of_one_check_are_two_alerts(bcplint: Bcplint, tmp_path: Path) -> None:
    write(tmp_path, "contacts.yaml", CONTACTS)
    write(tmp_path, "plan.yaml", PLAN)
    _, log = sarif_of(bcplint, tmp_path, "--select", "BCP501")
    results = log["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["BCP501", "BCP501"]
    assert {r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results} == {7}
    assert len({r["partialFingerprints"]["bcplint/v1"] for r in results}) == 2
    # GitHub matches alerts by primaryLocationLineHash alone, which its upload action would
    # compute from the line's text: the same for both. So bcplint gives them distinct ones.
    assert len({r["partialFingerprints"]["primaryLocationLineHash"] for r in results}) == 2


def test_fingerprints_survive_lines_inserted_above(bcplint: Bcplint, tmp_path: Path) -> None:
    write(tmp_path, "contacts.yaml", CONTACTS)
    write(tmp_path, "plan.yaml", PLAN)
    _, before = sarif_of(bcplint, tmp_path, "--select", "BCP501")  # its two results share rule, field and line
    write(tmp_path, "plan.yaml", "# The plan, as approved in June.\n\n" + PLAN)
    _, after = sarif_of(bcplint, tmp_path, "--select", "BCP501")

    def prints(log: dict[str, Any]) -> dict[tuple[str, str], tuple[int, dict[str, str]]]:
        return {
            (r["ruleId"], r["message"]["text"]): (
                r["locations"][0]["physicalLocation"]["region"]["startLine"],
                r["partialFingerprints"],
            )
            for r in log["runs"][0]["results"]
        }

    old, new = prints(before), prints(after)
    assert old.keys() == new.keys() and len(old) == 2
    assert all(new[key][0] == old[key][0] + 2 for key in old)  # every result moved down two lines
    assert all(new[key][1] == old[key][1] for key in old)  # and kept its fingerprints


def finding(**changes: Any) -> Finding:
    base: dict[str, Any] = {
        "path": "bcp/plan.yaml",
        "line": 3,
        "column": 1,
        "rule_id": "BCP501",
        "rule_name": "secondary-channel",
        "severity": Severity.ERROR,
        "message": "Plan 'bcp' names no primary internal communication channel",
        "kind": "Plan",
        "document": "bcp",
        "field": "communication.internal",
    }
    return Finding(**{**base, **changes})


def test_identical_findings_still_get_distinct_fingerprints() -> None:
    # Two documents named alike in one file (BCP004) report identical findings.
    twins = (finding(line=3), finding(line=9))
    log = sarif_log(LintResult(findings=twins, files_checked=1, documents_checked=2))
    prints = [r["partialFingerprints"]["bcplint/v1"] for r in log["runs"][0]["results"]]
    assert len(set(prints)) == 2
    moved = sarif_log(LintResult(findings=(finding(line=13), finding(line=19)), files_checked=1, documents_checked=2))
    assert [r["partialFingerprints"]["bcplint/v1"] for r in moved["runs"][0]["results"]] == prints


# --- SARIF: GitHub's limits ----------------------------------------------------------------------


def github_limit_problems(log: dict[str, Any], raw: bytes) -> list[str]:
    """What GitHub's documented upload limits reject or cut (SARIF support for code scanning)."""
    problems = []
    if len(gzip.compress(raw)) > 10 * 2**20:
        problems.append("larger than 10 MB gzip-compressed")
    if len(log["runs"]) > 20:
        problems.append("more than 20 runs")
    for run in log["runs"]:
        rules = run["tool"]["driver"]["rules"]
        if len(run["results"]) > 25_000:
            problems.append(f"{len(run['results'])} results in a run")
        if len(rules) > 25_000:
            problems.append(f"{len(rules)} rules in a run")
        for rule in rules:
            if len(rule["properties"]["tags"]) > 10:
                problems.append(f"{rule['id']}: more tags than GitHub shows")
            if len(rule["name"]) > 255:
                problems.append(f"{rule['id']}: name over 255 characters")
            for description in ("shortDescription", "fullDescription"):
                if len(rule[description]["text"]) > 1024:
                    problems.append(f"{rule['id']}: {description} over 1024 characters")
        prints = [r["partialFingerprints"]["bcplint/v1"] for r in run["results"]]
        if len(set(prints)) != len(prints):
            problems.append("fingerprints repeat")
        if any(len(r["locations"]) > 10 for r in run["results"]):
            problems.append("more than 10 locations in a result")
    return problems


@pytest.mark.slow
def test_thirty_thousand_findings_make_a_valid_run_within_githubs_limits(bcplint: Bcplint, tmp_path: Path) -> None:
    if not SARIF_SCHEMA.exists():
        pytest.skip(f"the SARIF 2.1.0 schema is not at {SARIF_SCHEMA} (it lives in the shared folder beside the repo)")

    # 6,000 critical Systems with nothing but a name: five findings each (no owner, RTO, RPO,
    # backup: errors; no failover: a warning), 30,000 in all.
    systems = [f"apiVersion: bcplint/v1\nkind: System\nname: sys-{i:05d}\ncriticality: critical\n" for i in range(6000)]
    write(tmp_path, "systems.yaml", "---\n".join(systems))
    out = tmp_path / "report.sarif"
    run = bcplint("check", ".", "--today", TODAY, "--format", "json", "--output", f"sarif:{out}", cwd=tmp_path)
    findings = json.loads(run.out)["findings"]
    assert Counter(f["severity"] for f in findings) == {"error": 24_000, "warning": 6_000}

    raw = out.read_bytes()
    log = json.loads(raw)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    assert [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(log)] == []
    assert github_limit_problems(log, raw) == []
    results = log["runs"][0]["results"]
    # The most severe are kept: every error, then warnings up to the limit.
    assert Counter(r["level"] for r in results) == {"error": 24_000, "warning": 1_000}
    [notification] = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notification["level"] == "warning"
    assert "5000 of 30000 results left out" in notification["message"]["text"]
    assert "bcplint: note: SARIF: 5000 of 30000 results left out" in run.err


def test_rules_stay_within_githubs_limits() -> None:
    rule = RuleInfo(
        id="ORG001",
        name="-".join(["very-long-rule-name"] * 20),
        severity=Severity.ERROR,
        summary="A summary. " * 200,
        rationale="A rationale. " * 200,
        fix="Fix it.",
        clauses=tuple(f"ORG-POLICY {n}" for n in range(30)),
        pack="org",
    )
    text = render("sarif", LintResult(findings=(), files_checked=0, documents_checked=0, rules=(rule,)))
    log = json.loads(text)
    assert github_limit_problems(log, text.encode()) == []
    [described] = log["runs"][0]["tool"]["driver"]["rules"]
    assert described["properties"]["tags"][:3] == ["business-continuity", "org", "ORG-POLICY 0"]
    assert described["help"]["text"].count("ORG-POLICY") == 1  # every clause is still in the help
    assert "ORG-POLICY 0, 1, 2" in described["help"]["text"] and ", 29" in described["help"]["text"]


# --- SARIF: Microsoft's validator ----------------------------------------------------------------


def multitool() -> Path | None:
    """Microsoft's SARIF multitool: BCPLINT_SARIF_MULTITOOL, else a project-local npm install."""
    configured = os.environ.get("BCPLINT_SARIF_MULTITOOL")
    if configured:
        return Path(configured)
    platform = {"linux": "linux", "darwin": "darwin", "win32": "win32"}.get(sys.platform, sys.platform)
    package = REPO_ROOT / "node_modules" / "@microsoft" / f"sarif-multitool-{platform}"
    return next((p for p in (package / "Sarif.Multitool", package / "Sarif.Multitool.exe") if p.exists()), None)


def validate(tool: Path, log: Path) -> list[str]:
    """Errors and warnings of ``sarif-multitool validate --rule-kind "Gh;Sarif"`` on ``log``.

    The tool's exit code does not say whether it found problems, so its own SARIF output is
    read. It is a self-contained .NET program; invariant globalization spares it the ICU library.
    """
    output = log.with_suffix(".validation.sarif")
    completed = subprocess.run(
        [
            *(str(tool), "validate", str(log), "--rule-kind", "Gh;Sarif", "--level", "Error;Warning"),
            *("--max-file-size-in-kb", "102400", "--output", str(output), "--log", "ForceOverwrite"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1"},
        check=False,
    )
    assert output.exists(), f"the validator wrote no report:\n{completed.stdout}\n{completed.stderr}"
    run = json.loads(output.read_text(encoding="utf-8-sig"))["runs"][0]
    assert run["tool"]["driver"]["name"] == "Sarif.Multitool"
    return [
        f"{r['ruleId']} {r.get('level')}: {', '.join(r['message'].get('arguments', []))}"
        for r in run.get("results", [])
        if r.get("level") in ("error", "warning")
    ]


def test_sarif_passes_microsofts_validator(bcplint: Bcplint, tmp_path: Path) -> None:
    tool = multitool()
    if tool is None:
        pytest.skip(
            "Microsoft's SARIF validator is not installed: set BCPLINT_SARIF_MULTITOOL to its Sarif.Multitool "
            "binary (.ci/run does, after `npm install @microsoft/sarif-multitool` into a temporary prefix)"
        )
    assert tool.exists(), f"BCPLINT_SARIF_MULTITOOL={tool} does not exist"
    logs: dict[str, str] = {}
    run = bcplint("check", ".", "--today", TODAY, "--format", "sarif", "--ignore", "BCP304", cwd=GOLDEN_WORKSPACE)
    logs["golden"] = run.out
    waived = (
        finding(waiver="inline at bcp/plan.yaml:3, no expiry: the chat tool is being replaced", waiver_kind="inline"),
        finding(message="Plan 'bcp' has no secondary internal communication channel to fall back on"),
        finding(
            rule_id="BCP101",
            rule_name="owner-assigned",
            field="owner",
            waiver="baseline b.json",
            waiver_kind="baseline",
        ),
        finding(path="/abs/elsewhere/plan.yaml", message="a finding outside the working directory"),
    )
    rule = RuleInfo(
        id="BCP501", name="secondary-channel", severity=Severity.ERROR, summary="s", rationale="r", fix="f",
        clauses=("ISO 22301:2019 8.4.3",), pack="iso22301",
    )  # fmt: skip
    crafted = LintResult(findings=waived, files_checked=1, documents_checked=1, rules=(rule,))
    logs["waived-and-colliding"] = render("sarif", crafted)
    logs["capped"] = json.dumps(sarif_log(crafted, max_results=2), indent=2)
    for name, text in logs.items():
        path = tmp_path / f"{name}.sarif"
        path.write_text(text, encoding="utf-8")
        assert validate(tool, path) == [], name

    # Control: the validator does reject what GitHub cannot show (a result without a location).
    broken = json.loads(logs["golden"])
    del broken["runs"][0]["results"][0]["locations"]
    path = tmp_path / "broken.sarif"
    path.write_text(json.dumps(broken), encoding="utf-8")
    assert any(problem.startswith("GH1015 error") for problem in validate(tool, path))


# --- JUnit agrees with the exit code -------------------------------------------------------------


def junit_of(bcplint: Bcplint, root: Path, *args: str) -> tuple[int, junitparser.JUnitXml, str]:
    path = root / "report.xml"
    run = bcplint("check", ".", "--today", TODAY, "--output", f"junit:{path}", *args, cwd=root)
    assert run.code in (0, 1), run.err
    text = path.read_text(encoding="utf-8")
    return run.code, junitparser.JUnitXml.fromstring(text), text


def outcomes(xml: junitparser.JUnitXml) -> Counter[str]:
    return Counter(type(r).__name__ for suite in xml for case in suite for r in case.result)


def test_a_warning_only_run_is_green_on_the_dashboard(bcplint: Bcplint, tmp_path: Path) -> None:
    write(tmp_path, "contacts.yaml", CONTACTS)  # coo, who owns billing, has no deputy: a warning
    write(tmp_path, "services.yaml", SERVICES.replace("criticality: high\nrpo", "criticality: high\nrto: 4h\nrpo", 1))
    code, xml, text = junit_of(bcplint, tmp_path, "--select", "BCP102,BCP201")
    assert code == 0
    assert outcomes(xml) == Counter()
    assert 'failures="0"' in text and 'errors="0"' in text
    # The warning is on the dashboard all the same: in the passing testcase's output.
    [case] = [c for suite in xml for c in suite if c.system_out]
    assert case.name == "BCP102 deputy-assigned: Service 'billing' in services.yaml"
    assert case.system_out.startswith("services.yaml:12:8: warning (below --fail-on error): Service 'billing'")

    code, xml, _ = junit_of(bcplint, tmp_path, "--select", "BCP102,BCP201", "--fail-on", "warning")
    assert code == 1
    assert outcomes(xml) == Counter({"Failure": 1})


@pytest.mark.parametrize("fail_on", ["error", "warning", "info", "never"])
def test_junit_failures_follow_fail_on(bcplint: Bcplint, tmp_path: Path, fail_on: str) -> None:
    write(tmp_path, "contacts.yaml", CONTACTS.replace("deputy: coo\n", ""))
    write(tmp_path, "services.yaml", SERVICES)
    write(tmp_path, "broken.yaml", "apiVersion: bcplint/v1\nkind: Service\nname: [unclosed\n")
    code, xml, _ = junit_of(bcplint, tmp_path, "--select", "BCP001,BCP102,BCP201", "--fail-on", fail_on)
    expected = {
        "error": Counter({"Error": 1, "Failure": 1}),  # the parse error and BCP201
        "warning": Counter({"Error": 1, "Failure": 3}),  # and BCP102 on both Services
        "info": Counter({"Error": 1, "Failure": 3}),
        "never": Counter(),
    }[fail_on]
    assert outcomes(xml) == expected
    assert code == (1 if expected else 0)


# --- One line per finding, whatever the text holds ---------------------------------------------

MULTI_LINE_REASON = """\
apiVersion: bcplint/v1
kind: Waiver
name: helpdesk-rto
rule: BCP201
target: helpdesk
reason: |
  The RTO is being agreed with the business.
  Review it in January.
approved_by: coo
expires: 2027-01-31
"""


def test_line_breaks_in_reasons_and_messages_stay_on_one_line(bcplint: Bcplint, tmp_path: Path) -> None:
    write(tmp_path, "contacts.yaml", CONTACTS)
    # A name with a line break and an escape character (YAML's "\e") reaches the messages.
    odd = SERVICES.replace("name: billing", 'name: "bill\\ning\\e[2J"').replace("rto: 4h\n", "", 1)
    write(tmp_path, "services.yaml", odd)
    write(tmp_path, "waivers.yaml", MULTI_LINE_REASON)
    run = bcplint("check", ".", "--today", TODAY, "--select", "BCP201", "--no-color", cwd=tmp_path)
    lines = run.out.splitlines()
    assert len(lines) == 2 + 2  # two findings, a blank line, the summary
    assert lines[0].endswith("(waived: Waiver 'helpdesk-rto' approved by coo, until 2027-01-31: The RTO is being "
                             "agreed with the business. Review it in January.)")  # fmt: skip
    assert "Service 'bill ing\\x1b[2J' is high but has no RTO" in lines[1]

    _, xml, text = junit_of(bcplint, tmp_path, "--select", "BCP201")
    cases = [c for suite in xml for c in suite if c.result]
    assert sorted(c.name for c in cases) == [
        "BCP201 rto-defined: Service 'bill ing\\x1b[2J' in services.yaml",
        "BCP201 rto-defined: Service 'helpdesk' in services.yaml",
    ]
    for case in cases:
        [result] = case.result
        assert "\n" not in (result.message or "")
    # Raw XML too: no attribute value spans lines (XML readers would fold the break silently).
    assert all(line.count('"') % 2 == 0 for line in text.splitlines())


# --- Baselines: counted, not listed ----------------------------------------------------------------


def service(name: str, comment: str = "") -> str:
    """A high Service without an RTO: one BCP201 finding at its first line."""
    return f"apiVersion: bcplint/v1{comment}\nkind: Service\nname: {name}\nowner: cto\ncriticality: high\nrpo: 1h\n"


@pytest.fixture
def baselined(bcplint: Bcplint, tmp_path: Path) -> Path:
    """Three accepted gaps in the baseline; then a new one, one suppressed inline, one waived."""
    write(tmp_path, "contacts.yaml", CONTACTS)
    write(tmp_path, "old.yaml", "---\n".join(service(n) for n in ("alpha", "beta", "gamma")))
    assert bcplint("baseline", ".", "--output", "base.json", "--today", TODAY, cwd=tmp_path).code == 0
    inline = "  # bcplint: ignore[BCP201] until=2027-01-31 -- RTO agreed in the next BIA"
    write(tmp_path, "new.yaml", "---\n".join([service("delta"), service("epsilon", inline), service("zeta")]))
    waiver = MULTI_LINE_REASON.replace("helpdesk", "zeta")
    write(tmp_path, "waivers.yaml", waiver)
    return tmp_path


def test_baselined_findings_are_counted_not_listed(bcplint: Bcplint, baselined: Path) -> None:
    args = ("check", ".", "--today", TODAY, "--baseline", "base.json", "--select", "BCP201", "--no-color")
    text = bcplint(*args, cwd=baselined)
    assert text.code == 1  # delta is new
    assert [line.split(":")[0] for line in text.out.splitlines()[:-2]] == ["new.yaml"] * 3
    assert "(waived: inline at new.yaml:8" in text.out and "(waived: Waiver 'zeta-rto'" in text.out
    assert text.out.splitlines()[-1] == (
        "1 error (2 waived, 3 accepted by the baseline and not listed: --show-baselined lists them) "
        "in 9 documents across 4 files. Failing: 1 finding at or above error."
    )

    github = bcplint(*args, "--format", "github", cwd=baselined).out.splitlines()
    assert len(github) == 3 + 1
    assert not any("old.yaml" in line for line in github)
    assert github[-1] == (
        "::notice title=bcplint baseline::3 findings accepted by the baseline (not annotated; "
        "--show-baselined lists them)"
    )

    markdown = bcplint(*args, "--format", "markdown", cwd=baselined).out
    assert "old.yaml" not in markdown
    assert "| 1 | 0 | 0 | 5 | 9 | 4 |" in markdown  # 5 waived: 2 by exceptions, 3 by the baseline
    assert "3 of the waived findings were accepted by the baseline and are not listed" in markdown

    # Machine-readable reports keep every finding; SARIF marks the accepted ones suppressed.
    report = json.loads(bcplint(*args, "--format", "json", cwd=baselined).out)
    assert sorted(f["document"] for f in report["findings"] if (f["waiver"] or "").startswith("baseline")) == [
        "alpha",
        "beta",
        "gamma",
    ]
    results = json.loads(bcplint(*args, "--format", "sarif", cwd=baselined).out)["runs"][0]["results"]
    accepted = [r for r in results if "old.yaml" in r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]]
    assert [r["suppressions"][0]["kind"] for r in accepted] == ["external"] * 3


def test_show_baselined_lists_them(bcplint: Bcplint, baselined: Path) -> None:
    args = ("check", ".", "--today", TODAY, "--baseline", "base.json", "--select", "BCP201", "--show-baselined")
    text = bcplint(*args, "--no-color", cwd=baselined)
    assert sum(line.startswith("old.yaml:") for line in text.out.splitlines()) == 3
    assert "(5 waived)" in text.out.splitlines()[-1]
    github = bcplint(*args, "--format", "github", cwd=baselined).out.splitlines()
    assert sum("file=old.yaml" in line for line in github) == 3 and len(github) == 6
    assert "old.yaml" in bcplint(*args, "--format", "markdown", cwd=baselined).out
