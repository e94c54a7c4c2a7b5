"""``bcplint check --daemon`` and ``bcplint daemon``: real processes on a real Unix socket.

What a served run writes must be, byte for byte, what the same check run by the client itself
writes, with the same exit code; a daemon that is missing, dead, wedged, of other code or
unsafe to talk to must never fail a run or change its output.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import datetime as dt
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bcplint.api import LintOptions, lint, load_workspace
from bcplint.console import _wants_daemon
from bcplint.daemon.address import Address
from bcplint.daemon.client import CI_VARIABLES
from bcplint.daemon.server import Daemon, _as_client
from bcplint.daemon.wire import receive, run_request, send
from bcplint.load.memory import MAX_WORKSPACES, FileMemory, keep_files_in_memory
from bcplint.report import FORMATTERS
from bcplint.workspace import documents
from tests.conftest import EXAMPLES, TODAY, git, write
from tests.conftest import Run as CliRun
from tests.test_cache import GOLDEN_WORKSPACE, HOSTILE

pytestmark = pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="the daemon needs Unix sockets")

SERVICE = "apiVersion: bcplint/v1\nkind: Service\nname: {name}\nowner: nobody\n"


class Daemons:
    """A cache directory of its own (short: a socket path has a length limit), and the ``bcplint``
    command run with it; every daemon started under it is stopped at the end."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        # Not in CI, whatever runs the tests: a client in CI never starts a daemon.
        self.env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED" and k not in CI_VARIABLES}
        self.env["BCPLINT_CACHE_DIR"] = str(directory)

    def run(self, *args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [sys.executable, "-m", "bcplint", *args],
            cwd=cwd,
            env=env or self.env,
            capture_output=True,
            check=False,
            timeout=120,
        )

    def status(self, cwd: Path) -> dict[str, int] | None:
        """pid and runs served of the running daemon, or None."""
        shown = self.run("daemon", "status", cwd=cwd).stdout.decode()
        found = re.search(r"running \(pid (\d+)\) for \d+ min, (\d+) runs served", shown)
        return {"pid": int(found[1]), "served": int(found[2])} if found else None

    def wait_for(self, cwd: Path, seconds: float = 60) -> dict[str, int]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if (found := self.status(cwd)) is not None:
                return found
            time.sleep(0.1)
        raise AssertionError(f"no daemon answered within {seconds} s; log: {self.log()}")

    def log(self) -> str:
        return "".join(p.read_text(errors="replace") for p in sorted((self.directory / "daemon").glob("*.log")))

    def address(self) -> Address:
        """The address a ``bcplint`` process started by :meth:`run` uses (computed by one: the
        fingerprint covers ``sys.path``, which this test process may have changed)."""
        script = "from bcplint.daemon.address import address; a = address(); print(a.directory); print(a.fingerprint)"
        shown = subprocess.run(
            [sys.executable, "-c", script], env=self.env, capture_output=True, text=True, check=True
        ).stdout.split("\n")
        return Address(Path(shown[0]), shown[1])


@pytest.fixture
def daemons() -> Iterator[Daemons]:
    directory = Path(tempfile.mkdtemp(prefix="bcpd-"))
    made = Daemons(directory)
    yield made
    found = made.status(directory)
    made.run("daemon", "stop", cwd=directory)
    if found is not None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(found["pid"], signal.SIGKILL)
    shutil.rmtree(directory, ignore_errors=True)


def same_run(a: subprocess.CompletedProcess[bytes], b: subprocess.CompletedProcess[bytes]) -> None:
    assert (a.returncode, a.stdout.decode(), a.stderr.decode()) == (b.returncode, b.stdout.decode(), b.stderr.decode())


def test_a_served_check_writes_exactly_what_the_check_itself_writes(daemons: Daemons, tmp_path: Path) -> None:
    workspace = shutil.copytree(EXAMPLES / "complete", tmp_path / "ws")
    assert daemons.run("daemon", "start", cwd=workspace).returncode == 0
    before = daemons.wait_for(workspace)["served"]
    for args in (
        ("check", "--today", TODAY, "--format", "json"),
        ("check", "--today", TODAY, "--no-color"),  # the summary and notes on standard error
        ("check", "--today", TODAY, "--format", "sarif", "--fail-on", "warning"),
        ("check", "--today", "not-a-date"),  # a usage error: exit code 2 and its message
        ("check", "--today", TODAY, "no/such/path"),
    ):
        served = daemons.run(*args, "--daemon", cwd=workspace)
        itself = daemons.run(*args, cwd=workspace)
        same_run(served, itself)
    assert daemons.wait_for(workspace)["served"] == before + 5
    # A report file is written where the client asked, relative to its current directory.
    report = ("check", "--today", TODAY, "--format", "json", "--output", "junit:out/report.xml")
    served = daemons.run(*report, "--daemon", cwd=workspace)
    written = (workspace / "out" / "report.xml").read_bytes()
    same_run(served, daemons.run(*report, cwd=workspace))
    assert written == (workspace / "out" / "report.xml").read_bytes() and b"<testsuite" in written


def test_the_first_run_starts_a_daemon_for_the_next(daemons: Daemons, tmp_path: Path) -> None:
    workspace = shutil.copytree(EXAMPLES / "complete", tmp_path / "ws")
    args = ("check", "--today", TODAY, "--format", "json")
    first = daemons.run(*args, "--daemon", cwd=workspace)
    same_run(first, daemons.run(*args, cwd=workspace))
    started = daemons.wait_for(workspace)
    # The warm-up it was started with is no client's run.
    assert started["served"] == 0
    same_run(daemons.run(*args, "--daemon", cwd=workspace), first)
    assert daemons.status(workspace) == {"pid": started["pid"], "served": 1}


def test_every_edit_between_served_runs_is_seen(daemons: Daemons, git_repo: Path) -> None:
    write(git_repo, "bcp/a.yaml", SERVICE.format(name="a"))
    write(git_repo, "bcp/b.yaml", SERVICE.format(name="b"))
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-qm", "plans")
    daemons.run("daemon", "start", cwd=git_repo)
    daemons.wait_for(git_repo)

    def both(*args: str) -> str:
        served = daemons.run("check", "--today", TODAY, "--format", "json", *args, "--daemon", cwd=git_repo)
        same_run(served, daemons.run("check", "--today", TODAY, "--format", "json", *args, cwd=git_repo))
        return served.stdout.decode()

    clean = both()
    write(git_repo, "bcp/a.yaml", SERVICE.format(name="a") + "depends_on: [nowhere]\n")
    assert "nowhere" in both() and "nowhere" not in clean
    assert "nowhere" not in both("--staged")  # not staged yet
    git(git_repo, "add", "bcp/a.yaml")
    assert "nowhere" in both("--staged")
    write(git_repo, "bcp/c.yaml", SERVICE.format(name="c") + "depends_on: [b]\n")
    gone = "refers to 'b', but no document has that name"
    assert "bcp/c.yaml" in both() and gone not in both()
    (git_repo / "bcp" / "b.yaml").unlink()
    assert gone in both()
    assert gone not in both("--staged")
    git(git_repo, "add", "-A")
    assert gone in both("--staged")
    assert gone in both("bcp/c.yaml")
    assert daemons.wait_for(git_repo)["served"] == 10


def test_a_client_of_other_code_never_talks_to_the_daemon(daemons: Daemons, tmp_path: Path) -> None:
    write(tmp_path, "bcp/a.yaml", SERVICE.format(name="a"))
    daemons.run("daemon", "start", cwd=tmp_path)
    daemons.wait_for(tmp_path)
    other = dict(daemons.env, PYTHONPATH=str(tmp_path / "elsewhere"))  # another sys.path: other code
    (tmp_path / "elsewhere").mkdir()
    shown = daemons.run("daemon", "status", cwd=tmp_path, env=other)
    assert shown.returncode == 1 and b"not running" in shown.stdout
    where = daemons.address()
    reply = _ask(where.socket, {"fingerprint": "0" * 32, "status": True})
    assert "refused" in reply


def test_a_killed_daemon_is_replaced_and_no_run_fails(daemons: Daemons, tmp_path: Path) -> None:
    write(tmp_path, "bcp/a.yaml", SERVICE.format(name="a"))
    daemons.run("daemon", "start", cwd=tmp_path)
    first = daemons.wait_for(tmp_path)
    os.kill(first["pid"], signal.SIGKILL)
    _wait_gone(first["pid"])
    assert daemons.address().socket.exists()  # left behind
    args = ("check", "--today", TODAY, "--format", "json")
    same_run(daemons.run(*args, "--daemon", cwd=tmp_path), daemons.run(*args, cwd=tmp_path))
    second = daemons.wait_for(tmp_path)
    assert second["pid"] != first["pid"]
    same_run(daemons.run(*args, "--daemon", cwd=tmp_path), daemons.run(*args, cwd=tmp_path))
    assert daemons.wait_for(tmp_path)["served"] == 1


def test_a_wedged_daemon_is_killed_and_replaced(daemons: Daemons, tmp_path: Path) -> None:
    """A daemon that accepts a run and never answers (stopped here with SIGSTOP) is killed once
    the client's patience (REPLY_SECONDS, one second here) runs out; the client runs the check."""
    write(tmp_path, "bcp/a.yaml", SERVICE.format(name="a"))
    daemons.run("daemon", "start", cwd=tmp_path)
    wedged = daemons.wait_for(tmp_path)["pid"]
    os.kill(wedged, signal.SIGSTOP)
    args = ["check", "--today", TODAY, "--format", "json"]
    script = (
        "import sys; from bcplint.daemon import client; client.REPLY_SECONDS = 1.0; "
        f"sys.argv = ['bcplint', *{[*args, '--daemon']!r}]; from bcplint.console import console; console()"
    )
    started = time.monotonic()
    patient = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=daemons.env, capture_output=True, check=False, timeout=60
    )
    assert time.monotonic() - started < 30
    same_run(patient, daemons.run(*args, cwd=tmp_path))
    _wait_gone(wedged)
    assert daemons.wait_for(tmp_path)["pid"] != wedged


def test_in_ci_no_daemon_is_started(daemons: Daemons, tmp_path: Path) -> None:
    write(tmp_path, "bcp/a.yaml", SERVICE.format(name="a"))
    args = ("check", "--today", TODAY, "--format", "json")
    for variable, value in (("CI", "true"), ("TF_BUILD", "True"), ("JENKINS_URL", "https://ci.example")):
        same_run(
            daemons.run(*args, "--daemon", cwd=tmp_path, env={**daemons.env, variable: value}),
            daemons.run(*args, cwd=tmp_path),
        )
    time.sleep(1.5)  # a daemon started would be listening by now
    assert not list((daemons.directory / "daemon").glob("*.sock"))
    same_run(
        daemons.run(*args, "--daemon", cwd=tmp_path, env={**daemons.env, "CI": "false"}),
        daemons.run(*args, cwd=tmp_path),
    )
    daemons.wait_for(tmp_path)  # CI=false is no CI


def test_stop_and_a_second_daemon(daemons: Daemons, tmp_path: Path) -> None:
    started = daemons.run("daemon", "start", cwd=tmp_path)
    assert started.returncode == 0 and b"started (pid" in started.stdout
    pid = daemons.wait_for(tmp_path)["pid"]
    again = daemons.run("daemon", "start", cwd=tmp_path)
    assert f"already running (pid {pid})".encode() in again.stdout
    # Another one started by hand sees the lock and leaves at once, saying so.
    second = daemons.run("daemon", "serve", cwd=tmp_path)
    assert second.returncode == 0 and b"another daemon of this installation is running" in second.stderr
    stopped = daemons.run("daemon", "stop", cwd=tmp_path)
    assert f"stopped (pid {pid})".encode() in stopped.stdout
    _wait_gone(pid)
    assert not daemons.address().socket.exists()
    assert daemons.run("daemon", "stop", cwd=tmp_path).stdout == b"bcplint daemon: not running\n"


def test_an_idle_daemon_leaves(daemons: Daemons, tmp_path: Path) -> None:
    served = daemons.run("daemon", "serve", "--idle-timeout", "1", cwd=tmp_path)
    assert served.returncode == 0 and b"idle for 1 seconds" in served.stderr
    assert not daemons.address().socket.exists()


def test_garbage_on_the_socket_does_not_stop_the_daemon(daemons: Daemons, tmp_path: Path) -> None:
    write(tmp_path, "bcp/a.yaml", SERVICE.format(name="a"))
    daemons.run("daemon", "start", cwd=tmp_path)
    daemons.wait_for(tmp_path)
    where = daemons.address()
    for junk in (b"", b"\x00" * 3, b"\xff" * 8, (5).to_bytes(8, "big") + b"nope!", (2).to_bytes(8, "big") + b"[]"):
        with socket.socket(socket.AF_UNIX) as connection:
            connection.connect(str(where.socket))
            connection.sendall(junk)
            connection.shutdown(socket.SHUT_WR)
            assert connection.recv(100) == b""  # dropped without a word
    assert "refused" in _ask(where.socket, {"fingerprint": where.fingerprint, "run": {"argv": "check"}})
    assert "refused" in _ask(where.socket, {"fingerprint": where.fingerprint})
    args = ("check", "--today", TODAY, "--format", "json")
    same_run(daemons.run(*args, "--daemon", cwd=tmp_path), daemons.run(*args, cwd=tmp_path))
    assert daemons.wait_for(tmp_path)["served"] == 1


def test_no_daemon_where_others_may_enter_or_the_path_is_too_long(daemons: Daemons, tmp_path: Path) -> None:
    write(tmp_path, "bcp/a.yaml", SERVICE.format(name="a"))
    args = ("check", "--today", TODAY, "--format", "json")
    expected = daemons.run(*args, cwd=tmp_path)
    (daemons.directory / "daemon").mkdir(mode=0o700)
    os.chmod(daemons.directory / "daemon", 0o777)
    refused = daemons.run("daemon", "start", cwd=tmp_path)
    assert refused.returncode == 2 and b"must be a directory only this user may enter" in refused.stderr
    same_run(daemons.run(*args, "--daemon", cwd=tmp_path), expected)
    assert not list((daemons.directory / "daemon").iterdir())  # nothing started, nothing written
    deep = dict(daemons.env, BCPLINT_CACHE_DIR=str(daemons.directory / ("d" * 90)))
    refused = daemons.run("daemon", "start", cwd=tmp_path, env=deep)
    assert refused.returncode == 2 and b"set BCPLINT_CACHE_DIR to a shorter directory" in refused.stderr
    same_run(daemons.run(*args, "--daemon", cwd=tmp_path, env=deep), expected)


def test_a_served_report_that_cannot_be_written_is_an_error(daemons: Daemons, tmp_path: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("needs /dev/full (Linux) to make standard output fail")
    write(tmp_path, "bcp/a.yaml", SERVICE.format(name="a"))
    daemons.run("daemon", "start", cwd=tmp_path)
    daemons.wait_for(tmp_path)
    with open("/dev/full", "wb") as full:
        served = subprocess.run(
            [sys.executable, "-m", "bcplint", "check", "--today", TODAY, "--daemon"],
            cwd=tmp_path,
            env=daemons.env,
            stdout=full,
            stderr=subprocess.PIPE,
            check=False,
        )
    assert served.returncode == 2
    assert b"cannot write to standard output" in served.stderr and b"Traceback" not in served.stderr


# --- in this process -----------------------------------------------------------------------


def _serving(where: Address, command: Any) -> Daemon:
    return Daemon(where, command, lambda: None)


def _run_request(cwd: Path, argv: list[str]) -> dict[str, Any]:
    request = run_request(argv, "f" * 32)
    request["run"]["cwd"] = str(cwd)
    return request


def test_malformed_run_requests_are_refused(tmp_path: Path) -> None:
    where = Address(tmp_path, "f" * 32)
    daemon = _serving(where, lambda argv: pytest.fail("never run"))
    good = _run_request(tmp_path, ["check"])["run"]
    for broken in (
        {},
        {**good, "argv": "check"},
        {**good, "argv": ["check", 1]},
        {**good, "env": {"A": 1}},
        {**good, "stdout": {"tty": False, "encoding": "no-such-codec", "errors": "strict"}},
        {**good, "stderr": {}},
        {**good, "cwd": str(tmp_path / "gone")},
    ):
        reply, stop = daemon.reply({"fingerprint": "f" * 32, "run": broken})
        assert "refused" in reply and not stop
    assert daemon.served == 0


def test_a_run_that_raises_is_refused_and_logged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def broken(argv: list[str]) -> int:
        raise RuntimeError("a bug")

    daemon = _serving(Address(tmp_path, "f" * 32), broken)
    reply, _ = daemon.reply(_run_request(tmp_path, ["check"]))
    assert reply == {"refused": "the run failed in the daemon (see its log)"}
    assert "RuntimeError: a bug" in capsys.readouterr().err


def test_a_run_sees_the_clients_directory_environment_and_terminal_and_leaves_them(tmp_path: Path) -> None:
    seen: dict[str, Any] = {}

    def command(argv: list[str]) -> int:
        seen.update(cwd=os.getcwd(), env=os.environ.get("ONLY_THE_CLIENT"), tty=sys.stdout.isatty())
        print("héllo")
        print("oops", file=sys.stderr)
        return 3

    request = _run_request(tmp_path, ["check"])
    request["run"]["env"] = {"ONLY_THE_CLIENT": "yes"}
    request["run"]["stdout"] = {"tty": True, "encoding": "latin-1", "errors": "strict"}
    cwd, env = os.getcwd(), dict(os.environ)
    reply, _ = _serving(Address(tmp_path, "f" * 32), command).reply(request)
    assert seen == {"cwd": str(tmp_path), "env": "yes", "tty": True}

    assert base64.b64decode(reply["stdout"]) == "héllo\n".encode("latin-1")
    assert base64.b64decode(reply["stderr"]) == b"oops\n" and reply["code"] == 3
    assert os.getcwd() == cwd and dict(os.environ) == env
    with pytest.raises(RuntimeError), _as_client(str(tmp_path), {}, io.StringIO(), io.StringIO()):
        raise RuntimeError
    assert os.getcwd() == cwd and dict(os.environ) == env and sys.stdout is not None


def test_only_check_with_the_flag_asks_for_a_daemon() -> None:
    assert _wants_daemon(["check", "--daemon"])
    assert _wants_daemon(["check", "--staged", "--daemon", "bcp/"])
    assert not _wants_daemon(["check", "--daemon", "--no-daemon"])  # the last one wins, as in click
    assert _wants_daemon(["check", "--no-daemon", "--daemon"])
    assert not _wants_daemon(["check"])
    assert not _wants_daemon(["check", "--", "--daemon"])  # a path of that name
    assert not _wants_daemon(["rules", "--daemon"])
    assert not _wants_daemon([])


def _ask(path: Path, request: dict[str, Any]) -> dict[str, Any]:
    with socket.socket(socket.AF_UNIX) as connection:
        connection.settimeout(30)
        connection.connect(str(path))
        send(connection, request)
        return receive(connection)


def _wait_gone(pid: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
            state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        except (ProcessLookupError, OSError):
            return
        if state == "Z":  # dead; whoever adopted it has not reaped it yet
            return
        time.sleep(0.05)
    raise AssertionError(f"process {pid} still runs")


# --- files kept in memory ------------------------------------------------------------------


@pytest.fixture
def memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FileMemory]:
    """This process reads through a FileMemory (as the daemon does), with a cache of its own."""
    monkeypatch.setenv("BCPLINT_CACHE_DIR", str(tmp_path / "cache"))
    kept = FileMemory()
    keep_files_in_memory(kept)
    yield kept
    keep_files_in_memory(None)


def test_kept_files_are_reused_until_their_content_changes(
    memory: FileMemory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    validations: list[object] = []
    real = documents.validate
    monkeypatch.setattr(documents, "validate", lambda data: validations.append(data) or real(data))
    root = tmp_path / "ws"
    for name in "abc":
        write(root, f"bcp/{name}.yaml", SERVICE.format(name=name))
    options = LintOptions(paths=[str(root)], today=dt.date(2026, 11, 23))
    first = lint(options)
    assert (memory.reused, memory.read, len(validations)) == (0, 3, 3)
    assert lint(options) == first and (memory.reused, memory.read, len(validations)) == (3, 0, 3)
    write(root, "bcp/b.yaml", SERVICE.format(name="b") + "depends_on: [nowhere]\n")
    edited = lint(options)
    assert (memory.reused, memory.read, len(validations)) == (2, 1, 4)  # only the edited file validated
    assert any("nowhere" in f.message for f in edited.findings) and edited != first
    # The old content is still known: putting it back reads nothing.
    write(root, "bcp/b.yaml", SERVICE.format(name="b"))
    assert lint(options) == first and (memory.reused, memory.read) == (3, 0)
    # Kept files hold their texts: nothing is read from the cache on demand later.
    workspace = load_workspace(options)
    assert not [f for f in workspace.files if f.source is not None and f.source.pending]
    assert lint(dataclasses.replace(options, cache=False)) == first and memory.read == 0  # no cache: no memory


def test_memory_keeps_a_few_workspaces_and_forgets_the_oldest(memory: FileMemory, tmp_path: Path) -> None:
    roots = [tmp_path / f"ws{i}" for i in range(MAX_WORKSPACES + 1)]
    for root in roots:
        write(root, "bcp/a.yaml", SERVICE.format(name=root.name))
        lint(LintOptions(paths=[str(root)], today=dt.date(2026, 11, 23)))
    lint(LintOptions(paths=[str(roots[-1])], today=dt.date(2026, 11, 23)))
    assert memory.reused == 1
    lint(LintOptions(paths=[str(roots[0])], today=dt.date(2026, 11, 23)))
    assert memory.read == 1  # forgotten: read through the cache on disk again


@pytest.mark.parametrize("output_format", sorted(FORMATTERS))
def test_golden_reports_are_the_same_with_files_kept_in_memory(
    bcplint: Callable[..., CliRun], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output_format: str
) -> None:
    monkeypatch.setenv("BCPLINT_CACHE_DIR", str(tmp_path / "cache"))
    args = ("check", ".", "--ignore", "BCP304", "--today", TODAY, "--format", output_format, "--no-color")
    without = bcplint(*args, cwd=GOLDEN_WORKSPACE)
    keep_files_in_memory(FileMemory())
    try:
        assert bcplint(*args, cwd=GOLDEN_WORKSPACE) == without  # memory filled
        assert bcplint(*args, cwd=GOLDEN_WORKSPACE) == without  # memory used
    finally:
        keep_files_in_memory(None)


@pytest.mark.slow
def test_hostile_input_gives_the_same_reports_when_served(daemons: Daemons, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    for relative, content in HOSTILE.items():
        write(root, relative, content)
    daemons.run("daemon", "start", cwd=root)
    daemons.wait_for(root)
    for output_format in ("json", "text", "sarif"):
        args = ("check", "--today", TODAY, "--format", output_format, "--no-color")
        itself = daemons.run(*args, cwd=root)
        assert b"Traceback" not in itself.stderr
        same_run(daemons.run(*args, "--daemon", cwd=root), itself)  # memory filled
        same_run(daemons.run(*args, "--daemon", cwd=root), itself)  # memory used
    assert daemons.wait_for(root)["served"] == 6
