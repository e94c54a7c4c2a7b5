"""Shared fixtures: a real git repository and an in-process CLI runner."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bcplint.cli import main

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = REPO_ROOT / "examples"
TODAY = "2026-11-23"  # the evaluation date every test uses, so results never age


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


# Two Contacts who deputise for each other, reachable and recently verified: owners that
# raise no finding of their own, for tests about something else.
CONTACTS = """\
apiVersion: bcplint/v1
kind: Contact
name: cto
email: cto@example.com
phone: "555-0100"
last_verified: 2026-11-01
deputy: coo
---
apiVersion: bcplint/v1
kind: Contact
name: coo
email: coo@example.com
phone: "555-0101"
last_verified: 2026-11-01
"""


@pytest.fixture(autouse=True, scope="session")
def _session_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every run of the test session keeps its parse cache in a directory of its own, never
    in the user's cache directory (subprocesses inherit the variable)."""
    previous = os.environ.get("BCPLINT_CACHE_DIR")
    os.environ["BCPLINT_CACHE_DIR"] = str(tmp_path_factory.mktemp("bcplint-cache"))
    yield
    if previous is None:
        del os.environ["BCPLINT_CACHE_DIR"]
    else:
        os.environ["BCPLINT_CACHE_DIR"] = previous


@pytest.fixture
def bcplint(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Run]:
    """Run the CLI in-process: ``bcplint("check", "x", cwd=path)`` -> Run(code, out, err)."""

    def run(*args: str, cwd: Path | None = None) -> Run:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def git(cwd: Path, *args: str) -> str:
    """Run a real git command in ``cwd`` with a fixed identity; return its output."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    result = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return result.stdout


def write(root: Path, relative: str, text: str | bytes) -> Path:
    """Write a file under ``root`` (parents created); bytes are written as they are."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")  # exactly as given: CRLF stays CRLF
    return path


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    """A fresh, empty git repository (``git init`` in a temporary directory)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    return repo


def without_links(text: str) -> str:
    """A report's text with its links to rule pages reduced to the rule ids (tests/test_rule_pages.py
    checks the links): ``[BCP101](https://…)`` and ``<a href="https://…">BCP101</a>`` -> ``BCP101``."""
    text = re.sub(r"\[([A-Z][A-Z0-9]*[0-9]{3})\]\([^)\s]+\)", r"\1", text)
    return re.sub(r'<a href="[^"]+">([A-Z][A-Z0-9]*[0-9]{3})</a>', r"\1", text)
