"""Regression cases for problems an independent review found (each failed before its fix)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.conftest import EXAMPLES, TODAY, Run, git, write

SERVICE = "apiVersion: bcplint/v1\nkind: Service\nname: helpdesk\ncriticality: critical\n"


def rules_found(run: Run) -> set[tuple[str, str | None]]:
    return {(f["rule_id"], f["document"]) for f in json.loads(run.out)["findings"]}


def test_rule_packs_next_to_the_plan_are_not_plan_documents(bcplint: Callable[..., Run]) -> None:
    run = bcplint("check", str(EXAMPLES / "custom-pack"), "--today", TODAY, "--format", "json", "--select", "BCP002")
    assert run.code == 0
    assert rules_found(run) == set()


def test_a_future_plan_version_is_still_reported(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    write(tmp_path, "bcp/a.yaml", SERVICE.replace("bcplint/v1", "bcplint/v2"))
    run = bcplint("check", "bcp", "--today", TODAY, "--format", "json", "--select", "BCP002", cwd=tmp_path)
    assert rules_found(run) == {("BCP002", "helpdesk")}


def test_suppression_inside_a_quoted_value_is_not_a_suppression(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    write(tmp_path, "bcp/a.yaml", SERVICE + 'owner: "nobody # bcplint: ignore[BCP003] -- x"\n')
    run = bcplint("check", "bcp", "--today", TODAY, "--format", "json", "--select", "BCP003", cwd=tmp_path)
    [finding] = json.loads(run.out)["findings"]
    assert finding["rule_id"] == "BCP003" and finding["waiver"] is None


def test_a_very_long_suppression_line_is_read_promptly(tmp_path: Path) -> None:
    first_line = "apiVersion: bcplint/v1  # bcplint: ignore[BCP201] -- a" + " " * 80_000 + "x"
    write(tmp_path, "bcp/a.yaml", SERVICE.replace("apiVersion: bcplint/v1", first_line))
    result = subprocess.run(
        [sys.executable, "-m", "bcplint", "check", "bcp", "--today", TODAY, "--format", "json", "--select", "BCP201"],
        cwd=tmp_path, capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    [finding] = json.loads(result.stdout)["findings"]
    assert finding["waiver"] is not None and finding["waiver"].endswith(": a" + " " * 80_000 + "x")


def test_pyproject_sub_tables_are_configuration(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    write(tmp_path, "bcp/a.yaml", SERVICE)
    write(tmp_path, "pyproject.toml", '[tool.bcplint.rules.BCP201]\nseverity = "info"\n')
    run = bcplint("check", "bcp", "--today", TODAY, "--select", "BCP201", cwd=tmp_path)
    assert run.code == 0
    assert " info BCP201 " in run.out


def test_far_dates_are_not_tracebacks(bcplint: Callable[..., Run], git_repo: Path) -> None:
    plan = 'apiVersion: bcplint/v1\nkind: Plan\nname: bcp\nreviewed: {"on": 0001-01-01}\n'
    covering = plan.replace("name: bcp", "name: shop-plan\ncovers: [shop]")  # so BCP304 compares the dates
    shop = "apiVersion: bcplint/v1\nkind: Service\nname: shop\ncriticality: low\n"
    write(git_repo, "bcp/plan.yaml", plan + "---\n" + covering)
    write(git_repo, "bcp/shop.yaml", shop)
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "plan")
    run = bcplint("check", "--today", TODAY, "--select", "BCP304", "--format", "json", cwd=git_repo)
    assert (run.code, run.err) == (0, "")
    [finding] = json.loads(run.out)["findings"]
    assert (finding["document"], finding["severity"]) == ("shop-plan", "warning")
    assert finding["message"].startswith("Plan 'shop-plan' was last reviewed on 0001-01-01, but bcp/shop.yaml has")
    far = bcplint("waivers", "--expiring-within", "99999999999w", cwd=git_repo)
    assert far.code == 2
    assert "is too far ahead" in far.err
