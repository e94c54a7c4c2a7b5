"""The hook, installed by the real pre-commit client and run by real `git commit`s.

The hook lints the index (`check --staged`): what the commit records, nothing else. Each case
is a repository made with `git init`, a commit made by git, and the hook pre-commit installed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bcplint.daemon.client import CI_VARIABLES
from bcplint.daemon.server import read_lock
from bcplint.daemon.wire import receive, send
from tests.conftest import REPO_ROOT, git, write
from tests.test_workspace import CONTACTS

pytestmark = pytest.mark.slow


def _client() -> str | None:
    """The pre-commit client: beside this interpreter (the test extra installs it), else on PATH."""
    beside = Path(sys.executable).parent / "pre-commit"
    return str(beside) if beside.exists() else shutil.which("pre-commit")


CLIENT = _client()
if CLIENT is None:
    pytest.skip("the pre-commit client is not installed (pip install -e '.[test]')", allow_module_level=True)

SUPPORT = """\
apiVersion: bcplint/v1
kind: Service
name: support
owner: support-lead
criticality: low
"""
SHOP = """\
apiVersion: bcplint/v1
kind: Service
name: shop
owner: cto
criticality: low
rto: 4h
depends_on: [db]
"""
DB = """\
apiVersion: bcplint/v1
kind: System
name: db
owner: cto
criticality: low
rto: {rto}
"""


def environment(home: Path) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
        "PRE_COMMIT_HOME": str(home),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
        "NO_COLOR": "1",
        # As in CI: the hook then never starts a daemon that would outlive the test (the last
        # test, which has the daemon serve the hook, takes it out).
        "CI": "true",
    }


@pytest.fixture(scope="module")
def hook_source(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """This checkout as pre-commit sees a hook repository: a git repository and a commit of the
    project as it is now (uncommitted edits included), like `pre-commit try-repo` makes."""
    if not (REPO_ROOT / ".git").exists():
        pytest.skip("the hook is installed from this project's git checkout, and this copy is not one")
    shadow = tmp_path_factory.mktemp("hook-repository")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO_ROOT / name
        if source.is_file():
            target = shadow / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    git(shadow, "init", "-q", "-b", "main")
    git(shadow, "add", "-A")
    git(shadow, "commit", "-q", "-m", "bcplint as it is now")
    return str(shadow), git(shadow, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One pre-commit home for the module: the hook's environment is built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def repo(git_repo: Path, hook_source: tuple[str, str], home: Path) -> Iterator[Path]:
    """A repository with a valid plan committed and the bcplint hook installed by pre-commit."""
    url, rev = hook_source
    write(git_repo, ".pre-commit-config.yaml", f"repos:\n- repo: {url}\n  rev: {rev}\n  hooks:\n  - id: bcplint\n")
    write(git_repo, "bcp/contacts.yaml", CONTACTS)
    write(git_repo, "bcp/services/support.yaml", SUPPORT)
    write(git_repo, "bcp/services/shop.yaml", SHOP)
    write(git_repo, "bcp/systems/db.yaml", DB.format(rto="1h"))
    write(git_repo, "ci.yml", "not: [a, bcplint document\n")  # not ours: never read
    installed = subprocess.run(
        [str(CLIENT), "install"], cwd=git_repo, env=environment(home), capture_output=True, text=True, check=False
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    first = commit(git_repo, home, "-m", "the plan")
    assert first.returncode == 0, first.stdout
    yield git_repo


def commit(repo: Path, home: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`git commit ARGS` with the installed hook (the first commit adds everything). The
    hook's report arrives on standard error under git: ``stdout`` holds both, in order."""
    if not _has_head(repo):
        git(repo, "add", "-A")
    return subprocess.run(
        ["git", "commit", "-q", *args],
        cwd=repo,
        env=env or environment(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )


def _has_head(repo: Path) -> bool:
    return subprocess.run(["git", "rev-parse", "--verify", "--quiet", "HEAD"], cwd=repo, check=False).returncode == 0


def committed(repo: Path) -> int:
    return int(git(repo, "rev-list", "--count", "HEAD").strip())


def test_deleting_a_contact_that_another_document_names_fails_the_commit(repo: Path, home: Path) -> None:
    write(repo, "bcp/contacts.yaml", CONTACTS.split("---\n", maxsplit=1)[0])  # support-lead removed
    git(repo, "add", "bcp/contacts.yaml")
    result = commit(repo, home, "-m", "remove a contact")
    assert result.returncode != 0, result.stdout
    assert "bcp/services/support.yaml:4:8: error BCP003 unknown-reference" in result.stdout
    assert "'support-lead'" in result.stdout
    assert committed(repo) == 1


def test_raising_a_dependency_rto_fails_the_commit_on_the_dependent(repo: Path, home: Path) -> None:
    write(repo, "bcp/systems/db.yaml", DB.format(rto="8h"))
    git(repo, "add", "bcp/systems/db.yaml")
    result = commit(repo, home, "-m", "relax the database RTO")
    assert result.returncode != 0, result.stdout
    assert "bcp/services/shop.yaml:7:14: error BCP204 dependency-rto-inversion" in result.stdout
    assert committed(repo) == 1


def test_an_owner_in_a_file_never_added_fails_the_commit(repo: Path, home: Path) -> None:
    write(repo, "bcp/people/ops.yaml", "apiVersion: bcplint/v1\nkind: Contact\nname: ops-lead\n")  # never added
    write(repo, "bcp/systems/queue.yaml", DB.format(rto="1h").replace("db", "queue").replace("cto", "ops-lead"))
    git(repo, "add", "bcp/systems/queue.yaml")
    result = commit(repo, home, "-m", "add the queue")
    assert result.returncode != 0, result.stdout
    assert "bcp/systems/queue.yaml:4:8: error BCP003 unknown-reference" in result.stdout
    assert "ops.yaml" not in result.stdout  # untracked: not part of the commit, never read


def test_a_good_change_passes_despite_broken_unstaged_edits(repo: Path, home: Path) -> None:
    write(repo, "bcp/systems/db.yaml", DB.format(rto="2h"))
    git(repo, "add", "bcp/systems/db.yaml")
    write(repo, "bcp/contacts.yaml", "apiVersion: bcplint/v1\nkind: [broken\n")  # not staged
    write(repo, "bcp/services/support.yaml", SUPPORT.replace("criticality: low", "criticality: urgent"))
    result = commit(repo, home, "-m", "tighten the database RTO")
    assert result.returncode == 0, result.stdout
    assert committed(repo) == 2
    assert git(repo, "show", "HEAD:bcp/systems/db.yaml").endswith("rto: 2h\n")
    # pre-commit put the unstaged edits back untouched.
    assert (repo / "bcp/contacts.yaml").read_text(encoding="utf-8") == "apiVersion: bcplint/v1\nkind: [broken\n"


def test_commit_all_lints_the_index_git_builds_for_the_commit(repo: Path, home: Path) -> None:
    """`git commit -a` stages into a locked index and points GIT_INDEX_FILE at it for the hook."""
    write(repo, "bcp/systems/db.yaml", DB.format(rto="8h"))  # not added: -a stages it
    result = commit(repo, home, "-a", "-m", "relax the database RTO")
    assert result.returncode != 0, result.stdout
    assert "BCP204 dependency-rto-inversion" in result.stdout
    assert committed(repo) == 1


def test_commit_of_named_paths_lints_the_temporary_index(repo: Path, home: Path) -> None:
    """`git commit PATH` commits only PATH, through a temporary index of its own."""
    write(repo, "bcp/systems/db.yaml", DB.format(rto="8h"))
    result = commit(repo, home, "-m", "relax the database RTO", "--", "bcp/systems/db.yaml")
    assert result.returncode != 0, result.stdout
    assert "BCP204 dependency-rto-inversion" in result.stdout
    assert committed(repo) == 1


def test_a_commit_of_code_only_passes_without_reading_the_plan(repo: Path, home: Path) -> None:
    write(repo, "bcp/contacts.yaml", "apiVersion: bcplint/v1\nkind: [broken\n")  # broken, but not staged
    write(repo, "src/app.py", "print('hello')\n")
    git(repo, "add", "src/app.py")
    result = commit(repo, home, "-m", "code")
    assert result.returncode == 0, result.stdout
    assert committed(repo) == 2


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="the daemon needs Unix sockets")
def test_a_hook_served_by_a_daemon_fails_and_passes_the_same_commits(
    git_repo: Path, hook_source: tuple[str, str], home: Path
) -> None:
    """The hook passes --daemon: the first commit starts the daemon (from the hook's own
    environment) and is checked by the hook itself; the next ones are served, with the same
    outcomes, also for `git commit -a` (the index git builds for the commit, named by
    GIT_INDEX_FILE). `args: [--no-daemon]` turns it off; in CI no daemon is ever started."""
    url, rev = hook_source
    cache = Path(tempfile.mkdtemp(prefix="bcph-"))  # short: a socket path has a length limit
    env = {k: v for k, v in environment(home).items() if k not in CI_VARIABLES}  # CI never starts one
    env["BCPLINT_CACHE_DIR"] = str(cache)
    hook = f"repos:\n- repo: {url}\n  rev: {rev}\n  hooks:\n  - id: bcplint\n"
    write(git_repo, ".pre-commit-config.yaml", hook)
    write(git_repo, "bcp/contacts.yaml", CONTACTS)
    write(git_repo, "bcp/services/shop.yaml", SHOP)
    write(git_repo, "bcp/systems/db.yaml", DB.format(rto="1h"))
    try:
        installed = subprocess.run([str(CLIENT), "install"], cwd=git_repo, env=env, capture_output=True, check=False)
        assert installed.returncode == 0, installed
        assert commit(git_repo, home, "-m", "the plan", env=env).returncode == 0
        sockets = _daemon_sockets(cache)
        write(git_repo, "bcp/systems/db.yaml", DB.format(rto="8h"))
        git(git_repo, "add", "bcp/systems/db.yaml")
        refused = commit(git_repo, home, "-m", "relax the database RTO", env=env)
        assert refused.returncode != 0, refused.stdout
        assert "bcp/services/shop.yaml:7:14: error BCP204 dependency-rto-inversion" in refused.stdout
        git(git_repo, "reset", "-q")
        assert "BCP204" in commit(git_repo, home, "-a", "-m", "relax it with -a", env=env).stdout
        write(git_repo, "bcp/systems/db.yaml", DB.format(rto="2h"))
        passed = commit(git_repo, home, "-a", "-m", "tighten the database RTO", env=env)
        assert passed.returncode == 0, passed.stdout
        assert committed(git_repo) == 2
        status = _ask_daemon(sockets[0], {"status": True})
        assert status["served"] == 3, status
    finally:
        for path in _daemon_sockets(cache, wait=0):
            with contextlib.suppress(OSError, ValueError):
                _ask_daemon(path, {"stop": True})
        for lock in (cache / "daemon").glob("*.lock"):  # one that did not stop: its pid is there
            text = read_lock(lock)[0]
            if text.isdigit() and int(text) > 1:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(text), signal.SIGKILL)
        shutil.rmtree(cache, ignore_errors=True)


def _daemon_sockets(cache: Path, wait: float = 60) -> list[Path]:
    """The sockets daemons listen on under ``cache``, waiting up to ``wait`` seconds for one."""
    deadline = time.monotonic() + wait
    while True:
        found = sorted((cache / "daemon").glob("*.sock"))
        if found or time.monotonic() >= deadline:
            return found
        time.sleep(0.1)


def _ask_daemon(path: Path, request: dict[str, object]) -> dict[str, object]:
    """A request to the daemon at ``path``, with the fingerprint its socket is named after
    (the hook's installation, not this test's)."""
    with socket.socket(socket.AF_UNIX) as connection:
        connection.settimeout(30)
        connection.connect(str(path))
        send(connection, {"fingerprint": path.stem, **request})
        return receive(connection)
