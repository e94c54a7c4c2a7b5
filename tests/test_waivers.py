"""Exceptions end to end through the CLI: Waiver documents, inline suppressions, baselines, the register.

Every workspace here is small and clean but for the gaps a test puts in it, so exit codes and
finding sets can be asserted exactly. Evaluation date: TODAY (2026-11-23).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import junitparser
import pytest

from tests.conftest import CONTACTS, TODAY, Run, write

Bcplint = Callable[..., Run]


# One gap: helpdesk is high but has no RTO (BCP201, reported at 1:1 of services.yaml).
HELPDESK = """\
apiVersion: bcplint/v1
kind: Service
name: helpdesk
owner: cto
criticality: high
rpo: 1h
"""

# A Service with every objective set: no finding.
BILLING = """\
apiVersion: bcplint/v1
kind: Service
name: billing
owner: cto
criticality: high
rto: 4h
rpo: 1h
"""

REASON = "The RTO is still being agreed with the business."


def waiver(
    *,
    name: str = "helpdesk-rto",
    rule: str = "BCP201",
    target: str = "helpdesk",
    reason: str | None = REASON,
    approved_by: str = "coo",
    expires: str = "2027-01-31",
) -> str:
    lines = ["apiVersion: bcplint/v1", "kind: Waiver", f"name: {name}", f"rule: {rule}", f"target: {target}"]
    if reason is not None:
        lines.append(f"reason: {reason}")
    lines += [f"approved_by: {approved_by}", f"expires: {expires}"]
    return "\n".join(lines) + "\n"


def workspace(root: Path, services: str = HELPDESK, **extra: str) -> Path:
    """contacts.yaml, services.yaml and any ``extra`` files (name -> text)."""
    write(root, "contacts.yaml", CONTACTS)
    write(root, "services.yaml", services)
    for name, text in extra.items():
        write(root, name.replace("__", "/"), text)
    return root


def check(bcplint: Bcplint, root: Path, *args: str) -> tuple[Run, dict[str, Any]]:
    run = bcplint("check", ".", "--today", TODAY, "--format", "json", *args, cwd=root)
    assert run.code in (0, 1), run.err
    assert run.err == ""  # every problem with an exception is a finding, in the report
    return run, json.loads(run.out)


def found(report: dict[str, Any], rule: str | None = None) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if rule is None or f["rule_id"] == rule]


def only(report: dict[str, Any], rule: str) -> dict[str, Any]:
    matches = found(report, rule)
    assert len(matches) == 1, report["findings"]
    return matches[0]


def where(finding: dict[str, Any]) -> tuple[str, str, int, int]:
    return finding["rule_id"], finding["path"], finding["line"], finding["column"]


def line_of(path: Path, text: str) -> int:
    """1-based number of the first line of ``path`` that contains ``text``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


# --- Waiver documents ------------------------------------------------------------------------


def test_without_a_waiver_the_gap_fails_the_run(bcplint: Bcplint, tmp_path: Path) -> None:
    run, report = check(bcplint, workspace(tmp_path))
    assert run.code == 1
    assert [where(f) for f in found(report)] == [("BCP201", "services.yaml", 1, 1)]
    assert report["summary"]["waived"] == 0


def test_a_waiver_hides_exactly_its_rule_and_target(bcplint: Bcplint, tmp_path: Path) -> None:
    services = HELPDESK.replace("rpo: 1h\n", "") + "---\n" + BILLING.replace("rto: 4h\n", "")
    run, report = check(bcplint, workspace(tmp_path, services, **{"waivers.yaml": waiver()}))
    state = {(f["rule_id"], f["document"]): f["waiver"] for f in found(report)}
    assert set(state) == {("BCP201", "helpdesk"), ("BCP202", "helpdesk"), ("BCP201", "billing")}
    assert "helpdesk-rto" in state[("BCP201", "helpdesk")]
    assert state[("BCP202", "helpdesk")] is None  # same target, other rule
    assert state[("BCP201", "billing")] is None  # same rule, other target
    assert report["summary"]["waived"] == 1
    assert report["summary"]["error"] == 2
    assert run.code == 1


def test_a_waived_finding_is_still_in_every_format_marked_waived(bcplint: Bcplint, tmp_path: Path) -> None:
    root = workspace(tmp_path, **{"waivers.yaml": waiver()})
    args = ("check", ".", "--today", TODAY)

    run, report = check(bcplint, root)
    assert run.code == 0  # the waived gap was the only error
    finding = only(report, "BCP201")
    assert where(finding) == ("BCP201", "services.yaml", 1, 1)
    assert finding["waiver"] is not None
    assert "helpdesk-rto" in finding["waiver"] and REASON in finding["waiver"]
    assert report["summary"]["waived"] == 1 and report["summary"]["error"] == 0
    assert found(report, "BCP802") == [] and found(report, "BCP803") == []

    text = bcplint(*args, "--format", "text", "--no-color", cwd=root)
    assert text.code == 0
    [line] = [line for line in text.out.splitlines() if "BCP201" in line]
    assert line.startswith("services.yaml:1:1: error BCP201 rto-defined:")
    assert line.endswith(")") and "(waived: " in line and "helpdesk-rto" in line

    junit = bcplint(*args, "--format", "junit", cwd=root)
    assert junit.code == 0
    xml = junitparser.JUnitXml.fromstring(junit.out)
    suites = [xml] if isinstance(xml, junitparser.TestSuite) else list(xml)
    cases = [c for s in suites for c in s if c.name.startswith("BCP201") and "'helpdesk'" in c.name]
    assert len(cases) == 1
    [result] = cases[0].result
    assert isinstance(result, junitparser.Skipped)
    assert REASON in (result.message or "") and "2027-01-31" in (result.message or "")
    failing = [c for s in suites for c in s if any(isinstance(r, junitparser.Failure) for r in c.result)]
    assert failing == []

    sarif = bcplint(*args, "--format", "sarif", cwd=root)
    assert sarif.code == 0
    [result] = [r for r in json.loads(sarif.out)["runs"][0]["results"] if r["ruleId"] == "BCP201"]
    assert result["suppressions"], result
    assert REASON in result["suppressions"][0].get("justification", "")


def test_sarif_suppression_kind_says_where_the_exception_lives(bcplint: Bcplint, tmp_path: Path) -> None:
    # SARIF 2.1.0 §3.35.2: `inSource` for a suppression written in the file, `external` otherwise.
    services = (
        HELPDESK.replace("bcplint/v1\n", "bcplint/v1  " + INLINE.format(rule="BCP201") + "\n", 1)
        + "---\n"
        + BILLING.replace("rto: 4h\n", "")
    )
    root = workspace(tmp_path, services, **{"waivers.yaml": waiver(name="billing-rto", target="billing")})
    run = bcplint("check", ".", "--today", TODAY, "--format", "sarif", cwd=root)
    assert run.code == 0
    results = json.loads(run.out)["runs"][0]["results"]
    kinds = {r["locations"][0]["logicalLocations"][0]["name"]: r["suppressions"][0]["kind"] for r in results}
    assert kinds == {"helpdesk": "inSource", "billing": "external"}


def test_a_waiver_accepts_the_rule_name(bcplint: Bcplint, tmp_path: Path) -> None:
    run, report = check(bcplint, workspace(tmp_path, **{"waivers.yaml": waiver(rule="rto-defined")}))
    assert only(report, "BCP201")["waiver"] is not None
    assert found(report, "BCP803") == [] and found(report, "BCP802") == []
    assert run.code == 0


# --- Inline suppressions ---------------------------------------------------------------------

INLINE = "# bcplint: ignore[{rule}] until=2027-01-31 -- RTO agreed in the next BIA"


@pytest.mark.parametrize(
    ("services", "hidden"),
    [
        pytest.param(
            HELPDESK.replace("bcplint/v1\n", "bcplint/v1  " + INLINE.format(rule="BCP201") + "\n", 1),
            True,
            id="document-first-line",
        ),
        pytest.param(INLINE.format(rule="BCP201") + "\n" + HELPDESK, True, id="own-line-above-first-document"),
        pytest.param(
            BILLING + "---\n" + INLINE.format(rule="BCP201") + "\n" + HELPDESK, True, id="own-line-above-later-document"
        ),
        pytest.param(
            HELPDESK.replace("bcplint/v1\n", "bcplint/v1  " + INLINE.format(rule="rto-defined") + "\n", 1),
            True,
            id="by-rule-name",
        ),
        pytest.param(
            HELPDESK.replace("criticality: high\n", "criticality: high  " + INLINE.format(rule="BCP201") + "\n"),
            False,
            id="unrelated-line",
        ),
        pytest.param(
            HELPDESK + "---\n" + INLINE.format(rule="BCP201") + "\n" + BILLING, False, id="above-another-document"
        ),
    ],
)
def test_inline_suppression_of_a_document_finding(
    bcplint: Bcplint, tmp_path: Path, services: str, hidden: bool
) -> None:
    run, report = check(bcplint, workspace(tmp_path, services))
    finding = only(report, "BCP201")
    assert finding["document"] == "helpdesk"
    assert (finding["waiver"] is not None) is hidden
    assert report["summary"]["waived"] == (1 if hidden else 0)
    assert run.code == (0 if hidden else 1)
    if hidden:
        assert "2027-01-31" in finding["waiver"] and "RTO agreed in the next BIA" in finding["waiver"]
    else:  # the suppression that hid nothing is reported unused, where it is written
        unused = only(report, "BCP802")
        assert (unused["path"], unused["severity"]) == ("services.yaml", "info")
        assert unused["line"] == line_of(tmp_path / "services.yaml", "bcplint: ignore")


MTPD_BELOW_RTO = """\
apiVersion: bcplint/v1
kind: Service
name: helpdesk
owner: cto
criticality: high
rto: 8h{comment}
rpo: 1h
mtpd: 4h
"""


def test_inline_suppression_on_the_field_line(bcplint: Bcplint, tmp_path: Path) -> None:
    run, report = check(bcplint, workspace(tmp_path, MTPD_BELOW_RTO.format(comment="")))
    assert run.code == 1
    finding = only(report, "BCP203")
    assert (finding["line"], finding["waiver"]) == (6, None)

    comment = "  # bcplint: ignore[BCP203] until=2027-01-31 -- MTPD under review"
    run, report = check(bcplint, workspace(tmp_path, MTPD_BELOW_RTO.format(comment=comment)))
    finding = only(report, "BCP203")
    assert finding["line"] == 6
    assert finding["waiver"] is not None and "MTPD under review" in finding["waiver"]
    assert run.code == 0


# --- Expiry ----------------------------------------------------------------------------------


def test_an_expired_waiver_hides_nothing_and_is_reported(bcplint: Bcplint, tmp_path: Path) -> None:
    root = workspace(tmp_path, **{"waivers.yaml": waiver(expires="2026-11-22")})
    run, report = check(bcplint, root)
    assert only(report, "BCP201")["waiver"] is None
    expired = only(report, "BCP801")
    assert where(expired) == ("BCP801", "waivers.yaml", line_of(root / "waivers.yaml", "expires:"), 10)
    assert expired["severity"] == "warning"
    assert report["summary"]["waived"] == 0
    assert found(report, "BCP802") == []  # expired is not also unused
    assert run.code == 1


def test_a_waiver_still_hides_on_its_expiry_date(bcplint: Bcplint, tmp_path: Path) -> None:
    run, report = check(bcplint, workspace(tmp_path, **{"waivers.yaml": waiver(expires=TODAY)}))
    assert only(report, "BCP201")["waiver"] is not None
    assert found(report, "BCP801") == []
    assert run.code == 0


@pytest.mark.parametrize(("until", "hidden"), [("2026-11-22", False), (TODAY, True)])
def test_inline_expiry(bcplint: Bcplint, tmp_path: Path, until: str, hidden: bool) -> None:
    comment = f"  # bcplint: ignore[BCP201] until={until} -- RTO agreed in the next BIA"
    run, report = check(bcplint, workspace(tmp_path, HELPDESK.replace("bcplint/v1\n", f"bcplint/v1{comment}\n", 1)))
    assert (only(report, "BCP201")["waiver"] is not None) is hidden
    if hidden:
        assert found(report, "BCP801") == []
        assert run.code == 0
    else:
        assert where(only(report, "BCP801")) == ("BCP801", "services.yaml", 1, 25)
        assert run.code == 1


# --- Unused ----------------------------------------------------------------------------------


def test_a_waiver_that_matches_nothing_is_reported_unused(bcplint: Bcplint, tmp_path: Path) -> None:
    root = workspace(tmp_path, BILLING, **{"waivers.yaml": waiver(name="billing-rto", target="billing")})
    run, report = check(bcplint, root)
    unused = only(report, "BCP802")
    assert unused["severity"] == "info"
    assert (unused["path"], unused["line"]) == ("waivers.yaml", line_of(root / "waivers.yaml", "rule:"))
    assert "billing-rto" in unused["message"]
    assert report["summary"]["info"] == 1 and report["summary"]["waived"] == 0
    assert run.code == 0  # info is below the default --fail-on error
    assert bcplint("check", ".", "--today", TODAY, "--fail-on", "info", cwd=root).code == 1


def test_an_inline_suppression_that_matches_nothing_is_reported_unused(bcplint: Bcplint, tmp_path: Path) -> None:
    services = BILLING.replace("bcplint/v1\n", "bcplint/v1  " + INLINE.format(rule="BCP201") + "\n", 1)
    run, report = check(bcplint, workspace(tmp_path, services))
    assert where(only(report, "BCP802")) == ("BCP802", "services.yaml", 1, 25)
    assert run.code == 0


@pytest.mark.parametrize("flag", [("--ignore", "BCP201"), ("--ignore", "rto-defined"), ("--select", "BCP8")])
def test_a_waiver_of_a_rule_that_did_not_run_is_not_unused(
    bcplint: Bcplint, tmp_path: Path, flag: tuple[str, str]
) -> None:
    services = (
        BILLING + "---\n" + HELPDESK.replace("bcplint/v1\n", "bcplint/v1  " + INLINE.format(rule="BCP201") + "\n")
    )
    root = workspace(tmp_path, services, **{"waivers.yaml": waiver(target="billing")})
    _, report = check(bcplint, root)
    assert len(found(report, "BCP802")) == 1  # control: the waiver of billing is unused when BCP201 runs
    run, report = check(bcplint, root, *flag)
    assert found(report, "BCP201") == []
    assert found(report, "BCP802") == [] and found(report, "BCP803") == []
    assert run.code == 0


# --- Invalid ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "services", "rule", "field_text"),
    [
        pytest.param(
            {},
            HELPDESK.replace("bcplint/v1\n", "bcplint/v1  # bcplint: ignore[BCP201] until=2027-01-31\n", 1),
            "BCP803",
            None,
            id="inline-without-reason",
        ),
        pytest.param(
            {},
            HELPDESK.replace("bcplint/v1\n", "bcplint/v1  # bcplint: ignore[BCP201] 2027-01-31 -- soon\n", 1),
            "BCP803",
            None,
            id="inline-malformed",
        ),
        pytest.param(
            {},
            HELPDESK.replace("bcplint/v1\n", "bcplint/v1  # bcplint: ignore[BCP201] until=2027-13-01 -- soon\n", 1),
            "BCP803",
            None,
            id="inline-invalid-date",
        ),
        pytest.param({"waivers.yaml": waiver(rule="BCP299")}, HELPDESK, "BCP803", "rule:", id="unknown-rule"),
        pytest.param({"waivers.yaml": waiver(target="help-desk")}, HELPDESK, "BCP003", "target:", id="unknown-target"),
        pytest.param(
            {"waivers.yaml": waiver(approved_by="cfo")}, HELPDESK, "BCP003", "approved_by:", id="unknown-approver"
        ),
        pytest.param(
            {"waivers.yaml": waiver(approved_by="cto")}, HELPDESK, "BCP803", "approved_by:", id="approved-by-owner"
        ),
        pytest.param(
            {"waivers.yaml": waiver(approved_by="helpdesk")},
            HELPDESK,
            "BCP003",
            "approved_by:",
            id="approved-by-target",
        ),
        pytest.param({"waivers.yaml": waiver(reason=None)}, HELPDESK, "BCP002", None, id="waiver-without-reason"),
    ],
)
def test_an_invalid_exemption_is_a_finding_and_hides_nothing(
    bcplint: Bcplint, tmp_path: Path, extra: dict[str, str], services: str, rule: str, field_text: str | None
) -> None:
    root = workspace(tmp_path, services, **extra)
    run, report = check(bcplint, root)
    assert run.code == 1
    assert only(report, "BCP201")["waiver"] is None
    assert report["summary"]["waived"] == 0
    problem = only(report, rule)
    assert problem["severity"] == "error"
    if extra:
        assert problem["path"] == "waivers.yaml"
        if field_text is not None:
            assert problem["line"] == line_of(root / "waivers.yaml", field_text)
    else:
        assert (problem["path"], problem["line"], problem["column"]) == ("services.yaml", 1, 25)
    assert found(report, "BCP802") == []  # invalid is not also unused


# --- Matching survives edits elsewhere -------------------------------------------------------

INSERTED = """\
# The security officer joined in November.
apiVersion: bcplint/v1
kind: Contact
name: ciso
---
"""


@pytest.mark.parametrize("mechanism", ["waiver", "inline", "baseline"])
def test_waived_finding_survives_lines_inserted_above(bcplint: Bcplint, tmp_path: Path, mechanism: str) -> None:
    services = HELPDESK
    extra: dict[str, str] = {}
    args: tuple[str, ...] = ()
    if mechanism == "waiver":
        extra["waivers.yaml"] = waiver()
    elif mechanism == "inline":
        services = HELPDESK.replace("bcplint/v1\n", "bcplint/v1  " + INLINE.format(rule="BCP201") + "\n", 1)
    root = workspace(tmp_path, services, **extra)
    if mechanism == "baseline":
        assert bcplint("baseline", ".", "--output", "base.json", "--today", TODAY, cwd=root).code == 0
        args = ("--baseline", "base.json")

    run, report = check(bcplint, root, *args)
    assert (only(report, "BCP201")["line"], run.code) == (1, 0)
    assert only(report, "BCP201")["waiver"] is not None

    write(root, "services.yaml", INSERTED + services)
    run, report = check(bcplint, root, *args)
    finding = only(report, "BCP201")
    assert (finding["path"], finding["line"]) == ("services.yaml", 6)
    assert finding["waiver"] is not None
    assert found(report, "BCP802") == [] and found(report, "BCP801") == []
    assert report["summary"]["waived"] == 1
    assert run.code == 0


def test_field_suppression_survives_lines_inserted_above_the_field(bcplint: Bcplint, tmp_path: Path) -> None:
    comment = "  # bcplint: ignore[BCP203] until=2027-01-31 -- MTPD under review"
    services = MTPD_BELOW_RTO.format(comment=comment)
    services = INSERTED + services.replace("criticality: high\n", "criticality: high\n" + "# note\n" * 5)
    run, report = check(bcplint, workspace(tmp_path, services))
    finding = only(report, "BCP203")
    assert finding["line"] == 16
    assert finding["waiver"] is not None
    assert run.code == 0


# --- Baselines -------------------------------------------------------------------------------

TWO_GAPS = HELPDESK + "---\n" + BILLING.replace("rto: 4h\n", "")  # BCP201 on helpdesk and on billing


def make_baseline(bcplint: Bcplint, root: Path, name: str = "base.json") -> Path:
    run = bcplint("baseline", ".", "--output", name, "--today", TODAY, cwd=root)
    assert run.code == 0, run.err
    return root / name


def test_a_baseline_accepts_every_current_finding(bcplint: Bcplint, tmp_path: Path) -> None:
    root = workspace(tmp_path, TWO_GAPS)
    run, report = check(bcplint, root)
    assert run.code == 1 and len(found(report)) == 2
    baseline = make_baseline(bcplint, root)
    assert json.loads(baseline.read_text(encoding="utf-8"))["version"] == 1

    run, report = check(bcplint, root, "--baseline", "base.json")
    assert run.code == 0
    assert len(found(report)) == 2
    assert all(f["waiver"] is not None and "base.json" in f["waiver"] for f in found(report))
    assert report["summary"]["waived"] == 2 and report["summary"]["error"] == 0


def test_a_fixed_gap_leaves_an_unused_baseline_entry(bcplint: Bcplint, tmp_path: Path) -> None:
    root = workspace(tmp_path, TWO_GAPS)
    baseline = make_baseline(bcplint, root)
    write(root, "services.yaml", HELPDESK + "---\n" + BILLING)  # billing gets its RTO
    run, report = check(bcplint, root, "--baseline", "base.json")
    unused = only(report, "BCP802")
    assert (unused["path"], unused["line"]) == ("base.json", line_of(baseline, '"billing"'))
    assert unused["severity"] == "info"
    assert only(report, "BCP201")["waiver"] is not None  # helpdesk is still accepted
    assert run.code == 0
    assert bcplint("check", ".", "--today", TODAY, "--baseline", "base.json", "--fail-on", "info", cwd=root).code == 1


def test_a_new_gap_is_reported_despite_the_baseline(bcplint: Bcplint, tmp_path: Path) -> None:
    root = workspace(tmp_path)
    make_baseline(bcplint, root)
    write(root, "more.yaml", BILLING.replace("rto: 4h\n", ""))
    run, report = check(bcplint, root, "--baseline", "base.json")
    state = {f["document"]: f["waiver"] for f in found(report, "BCP201")}
    assert state["billing"] is None and state["helpdesk"] is not None
    assert report["summary"]["error"] == 1 and report["summary"]["waived"] == 1
    assert run.code == 1


def test_identical_findings_need_one_entry_each(bcplint: Bcplint, tmp_path: Path) -> None:
    # The same Service twice (BCP004) gives two BCP201 findings with the same rule, document and field.
    root = workspace(tmp_path, HELPDESK, **{"copy.yaml": HELPDESK})
    _, report = check(bcplint, root)
    assert len(found(report, "BCP201")) == 2
    baseline = make_baseline(bcplint, root)
    data = json.loads(baseline.read_text(encoding="utf-8"))
    rto_entries = [e for e in data["entries"] if e["rule"] == "BCP201"]
    assert len(rto_entries) == 2

    run, _ = check(bcplint, root, "--baseline", "base.json")
    assert run.code == 0

    data["entries"].remove(rto_entries[0])
    baseline.write_text(json.dumps(data, indent=2), encoding="utf-8")
    run, report = check(bcplint, root, "--baseline", "base.json")
    assert sorted(f["waiver"] is None for f in found(report, "BCP201")) == [False, True]
    assert run.code == 1


def test_the_baseline_named_in_the_configuration_is_used(bcplint: Bcplint, tmp_path: Path) -> None:
    root = workspace(tmp_path, TWO_GAPS)
    make_baseline(bcplint, root, "accepted.json")
    write(root, ".bcplint.yaml", "baseline: accepted.json\n")
    run, report = check(bcplint, root)
    assert run.code == 0
    assert report["summary"]["waived"] == 2
    assert all("accepted.json" in (f["waiver"] or "") for f in found(report))


def test_baseline_creates_the_configured_baseline(bcplint: Bcplint, tmp_path: Path) -> None:
    root = workspace(tmp_path, TWO_GAPS, **{".bcplint.yaml": "baseline: accepted.json\n"})
    run = bcplint("baseline", "--today", TODAY, cwd=root)
    assert run.code == 0, run.err
    assert (root / "accepted.json").is_file()
    assert not (root / ".bcplint-baseline.json").exists()
    run, report = check(bcplint, root)
    assert run.code == 0
    assert report["summary"]["waived"] == 2


def test_regenerating_the_configured_baseline_keeps_its_entries(bcplint: Bcplint, tmp_path: Path) -> None:
    root = workspace(tmp_path, TWO_GAPS)
    first = make_baseline(bcplint, root, "accepted.json").read_text(encoding="utf-8")
    write(root, ".bcplint.yaml", "baseline: accepted.json\n")
    run = bcplint("baseline", "--today", TODAY, cwd=root)
    assert run.code == 0, run.err
    assert (root / "accepted.json").read_text(encoding="utf-8") == first  # nothing changed, nothing dropped
    run, report = check(bcplint, root)
    assert run.code == 0
    assert report["summary"]["waived"] == 2


def test_a_baseline_accepts_findings_about_exemptions_too(bcplint: Bcplint, tmp_path: Path) -> None:
    # An expired waiver (BCP801) and a self-approved one (BCP803) are findings like any other:
    # right after `bcplint baseline`, a check against it passes and no entry is unused.
    waivers = waiver(expires="2026-01-31") + "---\n" + waiver(name="billing-rto", target="billing", approved_by="cto")
    root = workspace(tmp_path, TWO_GAPS, **{"waivers.yaml": waivers})
    _, report = check(bcplint, root)
    assert {"BCP801", "BCP803"} <= {f["rule_id"] for f in found(report)}
    make_baseline(bcplint, root)
    run, report = check(bcplint, root, "--baseline", "base.json")
    assert [f for f in found(report) if f["waiver"] is None] == []
    assert run.code == 0


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("this is not JSON {", id="not-json"),
        pytest.param('{"version": 2, "entries": []}', id="wrong-version"),
        pytest.param('{"entries": []}', id="no-version"),
        pytest.param('{"version": 1, "entries": [{"document": "helpdesk", "field": "rto"}]}', id="entry-without-rule"),
        pytest.param('{"version": 1, "entries": {}}', id="entries-not-a-list"),
        pytest.param(None, id="missing-file"),
    ],
)
def test_a_malformed_baseline_is_a_usage_error(bcplint: Bcplint, tmp_path: Path, content: str | None) -> None:
    root = workspace(tmp_path)
    if content is not None:
        write(root, "broken.json", content)
    run = bcplint("check", ".", "--today", TODAY, "--baseline", "broken.json", cwd=root)
    assert run.code == 2
    assert run.out == ""
    assert "broken.json" in run.err
    assert "bcplint baseline" in run.err
    assert run.err.startswith("bcplint: error: ") and run.err.count("\n") == 1  # one line saying what to do


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()
    }


def test_baseline_writes_nothing_but_the_baseline(bcplint: Bcplint, tmp_path: Path) -> None:
    root = workspace(tmp_path, TWO_GAPS, **{"waivers.yaml": waiver(), "notes/readme.md": "# notes\n"})
    before = snapshot(root)
    make_baseline(bcplint, root)
    after = snapshot(root)
    assert set(after) == set(before) | {"base.json"}
    assert {k: v for k, v in after.items() if k != "base.json"} == before


def test_the_baseline_leaves_out_findings_already_waived(bcplint: Bcplint, tmp_path: Path) -> None:
    root = workspace(tmp_path, TWO_GAPS, **{"waivers.yaml": waiver()})
    data = json.loads(make_baseline(bcplint, root).read_text(encoding="utf-8"))
    assert [(e["rule"], e["document"]) for e in data["entries"]] == [("BCP201", "billing")]


# --- The register ----------------------------------------------------------------------------

REGISTER_SERVICES = (
    HELPDESK.replace("bcplint/v1\n", "bcplint/v1  # bcplint: ignore[BCP201] until=2026-11-01 -- old\n", 1)
    + "---\n"
    + BILLING.replace("rto: 4h\n", "")
    + "---\n"
    + BILLING.replace("billing", "payroll").replace("rto: 4h\n", "")
)
REGISTER_WAIVERS = (
    waiver(name="billing-rto", target="billing", expires="2026-12-10")
    + "---\n"
    + waiver(name="payroll-rto", target="payroll", expires="2027-06-30")
)


@pytest.fixture
def register_root(tmp_path: Path) -> Path:
    return workspace(tmp_path, REGISTER_SERVICES, **{"waivers.yaml": REGISTER_WAIVERS})


def register(bcplint: Bcplint, root: Path, *args: str) -> Run:
    run = bcplint("waivers", ".", "--today", TODAY, *args, cwd=root)
    if run.code == 0:
        assert run.err == "", run.err
    return run


def test_register_json(bcplint: Bcplint, register_root: Path) -> None:
    run = register(bcplint, register_root, "--format", "json")
    assert run.code == 0
    rows = {row["name"]: row for row in json.loads(run.out)["exemptions"]}
    inline = next(name for name in rows if name.startswith("services.yaml:"))
    assert set(rows) == {"billing-rto", "payroll-rto", inline}
    assert (rows["billing-rto"]["days_left"], rows["billing-rto"]["status"], rows["billing-rto"]["hides"]) == (
        17,
        "active",
        1,
    )
    assert (rows["payroll-rto"]["days_left"], rows["payroll-rto"]["status"]) == (219, "active")
    assert (rows[inline]["days_left"], rows[inline]["status"], rows[inline]["hides"]) == (-22, "expired", 0)
    assert rows["billing-rto"]["approved_by"] == "coo"
    assert rows["billing-rto"]["reason"] == REASON


def test_register_text_and_markdown(bcplint: Bcplint, register_root: Path) -> None:
    text = register(bcplint, register_root)
    assert text.code == 0
    lines = text.out.splitlines()
    assert any("billing-rto" in line or ("billing" in line and "2026-12-10" in line) for line in lines)
    assert any("2026-12-10" in line and "17 days" in line for line in lines)
    assert any("2026-11-01" in line and "expired" in line for line in lines)
    assert any("2027-06-30" in line for line in lines)

    markdown = register(bcplint, register_root, "--format", "markdown")
    assert markdown.code == 0
    table = [line for line in markdown.out.splitlines() if line.startswith("|")]
    assert len(table) == 2 + 3  # header, separator, one row per exemption
    assert "expires" in table[0] and "days left" in table[0]
    assert any("2026-12-10" in row and "| 17 |" in row for row in table)


def test_register_markdown_keeps_a_two_line_reason_in_one_row(bcplint: Bcplint, register_root: Path) -> None:
    waivers = (register_root / "waivers.yaml").read_text(encoding="utf-8")
    two_lines = "reason: |\n  New storage arrives in January.\n  The restore drill | is booked for February.\n"
    (register_root / "waivers.yaml").write_text(re.sub(r"reason: .*\n", two_lines, waivers, count=1), encoding="utf-8")
    markdown = register(bcplint, register_root, "--format", "markdown")
    table = [line for line in markdown.out.splitlines() if line.strip()]
    assert len(table) == 2 + 3  # header, separator, one row per exemption: the reason did not break a row
    [row] = [line for line in table if "New storage" in line]
    assert "New storage arrives in January. The restore drill \\| is booked for February." in row
    assert row.count(" | ") == 7  # eight cells: the reason's own | is escaped


def test_register_expiring_within(bcplint: Bcplint, register_root: Path) -> None:
    run = register(bcplint, register_root, "--format", "json", "--expiring-within", "30d")
    assert run.code == 0
    expires = sorted(row["expires"] for row in json.loads(run.out)["exemptions"])
    assert expires == ["2026-11-01", "2026-12-10"]  # the expired one stays; June is too far away


@pytest.mark.parametrize("value", ["1y", "1mo", "P1M", "soon"])
def test_register_rejects_non_durations(bcplint: Bcplint, register_root: Path, value: str) -> None:
    run = register(bcplint, register_root, "--expiring-within", value)
    assert run.code == 2
    assert run.out == ""
    assert "--expiring-within" in run.err
    assert value in run.err
    if value in ("1y", "1mo"):
        assert "months and years" in run.err
