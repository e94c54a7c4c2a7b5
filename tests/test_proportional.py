"""Narrowed runs judge only what they report, and report exactly what a full run narrowed does.

Paths, ``--staged`` and ``--changed-since`` narrow the report to a scope; the engine then
evaluates document checks on the documents in focus (the scope, what exemptions in it could
hide, same-named documents, and what a Service's maturity depends on) and turns only their
hits into findings (bcplint.engine.scope.focus). Every scope of these workspaces must give the
same narrowed result either way: findings, exemptions with their use counts and hints,
passing checks, maturity levels and counts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bcplint.api import LintOptions, enabled_rules, lint
from bcplint.checks import objectives, structure
from bcplint.engine import evaluate
from bcplint.engine.run import Run, check
from bcplint.engine.scope import Scope, affected_by, focus, narrow, under_paths
from bcplint.exemptions.baseline import load_baseline, write
from bcplint.load.discover import find_workspaces
from bcplint.load.files import load_files
from bcplint.load.positions import PositionIndex
from bcplint.workspace.documents import Document, Workspace, build_workspace
from tests.conftest import TODAY, git
from tests.conftest import Run as CliRun
from tests.conftest import write as write_file
from tests.test_determinism import EXTRA_FILES, golden_files

DAY = dt.date.fromisoformat(TODAY)

# Beyond the golden workspace and the determinism extras (a cycle, twins, waivers, an inline
# suppression): a waiver apart from its target, twins that a baseline counts (one with a finding
# suppressed inline: a change to the other judges it, outside the scope), a Service whose
# maturity hangs on a System in another file, an exercise naming a Service.
MORE: dict[str, str | bytes] = {
    "bcp/apart/target.yaml": (
        "apiVersion: bcplint/v1\nkind: Service\nname: lonely\ncriticality: high\nrto: 2h\nrpo: 1h\n"
    ),
    "bcp/apart/waiver.yaml": (
        "apiVersion: bcplint/v1\nkind: Waiver\nname: lonely-owner\nrule: BCP101\ntarget: lonely\n"
        "reason: Reorganisation\napproved_by: ops-lead\nexpires: 2027-06-30\n"
    ),
    "bcp/twins/a.yaml": (
        "apiVersion: bcplint/v1\nkind: Service\n"
        "name: twin-svc  # bcplint: ignore[BCP101] until=2027-01-31 -- owner being hired\ncriticality: high\n"
    ),
    "bcp/twins/b.yaml": "apiVersion: bcplint/v1\nkind: Service\nname: twin-svc\ncriticality: high\n",
    "bcp/chain/front.yaml": (
        "apiVersion: bcplint/v1\nkind: Service\nname: front\nowner: ops-lead\ncriticality: critical\n"
        "rto: 1h\nrpo: 5m\ndepends_on: [back, archive]\n"
    ),
    "bcp/chain/back.yaml": (
        "apiVersion: bcplint/v1\nkind: System\nname: back\nowner: ops-lead\ncriticality: critical\n"
        "rto: 8h\nrpo: 5m\nbackups: [{name: b, frequency: 1h, location: {provider: aws, region: eu-west-1}}]\n"
    ),
    # Out of continuity scope, and depended on: listed as an exclusion where it is in scope.
    "bcp/chain/archive.yaml": (
        "apiVersion: bcplint/v1\nkind: System\nname: archive\nowner: ops-lead\ncriticality: low\n"
        "out_of_scope: {reason: kept only for the auditors, approved_by: ops-lead}\n"
    ),
    "bcp/chain/drill.yaml": (
        "apiVersion: bcplint/v1\nkind: Exercise\nname: front-drill\ntype: tabletop\ndate: 2026-02-01\n"
        "scope: [front]\nresult: partial\n"
    ),
}


def files() -> dict[str, str | bytes]:
    return {**golden_files(), **EXTRA_FILES, **MORE}


def make(root: Path, contents: dict[str, str | bytes]) -> Path:
    for relative, content in contents.items():
        write_file(root, relative, content)
    return root


@pytest.fixture(scope="module")
def workspace_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make(tmp_path_factory.mktemp("proportional") / "ws", files())


def loaded(root: Path) -> tuple[Workspace, tuple[Any, ...]]:
    files_, _ = load_files(find_workspaces(["."], cwd=root)[0], cache=None)
    rules = tuple(enabled_rules(LintOptions(cwd=root)))
    return build_workspace(files_, DAY), rules


def scopes(workspace: Workspace) -> Iterator[tuple[str, Scope]]:
    """Every file as a path; every file as a change; a directory; two changes at once."""
    paths = sorted({f.path for f in workspace.files})
    for path in paths:
        yield f"path {path}", under_paths([path])
        yield f"changed {path}", affected_by(workspace, {path})
    yield "path bcp/chain", under_paths(["bcp/chain"])
    yield "changed twins", affected_by(workspace, {"bcp/twins/b.yaml", "bcp/apart/waiver.yaml"})
    yield "a name removed", affected_by(workspace, {"bcp/chain/back.yaml"}, {"gone-system"})


def runs(rules: tuple[Any, ...], root: Path, workspace: Workspace) -> Iterator[tuple[str, Run]]:
    yield "plain", Run(rules=rules, today=DAY)
    yield "maturity and checks", Run(rules=rules, today=DAY, record_checks=True, assess_maturity=True)
    # A baseline of part of today's findings, so some entries match and some are left unused.
    everything = check(Run(rules=rules, today=DAY), workspace)
    stream = io.StringIO()
    write(everything.findings[::2], stream, baselinable={r.id for r in rules if r.baselinable})
    baseline_file = root.parent / "baseline.json"
    baseline_file.write_text(stream.getvalue(), encoding="utf-8")
    yield "baseline", Run(rules=rules, today=DAY, baseline=load_baseline(baseline_file, "baseline.json"))


def test_every_narrowed_run_equals_the_full_run_narrowed(workspace_root: Path) -> None:
    workspace, rules = loaded(workspace_root)
    judged = 0
    for run_label, run in runs(rules, workspace_root, workspace):
        full = check(run, workspace)
        # Workspace checks that look only at the documents in focus are among those compared.
        assert "BCP003" in {f.rule_id for f in full.findings}
        for scope_label, scope in scopes(workspace):
            chosen = focus(scope, workspace, baseline=run.baseline, maturity=run.assess_maturity)
            expected = narrow(full, scope, workspace)
            got = narrow(check(run, workspace, focus=chosen), scope, workspace)
            assert got == expected, f"{run_label}, {scope_label}"
            judged += chosen is not None
    assert judged > 50, "most scopes are narrower than the workspace"


def test_a_focus_holds_what_exemptions_in_scope_can_hide_and_same_named_documents(workspace_root: Path) -> None:
    workspace, _ = loaded(workspace_root)
    chosen = focus(affected_by(workspace, {"bcp/apart/waiver.yaml"}), workspace)
    assert chosen is not None
    names = {(d.path, d.name) for d in chosen.documents}
    assert ("bcp/apart/target.yaml", "lonely") in names, "the waiver's target is judged, so it is not 'unused'"
    twins = focus(under_paths(["bcp/twins/a.yaml"]), workspace)
    assert twins is not None
    assert {d.path for d in twins.documents if d.name == "twin-svc"} == {"bcp/twins/a.yaml", "bcp/twins/b.yaml"}
    front = focus(under_paths(["bcp/chain/front.yaml"]), workspace, maturity=True)
    assert front is not None
    assert {"back", "front-drill"} <= {d.name for d in front.documents}, "what front's maturity depends on"
    assert focus(Scope(), workspace) is None


def test_a_baseline_in_scope_means_judging_everything(workspace_root: Path) -> None:
    workspace, rules = loaded(workspace_root)
    baseline = next(run.baseline for label, run in runs(rules, workspace_root, workspace) if run.baseline)
    assert baseline is not None
    assert focus(under_paths([baseline.path]), workspace, baseline=baseline) is None
    assert focus(under_paths(["bcp/chain"]), workspace, baseline=baseline) is not None


class Spy:
    """Documents given to document checks, and positions looked up, during one run."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.documents: set[int] = set()
        self.positions = 0
        real_selected = evaluate._selected
        real_locate = PositionIndex.locate

        def selected(*args: Any, **kwargs: Any) -> Iterator[Document]:
            for doc in real_selected(*args, **kwargs):
                self.documents.add(id(doc))
                yield doc

        def locate(index: PositionIndex, *args: Any, **kwargs: Any) -> tuple[int, int]:
            self.positions += 1
            return real_locate(index, *args, **kwargs)

        monkeypatch.setattr(evaluate, "_selected", selected)
        monkeypatch.setattr(PositionIndex, "locate", locate)

    def reset(self) -> tuple[int, int]:
        seen = (len(self.documents), self.positions)
        self.documents, self.positions = set(), 0
        return seen


def organisation(services: int) -> dict[str, str]:
    """``services`` Services, each on a System of its own, owned by Contacts; every fourth with a gap."""
    contents = {".bcplint.yaml": ""}
    for i in range(services):
        owner = f"owner: c{i % 10}\n" if i % 4 else ""
        contents[f"bcp/services/s{i:03d}.yaml"] = (
            f"apiVersion: bcplint/v1\nkind: Service\nname: s{i}\n{owner}criticality: high\nrto: 2h\nrpo: 1h\n"
            f"depends_on: [y{i}]\n"
        )
        contents[f"bcp/systems/y{i:03d}.yaml"] = (
            f"apiVersion: bcplint/v1\nkind: System\nname: y{i}\nowner: c{i % 10}\ncriticality: high\n"
            "rto: 1h\nrpo: 1h\nbackups: [{name: b, frequency: 1h, location: {provider: aws, region: eu-west-1}}]\n"
        )
    for i in range(10):
        contents[f"bcp/contacts/c{i}.yaml"] = (
            f"apiVersion: bcplint/v1\nkind: Contact\nname: c{i}\nemail: c{i}@example.com\nphone: '+1-555-01{i:02d}'\n"
        )
    return contents


def staged(bcplint: Callable[..., CliRun], repo: Path, *extra: str) -> dict[str, Any]:
    run = bcplint("check", "--staged", "--today", TODAY, "--format", "json", "--no-cache", *extra, cwd=repo)
    assert run.code in (0, 1), run.err
    return json.loads(run.out)  # type: ignore[no-any-return]


def test_a_staged_edit_judges_its_neighbourhood_not_the_workspace(
    bcplint: Callable[..., CliRun], git_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make(git_repo, organisation(60))
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "organisation")
    spy = Spy(monkeypatch)
    full = bcplint("check", "--today", TODAY, "--format", "json", "--no-cache", cwd=git_repo)
    assert full.code == 1
    documents_full, positions_full = spy.reset()
    assert documents_full == 130  # 60 Services, 60 Systems and 10 Contacts (date-in-future reads last_verified)
    edited = git_repo / "bcp/services/s009.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("owner: c9\n", ""), encoding="utf-8")
    git(git_repo, "add", str(edited))
    report = staged(bcplint, git_repo)
    documents, positions = spy.reset()
    assert {f["path"] for f in report["findings"]} == {"bcp/services/s009.yaml"}
    assert {f["rule_id"] for f in report["findings"]} >= {"BCP101"}
    assert 0 < documents <= 3, "the Service, and no more than what the report needs"
    assert positions < positions_full / 10


def test_a_staged_waiver_is_judged_against_its_unchanged_target(bcplint: Callable[..., CliRun], git_repo: Path) -> None:
    contents: dict[str, str | bytes] = {".bcplint.yaml": "", **{k: v for k, v in MORE.items() if "apart" in k}}
    contents["bcp/people.yaml"] = "apiVersion: bcplint/v1\nkind: Contact\nname: ops-lead\nemail: o@example.com\n"
    make(git_repo, contents)
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "plan")
    waiver = git_repo / "bcp/apart/waiver.yaml"
    waiver.write_text(waiver.read_text(encoding="utf-8").replace("Reorganisation", "Reorganisation, phase 2"))
    git(git_repo, "add", str(waiver))
    report = staged(bcplint, git_repo)
    assert [f for f in report["findings"] if f["rule_id"] == "BCP802"] == [], "the waiver still hides a finding"
    assert {f["path"] for f in report["findings"]} <= {"bcp/apart/waiver.yaml"}
    result = lint(LintOptions(cwd=git_repo, staged=True, today=DAY, cache=False))
    assert [(e.name, e.status, e.matched) for e in result.exemptions] == [("lonely-owner", "active", 1)]
    # The same report as judging the whole workspace and narrowing afterwards.
    workspace, rules = loaded(git_repo)
    run = Run(rules=rules, today=DAY, assess_maturity=True)
    scope = affected_by(workspace, {"bcp/apart/waiver.yaml"})
    assert narrow(check(run, workspace), scope, workspace) == narrow(
        check(run, workspace, focus=focus(scope, workspace, maturity=True)), scope, workspace
    )


def test_narrowed_results_carry_no_finding_from_outside_the_scope(workspace_root: Path) -> None:
    """Judging a focus can only add findings outside the scope; narrowing removes them all."""
    workspace, rules = loaded(workspace_root)
    run = Run(rules=rules, today=DAY, assess_maturity=True, record_checks=True)
    scope = affected_by(workspace, {"bcp/chain/drill.yaml"})
    chosen = focus(scope, workspace, maturity=True)
    assert chosen is not None
    judged = check(run, workspace, focus=chosen)
    assert {f.path for f in judged.findings} <= {d.path for d in chosen.documents} | chosen.files
    narrowed = narrow(judged, scope, workspace)
    assert all(scope.has_document(f.path, f.document) for f in narrowed.findings)
    assert dataclasses.replace(narrowed, findings=()) == dataclasses.replace(
        narrow(check(run, workspace), scope, workspace), findings=()
    )


def test_a_staged_edit_reports_what_it_breaks_below(bcplint: Callable[..., CliRun], git_repo: Path) -> None:
    """Objectives flow down and a service's criticality decides what its sites need: an edit
    to a Service can break a System or a Site it relies on, and the hook must say so."""
    make(
        git_repo,
        {
            ".bcplint.yaml": "",
            "bcp/service.yaml": "apiVersion: bcplint/v1\nkind: Service\nname: shop\nowner: cto\ncriticality: low\n"
            "rto: 4h\nrpo: 1h\ndepends_on: [shop-api, office]\n",
            "bcp/api.yaml": "apiVersion: bcplint/v1\nkind: System\nname: shop-api\nowner: cto\ncriticality: high\n"
            "stateless: true\n",
            "bcp/office.yaml": "apiVersion: bcplint/v1\nkind: Site\nname: office\ntype: office\n",
            "bcp/cto.yaml": "apiVersion: bcplint/v1\nkind: Contact\nname: cto\nemail: c@example.com\nphone: '1'\n",
            "bcp/other.yaml": "apiVersion: bcplint/v1\nkind: System\nname: printer\ncriticality: high\n",
        },
    )
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "plan")
    service = git_repo / "bcp/service.yaml"
    text = service.read_text(encoding="utf-8")
    service.write_text(text.replace("rto: 4h\n", "").replace("criticality: low", "criticality: critical"), "utf-8")
    git(git_repo, "add", str(service))
    report = staged(bcplint, git_repo, "--select", "BCP201,BCP704")
    found = {(f["rule_id"], f["document"]) for f in report["findings"]}
    # The service lost its RTO, so the API below it no longer inherits one; the office now
    # serves a critical service and has no alternate. The unrelated printer is not reported.
    assert found == {("BCP201", "shop"), ("BCP201", "shop-api"), ("BCP704", "office")}


def _commit_then_stage(git_repo: Path, files: dict[str, str], edits: dict[str, str]) -> None:
    make(git_repo, {".bcplint.yaml": "", **files})
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "plan")
    for path, text in edits.items():
        (git_repo / path).write_text(text, encoding="utf-8")
        git(git_repo, "add", path)


def test_a_staged_dependency_dropped_reports_what_stops_inheriting(
    bcplint: Callable[..., CliRun], git_repo: Path
) -> None:
    """The database no longer inherits the service's RPO once the API stops keeping data in it:
    the staged run must see the edge the change removed."""
    api = "apiVersion: bcplint/v1\nkind: System\nname: api\ncriticality: high\nstateless: true\ndepends_on: [{dep}]\n"
    _commit_then_stage(
        git_repo,
        {
            "bcp/svc.yaml": "apiVersion: bcplint/v1\nkind: Service\nname: svc\ncriticality: high\nrpo: 15m\n"
            "depends_on: [api]\n",
            "bcp/api.yaml": api.format(dep="db"),
            "bcp/db.yaml": "apiVersion: bcplint/v1\nkind: System\nname: db\ncriticality: critical\nrto: 30m\n",
        },
        {"bcp/api.yaml": api.format(dep="{name: db, type: recovery}")},
    )
    found = {(f["rule_id"], f["document"]) for f in staged(bcplint, git_repo, "--select", "BCP202")["findings"]}
    assert found == {("BCP202", "db")}


def test_a_staged_alternate_or_team_member_reports_who_relies_on_them(
    bcplint: Callable[..., CliRun], git_repo: Path
) -> None:
    """An alternate Site moved into its primary's town, a team member no longer reachable: the
    findings fall on the Site and on the service the team owns, which were not staged."""
    person = "apiVersion: bcplint/v1\nkind: Contact\nname: {name}\nemail: {name}@example.com\n{phone}"
    site = "apiVersion: bcplint/v1\nkind: Site\nname: backup-office\ntype: office\nlocation: {town}\n"
    _commit_then_stage(
        git_repo,
        {
            "bcp/svc.yaml": "apiVersion: bcplint/v1\nkind: Service\nname: svc\nowner: team\ncriticality: critical\n"
            "rto: 1d\nrpo: 1d\ndepends_on: [office]\n",
            "bcp/office.yaml": "apiVersion: bcplint/v1\nkind: Site\nname: office\ntype: office\nlocation: Leeds\n"
            "alternate: backup-office\n",
            "bcp/backup.yaml": site.format(town="York"),
            "bcp/team.yaml": "apiVersion: bcplint/v1\nkind: Team\nname: team\nmembers: [alice, bob]\n",
            "bcp/alice.yaml": person.format(name="alice", phone="phone: '1'\n"),
            "bcp/bob.yaml": person.format(name="bob", phone="phone: '2'\n"),
        },
        {
            "bcp/backup.yaml": site.format(town="Leeds"),
            "bcp/bob.yaml": person.format(name="bob", phone=""),
        },
    )
    found = {(f["rule_id"], f["document"]) for f in staged(bcplint, git_repo, "--select", "BCP102,BCP704")["findings"]}
    assert found == {("BCP704", "office"), ("BCP102", "svc")}


def test_a_narrowed_run_reads_the_references_of_the_documents_in_focus_only(
    workspace_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """unknown-reference's hit on a document comes from that document's references alone, so a
    narrowed run walks only the references of what it reports (the equality with the full run
    narrowed is tested above)."""
    workspace, rules = loaded(workspace_root)
    read: list[Document] = []
    real = structure.references

    def references(doc: Document) -> Any:
        read.append(doc)
        return real(doc)

    monkeypatch.setattr(structure, "references", references)
    run = Run(rules=rules, today=DAY)
    check(run, workspace)
    assert len(read) == sum(1 for _ in workspace.valid())
    scope = under_paths(["bcp/chain/front.yaml"])
    chosen = focus(scope, workspace)
    assert chosen is not None
    read.clear()
    narrowed = narrow(check(run, workspace, focus=chosen), scope, workspace)
    assert read and set(read) <= chosen.documents
    assert narrowed == narrow(check(run, workspace), scope, workspace)


def test_a_narrowed_run_walks_only_what_the_focus_depends_on_for_inversions(
    workspace_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dependency-objective's finding on a document is decided by what it depends on, so a
    narrowed run computes the longest objective below the documents in focus only."""
    workspace, rules = loaded(workspace_root)
    walked: list[set[str]] = []
    real = objectives.longest_below

    def longest_below(graph: dict[str, list[str]], values: Any) -> Any:
        walked.append(set(graph))
        return real(graph, values)

    monkeypatch.setattr(objectives, "longest_below", longest_below)
    run = Run(rules=rules, today=DAY)
    check(run, workspace)
    everything = set().union(*walked)
    assert {"front", "back"} <= everything
    scope = under_paths(["bcp/chain/front.yaml"])
    chosen = focus(scope, workspace)
    assert chosen is not None
    walked.clear()
    narrowed = narrow(check(run, workspace, focus=chosen), scope, workspace)
    assert walked and set().union(*walked) == {"front", "back"} < everything
    assert ("BCP204", "front") in {(f.rule_id, f.document) for f in narrowed.findings}
    assert narrowed == narrow(check(run, workspace), scope, workspace)
