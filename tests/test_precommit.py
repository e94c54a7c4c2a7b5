"""The hook, installed and run by the real pre-commit client on a real repository."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, git

pytestmark = pytest.mark.skipif(shutil.which("pre-commit") is None, reason="pre-commit is not installed")

CONTACT = "apiVersion: bcplint/v1\nkind: Contact\nname: cto\nemail: cto@example.com\nphone: '+1-555-0100'\n"
BROKEN_PLAN = """\
apiVersion: bcplint/v1
kind: Service
name: helpdesk
owner: cto
criticality: low
rtoo: 4h
"""


def pre_commit(repo: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "GIT_CONFIG_GLOBAL": os.devnull, "NO_COLOR": "1"}
    return subprocess.run(["pre-commit", *args], cwd=repo, env=env, capture_output=True, text=True, check=False)


def test_pre_commit_blocks_a_broken_plan_and_passes_the_fixed_one(git_repo: Path, tmp_path: Path) -> None:
    if not (REPO_ROOT / ".git").exists():
        pytest.skip("pre-commit try-repo needs this project as a git checkout")
    home = tmp_path / "pre-commit-home"
    (git_repo / "bcp").mkdir()
    (git_repo / "bcp" / "contacts.yaml").write_text(CONTACT, encoding="utf-8")
    (git_repo / "ci.yml").write_text("not: [a, bcplint document\n", encoding="utf-8")  # not ours: ignored
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "contacts")

    (git_repo / "bcp" / "helpdesk.yaml").write_text(BROKEN_PLAN, encoding="utf-8")
    git(git_repo, "add", "bcp/helpdesk.yaml")
    failed = pre_commit(git_repo, home, "try-repo", str(REPO_ROOT), "bcplint", "--verbose")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "bcp/helpdesk.yaml:6:1: error BCP002 schema-violation: Service 'helpdesk': unknown field 'rtoo'" in (
        failed.stdout
    )
    # Only the committed file is reported on, but its reference to 'cto' resolved: no BCP003.
    assert "BCP003" not in failed.stdout
    assert "contacts.yaml" not in failed.stdout

    (git_repo / "bcp" / "helpdesk.yaml").write_text(BROKEN_PLAN.replace("rtoo: 4h\n", ""), encoding="utf-8")
    git(git_repo, "add", "bcp/helpdesk.yaml")
    passed = pre_commit(git_repo, home, "try-repo", str(REPO_ROOT), "bcplint", "--verbose")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "bcplint" in passed.stdout and "Passed" in passed.stdout
