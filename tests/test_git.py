"""Git-native features on real repositories: BCP304, --rev and --changed-since. No git mocks."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from bcplint.checks.continuity import SUBJECT_LENGTH, _subject
from bcplint.git.runner import toplevel
from tests.conftest import TODAY, Run, git, write

PLAN = """\
apiVersion: bcplint/v1
kind: Plan
name: bcp
owner: cto
covers: [shop]
reviewed: {by: cto, "on": 2026-06-01}
"""
CONTACT = "apiVersion: bcplint/v1\nkind: Contact\nname: cto\n"
SHOP = """\
apiVersion: bcplint/v1
kind: Service
name: shop
owner: cto
criticality: high
rto: 4h
depends_on: [db]
"""
DB = """\
apiVersion: bcplint/v1
kind: System
name: db
owner: cto
criticality: high
rto: {rto}
"""
UNRELATED = "apiVersion: bcplint/v1\nkind: System\nname: printer\ncriticality: low\n"


def commit(repo: Path, message: str, date: str) -> str:
    """Commit everything with author and committer dates set; return the commit's hash."""
    env = {"GIT_AUTHOR_DATE": f"{date}T12:00:00Z", "GIT_COMMITTER_DATE": f"{date}T12:00:00Z"}
    git(repo, "add", "-A")
    subprocess.run(
        ["git", "commit", "-q", "-m", message],
        cwd=repo,
        env={
            **os.environ,
            **env,
            "GIT_AUTHOR_NAME": "T",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "T",
            "GIT_COMMITTER_EMAIL": "t@example.com",
            "GIT_CONFIG_GLOBAL": os.devnull,
        },
        check=True,
    )
    return git(repo, "rev-parse", "HEAD").strip()


def plan_repo(repo: Path) -> None:
    write(repo, "bcp/plan.yaml", PLAN)
    write(repo, "bcp/contacts.yaml", CONTACT)
    write(repo, "bcp/shop.yaml", SHOP)
    write(repo, "bcp/db.yaml", DB.format(rto="2h"))
    write(repo, "bcp/printer.yaml", UNRELATED)
    commit(repo, "Initial plan", "2026-05-01")


def findings(run: Run) -> list[dict[str, object]]:
    return list(json.loads(run.out)["findings"])


# --- BCP304 review-after-change ---------------------------------------------------------------


def test_bcp304_names_the_file_and_commit_changed_after_the_review(bcplint: Callable[..., Run], git_repo: Path) -> None:
    plan_repo(git_repo)
    write(git_repo, "bcp/printer.yaml", UNRELATED.replace("low", "medium"))  # not covered: ignored
    commit(git_repo, "Printer is more important now", "2026-06-20")
    args = ("check", "--today", TODAY, "--select", "BCP304", "--format", "json")
    assert findings(bcplint(*args, cwd=git_repo)) == []

    write(git_repo, "bcp/db.yaml", DB.format(rto="6h"))  # db: a dependency of the covered service
    sha = commit(git_repo, "Relax the database RTO", "2026-07-02")
    [finding] = findings(bcplint(*args, cwd=git_repo))
    assert (finding["path"], finding["line"], finding["column"]) == ("bcp/plan.yaml", 6, 27)
    assert finding["message"] == (
        "Plan 'bcp' was last reviewed on 2026-06-01, but bcp/db.yaml has changed since, in "
        f"commit {sha[:7]} on 2026-07-02 ('Relax the database RTO')"
    )
    write(git_repo, "bcp/shop.yaml", SHOP.replace("4h", "3h"))
    sha = commit(git_repo, "Tighten the shop RTO", "2026-07-05")
    [finding] = findings(bcplint(*args, cwd=git_repo))  # still one finding, naming the latest
    assert finding["message"] == (
        "Plan 'bcp' was last reviewed on 2026-06-01, but 2 files it relies on have changed since; the latest "
        f"change is to bcp/shop.yaml, in commit {sha[:7]} on 2026-07-05 ('Tighten the shop RTO')"
    )
    assert finding["severity"] == "warning"

    write(git_repo, "bcp/plan.yaml", PLAN.replace("2026-06-01", "2026-07-06"))  # reviewed again
    commit(git_repo, "Review after the RTO changes", "2026-07-06")
    assert findings(bcplint(*args, cwd=git_repo)) == []


def test_bcp304_cuts_a_long_commit_subject_at_a_word(bcplint: Callable[..., Run], git_repo: Path) -> None:
    """A commit subject of a few hundred characters would make the finding a paragraph: the
    message keeps its first 72 characters or fewer, cut at a word, and says so with an ellipsis."""
    plan_repo(git_repo)
    subject = "Relax the database RTO " + "because the vendor changed its terms and nobody told us " * 6
    write(git_repo, "bcp/db.yaml", DB.format(rto="6h"))
    commit(git_repo, subject, "2026-07-02")
    [finding] = findings(bcplint("check", "--today", TODAY, "--select", "BCP304", "--format", "json", cwd=git_repo))
    shown = str(finding["message"]).split(" ('", 1)[1].removesuffix("')")
    assert shown.endswith("…") and len(shown) <= 72 and subject.startswith(shown[:-1])
    assert subject[len(shown) - 1] == " "  # cut between words


@pytest.mark.parametrize(
    ("subject", "shown"),
    [
        ("Relax the database RTO", "Relax the database RTO"),  # short: as written
        ("x" * 66 + " yyyy zzz", "x" * 66 + " yyyy…"),  # the room ends between two words
        ("Fix: " + "a" * 80, "Fix: " + "a" * 66 + "…"),  # one long word: cut where the room ends
        ("a" * 100, "a" * 71 + "…"),
    ],
)
def test_a_commit_subject_is_cut_to_fit_a_message(subject: str, shown: str) -> None:
    assert _subject(subject) == shown and len(shown) <= SUBJECT_LENGTH


def test_a_directory_inside_a_git_directory_with_a_work_tree_finds_it(tmp_path: Path) -> None:
    """No `.git` above it, but git knows the repository (core.worktree): bcplint asks git too."""
    repo, work = tmp_path / "repo.git", tmp_path / "work"
    work.mkdir()
    subprocess.run(["git", "init", "-q", "--bare", str(repo)], check=True)
    git(repo, "config", "core.worktree", str(work))
    git(repo, "config", "core.bare", "false")
    (repo / "bcp").mkdir()
    assert toplevel(str(repo / "bcp")) == work


def test_bcp304_counts_a_branch_change_from_the_day_it_was_merged(bcplint: Callable[..., Run], git_repo: Path) -> None:
    """Changed on a branch on 11-21, the plan reviewed on main on 11-23, merged with --no-ff
    on 11-27: the change reached main after the review."""
    plan_repo(git_repo)
    git(git_repo, "checkout", "-q", "-b", "rto-change")
    write(git_repo, "bcp/db.yaml", DB.format(rto="6h"))
    commit(git_repo, "Relax the database RTO", "2026-11-21")
    git(git_repo, "checkout", "-q", "main")
    write(git_repo, "bcp/plan.yaml", PLAN.replace("2026-06-01", "2026-11-23"))
    commit(git_repo, "Annual review", "2026-11-23")
    args = ("check", "--today", "2026-11-28", "--select", "BCP304", "--format", "json")
    assert findings(bcplint(*args, cwd=git_repo)) == []  # nothing merged yet
    env = {"GIT_AUTHOR_DATE": "2026-11-27T12:00:00Z", "GIT_COMMITTER_DATE": "2026-11-27T12:00:00Z"}
    subprocess.run(
        ["git", "merge", "-q", "--no-ff", "rto-change", "-m", "Merge the RTO change"],
        cwd=git_repo,
        env={
            **os.environ,
            **env,
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_COMMITTER_NAME": "T",
            "GIT_COMMITTER_EMAIL": "t@example.com",
            "GIT_AUTHOR_NAME": "T",
            "GIT_AUTHOR_EMAIL": "t@example.com",
        },
        check=True,
    )
    [finding] = findings(bcplint(*args, cwd=git_repo))
    assert "bcp/db.yaml has changed since" in finding["message"]
    assert "on 2026-11-27 ('Merge the RTO change')" in finding["message"]


def test_bcp304_is_skipped_with_a_note_outside_git(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    write(tmp_path, "bcp/plan.yaml", PLAN)
    write(tmp_path, "bcp/rest.yaml", CONTACT + "---\n" + SHOP + "---\n" + DB.format(rto="2h"))
    run = bcplint("check", "bcp", "--today", TODAY, "--select", "BCP304", cwd=tmp_path)
    assert run.code == 0
    assert run.err.count("BCP304 review-after-change was skipped") == 1
    assert "not inside a git repository" in run.err


def test_bcp304_is_skipped_with_a_note_in_a_shallow_clone(
    bcplint: Callable[..., Run], git_repo: Path, tmp_path: Path
) -> None:
    plan_repo(git_repo)
    write(git_repo, "bcp/db.yaml", DB.format(rto="6h"))
    commit(git_repo, "Relax the database RTO", "2026-07-02")
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{git_repo}", str(clone))
    run = bcplint("check", "--today", TODAY, "--select", "BCP304", cwd=clone)
    assert run.code == 0
    assert "shallow clone" in run.err and "fetch-depth: 0" in run.err


# A graph where Plans share dependencies, one relies on a cycle, two documents share a file,
# a Plan covers a name nobody holds and reviews fall before, between and after the changes.
SHARED_GRAPH = {
    "bcp/plans.yaml": "".join(
        f"---\napiVersion: bcplint/v1\nkind: Plan\nname: {name}\ncovers: [{covers}]\n"
        f'reviewed: {{by: cto, "on": {on}}}\n'
        for name, covers, on in (
            ("early", "front, back", "2026-03-01"),
            ("middle", "back, nobody", "2026-06-15"),
            ("late", "edge", "2026-07-15"),
            ("covers-nothing", "", "2026-01-01"),
            ("after-all", "front, edge", "2026-12-01"),
        )
    ),
    "bcp/looping.yaml": (
        'apiVersion: bcplint/v1\nkind: Plan\nname: looping\ncovers: [loop-a]\nreviewed: {by: cto, "on": 2026-04-01}\n'
    ),
    "bcp/front.yaml": "apiVersion: bcplint/v1\nkind: Service\nname: front\ndepends_on: [one, two]\n",
    "bcp/back.yaml": "apiVersion: bcplint/v1\nkind: Service\nname: back\ndepends_on: [two, three]\n",
    "bcp/edge.yaml": "apiVersion: bcplint/v1\nkind: Service\nname: edge\ndepends_on: [three]\n",
    "bcp/one.yaml": "apiVersion: bcplint/v1\nkind: System\nname: one\ndepends_on: [two]\n",
    "bcp/two.yaml": "apiVersion: bcplint/v1\nkind: System\nname: two\ndepends_on: [four]\n",
    "bcp/three.yaml": "apiVersion: bcplint/v1\nkind: System\nname: three\ndepends_on: [loop-a]\n",
    "bcp/loop.yaml": "apiVersion: bcplint/v1\nkind: System\nname: loop-a\ndepends_on: [loop-b]\n",
    "bcp/shared.yaml": (
        "apiVersion: bcplint/v1\nkind: System\nname: four\n---\n"
        "apiVersion: bcplint/v1\nkind: System\nname: loop-b\ndepends_on: [loop-a]\n"
    ),
    "bcp/contacts.yaml": CONTACT,
}


def _walk_per_plan(repo: Path) -> dict[str, str]:
    """Plan name -> the detail of its BCP304 finding, worked out as BCP304 first did: a walk of
    everything each Plan relies on, then the changed files among them (the oracle)."""
    from bcplint.api import LintOptions, load_workspace  # noqa: PLC0415 - the oracle's own imports
    from bcplint.engine.history import file_history  # noqa: PLC0415
    from bcplint.model.kinds import Plan  # noqa: PLC0415
    from bcplint.workspace.graph import relied_on  # noqa: PLC0415

    workspace = load_workspace(LintOptions(cwd=repo))
    history, _ = file_history(workspace, repo, "HEAD")
    assert history is not None
    details = {}
    for doc in workspace.valid(("Plan",)):
        plan = doc.model
        assert isinstance(plan, Plan) and plan.reviewed is not None and plan.reviewed.on is not None
        paths = sorted({d.path for d in relied_on(workspace, plan.covers)})
        changed = [(c, path) for path in paths if (c := history.get(path)) and c.date > plan.reviewed.on]
        if changed:
            latest, path = max(changed, key=lambda item: (item[0].date, item[1]))
            commit_ = f"commit {latest.short} on {latest.date.isoformat()} ({latest.subject!r})"
            many = f"{len(changed)} files it relies on have changed since; the latest change is to {path}"
            what = f"{path} has changed since, in {commit_}" if len(changed) == 1 else f"{many}, in {commit_}"
            details[doc.name or ""] = f"was last reviewed on {plan.reviewed.on.isoformat()}, but {what}"
    return details


def test_bcp304_on_shared_dependencies_and_a_cycle_matches_a_walk_per_plan(
    bcplint: Callable[..., Run], git_repo: Path
) -> None:
    """BCP304 works out what every Plan relies on in one pass over the graph; its findings are
    those of a walk per Plan, on shared dependencies, a cycle and two documents in one file."""
    for relative, text in SHARED_GRAPH.items():
        write(git_repo, relative, text)
    commit(git_repo, "Everything", "2026-01-10")
    for day, relative in (("2026-05-01", "bcp/two.yaml"), ("2026-07-01", "bcp/shared.yaml")):
        write(git_repo, relative, SHARED_GRAPH[relative] + "# changed\n")
        commit(git_repo, f"Change {relative}", day)
    for day, relative in (("2026-08-01", "bcp/edge.yaml"), ("2026-10-01", "bcp/one.yaml")):
        write(git_repo, relative, SHARED_GRAPH[relative] + "# changed\n")
        commit(git_repo, f"Change {relative}", day)
    expected = _walk_per_plan(git_repo)
    # The oracle must see the cases: several files, one file, a cycle, and Plans that pass.
    assert sorted(expected) == ["early", "late", "looping", "middle"]
    assert "but bcp/shared.yaml has changed since" in expected["looping"]
    assert "3 files it relies on" in expected["early"]
    args = ("--today", "2026-11-28", "--select", "BCP304", "--format", "json")
    got = {f["document"]: f["message"] for f in findings(bcplint("check", *args, cwd=git_repo))}
    assert got == {name: f"Plan '{name}' {detail}" for name, detail in expected.items()}
    # Narrowed to one Plan, only what that Plan relies on is walked; its finding is the same.
    got = {f["document"]: f["message"] for f in findings(bcplint("check", "bcp/looping.yaml", *args, cwd=git_repo))}
    assert got == {"looping": f"Plan 'looping' {expected['looping']}"}


# --- --rev ------------------------------------------------------------------------------------


def _snapshot(repo: Path) -> tuple[str, dict[str, int]]:
    mtimes = {str(p): p.stat().st_mtime_ns for p in repo.rglob("*") if ".git" not in p.parts}
    return git(repo, "status", "--porcelain"), mtimes


def test_rev_lints_a_commit_without_touching_the_work_tree(bcplint: Callable[..., Run], git_repo: Path) -> None:
    plan_repo(git_repo)
    git(git_repo, "tag", "audit-2026")
    without_rto = SHOP.replace("rto: 4h\n", "")
    write(git_repo, "bcp/shop.yaml", without_rto)  # a gap, committed later
    commit(git_repo, "Drop the shop's RTO", "2026-08-01")
    write(git_repo, "bcp/shop.yaml", without_rto.replace("owner: cto\n", ""))  # an uncommitted gap
    write(git_repo, "bcp/new.yaml", UNRELATED.replace("printer", "scanner"))  # untracked
    before = _snapshot(git_repo)

    args = ("check", "--today", TODAY, "--select", "BCP101,BCP201", "--format", "json")
    now = {(f["rule_id"], f["document"]) for f in findings(bcplint(*args, cwd=git_repo))}
    assert now == {("BCP201", "shop"), ("BCP101", "shop"), ("BCP101", "scanner"), ("BCP101", "printer")}
    head = {(f["rule_id"], f["document"]) for f in findings(bcplint(*args, "--rev", "HEAD", cwd=git_repo))}
    assert head == {("BCP201", "shop"), ("BCP101", "printer")}  # the committed tree only
    tagged = bcplint(*args, "--rev", "audit-2026", cwd=git_repo)
    assert {(f["rule_id"], f["document"]) for f in findings(tagged)} == {("BCP101", "printer")}
    assert {f["path"] for f in findings(tagged)} == {"bcp/printer.yaml"}

    assert _snapshot(git_repo) == before  # status and every mtime unchanged


def test_rev_of_a_subdirectory_and_errors(bcplint: Callable[..., Run], git_repo: Path, tmp_path: Path) -> None:
    plan_repo(git_repo)
    write(git_repo, "other/printer.yaml", UNRELATED.replace("printer", "plotter"))
    commit(git_repo, "More", "2026-05-02")
    run = bcplint(
        "check", "bcp", "--today", TODAY, "--select", "BCP101", "--rev", "HEAD", "--format", "json", cwd=git_repo
    )
    assert {f["document"] for f in findings(run)} == {"printer"}
    bad = bcplint("check", "--rev", "no-such-tag", cwd=git_repo)
    assert bad.code == 2
    assert "--rev: unknown revision 'no-such-tag'" in bad.err
    outside = bcplint("check", "--rev", "HEAD", cwd=tmp_path)
    assert outside.code == 2
    assert "--rev needs a git repository" in outside.err


# --- --changed-since --------------------------------------------------------------------------


def branch_with_change(repo: Path) -> None:
    """main: the plan; feature: db's RTO relaxed (an inversion for shop, which depends on it)."""
    plan_repo(repo)
    write(repo, "bcp/printer.yaml", UNRELATED)  # printer has no owner: an old gap on main
    git(repo, "checkout", "-q", "-b", "feature")
    write(repo, "bcp/db.yaml", DB.format(rto="8h"))
    commit(repo, "Relax the database RTO", "2026-05-10")


def test_changed_since_reports_changed_documents_and_their_dependents(
    bcplint: Callable[..., Run], git_repo: Path
) -> None:
    branch_with_change(git_repo)
    args = ("check", "--today", TODAY, "--format", "json", "--ignore", "BCP304")
    everything = {(f["rule_id"], f["document"]) for f in findings(bcplint(*args, cwd=git_repo))}
    assert ("BCP101", "printer") in everything  # an old gap, unrelated to the change
    assert ("BCP204", "shop") in everything  # caused by the change, reported on the dependent
    changed = {(f["rule_id"], f["document"]) for f in findings(bcplint(*args, "--changed-since", "main", cwd=git_repo))}
    assert ("BCP204", "shop") in changed
    assert ("BCP101", "printer") not in changed
    assert {doc for _, doc in changed} <= {"db", "shop", "bcp"}  # db, its dependent shop, the plan covering it


def test_changed_since_counts_staged_unstaged_and_untracked_changes(
    bcplint: Callable[..., Run], git_repo: Path
) -> None:
    plan_repo(git_repo)
    git(git_repo, "checkout", "-q", "-b", "feature")
    write(git_repo, "bcp/contacts.yaml", CONTACT + "---\n" + CONTACT.replace("cto", "staged-person"))
    git(git_repo, "add", "bcp/contacts.yaml")
    write(git_repo, "bcp/printer.yaml", UNRELATED.replace("low", "high"))  # unstaged: now needs an RTO
    write(git_repo, "bcp/fresh.yaml", UNRELATED.replace("printer", "fresh"))  # untracked
    args = ("check", "--today", TODAY, "--format", "json", "--select", "BCP101,BCP201", "--changed-since", "main")
    reported = {(f["rule_id"], f["document"]) for f in findings(bcplint(*args, cwd=git_repo))}
    assert reported == {("BCP101", "printer"), ("BCP201", "printer"), ("BCP101", "fresh")}


def test_changed_since_in_a_shallow_clone_says_what_to_fetch(
    bcplint: Callable[..., Run], git_repo: Path, tmp_path: Path
) -> None:
    branch_with_change(git_repo)
    clone = tmp_path / "ci"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "feature", f"file://{git_repo}", str(clone))
    missing = bcplint("check", "--changed-since", "origin/main", cwd=clone)
    assert missing.code == 2
    assert "unknown revision 'origin/main'" in missing.err and "git fetch origin main" in missing.err
    git(clone, "fetch", "-q", "--depth", "1", "origin", "main:refs/remotes/origin/main")
    shallow = bcplint("check", "--changed-since", "origin/main", cwd=clone)
    assert shallow.code == 2
    assert "shallow clone" in shallow.err and "--deepen" in shallow.err
    git(clone, "fetch", "-q", "--unshallow", "origin", "main:refs/remotes/origin/main")
    fetched = bcplint("check", "--changed-since", "origin/main", "--today", TODAY, "--format", "json", cwd=clone)
    assert fetched.code == 1
    assert ("BCP204", "shop") in {(f["rule_id"], f["document"]) for f in findings(fetched)}


def test_changed_since_outside_git_is_a_usage_error(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    run = bcplint("check", "--changed-since", "main", cwd=tmp_path)
    assert run.code == 2
    assert run.err == f"bcplint: error: --changed-since needs a git repository, and {tmp_path} is not inside one\n"


@pytest.mark.parametrize("flag", ["--rev", "--changed-since"])
def test_git_options_leave_the_repository_untouched(bcplint: Callable[..., Run], git_repo: Path, flag: str) -> None:
    branch_with_change(git_repo)
    write(git_repo, "bcp/shop.yaml", SHOP.replace("4h", "3h"))  # a local modification
    before = _snapshot(git_repo)
    run = bcplint("check", flag, "main", "--today", TODAY, cwd=git_repo)
    assert _snapshot(git_repo) == before
    # And it checked what the flag names, not the work tree as it stands.
    assert (run.code, run.err) == (1, ""), run.err
    inversion = "BCP204 dependency-rto-inversion: Service 'shop' (RTO 3h) depends on 'db' (RTO 8h)"
    if flag == "--rev":  # main's tree: db recovers in 2h, the shop in 4h; the printer's old gap is there
        assert "BCP204" not in run.out
        assert "System 'printer' has no owner" in run.out
        assert run.out.splitlines()[-1].split(" in ")[1].startswith("5 documents across 5 files.")
    else:  # the branch's db (8h) against the shop as edited here (3h); the printer is not part of it
        assert inversion in run.out
        assert "printer" not in run.out


def test_bcp304_uses_the_repository_of_the_plan_not_of_the_working_directory(
    bcplint: Callable[..., Run], git_repo: Path, tmp_path: Path
) -> None:
    plan_repo(git_repo)
    write(git_repo, "bcp/db.yaml", DB.format(rto="6h"))
    commit(git_repo, "Relax the database RTO", "2026-07-02")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = bcplint(
        "check", str(git_repo / "bcp"), "--today", TODAY, "--select", "BCP304", "--format", "json", cwd=elsewhere
    )
    assert run.err == ""
    [finding] = findings(run)
    # Reports name files relative to the repository root, wherever bcplint runs from.
    assert finding["path"] == "bcp/plan.yaml"
    assert "but bcp/db.yaml has changed since, in commit" in finding["message"]


def test_changed_since_sees_what_a_deleted_document_leaves_behind(bcplint: Callable[..., Run], git_repo: Path) -> None:
    plan_repo(git_repo)
    git(git_repo, "checkout", "-q", "-b", "feature")
    (git_repo / "bcp" / "db.yaml").unlink()  # shop still depends on db: a broken reference
    commit(git_repo, "Retire the database", "2026-05-10")
    run = bcplint("check", "--changed-since", "main", "--today", TODAY, "--format", "json", cwd=git_repo)
    assert run.code == 1
    assert ("BCP003", "shop") in {(f["rule_id"], f["document"]) for f in findings(run)}


def test_changed_since_and_rev_handle_odd_names_and_revisions(bcplint: Callable[..., Run], git_repo: Path) -> None:
    plan_repo(git_repo)
    git(git_repo, "checkout", "-q", "-b", "feature")
    write(git_repo, "bcp/café.yaml", UNRELATED.replace("printer", "espresso"))
    run = bcplint("check", "--changed-since", "main", "--today", TODAY, "--format", "json", cwd=git_repo)
    assert ("BCP101", "espresso") in {(f["rule_id"], f["document"]) for f in findings(run)}
    for flag in ("--rev", "--changed-since"):
        odd = bcplint("check", flag, "@{-5}", cwd=git_repo)
        assert odd.code == 2 and "unknown revision '@{-5}'" in odd.err, odd.err
    typo = bcplint("check", "bcpp", "--rev", "HEAD", cwd=git_repo)
    assert typo.code == 2
    assert "--rev: bcpp does not exist in HEAD" in typo.err
