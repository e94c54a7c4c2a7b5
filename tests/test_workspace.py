"""One answer from anywhere: the workspace is found from the paths, rules see all of it, and
paths, --staged and --changed-since only narrow what every report shows. Real git repositories.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import junitparser
import pytest

from bcplint.api import LintOptions, lint
from bcplint.git.runner import git_environment
from tests.conftest import EXAMPLES, REPO_ROOT, TODAY, Run, git, write

SARIF_SCHEMA = REPO_ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"

CONTACTS = """\
apiVersion: bcplint/v1
kind: Contact
name: cto
email: cto@example.com
phone: '+1-555-0100'
---
apiVersion: bcplint/v1
kind: Contact
name: support-lead
email: support@example.com
phone: '+1-555-0101'
"""
WEBSHOP = """\
apiVersion: bcplint/v1
kind: Service
name: webshop
owner: cto
criticality: high
rto: 4h
rpo: 1h
depends_on: [db, payments]
"""
SUPPORT = """\
apiVersion: bcplint/v1
kind: Service
name: support
owner: support-lead
criticality: high
"""
DB = """\
apiVersion: bcplint/v1
kind: System
name: db
owner: cto
criticality: high
rto: {rto}
rpo: 1h
stateless: true
"""
PAYMENTS = """\
apiVersion: bcplint/v1
kind: Supplier
name: payments
owner: cto
criticality: low
"""
PLAN = """\
apiVersion: bcplint/v1
kind: Plan
name: bcp
owner: cto
covers: [webshop, support]
"""
PRINTER = "apiVersion: bcplint/v1\nkind: System\nname: printer\ncriticality: low\n"


def organisation(root: Path, *, commit: bool = True) -> Path:
    """A small plan in a git repository: contacts, two services, a system, a supplier, a plan."""
    write(root, "bcp/contacts.yaml", CONTACTS)
    write(root, "bcp/services/webshop.yaml", WEBSHOP)
    write(root, "bcp/services/support.yaml", SUPPORT)
    write(root, "bcp/systems/db.yaml", DB.format(rto="1h"))
    write(root, "bcp/suppliers/payments.yaml", PAYMENTS)
    write(root, "bcp/plan.yaml", PLAN)
    write(root, "bcp/systems/printer.yaml", PRINTER)
    if commit:
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "the plan")
    return root


def report(run: Run) -> dict[str, Any]:
    assert run.code in (0, 1), run.err
    return json.loads(run.out)  # type: ignore[no-any-return]


def keys(findings: list[dict[str, Any]]) -> set[tuple[str, str, int, int, str]]:
    return {(f["rule_id"], f["path"], f["line"], f["column"], f["message"]) for f in findings}


Bcplint = Callable[..., Run]


# --- where the workspace is ------------------------------------------------------------------


def test_the_same_check_from_anywhere_gives_identical_machine_reports(
    bcplint: Bcplint, git_repo: Path, tmp_path: Path
) -> None:
    organisation(git_repo)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    places = [(git_repo, "bcp"), (git_repo / "bcp", "."), (git_repo / "bcp" / "services", ".."), (elsewhere, None)]
    for output_format in ("json", "sarif", "junit", "github", "markdown"):
        outputs = set()
        for cwd, path in places:
            target = path if path is not None else str(git_repo / "bcp")
            run = bcplint("check", target, "--today", TODAY, "--format", output_format, cwd=cwd)
            assert run.code == 1, run.err
            outputs.add(run.out)
        assert len(outputs) == 1, f"{output_format} differs with the current directory"
    sarif = json.loads(bcplint("check", ".", "--today", TODAY, "--format", "sarif", cwd=git_repo / "bcp").out)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert "bcp/services/support.yaml" in uris and all(u.startswith("bcp/") for u in uris)
    assert "%SRCROOT%" in sarif["runs"][0]["originalUriBaseIds"]
    if SARIF_SCHEMA.exists():
        validator = jsonschema.Draft7Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))
        assert [e.message for e in validator.iter_errors(sarif)] == []


def test_text_stays_relative_to_the_terminal(bcplint: Bcplint, git_repo: Path) -> None:
    organisation(git_repo)
    inside = bcplint("check", "--today", TODAY, "--select", "BCP202", cwd=git_repo / "bcp" / "services")
    assert inside.out.startswith("support.yaml:1:1: error BCP202")
    root = bcplint("check", "--today", TODAY, "--select", "BCP202", cwd=git_repo)
    assert root.out.startswith("bcp/services/support.yaml:1:1: error BCP202")


def test_configuration_is_found_from_the_path_not_the_current_directory(
    bcplint: Bcplint, git_repo: Path, tmp_path: Path
) -> None:
    organisation(git_repo)
    write(git_repo, ".bcplint.yaml", "fail_on: warning\nselect: [BCP102]\n")  # warnings only: no deputies
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    inside = bcplint("check", "--today", TODAY, cwd=git_repo / "bcp")
    outside = bcplint("check", str(git_repo), "--today", TODAY, cwd=elsewhere)
    assert inside.code == outside.code == 1
    assert "Failing: 3 findings at or above warning." in outside.out
    assert outside.out.count("BCP102") == inside.out.count("BCP102") == 3


def test_the_custom_pack_example_runs_its_own_rules_from_the_repository_root(bcplint: Bcplint) -> None:
    run = bcplint("check", "examples/custom-pack", "--today", TODAY, cwd=REPO_ROOT)
    assert "error ACME001 critical-rto-within-4h" in run.out
    assert "warning ACME002 media-spokesperson" in run.out
    assert "examples/custom-pack/bcp/plan.yaml:" in run.out


def test_every_bundled_example_is_a_workspace_of_its_own(bcplint: Bcplint) -> None:
    together = report(bcplint("check", "examples", "--today", TODAY, "--format", "json", cwd=REPO_ROOT))
    apart, documents = [], 0
    for example in sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()):
        alone = report(bcplint("check", f"examples/{example}", "--today", TODAY, "--format", "json", cwd=REPO_ROOT))
        assert "BCP004" not in {f["rule_id"] for f in alone["findings"]}, example  # names never clash
        apart.extend(alone["findings"])
        documents += alone["summary"]["documents"]
    assert keys(together["findings"]) == keys(apart)
    assert together["summary"]["documents"] == documents


def test_a_nested_workspace_is_not_part_of_the_one_above(bcplint: Bcplint, git_repo: Path) -> None:
    organisation(git_repo)
    write(git_repo, "vendor/demo/.bcplint.yaml", "select: [BCP201]\n")
    write(git_repo, "vendor/demo/plan.yaml", PRINTER.replace("printer", "cto").replace("low", "critical"))
    outer = report(bcplint("check", "bcp", "--today", TODAY, "--format", "json", cwd=git_repo))
    assert "BCP004" not in {f["rule_id"] for f in outer["findings"]}  # the demo's 'cto' is not ours
    both = report(bcplint("check", "--today", TODAY, "--format", "json", cwd=git_repo))
    demo = [f for f in both["findings"] if f["path"].startswith("vendor/")]
    assert {(f["rule_id"], f["path"]) for f in demo} == {("BCP201", "vendor/demo/plan.yaml")}  # its own select


def test_workspaces_keep_their_own_fail_on(bcplint: Bcplint, tmp_path: Path) -> None:
    for team, fail_on in (("strict", "warning"), ("relaxed", "error")):
        write(tmp_path, f"{team}/.bcplint.yaml", f"fail_on: {fail_on}\nselect: [BCP102]\n")
        write(tmp_path, f"{team}/plan.yaml", CONTACTS + "---\n" + SUPPORT)
    relaxed = bcplint("check", "relaxed", "--today", TODAY, cwd=tmp_path)
    assert relaxed.code == 0 and "warning BCP102" in relaxed.out
    both = bcplint("check", "strict", "relaxed", "--today", TODAY, cwd=tmp_path)
    assert both.code == 1
    assert "Failing: 1 finding at or above its workspace's fail_on." in both.out
    assert bcplint("check", "strict", "relaxed", "--today", TODAY, "--fail-on", "error", cwd=tmp_path).code == 0


def test_both_configuration_files_give_a_note_saying_which_wins(bcplint: Bcplint, tmp_path: Path) -> None:
    write(tmp_path, ".bcplint.yaml", "select: [BCP201]\n")
    write(tmp_path, "pyproject.toml", "[tool.bcplint]\nselect = ['BCP101']\n")
    write(tmp_path, "plan.yaml", PRINTER)
    run = bcplint("check", "--today", TODAY, cwd=tmp_path)
    assert ".bcplint.yaml is used; [tool.bcplint] in" in run.err and "pyproject.toml is ignored" in run.err
    assert "BCP101" not in run.out


# --- paths narrow, never isolate -------------------------------------------------------------


@pytest.mark.parametrize("example", ["jitbit", "complete", "custom-pack", "eververse", "testpoint", "cloudgov"])
def test_one_file_gets_exactly_what_the_full_check_gives_it(bcplint: Bcplint, example: str) -> None:
    folder = EXAMPLES / example
    full = report(bcplint("check", str(folder), "--today", TODAY, "--format", "json", cwd=REPO_ROOT))
    files = sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".md") and p.name != ".bcplint.yaml")
    for file in files:
        relative = file.relative_to(REPO_ROOT).as_posix()
        if relative.startswith(f"examples/{example}/policies/"):
            continue  # the pack file is configuration, not plan
        alone = report(bcplint("check", str(file), "--today", TODAY, "--format", "json", cwd=REPO_ROOT))
        assert keys(alone["findings"]) == keys([f for f in full["findings"] if f["path"] == relative]), relative


def test_one_service_file_gets_no_false_references(bcplint: Bcplint, git_repo: Path) -> None:
    organisation(git_repo)
    run = report(bcplint("check", "bcp/services/webshop.yaml", "--today", TODAY, "--format", "json", cwd=git_repo))
    assert {f["path"] for f in run["findings"]} <= {"bcp/services/webshop.yaml"}
    assert not {"BCP003", "BCP601"} & {f["rule_id"] for f in run["findings"]}
    assert run["summary"]["documents"] == 1 and run["summary"]["files"] == 1


# --- --changed-since narrows every report alike ---------------------------------------------------


def test_changed_since_junit_lists_only_checks_in_scope(bcplint: Bcplint, git_repo: Path, tmp_path: Path) -> None:
    organisation(git_repo)
    git(git_repo, "checkout", "-q", "-b", "feature")
    write(git_repo, "bcp/systems/db.yaml", DB.format(rto="2h"))  # the webshop (4h) is still fine
    git(git_repo, "commit", "-qam", "db")
    path = tmp_path / "junit.xml"
    run = bcplint("check", "--changed-since", "main", "--today", TODAY, "--output", f"junit:{path}", cwd=git_repo)
    cases = [case for suite in junitparser.JUnitXml.fromfile(str(path)) for case in suite]
    subjects = {case.name.split(": ", 1)[1] for case in cases}
    # support (unchanged, failing BCP201) is out of scope: neither a failure nor a passing case.
    assert not any("'support'" in s for s in subjects)
    assert any("System 'db'" in s for s in subjects) and any("Service 'webshop'" in s for s in subjects)
    assert any("Plan 'bcp'" in s for s in subjects)  # it covers the webshop, which depends on db
    assert not any("'printer'" in s for s in subjects)
    assert "in 3 documents across 3 files" in run.out  # db, webshop, bcp; contacts is not affected


# --- --staged lints the index ------------------------------------------------------------------


def staged(bcplint: Bcplint, repo: Path, *args: str) -> dict[str, Any]:
    return report(bcplint("check", "--staged", "--today", TODAY, "--format", "json", *args, cwd=repo))


def test_staged_deletion_reports_what_referred_to_it(bcplint: Bcplint, git_repo: Path) -> None:
    organisation(git_repo)
    git(git_repo, "rm", "-q", "bcp/suppliers/payments.yaml")
    result = staged(bcplint, git_repo)
    assert ("BCP003", "webshop") in {(f["rule_id"], f["document"]) for f in result["findings"]}


def test_staged_rename_of_a_name_reports_what_referred_to_it(bcplint: Bcplint, git_repo: Path) -> None:
    organisation(git_repo)
    write(git_repo, "bcp/systems/db.yaml", DB.format(rto="1h").replace("name: db", "name: orders-db"))
    git(git_repo, "add", "bcp/systems/db.yaml")
    result = staged(bcplint, git_repo)
    assert ("BCP003", "bcp/services/webshop.yaml") in {(f["rule_id"], f["path"]) for f in result["findings"]}


def test_staged_sees_only_the_index(bcplint: Bcplint, git_repo: Path) -> None:
    organisation(git_repo)
    write(git_repo, "bcp/systems/db.yaml", DB.format(rto="8h"))  # unstaged: not part of the commit
    write(git_repo, "bcp/systems/cache.yaml", PRINTER.replace("printer", "cache").replace("low", "high"))  # untracked
    write(git_repo, "bcp/services/support.yaml", SUPPORT + "rto: 2h\nrpo: 1h\n")
    git(git_repo, "add", "bcp/services/support.yaml")
    result = staged(bcplint, git_repo)
    assert {f["path"] for f in result["findings"]} <= {"bcp/services/support.yaml", "bcp/plan.yaml"}
    assert "BCP204" not in {f["rule_id"] for f in result["findings"]}  # db's unstaged 8h is invisible
    full = report(bcplint("check", "--today", TODAY, "--format", "json", cwd=git_repo))
    assert "BCP204" in {f["rule_id"] for f in full["findings"]}  # the work tree has it


def test_staged_with_nothing_staged_checks_the_whole_index(bcplint: Bcplint, git_repo: Path) -> None:
    organisation(git_repo)
    result = staged(bcplint, git_repo)
    committed = report(bcplint("check", "--rev", "HEAD", "--today", TODAY, "--format", "json", cwd=git_repo))
    assert result["findings"] == committed["findings"] and result["findings"]


def test_staged_code_only_reads_no_plan(bcplint: Bcplint, git_repo: Path) -> None:
    organisation(git_repo)
    (git_repo / "bcp" / "contacts.yaml").write_bytes(b"\xff\xfe broken")  # would be a BCP001 if read
    git(git_repo, "add", "bcp/contacts.yaml")
    git(git_repo, "commit", "-qm", "broken")
    write(git_repo, "src/app.py", "print('hi')\n")
    git(git_repo, "add", "src/app.py")
    run = bcplint("check", "--staged", "--today", TODAY, cwd=git_repo)
    assert run.code == 0
    assert "nothing staged is a plan document or affects one" in run.err
    assert "0 documents across 0 files" in run.out


def test_a_staged_configuration_change_puts_everything_in_scope(bcplint: Bcplint, git_repo: Path) -> None:
    organisation(git_repo)
    write(git_repo, ".bcplint.yaml", "select: [BCP202]\n")
    git(git_repo, "add", ".bcplint.yaml")
    result = staged(bcplint, git_repo)
    assert {f["path"] for f in result["findings"]} == {"bcp/services/support.yaml"}
    assert result["summary"]["documents"] == 8


def test_staged_and_rev_together_are_a_usage_error(bcplint: Bcplint, git_repo: Path) -> None:
    organisation(git_repo)
    run = bcplint("check", "--staged", "--rev", "HEAD", cwd=git_repo)
    assert run.code == 2 and "--staged and --rev cannot be combined" in run.err


def test_staged_outside_git_is_a_usage_error(bcplint: Bcplint, tmp_path: Path) -> None:
    write(tmp_path, "plan.yaml", PRINTER)
    run = bcplint("check", "--staged", cwd=tmp_path)
    assert run.code == 2 and "--staged needs a git repository" in run.err


# --- the environment git gives hooks -------------------------------------------------------------


def test_hook_variables_for_git(tmp_path: Path) -> None:
    given = {"GIT_INDEX_FILE": ".git/index", "GIT_DIR": ".git", "GIT_WORK_TREE": "/w", "HOME": "/h"}
    env = git_environment(given, str(tmp_path))
    assert env["GIT_INDEX_FILE"] == ".git/index"  # git resolves it against the top of the work tree
    assert env["GIT_DIR"] == str(tmp_path / ".git")  # git resolves it where it starts: made absolute
    assert env["GIT_WORK_TREE"] == "/w" and env["HOME"] == "/h"
    assert env["GIT_OPTIONAL_LOCKS"] == "0"


def test_staged_reads_the_index_named_by_git_index_file(
    bcplint: Bcplint, git_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As inside `git commit -a`: the index to lint is another file, named relative to the root."""
    organisation(git_repo)
    shutil.copy(git_repo / ".git" / "index", git_repo / ".git" / "next-index")
    write(git_repo, "bcp/systems/db.yaml", DB.format(rto="8h"))
    env = {**os.environ, "GIT_INDEX_FILE": ".git/next-index", "GIT_CONFIG_GLOBAL": os.devnull}
    subprocess.run(["git", "add", "bcp/systems/db.yaml"], cwd=git_repo, env=env, check=True)
    monkeypatch.setenv("GIT_INDEX_FILE", ".git/next-index")  # as git names it: from the top of the work tree
    result = staged(bcplint, git_repo / "bcp")  # a run from a subdirectory must still find it
    assert ("BCP204", "bcp/services/webshop.yaml") in {(f["rule_id"], f["path"]) for f in result["findings"]}
    monkeypatch.delenv("GIT_INDEX_FILE")
    assert "BCP204" not in {f["rule_id"] for f in staged(bcplint, git_repo)["findings"]}  # the real index


# --- unsaved buffers (the language server) ------------------------------------------------------


def test_an_unsaved_buffer_is_judged_against_the_whole_workspace(git_repo: Path) -> None:

    organisation(git_repo)
    shop = git_repo / "bcp" / "services" / "webshop.yaml"
    day = dt.date.fromisoformat(TODAY)
    edited = WEBSHOP.replace("owner: cto", "owner: nobody").encode()
    result = lint(LintOptions(paths=[str(shop)], overlays={shop: edited}, today=day, cwd=git_repo))
    assert ("BCP003", "bcp/services/webshop.yaml", 4) in {(f.rule_id, f.path, f.line) for f in result.findings}
    assert shop.read_text(encoding="utf-8") == WEBSHOP  # the file on disk is untouched
    unsaved = git_repo / "bcp" / "services" / "new.yaml"  # not on disk at all
    added = lint(
        LintOptions(
            paths=[str(git_repo / "bcp")],
            overlays={unsaved: b"apiVersion: bcplint/v1\nkind: Contact\nname: cto\n"},
            today=day,
            cwd=git_repo,
        )
    )
    assert ("BCP004", "bcp/services/new.yaml") in {(f.rule_id, f.path) for f in added.findings}
