"""The command line end to end: exit codes, exact output lines, configuration, git discovery."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from bcplint import __version__
from bcplint.api import LintOptions, load_workspace
from bcplint.checks.providers import known_provider
from bcplint.model.kinds import Plan, Service, Team
from tests.conftest import EXAMPLES, TODAY, Run, git, write

SEED_EXAMPLES = ("jitbit", "eververse", "testpoint")
# Published plans translated into the format: the seeds, and cloud.gov's contingency plan.
REAL_PLANS = (*SEED_EXAMPLES, "cloudgov")

SERVICE_WITHOUT_RTO = """\
apiVersion: bcplint/v1
kind: Service
name: helpdesk
owner: cto
criticality: critical
---
apiVersion: bcplint/v1
kind: Contact
name: cto
"""


def test_version(bcplint: Callable[..., Run]) -> None:
    run = bcplint("--version")
    assert run.code == 0
    assert run.out.strip() == f"bcplint, version {__version__}"


def test_schema_is_a_valid_json_schema(bcplint: Callable[..., Run]) -> None:
    run = bcplint("schema")
    assert run.code == 0
    schema = json.loads(run.out)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    good = {"apiVersion": "bcplint/v1", "kind": "Service", "name": "a", "criticality": "high", "rto": "4h"}
    assert validator.is_valid(good)
    assert not validator.is_valid({**good, "rtoo": "4h"})
    assert not validator.is_valid({**good, "rto": "4 hours"})


def test_schema_of_one_kind(bcplint: Callable[..., Run]) -> None:
    run = bcplint("schema", "--kind", "System")
    assert run.code == 0
    assert "backups" in json.loads(run.out)["properties"]


def test_schema_of_unknown_kind_is_a_usage_error(bcplint: Callable[..., Run]) -> None:
    run = bcplint("schema", "--kind", "Sytem")
    assert run.code == 2
    assert "unknown kind 'Sytem' (did you mean System?)" in run.err


def test_complete_example_passes(bcplint: Callable[..., Run]) -> None:
    # BCP304 reads this repository's commits, which every edit of the example moves: left out.
    run = bcplint("check", str(EXAMPLES / "complete"), "--today", TODAY, "--no-color", "--ignore", "BCP304")
    assert run.code == 0, run.out
    # Its two findings are the deliberate, waived ones its README explains: one temporary, one standing.
    [overdue, restore, blank, summary] = run.out.splitlines()
    assert "warning BCP603 corrective-action-overdue: Exercise 'checkout-failover-2026-09': finding F2" in overdue
    assert "(waived: Waiver 'checkout-failover-f2-overdue' approved by cto, until 2027-01-15:" in overdue
    assert "warning BCP405 restore-within-rto: System 'orders-db'" in restore
    assert "(waived: Waiver 'orders-db-offsite-restore' approved by cto, standing, review by 2027-09-30:" in restore
    assert (blank, summary) == ("", "No problems (2 waived) in 25 documents across 18 files.")


@pytest.mark.parametrize("example", REAL_PLANS)
def test_real_plans_report_real_gaps(bcplint: Callable[..., Run], example: str) -> None:
    run = bcplint("check", str(EXAMPLES / example), "--today", TODAY, "--format", "json")
    assert run.code == 1
    report = json.loads(run.out)
    assert report["summary"]["error"] >= 1
    # Each real plan is a consistent workspace: no structural errors, only real gaps.
    assert not {f["rule_id"] for f in report["findings"]} & {"BCP001", "BCP002", "BCP003", "BCP004", "BCP005"}


@pytest.mark.parametrize("example", REAL_PLANS)
def test_real_plans_name_no_placeholder_provider(example: str) -> None:
    # A provider the plan does not name is left out, never written as "unspecified" or "TBD":
    # the translation records what the plan states and nothing else.
    workspace = load_workspace(LintOptions(paths=[str(EXAMPLES / example)]))
    channels = []
    for doc in workspace.valid(("Plan", "Team")):
        if isinstance(doc.model, Plan) and doc.model.communication:
            channels += [*doc.model.communication.internal, *doc.model.communication.external]
        elif isinstance(doc.model, Team) and doc.model.channel:
            channels.append(doc.model.channel)
    placeholders = [c.name for c in channels if c.provider is not None and known_provider(c.provider) is None]
    assert placeholders == []


def test_cloudgov_reports_the_gaps_its_readme_lists(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    run = bcplint("check", str(EXAMPLES / "cloudgov"), "--today", TODAY, "--format", "json")
    report = json.loads(run.out)
    found: dict[str, list[dict[str, str]]] = {}
    for finding in report["findings"]:
        found.setdefault(finding["rule_id"], []).append(finding)

    def documents(rule: str) -> list[str]:
        return sorted(f["document"] for f in found.get(rule, []))

    services = ["brokered-elasticsearch", "brokered-redis", "cloud-gov-pages", "cloud-gov-platform"]
    systems = ["bosh", "cloud-foundry", "concourse", "rds-databases", "uaa"]
    suppliers = ["aws", "github", "gsa-email", "gsa-secureauth", "statuspage"]
    deciders = ["authorizing-official", "cloud-gov-deputy-director", "cloud-gov-director", "cloud-gov-program-manager"]
    below_platform = [s for s in services if s != "cloud-gov-platform"]
    # The plan rates nothing: every service, system and supplier is unassessed, and judged as
    # critical, so the rules about objectives, backups, exercises and regions reach all of them.
    assert documents("BCP206") == sorted(services + systems + suppliers)
    # Cloud Foundry, BOSH, UAA and Concourse keep their data in the RDS databases (a data
    # dependency): the databases are asked for the RPO and the backups, not each of them.
    assert documents("BCP202") == sorted([*services, "rds-databases"])  # no RPO anywhere
    # The platform's 3h is the only RTO; the systems below it inherit it, the other services do not.
    assert documents("BCP201") == below_platform
    assert documents("BCP601") == services  # no exercise on record
    # The databases are restored from backups the plan does not describe: they exist, but no
    # restore test and no location is on record.
    assert documents("BCP402") == documents("BCP403") == ["rds-databases"]
    assert documents("BCP702") == systems  # regions unnamed
    assert documents("BCP101") == sorted(below_platform + systems + suppliers)  # the Director owns the platform
    # Phone numbers are kept in Slack profiles (the Plan's contact_directory): only email is missing.
    assert documents("BCP103") == sorted([*deciders, "cloud-gov-team"])  # Cloud Operations has its Slack handle
    assert {f["message"].rsplit(" but ", 1)[1] for f in found["BCP103"] if f["kind"] == "Contact"} == {"has no email"}
    assert documents("BCP105") == deciders
    assert [f["field"] for f in found["BCP501"]] == ["communication.internal"] * 2  # no channel is ranked
    [deadline] = found["BCP505"]  # every notification but the one to key customers has a deadline
    assert deadline["field"] == "communication.notify[4]" and "key customer system owners" in deadline["message"]
    assert documents("BCP301") == documents("BCP302") == ["cloud-gov-contingency-plan"]
    # What the plan does state passes (a deputy for the platform's owner, every procedure, a
    # status page, a contingency for every supplier), and the rules with nothing to read stay
    # silent: nothing out of scope, no supplier RTO, no RPO, no estimate, nothing important,
    # no zone, no site; the Authorizing Official is needed by three services, not more.
    assert sorted(found) == [
        "BCP101", "BCP103", "BCP105", "BCP201", "BCP202", "BCP206", "BCP301", "BCP302",
        "BCP402", "BCP403", "BCP501", "BCP505", "BCP601", "BCP702",
    ]  # fmt: skip
    assert report["summary"] == {"error": 44, "warning": 16, "info": 0, "waived": 0, "documents": 22, "files": 17}

    # What each dependency is for, as the README's decisions give it.
    workspace = load_workspace(LintOptions(paths=[str(EXAMPLES / "cloudgov")]))

    def typed(name: str) -> dict[str, str]:
        return {link.name: link.type for link in workspace.dependency_links(workspace.by_name[name])}

    assert typed("cloud-gov-platform") == {
        **dict.fromkeys(["cloud-foundry", "bosh", "uaa", "aws", "gsa-secureauth"], "runtime"),
        **dict.fromkeys(["concourse", "github", "gsa-email"], "recovery"),
        **dict.fromkeys(["cloud-operations", "authorizing-official"], "people"),
    }
    assert typed("bosh") == {"rds-databases": "data", "concourse": "recovery"}
    for brokered in ("brokered-redis", "brokered-elasticsearch"):
        service = workspace.by_name[brokered].model
        assert isinstance(service, Service) and len(service.workarounds) == 1
        assert "Authorizing Official approves" in " ".join(service.workarounds[0].description.split())
    platform = workspace.by_name["cloud-gov-platform"].model
    assert isinstance(platform, Service) and platform.important is None and platform.impact_tolerance is None
    assert not any(workspace.excluded(doc) for doc in workspace.valid())

    # Two silences the README explains, shown to be margins, not passes: the 3h RTO fills the
    # 3h MTPD (any work recovery time breaks it), and a fourth service needing the Authorizing
    # Official would make it a key person.
    copy = tmp_path / "cloudgov"
    shutil.copytree(EXAMPLES / "cloudgov", copy)
    platform_file = copy / "bcp" / "services" / "cloud-gov-platform.yaml"
    platform_file.write_text(platform_file.read_text("utf-8").replace("\nmtpd: 3h\n", "\nmtpd: 3h\nwrt: 1m\n"), "utf-8")
    pages_file = copy / "bcp" / "services" / "cloud-gov-pages.yaml"
    pages = pages_file.read_text("utf-8")
    pages_file.write_text(
        pages.replace("  - cloud-gov-platform\n", "  - cloud-gov-platform\n  - authorizing-official\n"), "utf-8"
    )
    margins = bcplint("check", str(copy), "--today", TODAY, "--format", "json", "--select", "BCP203,BCP104")
    assert {(f["rule_id"], f["document"]) for f in json.loads(margins.out)["findings"]} == {
        ("BCP203", "cloud-gov-platform"),
        ("BCP104", "authorizing-official"),
    }


def test_operational_resilience_example_shows_tolerances_scenarios_and_typed_dependencies(
    bcplint: Callable[..., Run], tmp_path: Path
) -> None:
    example = EXAMPLES / "operational-resilience"

    def findings(root: Path) -> set[tuple[str, str]]:
        # BCP304 reads this repository's commits, which every edit of the example moves: left out.
        run = bcplint("check", str(root), "--today", TODAY, "--format", "json", "--ignore", "BCP304")
        return {(f["rule_id"], f["document"]) for f in json.loads(run.out)["findings"]}

    # The one real gap, from both sides: the gateway's 6h breaks the 4h impact tolerance.
    assert findings(example) == {("BCP204", "card-payments"), ("BCP208", "card-payments")}
    # The controls: written as a plain dependency, configuration management's 4h RPO would
    # bound the ledger's 5m (and the service's, through it); without its alternate, the London
    # office would be reported.
    copy = tmp_path / "copy"
    shutil.copytree(example, copy)
    systems = (copy / "bcp" / "systems.yaml").read_text(encoding="utf-8")
    ledger, rest = systems.split("name: ledger\n", 1)
    rest = rest.replace("  - {name: config-management, type: recovery}\n", "  - config-management\n", 1)
    (copy / "bcp" / "systems.yaml").write_text(ledger + "name: ledger\n" + rest, encoding="utf-8")
    sites = (copy / "bcp" / "sites.yaml").read_text(encoding="utf-8")
    (copy / "bcp" / "sites.yaml").write_text(sites.replace("alternate: reading-recovery-centre\n", ""), "utf-8")
    assert findings(copy) - findings(example) == {
        ("BCP205", "ledger"),
        ("BCP205", "card-payments"),
        ("BCP704", "london-office"),
    }


def test_jitbit_reports_the_missing_billing_rto(bcplint: Callable[..., Run]) -> None:
    run = bcplint("check", "examples/jitbit", "--today", TODAY, "--select", "BCP201", cwd=EXAMPLES.parent)
    assert run.out.splitlines()[0] == (
        "examples/jitbit/bcp/services/billing.yaml:4:1: error BCP201 rto-defined: "
        "Service 'billing' is critical but has no RTO [ISO 22301:2019 8.2.2; ITIL 4 SCM BIA]"
    )
    assert run.out.splitlines()[-1] == "1 error in 11 documents across 10 files. Failing: 1 finding at or above error."


def test_exact_text_line_and_summary(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    write(tmp_path, "bcp/helpdesk.yaml", SERVICE_WITHOUT_RTO)
    run = bcplint("check", "bcp", "--today", TODAY, "--select", "BCP201", cwd=tmp_path)
    assert run.code == 1
    assert run.out == (
        "bcp/helpdesk.yaml:1:1: error BCP201 rto-defined: Service 'helpdesk' is critical but has no RTO "
        "[ISO 22301:2019 8.2.2; ITIL 4 SCM BIA]\n"
        "\n"
        "1 error in 2 documents across 1 file. Failing: 1 finding at or above error.\n"
    )


def test_fail_on_decides_the_exit_code(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    write(tmp_path, "bcp/helpdesk.yaml", SERVICE_WITHOUT_RTO)
    args = ("check", "bcp", "--today", TODAY, "--select", "BCP201")
    assert bcplint(*args, "--fail-on", "never", cwd=tmp_path).code == 0
    assert bcplint(*args, "--fail-on", "warning", cwd=tmp_path).code == 1
    write(tmp_path, ".bcplint.yaml", "rules:\n  BCP201: {severity: warning}\n")
    assert bcplint(*args, cwd=tmp_path).code == 0
    assert bcplint(*args, "--fail-on", "warning", cwd=tmp_path).code == 1
    assert bcplint(*args, "--fail-on", "info", cwd=tmp_path).code == 1


def test_select_and_ignore_accept_ids_names_and_prefixes(bcplint: Callable[..., Run]) -> None:
    jitbit = str(EXAMPLES / "jitbit")

    def rules_reported(*args: str) -> set[str]:
        run = bcplint("check", jitbit, "--today", TODAY, "--format", "json", *args)
        return {f["rule_id"] for f in json.loads(run.out)["findings"]}

    everything = rules_reported()
    assert {"BCP101", "BCP201", "BCP301"} <= everything
    assert rules_reported("--select", "rto-defined") == {"BCP201"}
    assert rules_reported("--select", "BCP20,BCP30") == {r for r in everything if r.startswith(("BCP20", "BCP30"))}
    assert {"BCP201", "BCP301"} < rules_reported("--select", "BCP20,BCP30")
    assert rules_reported("--ignore", "BCP101", "--ignore", "plan-reviewed") == everything - {"BCP101", "BCP301"}


def test_unknown_rule_is_a_usage_error_with_a_suggestion(bcplint: Callable[..., Run]) -> None:
    run = bcplint("check", str(EXAMPLES / "complete"), "--select", "BCP2O1")
    assert run.code == 2  # a mistake on the command line is not blamed on the example's configuration
    assert run.err == "bcplint: error: unknown rule 'BCP2O1' in 'select' (did you mean BCP201?)\n"


def test_bad_flag_is_a_usage_error(bcplint: Callable[..., Run]) -> None:
    run = bcplint("check", "--formt", "json")
    assert run.code == 2
    assert "No such option '--formt'. Did you mean '--format'?" in run.err


def test_missing_path_is_a_usage_error(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    run = bcplint("check", "nowhere", cwd=tmp_path)
    assert run.code == 2
    assert run.err == "bcplint: error: nowhere: no such file or directory\n"


def test_unknown_config_key_names_it_and_the_nearest_key(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    write(tmp_path, "bcp/helpdesk.yaml", SERVICE_WITHOUT_RTO)
    config = write(tmp_path, ".bcplint.yaml", "ignroe: [BCP201]\n")
    run = bcplint("check", "bcp", cwd=tmp_path)
    assert run.code == 2
    assert run.err == f"bcplint: error: {config.name}:1: unknown key 'ignroe' (did you mean ignore?)\n"


def test_unknown_rule_in_config(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    write(tmp_path, "bcp/helpdesk.yaml", SERVICE_WITHOUT_RTO)
    write(tmp_path, ".bcplint.yaml", "rules:\n  rto-defind: {severity: info}\n")
    run = bcplint("check", "bcp", cwd=tmp_path)
    assert run.code == 2
    assert (
        run.err == "bcplint: error: .bcplint.yaml: unknown rule 'rto-defind' in 'rules' (did you mean rto-defined?)\n"
    )


def test_unknown_rule_parameter_in_config(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    write(tmp_path, "bcp/helpdesk.yaml", SERVICE_WITHOUT_RTO)
    write(tmp_path, ".bcplint.yaml", "rules:\n  BCP301: {params: {max_age: 10}}\n")
    run = bcplint("check", "bcp", cwd=tmp_path)
    assert run.code == 2
    assert "rule BCP301 has no parameter 'max_age' (did you mean max_age_days?)" in run.err


def test_broken_config_yaml(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    config = write(tmp_path, ".bcplint.yaml", "ignore: [BCP201\n")
    run = bcplint("check", cwd=tmp_path)
    assert run.code == 2
    assert run.err.startswith(f"bcplint: error: {config.name}:2:1: configuration is not valid YAML")


def test_config_ignore_and_cli_override(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    write(tmp_path, "bcp/helpdesk.yaml", SERVICE_WITHOUT_RTO)
    write(tmp_path, ".bcplint.yaml", "select: [BCP1, BCP201]\nignore: [rto-defined, BCP102, BCP103]\n")
    assert bcplint("check", "bcp", "--today", TODAY, cwd=tmp_path).code == 0
    # A flag replaces the configuration's list: BCP201 is no longer ignored.
    assert bcplint("check", "bcp", "--today", TODAY, "--ignore", "BCP101,BCP102,BCP103", cwd=tmp_path).code == 1


def test_pyproject_configuration(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    write(tmp_path, "bcp/helpdesk.yaml", SERVICE_WITHOUT_RTO)
    write(tmp_path, "pyproject.toml", '[project]\nname = "x"\n\n[tool.bcplint]\nfail_on = "never"\n')
    assert bcplint("check", "bcp", "--today", TODAY, cwd=tmp_path).code == 0
    write(tmp_path, "pyproject.toml", '[tool.bcplint]\nfail_on = "sometimes"\n')
    run = bcplint("check", "bcp", "--today", TODAY, cwd=tmp_path)
    assert run.code == 2
    assert "'fail_on' must be one of 'error', 'warning', 'info' or 'never'" in run.err


def test_rule_parameter_from_config(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    plan = "apiVersion: bcplint/v1\nkind: Plan\nname: bcp\nreviewed: {on: 2026-01-01}\n"
    write(tmp_path, "bcp/plan.yaml", plan)
    args = ("check", "bcp", "--today", TODAY, "--select", "BCP301")
    assert bcplint(*args, cwd=tmp_path).code == 0
    write(tmp_path, ".bcplint.yaml", "rules:\n  plan-reviewed: {params: {max_age_days: 180}}\n")
    run = bcplint(*args, cwd=tmp_path)
    assert run.code == 1
    assert "was last reviewed on 2026-01-01, 326 days ago; reviews are due every 180 days" in run.out


def test_enforce_from_turns_errors_into_warnings_until_the_date(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    write(tmp_path, "bcp/helpdesk.yaml", SERVICE_WITHOUT_RTO)
    write(tmp_path, ".bcplint.yaml", "select: [BCP201]\nrules:\n  BCP201: {enforce_from: 2027-01-01}\n")
    before = bcplint("check", "bcp", "--today", "2026-12-31", cwd=tmp_path)
    assert before.code == 0
    assert " warning BCP201 " in before.out
    after = bcplint("check", "bcp", "--today", "2027-01-01", cwd=tmp_path)
    assert after.code == 1
    assert " error BCP201 " in after.out


def test_json_report_shape(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    write(tmp_path, "bcp/helpdesk.yaml", SERVICE_WITHOUT_RTO)
    write(tmp_path, ".bcplint.yaml", "")  # outside git, the configuration marks the workspace root
    run = bcplint("check", "bcp", "--today", TODAY, "--format", "json", "--select", "BCP201", cwd=tmp_path)
    report = json.loads(run.out)
    assert report["version"] == 1
    assert report["findings"] == [
        {
            "rule_id": "BCP201",
            "rule_name": "rto-defined",
            "severity": "error",
            "message": "Service 'helpdesk' is critical but has no RTO",
            "path": "bcp/helpdesk.yaml",
            "line": 1,
            "column": 1,
            "kind": "Service",
            "document": "helpdesk",
            "field": "rto",
            "clauses": ["ISO 22301:2019 8.2.2", "ITIL 4 SCM BIA"],
            "waiver": None,
        }
    ]
    assert report["summary"] == {"error": 1, "warning": 0, "info": 0, "waived": 0, "documents": 2, "files": 1}


def test_colour_only_on_a_terminal_and_never_with_no_color(
    bcplint: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "bcp/helpdesk.yaml", SERVICE_WITHOUT_RTO)
    args = ("check", "bcp", "--today", TODAY)
    assert "\033[" not in bcplint(*args, cwd=tmp_path).out  # captured output is not a terminal
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert "\033[31merror\033[0m" in bcplint(*args, cwd=tmp_path).out
    assert "\033[" not in bcplint(*args, "--no-color", cwd=tmp_path).out
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\033[" not in bcplint(*args, cwd=tmp_path).out


def test_findings_are_listed_in_a_total_order(bcplint: Callable[..., Run]) -> None:
    """Byte-identical output needs an order that owes nothing to rule order, sets or the file
    system: path, line, column (DESIGN §4), then rule and the rest, with no two findings tied.
    Byte-identical across processes and hash seeds: tests/test_determinism.py."""
    args = ("check", "examples/eververse", "--today", TODAY)
    findings = json.loads(bcplint(*args, "--format", "json", cwd=EXAMPLES.parent).out)["findings"]
    fields = ("path", "line", "column", "rule_id", "kind", "document", "field", "message")
    keys = [tuple(f[name] or "" for name in fields) for f in findings]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys) > 20
    assert len({f["path"] for f in findings}) > 5 and len({f["rule_id"] for f in findings}) > 5
    text = bcplint(*args, "--no-color", cwd=EXAMPLES.parent).out.splitlines()[:-2]
    assert [line.split(": ", 1)[0] for line in text] == [f"{f['path']}:{f['line']}:{f['column']}" for f in findings]


def test_git_repository_lints_tracked_and_untracked_but_not_ignored_files(
    bcplint: Callable[..., Run], git_repo: Path
) -> None:
    broken = "apiVersion: bcplint/v1\nkind: Service\nname: {name}\ncriticality: critical\n"
    write(git_repo, "bcp/tracked.yaml", broken.format(name="tracked"))
    write(git_repo, "bcp/untracked.yaml", broken.format(name="untracked"))
    write(git_repo, "bcp/ignored.yaml", broken.format(name="ignored"))
    write(git_repo, "build/generated.yml", broken.format(name="generated"))
    write(git_repo, "notes/plan.md", "---\n" + broken.format(name="in-markdown") + "---\n\n# Prose\n")
    write(git_repo, ".gitignore", "bcp/ignored.yaml\nbuild/\n")
    git(git_repo, "add", "bcp/tracked.yaml", ".gitignore")
    git(git_repo, "commit", "-q", "-m", "plan")
    run = bcplint("check", "--today", TODAY, "--select", "BCP201", "--format", "json", cwd=git_repo / "bcp")
    linted = {(f["document"], f["path"]) for f in json.loads(run.out)["findings"]}
    # The default is the whole workspace (here the repository). Machine-readable reports name
    # files relative to the repository root, wherever bcplint runs.
    assert linted == {
        ("tracked", "bcp/tracked.yaml"),
        ("untracked", "bcp/untracked.yaml"),
        ("in-markdown", "notes/plan.md"),
    }
    # Text is for the terminal: relative to where bcplint runs when below it, else absolute.
    text = bcplint("check", "--today", TODAY, "--select", "BCP201", cwd=git_repo / "bcp").out
    assert {line.split(":", 1)[0] for line in text.splitlines() if "BCP201" in line} == {
        "tracked.yaml",
        "untracked.yaml",
        str(git_repo / "notes" / "plan.md"),
    }
    # An ignored file named explicitly is still checked: the user asked for it.
    run = bcplint("check", "ignored.yaml", "--today", TODAY, "--select", "BCP201", cwd=git_repo / "bcp")
    assert run.code == 1
    assert "Service 'ignored' is critical but has no RTO" in run.out


def test_directory_walk_outside_git(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    write(tmp_path, "plans/a.yaml", SERVICE_WITHOUT_RTO)
    write(tmp_path, "plans/.hidden/b.yaml", SERVICE_WITHOUT_RTO.replace("helpdesk", "hidden"))
    write(tmp_path, "plans/k8s.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n")
    run = bcplint("check", "plans", "--today", TODAY, "--format", "json", "--select", "BCP201", cwd=tmp_path)
    report = json.loads(run.out)
    assert {f["document"] for f in report["findings"]} == {"helpdesk"}
    assert report["summary"]["files"] == 1


@pytest.mark.parametrize(
    ("content", "code", "expected"),
    [
        (b"", 0, None),
        (b"   \n\n", 0, None),
        (
            b"apiVersion: bcplint/v1\nkind: Contact\nname: caf\xe9\n",
            1,
            "3:10: error BCP001 parse-error: file is not valid UTF-8",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00bcplint/", 1, "1:1: error BCP001 parse-error: file is not valid UTF-8"),
        (
            b"apiVersion: bcplint/v1\nkind: Contact\nname: a\nname: b\n",
            1,
            "4:1: error BCP001 parse-error: duplicate key",
        ),
        (b"apiVersion: bcplint/v1\nkind: Contact\nname: !!python/object/apply:os.system [id]\n", 1, "BCP001"),
        (
            b"apiVersion: bcplint/v1\nkind: Contact\n\tname: a\n",
            1,
            "3:1: error BCP001 parse-error: while scanning a plain scalar: found a tab character",
        ),
        (b"- apiVersion: bcplint/v1\n  kind: Contact\n", 1, "1:1: error BCP002 schema-violation: document: a YAML"),
        (b"apiVersion: bcplint/v2\nkind: Contact\nname: a\n", 1, "1:13: error BCP002 schema-violation"),
    ],
    ids=["empty", "blank", "latin-1", "binary", "duplicate-key", "python-tag", "tab", "list", "apiversion"],
)
def test_malformed_input_never_crashes(
    bcplint: Callable[..., Run], tmp_path: Path, content: bytes, code: int, expected: str | None
) -> None:
    write(tmp_path, "bcp/input.yaml", content)
    write(tmp_path, "bcp/other.yaml", SERVICE_WITHOUT_RTO.replace("criticality: critical", "criticality: low"))
    run = bcplint("check", "bcp", "--today", TODAY, "--no-color", cwd=tmp_path)
    assert run.code == code, run.out
    assert run.err == ""  # a finding, never a message about the run
    if expected is not None:
        assert expected in run.out
    # The other file is still checked whatever happened to this one.
    report = json.loads(bcplint("check", "bcp", "--today", TODAY, "--format", "json", cwd=tmp_path).out)
    assert report["summary"]["documents"] >= 2


def test_summary_says_what_decided_the_exit_code(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    write(tmp_path, "bcp/helpdesk.yaml", SERVICE_WITHOUT_RTO)
    args = ("check", "bcp", "--today", TODAY, "--select", "BCP201")
    last = bcplint(*args, cwd=tmp_path).out.splitlines()[-1]
    assert last.endswith(" Failing: 1 finding at or above error.")
    write(tmp_path, ".bcplint.yaml", "rules:\n  BCP201: {severity: warning}\n")
    assert bcplint(*args, cwd=tmp_path).out.splitlines()[-1].endswith(" Not failing: nothing at or above error.")
    assert (
        bcplint(*args, "--fail-on", "never", cwd=tmp_path)
        .out.splitlines()[-1]
        .endswith(" Not failing: --fail-on is never.")
    )


def test_a_path_narrows_the_report_but_the_whole_workspace_is_loaded(
    bcplint: Callable[..., Run], git_repo: Path
) -> None:
    write(git_repo, "bcp/helpdesk.yaml", SERVICE_WITHOUT_RTO.split("---\n", maxsplit=1)[0])
    write(git_repo, "bcp/contacts.yaml", "apiVersion: bcplint/v1\nkind: Contact\nname: cto\n")
    write(git_repo, "bcp/other.yaml", SERVICE_WITHOUT_RTO.split("---\n", maxsplit=1)[0].replace("helpdesk", "other"))
    for flags in ((), ("--report-only",)):  # --report-only is kept for old hook configurations
        run = bcplint("check", *flags, "bcp/helpdesk.yaml", "--today", TODAY, "--format", "json", cwd=git_repo)
        report = json.loads(run.out)
        assert {f["path"] for f in report["findings"]} == {"bcp/helpdesk.yaml"}
        assert "BCP003" not in {f["rule_id"] for f in report["findings"]}  # 'cto' is in contacts.yaml
        assert report["summary"]["files"] == 1


def test_init_writes_a_starter_and_never_overwrites(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    run = bcplint("init", cwd=tmp_path)
    assert run.code == 0
    assert run.out.splitlines()[:2] == ["created .bcplint.yaml", "created bcp/plan.yaml"]
    checked = json.loads(bcplint("check", "--today", TODAY, "--format", "json", cwd=tmp_path).out)
    assert checked["summary"]["documents"] == 2
    assert not {f["rule_id"] for f in checked["findings"]} & {"BCP001", "BCP002", "BCP003"}  # a valid start
    (tmp_path / "bcp" / "plan.yaml").write_text("mine\n", encoding="utf-8")
    again = bcplint("init", cwd=tmp_path)
    assert "kept bcp/plan.yaml: it exists already" in again.out
    assert (tmp_path / "bcp" / "plan.yaml").read_text(encoding="utf-8") == "mine\n"


def test_report_only_does_not_parse_other_yaml_it_is_given(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    write(tmp_path, "bcp/helpdesk.yaml", SERVICE_WITHOUT_RTO)
    write(tmp_path, "chart/templates/deploy.yaml", "spec: {{ .Values.replicas }}\n  bad: [\n")
    write(tmp_path, ".bcplint.yaml", "paths: [bcp]\n")
    run = bcplint("check", "--report-only", "chart/templates/deploy.yaml", "--today", TODAY, cwd=tmp_path)
    assert run.code == 0, run.out


def test_exclude_patterns_are_relative_to_the_configuration(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    write(tmp_path, "bcp/services/a.yaml", SERVICE_WITHOUT_RTO)
    write(tmp_path, "bcp/drafts/b.yaml", SERVICE_WITHOUT_RTO.replace("helpdesk", "draft").replace("cto", "cfo"))
    write(tmp_path, ".bcplint.yaml", "paths: [bcp]\nexclude: [bcp/drafts]\n")
    for cwd in (tmp_path, tmp_path / "bcp"):
        report = json.loads(bcplint("check", "--today", TODAY, "--format", "json", "--select", "BCP201", cwd=cwd).out)
        assert {f["document"] for f in report["findings"]} == {"helpdesk"}, cwd


def test_a_bad_rule_override_names_the_configuration(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    write(tmp_path, "bcp/helpdesk.yaml", SERVICE_WITHOUT_RTO)
    write(tmp_path, ".bcplint.yaml", 'rules:\n  BCP104: {params: {max: "x"}}\n')
    run = bcplint("check", cwd=tmp_path)
    assert run.code == 2
    assert run.err.startswith("bcplint: error: .bcplint.yaml: in 'rules': rule BCP104")
    assert "catalog.yaml" not in run.err
