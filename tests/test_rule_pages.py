"""Rule pages (docs/rules/) and the links to them: SARIF helpUri, `bcplint explain`, the
readiness report, the language server's codeDescription.

The pages are generated from the shipped packs and must stay so (regenerate with
``python -m bcplint.report.rule_pages docs/rules``); every link is absolute and points at
``<base><ID>.md`` (or where a pack's own ``docs_url`` says), or is left out.
"""

from __future__ import annotations

import email.message
import importlib.metadata
import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest

from bcplint.packs import resolve_rules
from bcplint.packs.docs import default_docs_url
from bcplint.report import rule_pages
from bcplint.report.rule_pages import PAGES_TODAY, ShippedRules, render_pages, shipped_rules, write_pages
from tests.conftest import REPO_ROOT, TODAY, Run, write
from tests.test_outputs import multitool

PAGES = REPO_ROOT / "docs" / "rules"
SARIF_SCHEMA = REPO_ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"


def _documentation_url() -> str:
    """The Documentation URL pyproject.toml declares (read here from the file, not the metadata)."""
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return str(project["urls"]["Documentation"])


RULE_PAGES = _documentation_url().rstrip("/") + "/rules/"  # where the built-in rules' pages are

PLAN = """\
apiVersion: bcplint/v1
kind: Service
name: checkout
criticality: critical
"""

PACK = """\
apiVersion: bcplint/pack/v1
pack: acme
title: ACME continuity policy
framework: ACME-POL
{docs}extends: [iso22301]
rules:
  - id: ACME001
    name: critical-rto-within-4h
    severity: error
    summary: Critical services recover within four hours.
    rationale: Customers leave after half a day without checkout.
    fix: Bring the RTO down to four hours or less.
    clauses: ["4.2"]
    applies_to:
      kinds: [Service]
      where: {{criticality: critical}}
    params: {{max_rto: 4h}}
    check: {{function: duration_max, field: rto, params: {{max: $max_rto}}}}
    message: "{{label}} has an RTO of {{value}}; policy allows at most {{max}}"
    examples:
      fail: ["{{apiVersion: bcplint/v1, kind: Service, name: s, criticality: critical, rto: 8h}}"]
      pass: ["{{apiVersion: bcplint/v1, kind: Service, name: s, criticality: critical, rto: 2h}}"]
  - id: BCP104
    severity: info
"""


def sarif_rules(bcplint: Callable[..., Run], root: Path, *args: str) -> dict[str, dict[str, object]]:
    run = bcplint("check", ".", "--today", TODAY, "--format", "sarif", *args, cwd=root)
    assert run.code in (0, 1), run.err
    log = json.loads(run.out)
    if SARIF_SCHEMA.exists():
        validator = jsonschema.Draft7Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))
        assert [e.message for e in validator.iter_errors(log)] == []
    return {rule["id"]: rule for rule in log["runs"][0]["tool"]["driver"]["rules"]}


# --- the pages ----------------------------------------------------------------------------------


def test_rule_pages_are_current(tmp_path: Path) -> None:
    written = write_pages(tmp_path / "rules")
    fresh = {path.name: path.read_bytes() for path in written}
    committed = {path.name: path.read_bytes() for path in PAGES.iterdir()}
    hint = "the rule pages are out of date: regenerate them with `python -m bcplint.report.rule_pages docs/rules`"
    assert sorted(committed) == sorted(fresh), hint
    stale = [name for name in sorted(fresh) if committed[name] != fresh[name]]
    assert stale == [], hint


def test_every_shipped_rule_has_a_page_that_says_what_the_catalog_says(bcplint: Callable[..., Run]) -> None:
    listed = json.loads(bcplint("rules", "--format", "json").out)["rules"]
    index = (PAGES / "README.md").read_text(encoding="utf-8")
    assert listed
    for rule in listed:
        path = PAGES / f"{rule['id']}.md"
        assert path.is_file(), f"{rule['id']} has no page: run `python -m bcplint.report.rule_pages docs/rules`"
        page = path.read_text(encoding="utf-8")
        assert page.splitlines()[1] == f"# {rule['id']} {rule['name']}"
        assert f"| severity | {rule['severity']} |" in page
        for text in (rule["summary"], rule["rationale"], rule["fix"]):
            assert text in page, (rule["id"], text)
        for clause in rule["clauses"]:  # "ISO 22301:2019 8.6" -> a row of that framework with 8.6
            framework, _, number = clause.rpartition(" ")
            row = next(line for line in page.splitlines() if line.startswith(f"| {framework} |"))
            assert number in [n.strip() for n in row.split("|")[2].split(",")], (rule["id"], row)
        for name in rule["params"]:
            assert f"| `{name}` |" in page, (rule["id"], name)
        assert f"| [{rule['id']}]({rule['id']}.md) | {rule['name']} |" in index
        assert rule["help_url"].endswith(f"/docs/rules/{rule['id']}.md")  # the page, as SARIF links it


def test_pages_show_the_findings_bcplint_check_gives_on_the_examples(
    bcplint: Callable[..., Run], tmp_path: Path
) -> None:
    checked = 0
    for rule in shipped_rules().rules:
        if rule.examples is None:
            continue
        page = (PAGES / f"{rule.id}.md").read_text(encoding="utf-8")
        day = (rule.examples.today or PAGES_TODAY).isoformat()
        for number, text in enumerate(rule.examples.failing):
            root = tmp_path / f"{rule.id}-{number}"
            write(root, "example.yaml", text)
            run = bcplint("check", "example.yaml", "--today", day, "--no-color", "--fail-on", "never", cwd=root)
            assert run.code == 0, run.err
            lines = [line for line in run.out.splitlines() if f" {rule.id} {rule.name}: " in line]
            assert lines, f"{rule.id}: its failing example gives no finding"
            for line in lines:
                assert f"\n{line}\n" in page, f"{rule.id}: the page does not show {line!r}"
            checked += 1
        assert f"`{rule.id}-" not in page  # the example's file is named as a user would name it
    assert checked >= 30


def test_a_rule_of_any_pack_gets_a_whole_page(tmp_path: Path) -> None:
    pack = write(tmp_path, "acme.yaml", PACK.format(docs=""))
    rules = resolve_rules([str(pack)], tmp_path)
    acme = next(rule for rule in rules if rule.id == "ACME001")
    pages = render_pages(ShippedRules(rules=tuple(rules), packs={}))
    page = pages["ACME001.md"]
    assert page.splitlines()[1] == "# ACME001 critical-rto-within-4h"
    assert "Customers leave after half a day without checkout." in page
    assert "| applies to | Service where criticality = critical |" in page
    assert "| `max_rto` | 4h |" in page
    assert "    params:\n      max_rto: 4h\n" in page  # the configuration that tunes it
    failing = "{apiVersion: bcplint/v1, kind: Service, name: s, criticality: critical, rto: 8h}"
    column = failing.index("8h") + 1  # findings point at the offending value
    assert (
        f"example.yaml:1:{column}: error ACME001 critical-rto-within-4h: Service 's' has an RTO of 8h; "
        "policy allows at most 4h [ACME-POL 4.2]\n" in page
    )
    assert "bcplint reports nothing.\n" in page
    assert page.index("### Fails") < page.index("### Passes") < page.index("## How to fix")
    assert "| [ACME001](ACME001.md) | critical-rto-within-4h | error |" in pages["README.md"]
    assert acme.help_url is None  # the pack names no pages of its own


def test_a_broken_example_stops_the_generator(tmp_path: Path) -> None:
    pack = write(tmp_path, "acme.yaml", PACK.format(docs="").replace("rto: 8h", "rto: 3h"))
    rules = tuple(resolve_rules([str(pack)], tmp_path))
    with pytest.raises(ValueError, match=r"ACME001 critical-rto-within-4h: failing example 1 .*expected a finding"):
        render_pages(ShippedRules(rules=rules, packs={}))


def test_the_generator_replaces_stale_rule_pages_and_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "rules"
    write(target, "BCP999.md", "a rule that no longer exists\n")
    write(target, "notes.md", "someone's notes\n")
    write(target, "BCP201.md", "edited by hand\n")
    write_pages(target)
    assert not (target / "BCP999.md").exists()
    assert (target / "notes.md").read_text(encoding="utf-8") == "someone's notes\n"
    assert (target / "BCP201.md").read_bytes() == (PAGES / "BCP201.md").read_bytes()


def test_the_generator_runs_as_a_module(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "bcplint.report.rule_pages"]
    done = subprocess.run([*command, str(tmp_path)], capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"wrote {len(list(PAGES.iterdir()))} files to {tmp_path}\n"
    assert (tmp_path / "README.md").read_bytes() == (PAGES / "README.md").read_bytes()
    wrong = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    assert (wrong.returncode, wrong.stderr) == (2, "usage: python -m bcplint.report.rule_pages DIRECTORY\n")


# --- where links point --------------------------------------------------------------------------


def test_the_default_base_is_the_installed_documentation_url() -> None:
    assert default_docs_url() == RULE_PAGES, (
        "the installed metadata does not match pyproject.toml's [project.urls]: reinstall with `pip install -e .`"
    )


def _metadata(*urls: str) -> email.message.Message:
    message = email.message.Message()
    for url in urls:
        message["Project-URL"] = url
    return message


@pytest.mark.parametrize(
    ("urls", "expected"),
    [
        (("Documentation, https://docs.example.com/bcplint",), "https://docs.example.com/bcplint/rules/"),
        (
            (
                "Source, https://git.example.com/bcplint",
                "docs, https://docs.example.com/",
            ),
            "https://docs.example.com/rules/",
        ),
        (("Documentation, docs/",), None),  # relative: no link rather than a broken one
        (("Documentation, ftp://files.example.com/docs/",), None),
        (("Homepage, https://example.com/",), None),
        ((), None),
    ],
)
def test_the_default_base_needs_an_absolute_web_address(
    monkeypatch: pytest.MonkeyPatch, urls: tuple[str, ...], expected: str | None
) -> None:
    monkeypatch.setattr(importlib.metadata, "metadata", lambda name: _metadata(*urls))
    assert default_docs_url() == expected


def _not_installed(name: str) -> email.message.Message:
    raise importlib.metadata.PackageNotFoundError(name)


def test_sarif_links_every_rule_to_its_page(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    write(tmp_path, "bcp/checkout.yaml", PLAN)
    rules = sarif_rules(bcplint, tmp_path)
    assert len(rules) == len(list(PAGES.glob("BCP*.md")))
    for rule_id, rule in rules.items():
        uri = str(rule["helpUri"])
        assert uri == f"{RULE_PAGES}{rule_id}.md"
        parts = urlsplit(uri)
        assert parts.scheme in ("http", "https") and parts.netloc, uri
        assert parts.path.endswith(f"/docs/rules/{rule_id}.md")  # the page this repository has
        assert (PAGES / f"{rule_id}.md").is_file()
        help_text = rule["help"]
        assert isinstance(help_text, dict)  # GitHub shows the help, not helpUri: the link is there too
        assert help_text["text"].endswith(f"\n\nMore: {uri}")
        assert help_text["markdown"].endswith(f"({uri})")


def test_without_a_documentation_url_there_is_no_link(
    bcplint: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importlib.metadata, "metadata", _not_installed)  # a copy that was never installed
    write(tmp_path, "bcp/checkout.yaml", PLAN)
    rules = sarif_rules(bcplint, tmp_path)
    assert rules and all("helpUri" not in rule for rule in rules.values())
    assert all("More" not in json.dumps(rule["help"]) for rule in rules.values())
    explained = bcplint("explain", "BCP201", cwd=tmp_path)
    assert explained.code == 0 and "More:" not in explained.out


@pytest.mark.parametrize(
    ("docs_url", "expected"),
    [
        ("https://wiki.example.com/bcplint/rules/", "https://wiki.example.com/bcplint/rules/BCP201.md"),
        ("https://wiki.example.com/continuity/{id}", "https://wiki.example.com/continuity/BCP201"),
        ("http://intranet.example.com:8080/bcp?page={id}", "http://intranet.example.com:8080/bcp?page=BCP201"),
    ],
)
def test_the_configuration_moves_every_link(
    bcplint: Callable[..., Run], tmp_path: Path, docs_url: str, expected: str
) -> None:
    write(tmp_path, ".bcplint.yaml", f"docs_url: {docs_url}\n")
    write(tmp_path, "bcp/checkout.yaml", PLAN)
    rules = sarif_rules(bcplint, tmp_path)
    assert rules["BCP201"]["helpUri"] == expected
    assert rules["BCP101"]["helpUri"] == expected.replace("BCP201", "BCP101")
    explained = bcplint("explain", "rto-defined", cwd=tmp_path)
    assert explained.out.endswith(f"\nMore: {expected}\n")
    report = bcplint("report", ".", "--format", "markdown", "--today", TODAY, cwd=tmp_path)
    assert f"[BCP201]({expected})" in report.out
    assert RULE_PAGES not in report.out


@pytest.mark.parametrize(
    "docs_url",
    [
        "wiki.example.com/bcplint/rules/",  # no scheme
        "/bcplint/rules/",
        "ftp://wiki.example.com/rules/",
        "https://wiki.example.com/rules",  # neither a folder nor a template: pages would run into the name
        "https:///rules/",  # no host
        "https://wiki.example.com/my rules/",
    ],
)
def test_a_bad_docs_url_is_a_configuration_error_at_its_line(
    bcplint: Callable[..., Run], tmp_path: Path, docs_url: str
) -> None:
    write(tmp_path, ".bcplint.yaml", f"fail_on: error\ndocs_url: '{docs_url}'\n")
    write(tmp_path, "bcp/checkout.yaml", PLAN)
    run = bcplint("check", ".", "--today", TODAY, cwd=tmp_path)
    assert run.code == 2
    assert run.err.startswith("bcplint: error: .bcplint.yaml:2: 'docs_url': must be an absolute http(s) URL"), run.err


def test_a_bad_docs_url_in_pyproject_names_its_line(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "x"\n\n[tool.bcplint]\ndocs_url = "wiki/rules/"\n')
    write(tmp_path, "bcp/checkout.yaml", PLAN)
    run = bcplint("check", ".", "--today", TODAY, cwd=tmp_path)
    assert run.code == 2
    assert run.err.startswith("bcplint: error: pyproject.toml:5: 'docs_url': must be an absolute"), run.err


def test_a_packs_own_rules_link_to_its_own_pages(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    docs = "docs_url: https://policies.example.com/continuity/{id}.html\n"
    write(tmp_path, "policies/acme.yaml", PACK.format(docs=docs))
    write(tmp_path, ".bcplint.yaml", "packs: [policies/acme.yaml]\ndocs_url: https://wiki.example.com/bcplint/\n")
    write(tmp_path, "bcp/checkout.yaml", PLAN)
    rules = sarif_rules(bcplint, tmp_path)
    assert rules["ACME001"]["helpUri"] == "https://policies.example.com/continuity/ACME001.html"
    # A built-in rule the pack only tunes keeps its own page, wherever the configuration puts those.
    assert rules["BCP104"]["helpUri"] == "https://wiki.example.com/bcplint/BCP104.md"
    explained = bcplint("explain", "ACME001", cwd=tmp_path)
    assert explained.out.endswith("\nMore: https://policies.example.com/continuity/ACME001.html\n")


def test_a_rule_links_to_the_pages_of_the_pack_that_defines_it(tmp_path: Path) -> None:
    write(tmp_path, "acme.yaml", PACK.format(docs=""))  # defines ACME001, names no pages
    child = (
        "apiVersion: bcplint/pack/v1\npack: acme-emea\ntitle: ACME EMEA\n"
        "docs_url: https://emea.example.com/rules/\nextends: [acme.yaml]\nrules:\n"
        "  - {id: ACME001, severity: warning}\n"  # tunes the parent's rule
        "  - id: EMEA001\n    name: emea-owner\n    severity: error\n    summary: Services have an owner.\n"
        "    applies_to: {kinds: [Service]}\n    check: {function: defined, field: owner}\n"
    )
    write(tmp_path, "emea.yaml", child)
    rules = {rule.id: rule for rule in resolve_rules(["emea.yaml"], tmp_path, docs_url="https://d.example.com/")}
    assert rules["EMEA001"].help_url == "https://emea.example.com/rules/EMEA001.md"
    assert rules["ACME001"].help_url is None  # tuned by the child, documented (not) by its parent
    assert rules["BCP101"].help_url == "https://d.example.com/BCP101.md"  # the catalog's, via iso22301


def test_a_pack_without_docs_url_gives_its_rules_no_link(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    write(tmp_path, "policies/acme.yaml", PACK.format(docs=""))
    write(tmp_path, ".bcplint.yaml", "packs: [policies/acme.yaml]\n")
    write(tmp_path, "bcp/checkout.yaml", PLAN)
    rules = sarif_rules(bcplint, tmp_path)
    assert "helpUri" not in rules["ACME001"]
    assert rules["BCP201"]["helpUri"] == f"{RULE_PAGES}BCP201.md"
    assert "More:" not in bcplint("explain", "ACME001", cwd=tmp_path).out
    report = bcplint("report", ".", "--format", "html", "--today", TODAY, cwd=tmp_path).out
    assert f'<a href="{RULE_PAGES}BCP201.md">BCP201</a>' in report
    assert "ACME001</a>" not in report and "ACME001" in report


def test_a_bad_pack_docs_url_is_a_pack_error_at_its_line(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    write(tmp_path, "policies/acme.yaml", PACK.format(docs="docs_url: policies.example.com/{id}\n"))
    run = bcplint("rules", "--pack", "policies/acme.yaml", cwd=tmp_path)
    assert run.code == 2
    assert "policies/acme.yaml:5:" in run.err and "docs_url: must be an absolute http(s) URL" in run.err, run.err


def test_explain_ends_with_the_link(bcplint: Callable[..., Run]) -> None:
    run = bcplint("explain", "BCP402")
    assert run.code == 0
    assert run.out.endswith(f"\nHow to fix:\n    {_fix('BCP402')}\n\nMore: {RULE_PAGES}BCP402.md\n")


def _fix(rule_id: str) -> str:
    return next(rule.fix.strip() for rule in shipped_rules().rules if rule.id == rule_id)


def test_the_readiness_report_links_rule_ids(bcplint: Callable[..., Run]) -> None:
    example = REPO_ROOT / "examples" / "jitbit"
    html = bcplint("report", str(example), "--format", "html", "--today", TODAY).out
    maturity = html.split('<table id="maturity">')[1].split("</table>")[0]
    coverage = html.split('<table id="coverage">')[1].split("</table>")[0]
    assert f'<a href="{RULE_PAGES}BCP101.md">BCP101</a> owner-assigned' in maturity
    assert f'<a href="{RULE_PAGES}BCP702.md">BCP702</a>' in coverage
    markdown = bcplint("report", str(example), "--format", "markdown", "--today", TODAY).out
    maturity_md = markdown.split("## Maturity")[1].split("## Readiness")[0]
    assert f"[BCP101]({RULE_PAGES}BCP101.md) owner-assigned" in maturity_md
    assert f"[BCP702]({RULE_PAGES}BCP702.md)" in markdown.split("## Framework coverage")[1]


def test_diagnostics_carry_the_rule_page() -> None:
    pytest.importorskip("lsprotocol", reason="the language server is an optional extra (pip install 'bcplint[server]')")
    from bcplint.findings import Finding, Severity  # noqa: PLC0415 - after the skip above
    from bcplint.server.diagnostics import to_diagnostics  # noqa: PLC0415 - needs lsprotocol

    found = [
        Finding(path="p.yaml", line=1, column=1, rule_id=rule, rule_name="x", severity=Severity.ERROR, message="m")
        for rule in ("BCP201", "ACME001")
    ]
    linked, unlinked = to_diagnostics(found, "a: b\n", "utf-16", {"BCP201": f"{RULE_PAGES}BCP201.md", "ACME001": None})
    assert linked.code_description is not None and linked.code_description.href == f"{RULE_PAGES}BCP201.md"
    assert unlinked.code_description is None


def _validator_notes(tool: Path, log: Path) -> list[tuple[str, str, str]]:
    """(rule, message id, level) of everything Microsoft's validator says about ``log``, notes too."""
    output = log.with_suffix(".validation.sarif")
    subprocess.run(
        [
            *(str(tool), "validate", str(log), "--rule-kind", "Gh;Sarif", "--level", "Error;Warning;Note"),
            *("--output", str(output), "--log", "ForceOverwrite"),
        ],
        capture_output=True,
        timeout=300,
        env={**os.environ, "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1"},
        check=False,
    )
    results = json.loads(output.read_text(encoding="utf-8-sig"))["runs"][0].get("results", [])
    return [(r["ruleId"], r["message"]["id"], r.get("level", "warning")) for r in results]


def test_microsofts_validator_no_longer_asks_for_help_uris(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    tool = multitool()
    if tool is None:
        pytest.skip(
            "Microsoft's SARIF validator is not installed (set BCPLINT_SARIF_MULTITOOL; see tests/test_outputs.py)"
        )
    write(tmp_path, "bcp/checkout.yaml", PLAN)
    log = tmp_path / "report.sarif"
    log.write_text(bcplint("check", ".", "--today", TODAY, "--format", "sarif", cwd=tmp_path).out, encoding="utf-8")
    notes = _validator_notes(tool, log)
    assert [note for note in notes if note[2] in ("error", "warning")] == []
    assert [note for note in notes if note[:2] == ("SARIF2012", "Note_ProvideHelpUri")] == []
    # Control: the same log without the links, and the validator asks for them, rule by rule.
    stripped = json.loads(log.read_text(encoding="utf-8"))
    for rule in stripped["runs"][0]["tool"]["driver"]["rules"]:
        del rule["helpUri"]
    log.write_text(json.dumps(stripped), encoding="utf-8")
    asked = [note for note in _validator_notes(tool, log) if note[:2] == ("SARIF2012", "Note_ProvideHelpUri")]
    assert len(asked) == len(stripped["runs"][0]["tool"]["driver"]["rules"])


def test_pages_do_not_depend_on_the_generators_date_where_examples_set_one(monkeypatch: pytest.MonkeyPatch) -> None:
    dated = [rule.id for rule in shipped_rules().rules if rule.examples and rule.examples.today]
    assert dated  # the catalog's date rules fix their examples' date
    monkeypatch.setattr(rule_pages, "PAGES_TODAY", PAGES_TODAY.replace(year=PAGES_TODAY.year + 3))
    later = render_pages()
    for rule_id in dated:
        assert later[f"{rule_id}.md"] == (PAGES / f"{rule_id}.md").read_text(encoding="utf-8"), rule_id
