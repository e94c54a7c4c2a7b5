"""Messages that say the right thing (issue 11, part 7): exact wording where wording is the point."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from bcplint.checks.providers import UNKNOWN_PROVIDERS, known_provider
from bcplint.insights.readiness import blockers
from tests.conftest import EXAMPLES, REPO_ROOT, TODAY, Run, without_links, write
from tests.test_git import DB, SHOP, commit, plan_repo

Bcplint = Callable[..., Run]


def findings(bcplint: Bcplint, root: Path, *args: str) -> list[dict[str, Any]]:
    run = bcplint("check", ".", "--today", TODAY, "--format", "json", *args, cwd=root)
    assert run.err == "", run.err
    return list(json.loads(run.out)["findings"])


def messages(bcplint: Bcplint, root: Path, rule: str) -> list[str]:
    return [f["message"] for f in findings(bcplint, root, "--select", rule)]


# --- 1. dates ------------------------------------------------------------------------------

PLAN_REVIEWED = 'apiVersion: bcplint/v1\nkind: Plan\nname: bcp\nreviewed:\n  by: cto\n  "on": {on}\n'


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("2026-1-5", "must be a date written like 2026-01-05 (YYYY-MM-DD); got '2026-1-5' (did you mean 2026-01-05?)"),
        ("05/01/2026", "must be a date written like 2026-01-05 (YYYY-MM-DD); got '05/01/2026'"),
        ("yesterday", "must be a date written like 2026-01-05 (YYYY-MM-DD); got 'yesterday'"),
        ("2026-03-07 14:30:00", "must be a date written like 2026-01-05 (YYYY-MM-DD); got '2026-03-07 14:30:00' "
         "(did you mean 2026-03-07?)"),
        ("20260105", "must be a date written like 2026-01-05 (YYYY-MM-DD); got 20260105"),
    ],
)  # fmt: skip
def test_a_malformed_date_says_the_expected_form(bcplint: Bcplint, tmp_path: Path, written: str, message: str) -> None:
    write(tmp_path, "bcp/plan.yaml", PLAN_REVIEWED.format(on=written))
    [finding] = findings(bcplint, tmp_path, "--select", "BCP002")
    assert finding["message"] == f"Plan 'bcp': 'reviewed.on' {message}"
    assert (finding["line"], finding["column"]) == (6, 9)  # at the value


@pytest.mark.parametrize(
    ("written", "why"),
    [
        ("2026-02-30", "February 2026 has 28 days"),
        ("2027-02-29", "February 2027 has 28 days"),
        ("2026-04-31", "April 2026 has 30 days"),
        ("2026-13-01", "there is no month 13; months run from 01 to 12"),
        ("2026-00-10", "there is no month 00; months run from 01 to 12"),
        ("2026-05-00", "days start at 01"),
        ("0000-01-01", "years start at 0001"),
    ],
)
def test_an_impossible_date_says_why(bcplint: Bcplint, tmp_path: Path, written: str, why: str) -> None:
    write(tmp_path, "bcp/plan.yaml", PLAN_REVIEWED.format(on=written))
    [message] = messages(bcplint, tmp_path, "BCP002")
    assert message == f"Plan 'bcp': 'reviewed.on' is {written}, which is not a real date: {why}"


def test_a_leap_day_is_a_real_date(bcplint: Bcplint, tmp_path: Path) -> None:
    write(tmp_path, "bcp/plan.yaml", PLAN_REVIEWED.format(on="2028-02-29"))
    assert messages(bcplint, tmp_path, "BCP002") == []


def test_dates_in_lists_use_the_same_wording(bcplint: Bcplint, tmp_path: Path) -> None:
    exercise = (
        "apiVersion: bcplint/v1\nkind: Exercise\nname: drill\ntype: tabletop\ndate: 2026-09-31\nscope: [shop]\n"
        "result: pass\nfindings:\n  - {id: F1, description: slow DNS, due: next week}\n"
    )
    write(tmp_path, "bcp/drill.yaml", exercise)
    assert messages(bcplint, tmp_path, "BCP002") == [
        "Exercise 'drill': 'date' is 2026-09-31, which is not a real date: September 2026 has 30 days",
        "Exercise 'drill': 'findings[0].due' must be a date written like 2026-01-05 (YYYY-MM-DD); got 'next week'",
    ]


# --- 2. a document of an unknown kind: one finding, on itself ------------------------------

SERVICE_OWNED_BY_CTO = "apiVersion: bcplint/v1\nkind: Service\nname: shop\nowner: cto\ncriticality: low\n"


def test_an_unknown_kind_is_reported_once_where_it_is_written(bcplint: Bcplint, tmp_path: Path) -> None:
    write(tmp_path, "bcp/shop.yaml", SERVICE_OWNED_BY_CTO)
    write(tmp_path, "bcp/cto.yaml", "apiVersion: bcplint/v1\nkind: contact\nname: cto\nemail: cto@example.com\n")
    [finding] = findings(bcplint, tmp_path)
    assert (finding["rule_id"], finding["path"], finding["line"]) == ("BCP002", "bcp/cto.yaml", 2)
    assert finding["message"] == "document 'cto': unknown kind 'contact' (did you mean Contact?)"


def test_an_unknown_kind_with_no_near_match_lists_the_kinds(bcplint: Bcplint, tmp_path: Path) -> None:
    write(tmp_path, "bcp/x.yaml", "apiVersion: bcplint/v1\nkind: Runbook\nname: x\n")
    assert messages(bcplint, tmp_path, "BCP002") == [
        "document 'x': unknown kind 'Runbook'; kinds are Plan, Contact, Team, Service, System, Supplier, Site, "
        "Exercise, Waiver"
    ]


def test_a_reference_to_a_known_but_wrong_kind_is_still_reported(bcplint: Bcplint, tmp_path: Path) -> None:
    write(tmp_path, "bcp/shop.yaml", SERVICE_OWNED_BY_CTO)
    write(tmp_path, "bcp/cto.yaml", "apiVersion: bcplint/v1\nkind: System\nname: cto\ncriticality: low\n")
    assert messages(bcplint, tmp_path, "BCP003") == [
        "Service 'shop' refers to 'cto', which is a System, not a Contact or Team"
    ]


# --- 3. BCP502: two unknown providers are not one provider ---------------------------------


def plan_with_channels(primary: str, secondary: str) -> str:
    return (
        "apiVersion: bcplint/v1\nkind: Plan\nname: bcp\ncommunication:\n  internal:\n"
        f"    - {{name: chat, type: chat, provider: '{primary}', priority: primary}}\n"
        f"    - {{name: bridge, type: phone, provider: '{secondary}', priority: secondary}}\n"
    )


@pytest.mark.parametrize(
    ("primary", "secondary"),
    [("unspecified", "unspecified"), ("Unknown", "unknown"), ("n/a", "N/A"), ("TBD", "tbd"), ("-", "-"),
     (" unspecified ", "Unspecified")],
)  # fmt: skip
def test_placeholder_providers_are_never_shared(bcplint: Bcplint, tmp_path: Path, primary: str, secondary: str) -> None:
    """Never "runs on unspecified, like ...": two unknowns are not one provider. That the
    secondary is independent cannot be shown either, and that is what BCP502 says, once."""
    write(tmp_path, "bcp/plan.yaml", plan_with_channels(primary, secondary))
    assert messages(bcplint, tmp_path, "BCP502") == [
        "Plan 'bcp': secondary channel 'bridge' names no provider, so it cannot be shown to stay up when the "
        "primary channels go down"
    ]


def test_a_real_shared_provider_is_still_reported(bcplint: Bcplint, tmp_path: Path) -> None:
    write(tmp_path, "bcp/plan.yaml", plan_with_channels("Slack", " slack"))
    assert messages(bcplint, tmp_path, "BCP502") == [
        "Plan 'bcp': secondary channel 'bridge' runs on slack, like primary channel 'chat'"
    ]


def test_the_placeholder_list_is_one_set_of_lower_case_words() -> None:
    # The placeholders docs/writing-packs.md promises are in the set the check uses.
    guide = (REPO_ROOT / "docs" / "writing-packs.md").read_text(encoding="utf-8")
    [row] = [line for line in guide.splitlines() if line.startswith("| `channel_independence` |")]
    documented = re.findall(r"`([^`]+)`", row.split("a placeholder (", 1)[1].split(")", 1)[0])
    assert len(documented) >= 5 and set(documented) <= UNKNOWN_PROVIDERS
    assert all(word == word.strip().lower() for word in UNKNOWN_PROVIDERS)
    assert known_provider(None) is None  # an absent provider, once the field is optional
    assert known_provider(" TBD ") is None and known_provider("AWS") == "aws"


# --- 4. BCP304 as a sentence --------------------------------------------------------------


def test_review_after_change_reads_as_a_sentence(bcplint: Bcplint, git_repo: Path) -> None:
    plan_repo(git_repo)  # reviewed on 2026-06-01; covers shop, which depends on db
    write(git_repo, "bcp/db.yaml", DB.format(rto="6h"))
    first = commit(git_repo, "Relax the database RTO", "2026-07-02")[:7]
    assert messages(bcplint, git_repo, "BCP304") == [
        "Plan 'bcp' was last reviewed on 2026-06-01, but bcp/db.yaml has changed since, "
        f"in commit {first} on 2026-07-02 ('Relax the database RTO')"
    ]
    write(git_repo, "bcp/shop.yaml", SHOP.replace("4h", "3h"))
    second = commit(git_repo, "Tighten the shop RTO", "2026-07-05")[:7]
    assert messages(bcplint, git_repo, "BCP304") == [
        "Plan 'bcp' was last reviewed on 2026-06-01, but 2 files it relies on have changed since; "
        f"the latest change is to bcp/shop.yaml, in commit {second} on 2026-07-05 ('Tighten the shop RTO')"
    ]


# --- 5. BCP004 names the line of the first use --------------------------------------------


def test_duplicate_name_points_at_the_first_use_to_the_line(bcplint: Bcplint, tmp_path: Path) -> None:
    contacts = "# Everyone the plan names.\n" + "\n" * 8 + "apiVersion: bcplint/v1\nkind: Contact\nname: cto\n"
    write(tmp_path, "bcp/a.yaml", contacts)  # `name: cto` on line 12
    write(tmp_path, "bcp/b.yaml", "apiVersion: bcplint/v1\nkind: Contact\nname: cto\n")
    assert messages(bcplint, tmp_path, "BCP004") == [
        "Contact 'cto' reuses a name already taken by the Contact at bcp/a.yaml:12"
    ]


def test_duplicate_name_counts_front_matter_lines_and_names_an_unknown_kind_plainly(
    bcplint: Bcplint, tmp_path: Path
) -> None:
    write(tmp_path, "bcp/a-plan.md", "---\napiVersion: bcplint/v1\nkind: Plan\nname: bcp\n---\n# Our plan\n")
    write(tmp_path, "bcp/b.yaml", "apiVersion: bcplint/v1\nkind: Contact\nname: bcp\n")
    write(tmp_path, "bcp/c.yaml", "apiVersion: bcplint/v1\nkind: contact\nname: cfo\n")
    write(tmp_path, "bcp/d.yaml", "apiVersion: bcplint/v1\nkind: Contact\nname: cfo\n")
    assert messages(bcplint, tmp_path, "BCP004") == [
        "Contact 'bcp' reuses a name already taken by the Plan at bcp/a-plan.md:4",
        "Contact 'cfo' reuses a name already taken by the document at bcp/c.yaml:3",
    ]


# --- 6. configuration errors have lines ---------------------------------------------------


def test_unknown_yaml_config_key_has_its_line(bcplint: Bcplint, tmp_path: Path) -> None:
    write(tmp_path, "bcp/cto.yaml", "apiVersion: bcplint/v1\nkind: Contact\nname: cto\n")
    config = write(tmp_path, ".bcplint.yaml", "# bcplint settings\nfail_on: error\npahts: [bcp]\n")
    run = bcplint("check", "bcp", cwd=tmp_path)
    assert run.code == 2
    assert run.err == f"bcplint: error: {config.name}:3: unknown key 'pahts' (did you mean paths?)\n"


def test_several_config_problems_each_have_their_line_in_order(bcplint: Bcplint, tmp_path: Path) -> None:
    write(tmp_path, "bcp/cto.yaml", "apiVersion: bcplint/v1\nkind: Contact\nname: cto\n")
    text = "fail_on: sometimes\nrules:\n  BCP301:\n    sevrity: info\nignroe: [BCP101]\n"
    config = write(tmp_path, ".bcplint.yaml", text)
    run = bcplint("check", "bcp", cwd=tmp_path)
    assert run.err == (
        f"bcplint: error: {config.name}:1: 'fail_on' must be one of 'error', 'warning', 'info' or 'never'; "
        f"{config.name}:4: unknown key 'rules.BCP301.sevrity' (did you mean severity?); "
        f"{config.name}:5: unknown key 'ignroe' (did you mean ignore?)\n"
    )


@pytest.mark.parametrize(
    ("toml", "line", "key"),
    [
        ('[project]\nname = "x"\n\n[tool.bcplint]\nfail_on = "error"\npahts = ["bcp"]\n', 6, "pahts"),
        ('[tool.bcplint]\npaths = ["bcp"]\n\n[tool.bcplint.rules.BCP301]\nsevrity = "info"\n', 5,
         "rules.BCP301.sevrity"),
        ('[tool.bcplint]\nrules = {BCP302 = {severity = "info"}, BCP301 = {sevrity = "info"}}\n', 2,
         "rules.BCP301.sevrity"),
        # The same misspelt key under two rules: the rule's own table is preferred.
        ('[tool.bcplint.rules.BCP302]\nsevrity = "info"\n[tool.bcplint.rules.BCP301]\nsevrity = "info"\n', None,
         "rules.BCP301.sevrity"),
        # Written in a way the text search does not follow: no line rather than a wrong one.
        ('[tool]\nbcplint.pahts = ["bcp"]\n', None, "pahts"),
    ],
)  # fmt: skip
def test_unknown_pyproject_key_has_its_line_when_it_can_be_found(
    bcplint: Bcplint, tmp_path: Path, toml: str, line: int | None, key: str
) -> None:
    write(tmp_path, "bcp/cto.yaml", "apiVersion: bcplint/v1\nkind: Contact\nname: cto\n")
    config = write(tmp_path, "pyproject.toml", toml)
    run = bcplint("check", "bcp", cwd=tmp_path)
    assert run.code == 2
    if key == "rules.BCP301.sevrity" and line is None:  # two findings, one per rule, each at its own table
        assert run.err == (
            f"bcplint: error: {config.name}:2: unknown key 'rules.BCP302.sevrity' (did you mean severity?); "
            f"{config.name}:4: unknown key 'rules.BCP301.sevrity' (did you mean severity?)\n"
        )
        return
    where = f"{config.name}:{line}" if line else f"{config.name}"
    hint = "paths" if key == "pahts" else "severity"
    assert run.err == f"bcplint: error: {where}: unknown key '{key}' (did you mean {hint}?)\n"


# --- 7. the readiness report --------------------------------------------------------------


def markdown_report(bcplint: Bcplint, example: str, *args: str) -> str:
    run = bcplint("report", str(EXAMPLES / example), "--format", "markdown", "--today", TODAY, *args)
    assert run.code == 0, run.err
    return run.out


def test_report_without_output_writes_to_standard_output(bcplint: Bcplint, tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    written = bcplint("report", str(EXAMPLES / "jitbit"), "--format", "markdown", "--today", TODAY, "-o", str(target))
    assert written.out == f"Wrote {target}.\n"
    printed = markdown_report(bcplint, "jitbit")
    assert printed.startswith("# Continuity readiness report\n")
    assert printed == target.read_text(encoding="utf-8")
    html = bcplint("report", str(EXAMPLES / "jitbit"), "--today", TODAY)
    assert html.code == 0 and html.out.startswith("<!DOCTYPE html>") and html.out.endswith("</body></html>\n")


def test_not_applicable_cells_are_a_plain_n_a(bcplint: Bcplint) -> None:
    text = markdown_report(bcplint, "jitbit")
    assert "n/a none" not in text and "n/a never" not in text
    [billing] = [line for line in text.splitlines() if line.startswith("| Service **billing** |")]
    # owner, deputy (nothing to ask for without an owner), RTO, RPO, backups (not a System's)...
    assert billing.split(" | ")[2:7] == ["❌ none", "n/a", "❌ none", "❌ none", "n/a"]
    html = bcplint("report", str(EXAMPLES / "jitbit"), "--today", TODAY).out
    assert ">n/a none<" not in html and ">- none<" not in html and 'class="none" title="not required' in html


def test_rules_with_nothing_to_check_are_not_applicable_not_passing(bcplint: Bcplint) -> None:
    text = without_links(markdown_report(bcplint, "jitbit"))  # no waivers, no partial exercises
    assert "| ISO 22301:2019 6.1.2 | nothing to check: BCP801, BCP803, BCP804 | n/a | n/a |" in text
    assert "| ISO 22301:2019 5.3 | BCP101, BCP102 (nothing to check: BCP803) | 8 | 8 |" in text
    html = without_links(bcplint("report", str(EXAMPLES / "jitbit"), "--today", TODAY).out)
    assert (
        '<tr><td>ISO 22301:2019 7.5.3</td><td><span class="muted">nothing to check: BCP802</span></td>'
        '<td class="none">n/a</td><td class="none">n/a</td></tr>'
    ) in html


def test_a_finding_on_an_inline_suppression_counts_as_failing_coverage(bcplint: Bcplint, tmp_path: Path) -> None:
    system = (
        "apiVersion: bcplint/v1  # bcplint: ignore[BCP702] until=2026-01-31 -- second region in January\n"
        "kind: System\nname: web\nowner: cto\ncriticality: low\n"
    )
    write(tmp_path, "bcp/web.yaml", system)
    write(tmp_path, "bcp/cto.yaml", "apiVersion: bcplint/v1\nkind: Contact\nname: cto\n")
    run = bcplint("report", "bcp", "--format", "markdown", "--today", TODAY, cwd=tmp_path)
    # The suppression expired: BCP801 failed on it, though the engine lists only Waiver
    # documents as what exception rules check. BCP802 and BCP803 judged it too (it is neither
    # unused, being expired, nor invalid): something to check, not "nothing to check".
    assert "| ISO 22301:2019 6.1.2 | BCP801, BCP803, BCP804 | 0 | 1 |" in without_links(run.out)
    assert "| ISO 22301:2019 7.5.3 | BCP802 | 0 | 0 |" in without_links(run.out)


def test_what_stands_in_the_way_names_rules_by_id_and_name(bcplint: Bcplint) -> None:
    text = without_links(markdown_report(bcplint, "jitbit"))
    assert "| billing | below bronze | BCP101 owner-assigned, BCP201 rto-defined, BCP202 rpo-defined |" in text
    html = without_links(bcplint("report", str(EXAMPLES / "jitbit"), "--today", TODAY).out)
    assert "<td>BCP101 owner-assigned, BCP202 rpo-defined</td>" in html


def test_blockers_keep_the_reason_and_fall_back_to_the_id() -> None:
    names = {"BCP402": "backup-tested", "BCP601": "exercise-recency"}
    missing = ("BCP601", "BCP402 (on a dependency)", "BCP999 (not run)")
    assert (
        blockers(missing, names) == "BCP601 exercise-recency, BCP402 backup-tested (on a dependency), BCP999 (not run)"
    )
    assert blockers((), names) == "—"


# --- 8. the complete example shows a waiver -----------------------------------------------


def test_the_complete_example_shows_two_honest_waivers(bcplint: Bcplint) -> None:
    complete = EXAMPLES / "complete"
    run = bcplint("check", str(complete), "--today", TODAY, "--format", "json", "--ignore", "BCP304")  # git history
    assert run.code == 0
    report = json.loads(run.out)
    overdue, restore = report["findings"]
    assert (overdue["rule_id"], overdue["document"], overdue["field"]) == (
        "BCP603",
        "checkout-failover-2026-09",
        "findings[1].due",
    )
    assert overdue["waiver"].startswith("Waiver 'checkout-failover-f2-overdue' approved by cto, until 2027-01-15:")
    assert (restore["rule_id"], restore["document"]) == ("BCP405", "orders-db")
    assert restore["waiver"].startswith("Waiver 'orders-db-offsite-restore' approved by cto, standing, review by")
    assert report["summary"]["waived"] == 2
    # An accepted risk is still a gap: the standing acceptance keeps checkout (whose database
    # it is) from gold; BCP603 is in no level, so the support desk stays gold.
    levels = {m["service"]: (m["level"], m["missing"]) for m in report["maturity"]}
    assert levels == {"checkout": ("silver", ["BCP405 (on a dependency)"]), "support-desk": ("gold", [])}
    assert "checkout-failover-f2" in (complete / "README.md").read_text(encoding="utf-8")
    waivers = bcplint("waivers", str(complete), "--today", TODAY, "--format", "json")
    assert waivers.code == 0, waivers.err
    temporary, standing = json.loads(waivers.out)["exemptions"]
    assert (temporary["status"], temporary["hides"], temporary["approved_by"], temporary["problems"]) == (
        "active",
        1,
        "cto",
        [],
    )
    assert temporary["expires"] > TODAY
    assert (standing["expires"], standing["review_by"], standing["hides"]) == (None, "2027-09-30", 1)
    # Honest: the action is really overdue and open, and its owner is not the one who approved the waiver.
    exercise = YAML(typ="safe", pure=True).load(complete / "bcp" / "exercises" / "checkout-failover-2026-09.yaml")
    action = exercise["findings"][1]
    assert (action["id"], action["status"]) == ("F2", "open")
    assert str(action["due"]) < TODAY and action["owner"] not in (temporary["approved_by"], None)
