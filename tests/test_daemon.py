"""``bcplint check --daemon`` and ``bcplint daemon``: real processes on a real Unix socket.

What a served run writes must be, byte for byte, what the same check run by the client itself
writes, with the same exit code; a daemon that is missing, dead, wedged, of other code or
unsafe to talk to must never fail a run or change its output.
"""

from __future__ import annotations

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
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bcplint.api import LintOptions, lint, load_workspace
from bcplint.console import _wants_daemon
from bcplint.daemon.address import Address
from bcplint.daemon.client import CI_VARIABLES
from bcplint.daemon.server import WATCH_SECONDS, Daemon, _as_client, environment, read_lock, superseded
from bcplint.daemon.wire import WireError, receive, run_request, send, send_go
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

    def status(self, cwd: Path, env: dict[str, str] | None = None) -> dict[str, int] | None:
        """pid and runs served of the running daemon, or None."""
        shown = self.run("daemon", "status", cwd=cwd, env=env).stdout.decode()
        found = re.search(r"running \(pid (\d+)\) for \d+ min, (\d+) runs served", shown)
        return {"pid": int(found[1]), "served": int(found[2])} if found else None

    def wait_for(self, cwd: Path, seconds: float = 60, env: dict[str, str] | None = None) -> dict[str, int]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if (found := self.status(cwd, env)) is not None:
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
    made.run("daemon", "stop", cwd=directory)
    for lock in (directory / "daemon").glob("*.lock"):  # every daemon writes its pid there
        text = read_lock(lock)[0]
        if text.isdigit() and int(text) > 0:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(text), signal.SIGKILL)
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
    # An ASCII-only output gets escapes, written by the daemon with the client's error handler.
    ascii_only = {**daemons.env, "PYTHONIOENCODING": "ascii"}
    other = write(tmp_path / "accents", "bcp/a.yaml", SERVICE.format(name="café") + "depends_on: [nothing]\n")
    served = daemons.run("check", "--today", TODAY, "--daemon", cwd=other.parent.parent, env=ascii_only)
    same_run(served, daemons.run("check", "--today", TODAY, cwd=other.parent.parent, env=ascii_only))
    assert served.stdout.isascii() and b"caf\\xe9" in served.stdout
    assert daemons.wait_for(workspace)["served"] == before + 6
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


def _patched_daemon(daemons: Daemons, cwd: Path, command: str) -> subprocess.Popen[bytes]:
    """A daemon whose checks run ``command`` (Python, with ``sys`` and ``time`` imported, and
    ``lint(*a, **k)`` the linting it replaces) in place of linting, once it answers."""
    code = (
        "import sys, time, bcplint.cli.check as c\n"
        "lint = c.lint_workspaces\n"
        f"def run(*a, **k):\n    {command}\n"
        "c.lint_workspaces = run\n"
        "sys.argv = ['bcplint', 'daemon', 'serve']\nfrom bcplint.console import console\nconsole()"
    )
    daemon = subprocess.Popen([sys.executable, "-c", code], cwd=cwd, env=daemons.env, stderr=subprocess.DEVNULL)
    assert daemons.wait_for(cwd)["pid"] == daemon.pid
    return daemon


def _client(
    daemons: Daemons, cwd: Path, argv: list[str], stdout: Any = subprocess.PIPE, **patience: float
) -> subprocess.Popen[bytes]:
    """``bcplint <argv> --daemon`` with the client's constants (STARTED_SECONDS...) set to ``patience``."""
    code = (
        "import sys; from bcplint.daemon import client\n"
        + "".join(f"client.{name} = {value}\n" for name, value in patience.items())
        + f"sys.argv = ['bcplint', *{[*argv, '--daemon']!r}]\nfrom bcplint.console import console\nconsole()"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code], cwd=cwd, env=daemons.env, stdout=stdout, stderr=subprocess.PIPE
    )


def test_a_frozen_or_dead_daemon_is_replaced_and_the_check_run_again(daemons: Daemons, tmp_path: Path) -> None:
    """A daemon that falls silent during a run (stopped here: SIGSTOP) is killed once the
    client's patience (SILENT_SECONDS, three seconds here) runs out, and the client runs the
    check itself, saying why; so it does when the daemon dies during the run."""
    write(tmp_path, "bcp/a.yaml", SERVICE.format(name="a"))
    args = ["check", "--today", TODAY, "--format", "json"]
    itself = daemons.run(*args, cwd=tmp_path)
    for ending, why in (
        (signal.SIGSTOP, b"stopped answering for 3 s during the run and was stopped"),
        (signal.SIGKILL, b"stopped during the run"),
    ):
        daemon = _patched_daemon(daemons, tmp_path, "time.sleep(600)")
        client = _client(daemons, tmp_path, args, SILENT_SECONDS=3.0)
        time.sleep(1.5)  # the run has begun and hangs, its heartbeats flowing
        daemon.send_signal(ending)
        out, err = client.communicate(timeout=60)
        daemon.wait(timeout=30)
        assert (client.returncode, out) == (itself.returncode, itself.stdout)
        assert err == b"bcplint: note: the daemon " + why + b"; checking without it\n" + itself.stderr
    # What the unfinished run wrote to a file is cut off: the report redirected there is whole,
    # with ">>" as a shell opens it (O_APPEND, at offset 0) as with ">". Unless something else
    # wrote to the file after it: then nothing is cut.
    earlier, half, other = b"an earlier report\n", b"half a report\n", b"another writer\n"
    for flags, elsewhere, expected in (
        (os.O_APPEND, b"", earlier + itself.stdout),
        (os.O_TRUNC, b"", itself.stdout),
        (os.O_APPEND, other, earlier + half + other + itself.stdout),
    ):
        report = tmp_path / "report.json"
        report.write_bytes(earlier)
        daemon = _patched_daemon(daemons, tmp_path, "print('half a report', flush=True); time.sleep(600)")
        fd = os.open(report, os.O_WRONLY | flags)
        try:
            client = _client(daemons, tmp_path, args, stdout=fd)
            while half not in report.read_bytes():
                time.sleep(0.1)
            with open(report, "ab") as writer:
                writer.write(elsewhere)
            daemon.kill()
            client.communicate(timeout=60)
        finally:
            os.close(fd)
        daemon.wait(timeout=30)
        assert (report.read_bytes(), client.returncode) == (expected, itself.returncode)


def test_ctrl_c_as_the_run_is_handed_over_or_a_run_that_will_not_end(daemons: Daemons, tmp_path: Path) -> None:
    """A Ctrl-C just before the "go" reaches the daemon: the client ends at once ("Aborted.",
    2) and the daemon, given the interrupt instead of the go, does not run the check. A run
    that does not end when interrupted: the client waits INTERRUPTED_SECONDS, not for ever."""
    write(tmp_path, "bcp/a.yaml", SERVICE.format(name="a"))
    args = ["check", "--today", TODAY, "--format", "json"]
    daemon = _patched_daemon(daemons, tmp_path, "print('served', flush=True); return lint(*a, **k)")
    code = (
        "import sys; from bcplint.daemon import client\n"
        "def interrupted(*a):\n    raise KeyboardInterrupt\n"
        "client.send_go = interrupted\n"
        f"sys.argv = ['bcplint', *{[*args, '--daemon']!r}]\nfrom bcplint.console import console\nconsole()"
    )
    started = time.monotonic()
    ended = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=daemons.env, capture_output=True, timeout=60, check=False
    )
    assert (ended.returncode, ended.stdout, ended.stderr) == (2, b"", b"Aborted.\n")
    assert time.monotonic() - started < 5  # not REQUEST_SECONDS waiting on each other
    assert daemons.wait_for(tmp_path) == {"pid": daemon.pid, "served": 0}
    daemon.kill()
    daemon.wait(timeout=30)
    stubborn = "import signal; signal.signal(signal.SIGINT, signal.SIG_IGN); print('served', flush=True); time.sleep(9)"
    daemon = _patched_daemon(daemons, tmp_path, stubborn)
    client = _client(daemons, tmp_path, args, INTERRUPTED_SECONDS=2.0)
    assert client.stdout is not None and client.stdout.readline() == b"served\n"
    client.send_signal(signal.SIGINT)
    started = time.monotonic()
    _, err = client.communicate(timeout=60)
    assert (client.returncode, err) == (2, b"Aborted.\n") and time.monotonic() - started < 10
    daemon.kill()
    daemon.wait(timeout=30)


def test_a_run_waits_for_a_slow_reader_and_writes_its_output_once(daemons: Daemons, tmp_path: Path) -> None:
    """A daemon blocked writing to a pipe nobody reads yet is not frozen: its heartbeats go on,
    and the client waits as long as the run takes (far past SILENT_SECONDS here)."""
    write(tmp_path, "bcp/a.yaml", SERVICE.format(name="a"))
    args = ["check", "--today", TODAY, "--format", "json"]
    itself = daemons.run(*args, cwd=tmp_path)
    daemon = _patched_daemon(daemons, tmp_path, "sys.stdout.write('x' * 2**20); return lint(*a, **k)")
    client = _client(daemons, tmp_path, args, SILENT_SECONDS=3.0)
    time.sleep(8.0)  # the pipe is full long before
    out, err = client.communicate(timeout=60)
    assert (client.returncode, out, err) == (itself.returncode, b"x" * 2**20 + itself.stdout, itself.stderr)
    assert daemons.wait_for(tmp_path)["pid"] == daemon.pid
    daemon.kill()
    daemon.wait(timeout=30)


def test_a_busy_daemon_leaves_the_check_to_the_client_and_a_client_gone_ends_its_run(
    daemons: Daemons, tmp_path: Path
) -> None:
    """A second client does not wait for a daemon busy with another run (it checks the commit
    itself, and the daemon never runs its request); a client killed mid-run has its run
    interrupted, and the daemon serves the next one."""
    write(tmp_path, "bcp/a.yaml", SERVICE.format(name="a"))
    args = ["check", "--today", TODAY, "--format", "json"]
    itself = daemons.run(*args, cwd=tmp_path)
    daemon = _patched_daemon(daemons, tmp_path, "print('served'); sys.stdout.flush(); time.sleep(600)")
    first = _client(daemons, tmp_path, args)
    assert first.stdout is not None and first.stdout.readline() == b"served\n"
    started = time.monotonic()
    second = _client(daemons, tmp_path, args)
    out, err = second.communicate(timeout=60)
    assert (second.returncode, out, err) == (itself.returncode, itself.stdout, itself.stderr)
    assert time.monotonic() - started < 30  # STARTED_SECONDS and a check, not the first run's ten minutes
    first.kill()
    first.communicate(timeout=30)
    deadline = time.monotonic() + 30
    while (status := daemons.status(tmp_path)) is None and time.monotonic() < deadline:
        time.sleep(0.2)  # busy until the heartbeat finds the first client gone
    assert status == {"pid": daemon.pid, "served": 1}  # the second client's request never ran
    third = _client(daemons, tmp_path, args)
    assert third.stdout is not None and third.stdout.readline() == b"served\n"
    for process in (third, daemon):
        process.kill()
        process.communicate(timeout=30)
    daemon.wait(timeout=30)


def test_a_daemon_never_forks_workers_to_read(daemons: Daemons, tmp_path: Path) -> None:
    """A forked reader would inherit the client's pipes and the daemon's lock, and outlive a
    daemon killed mid-run: the daemon reads every file in its own process, even a cold
    workspace far larger than the threshold for parallel reading."""
    from bcplint.load.read import PARALLEL_THRESHOLD  # noqa: PLC0415

    root = tmp_path / "ws"
    for i in range(PARALLEL_THRESHOLD + 50):
        write(root, f"bcp/s{i}.yaml", SERVICE.format(name=f"s{i}"))
    code = (
        "import sys, concurrent.futures as f\n"
        "def refuse(*a, **k):\n    raise RuntimeError('a worker process forked')\n"
        "f.ProcessPoolExecutor = refuse\n"
        "sys.argv = ['bcplint', 'daemon', 'serve']\nfrom bcplint.console import console\nconsole()"
    )
    daemon = subprocess.Popen([sys.executable, "-c", code], cwd=root, env=daemons.env, stderr=subprocess.DEVNULL)
    assert daemons.wait_for(root)["pid"] == daemon.pid
    args = ("check", "--today", TODAY, "--format", "json", "--no-cache")
    same_run(daemons.run(*args, "--daemon", cwd=root), daemons.run(*args, cwd=root))
    assert daemons.wait_for(root)["served"] == 1
    daemon.kill()
    daemon.wait(timeout=30)


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


def test_a_new_daemon_stops_the_one_it_supersedes(daemons: Daemons, tmp_path: Path) -> None:
    """A package installed beside bcplint (in a directory of PYTHONPATH here) gives the
    installation a new fingerprint: the daemon started for it stops the old one, which nobody
    asks any more. A daemon of another search path may still have clients: it is left alone."""
    beside = tmp_path / "site"
    beside.mkdir()
    installed = {**daemons.env, "PYTHONPATH": str(beside)}
    daemons.run("daemon", "start", cwd=tmp_path, env=installed)
    old = daemons.wait_for(tmp_path, env=installed)["pid"]
    daemons.run("daemon", "start", cwd=tmp_path)  # another search path
    other = daemons.wait_for(tmp_path)["pid"]
    time.sleep(1.0)  # it would have stopped the first by now
    assert daemons.wait_for(tmp_path, env=installed)["pid"] == old
    (beside / "newly_installed.py").write_text("")  # the directory changes: a new fingerprint
    daemons.run("daemon", "start", cwd=tmp_path, env=installed)
    assert daemons.wait_for(tmp_path, env=installed)["pid"] not in (old, other)
    _wait_gone(old)
    assert daemons.wait_for(tmp_path)["pid"] == other


def test_superseded_daemons_are_those_of_the_same_environment(tmp_path: Path) -> None:
    where = Address(tmp_path, "a" * 32)
    here, elsewhere = environment(), "0" * 32
    for fingerprint, text in (
        ("a" * 32, f"1\n{here}\n"),  # itself
        ("b" * 32, f"2\n{here}\n"),  # the same environment, other code: superseded
        ("c" * 32, f"3\n{elsewhere}\n"),  # another installation, or search path
        ("d" * 32, "4"),  # a lock of an earlier layout: nothing known
        ("e" * 32, f"5\n{here}\n"),
    ):
        (tmp_path / f"{fingerprint}.lock").write_text(text)
    assert superseded(where, here) == ["b" * 32, "e" * 32]


def test_a_daemon_whose_socket_is_removed_leaves(daemons: Daemons, tmp_path: Path) -> None:
    daemons.run("daemon", "start", cwd=tmp_path)
    pid = daemons.wait_for(tmp_path)["pid"]
    daemons.address().socket.unlink()
    _wait_gone(pid, seconds=WATCH_SECONDS * 4)
    assert "its socket was removed or replaced" in daemons.log()


def test_relative_cache_directory_and_python_path_still_find_the_daemon(daemons: Daemons, tmp_path: Path) -> None:
    """A relative BCPLINT_CACHE_DIR or PYTHONPATH names what it names from the client's
    directory: the daemon a client starts is found by the next client there."""
    tmp_path = daemons.directory / "w"  # short: a socket path has a length limit
    write(tmp_path, "bcp/a.yaml", SERVICE.format(name="a"))
    (tmp_path / "lib").mkdir()
    args = ("check", "--today", TODAY, "--format", "json")
    relative = dict(daemons.env, BCPLINT_CACHE_DIR="rc", PYTHONPATH="lib")
    itself = daemons.run(*args, cwd=tmp_path, env=relative)
    same_run(daemons.run(*args, "--daemon", cwd=tmp_path, env=relative), itself)  # starts one
    deadline = time.monotonic() + 60
    while not list((tmp_path / "rc" / "daemon").glob("*.sock")) and time.monotonic() < deadline:
        time.sleep(0.1)
    same_run(daemons.run(*args, "--daemon", cwd=tmp_path, env=relative), itself)
    shown = daemons.run("daemon", "status", cwd=tmp_path, env=relative).stdout.decode()
    assert "1 runs served" in shown, shown + daemons.log()
    daemons.run("daemon", "stop", cwd=tmp_path, env=relative)


def test_a_cache_directory_that_cannot_be_found_leaves_the_check_to_the_client(
    daemons: Daemons, tmp_path: Path
) -> None:
    """A BCPLINT_CACHE_DIR of a user that does not exist: the client asks no daemon and the
    check runs as it runs without ``--daemon``."""
    write(tmp_path, "bcp/a.yaml", SERVICE.format(name="a"))
    args = ("check", "--today", TODAY, "--format", "json", "--no-cache")
    nowhere = dict(daemons.env, BCPLINT_CACHE_DIR="~no-such-user-here/cache")
    itself = daemons.run(*args, cwd=tmp_path, env=nowhere)
    assert itself.returncode == 1 and b"Traceback" not in itself.stderr
    same_run(daemons.run(*args, "--daemon", cwd=tmp_path, env=nowhere), itself)


def test_an_idle_daemon_leaves(daemons: Daemons, tmp_path: Path) -> None:
    served = daemons.run("daemon", "serve", "--idle-timeout", "1", cwd=tmp_path)
    assert served.returncode == 0 and b"idle for 1 seconds" in served.stderr
    assert not daemons.address().socket.exists()


def test_garbage_on_the_socket_does_not_stop_the_daemon(daemons: Daemons, tmp_path: Path) -> None:
    write(tmp_path, "bcp/a.yaml", SERVICE.format(name="a"))
    daemons.run("daemon", "start", cwd=tmp_path)
    daemons.wait_for(tmp_path)
    where = daemons.address()
    frame = (2).to_bytes(8, "big")
    nested = b"[" * 200_000
    for junk in (
        b"",
        b"Q",
        b"X" + frame + b"{}",
        b"Q\xff\xff\xff\xff\xff\xff\xff\xff",
        b"Q" + (5).to_bytes(8, "big") + b"nope!",
        b"Q" + frame + b"[]",
        b"Q" + len(nested).to_bytes(8, "big") + nested,
        b"R" + frame + b"{}",  # a run without its streams
    ):
        with socket.socket(socket.AF_UNIX) as connection:
            connection.connect(str(where.socket))
            connection.sendall(junk)
            connection.shutdown(socket.SHUT_WR)
            with contextlib.suppress(ConnectionResetError):
                assert connection.recv(100) == b""  # dropped without a word
    fingerprint = where.fingerprint
    assert "refused" in _ask(where.socket, {"fingerprint": fingerprint})
    assert "refused" in _ask(where.socket, {"fingerprint": "0" * 32, "status": True})
    args = ("check", "--today", TODAY, "--format", "json")
    same_run(daemons.run(*args, "--daemon", cwd=tmp_path), daemons.run(*args, cwd=tmp_path))
    assert daemons.wait_for(tmp_path)["served"] == 1
    assert "Traceback" not in daemons.log()


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


def test_output_that_cannot_be_written_ends_a_served_run_as_it_ends_the_run_itself(
    daemons: Daemons, tmp_path: Path
) -> None:
    """A full disk (/dev/full) and a reader that goes away: the daemon writes to the client's own
    standard output, so the error, the message and the exit code are those of the run itself."""
    workspace = shutil.copytree(EXAMPLES / "complete", tmp_path / "ws")
    daemons.run("daemon", "start", cwd=workspace)
    daemons.wait_for(workspace)
    runs = [("check", "--today", TODAY, *extra) for extra in ((), ("--format", "json"), ("--format", "sarif"))]
    if Path("/dev/full").exists():
        for args in runs:
            with open("/dev/full", "wb") as full:
                served, itself = (
                    subprocess.run(
                        [sys.executable, "-m", "bcplint", *args, *daemon],
                        cwd=workspace,
                        env=daemons.env,
                        stdout=full,
                        stderr=subprocess.PIPE,
                        check=False,
                    )
                    for daemon in (("--daemon",), ())
                )
            assert (served.returncode, served.stderr) == (itself.returncode, itself.stderr)
            assert served.returncode == 2 and b"No space left on device" in served.stderr
    for args in runs:
        outcomes = []
        for daemon in (("--daemon",), ()):
            with subprocess.Popen(
                [sys.executable, "-m", "bcplint", *args, *daemon],
                cwd=workspace,
                env=daemons.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            ) as gone:
                assert gone.stdout is not None and gone.stderr is not None
                gone.stdout.close()  # the reader went away before the report came
                outcomes.append((gone.wait(timeout=60), gone.stderr.read()))
        assert outcomes[0] == outcomes[1]
        assert b"Traceback" not in outcomes[0][1]


def test_a_served_run_interleaves_its_output_and_keeps_the_umask_as_the_run_itself(
    daemons: Daemons, tmp_path: Path
) -> None:
    """Standard output and error into one pipe (as pre-commit shows a hook's output): the same
    bytes in the same order, the report more than one buffer long. A report file gets the
    client's umask."""
    workspace = shutil.copytree(EXAMPLES / "complete", tmp_path / "ws")
    daemons.run("daemon", "start", cwd=workspace)
    daemons.wait_for(workspace)
    for args in (("--no-color",), ("--format", "json"), ("--format", "sarif")):
        merged = [
            subprocess.run(
                [sys.executable, "-m", "bcplint", "check", "--today", TODAY, *args, *daemon],
                cwd=workspace,
                env=daemons.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                check=False,
            )
            for daemon in (("--daemon",), ())
        ]
        assert merged[0].stdout == merged[1].stdout and merged[0].returncode == merged[1].returncode
        assert b"bcplint: note:" in merged[0].stdout or args[0] == "--no-color"
    assert len(merged[0].stdout) > 16384
    report = f"umask 077 && {sys.executable} -m bcplint check --today {TODAY} --output junit:out/r.xml"
    for daemon, name in (("--daemon", "served"), ("", "itself")):
        subprocess.run(
            f"{report} {daemon}", shell=True, cwd=workspace, env=daemons.env, capture_output=True, check=False
        )
        (workspace / "out").rename(workspace / name)
    modes = [
        (os.stat(workspace / name).st_mode & 0o777, os.stat(workspace / name / "r.xml").st_mode & 0o777)
        for name in ("served", "itself")
    ]
    assert modes[0] == modes[1] == (0o700, 0o600)
    assert daemons.wait_for(workspace)["served"] == 4


@pytest.mark.slow
def test_ctrl_c_interrupts_the_served_run(daemons: Daemons, tmp_path: Path) -> None:
    """The client passes Ctrl-C on: the daemon's run ends as the command line's would
    ("Aborted.", exit code 2), and the daemon serves on."""
    root = tmp_path / "ws"
    for i in range(4000):  # a run long enough to interrupt
        write(root, f"bcp/s{i}.yaml", SERVICE.format(name=f"s{i}"))
    daemons.run("daemon", "start", cwd=root)
    pid = daemons.wait_for(root)["pid"]
    client = subprocess.Popen(
        [sys.executable, "-m", "bcplint", "check", "--today", TODAY, "--no-cache", "--daemon"],
        cwd=root,
        env=daemons.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    time.sleep(1.0)
    client.send_signal(signal.SIGINT)
    _, err = client.communicate(timeout=60)
    # Whatever the run wrote before (a report half written, say) stays, as it would in-process.
    assert client.returncode == 2 and err.endswith(b"Aborted.\n") and b"Traceback" not in err
    assert daemons.wait_for(root)["pid"] == pid


# --- in this process: a daemon object on one end of a socket pair -------------------------


class Served:
    """A :class:`Daemon` answering one request sent from the other end of a socket pair, with
    two files of ``directory`` standing for the client's standard output and error."""

    def __init__(self, directory: Path, command: Callable[[list[str]], int]) -> None:
        self.where = Address(directory, "f" * 32)
        self.daemon = Daemon(self.where, command, lambda: None)
        self.out, self.err = directory / "out", directory / "err"

    def ask(self, request: dict[str, Any], streams: bool = True, go: bool = True) -> list[dict[str, Any]]:
        """The answers to ``request``, its fingerprint filled in, heartbeats left out; the
        client (a thread: the daemon must be the main one, for its signals) says "go" after
        "started" unless ``go`` is False, when it goes away instead."""
        ours, theirs = socket.socketpair()
        answers: list[dict[str, Any]] = []

        def client() -> None:
            with contextlib.suppress(WireError, OSError):
                while True:
                    answers.append(receive(ours))
                    if "started" in answers[-1]:
                        if not go:
                            ours.shutdown(socket.SHUT_RDWR)
                            return
                        send_go(ours, [out.fileno(), err.fileno()] if streams else [])

        with ours, theirs, open(self.out, "wb") as out, open(self.err, "wb") as err:
            send(ours, {"fingerprint": self.where.fingerprint, **request})
            thread = threading.Thread(target=client)
            thread.start()
            self.daemon._answer(theirs)
            theirs.close()
            thread.join(timeout=60)
        return [answer for answer in answers if "alive" not in answer]


def _run_request(cwd: Path, argv: list[str]) -> dict[str, Any]:
    request = run_request(argv, "f" * 32)
    request["run"]["cwd"] = str(cwd)
    return request


def test_malformed_run_requests_are_refused(tmp_path: Path) -> None:
    served = Served(tmp_path, lambda argv: pytest.fail("never run"))
    good = _run_request(tmp_path, ["check"])["run"]
    stream = good["stdout"]
    for broken in (
        {},
        {**good, "argv": "check"},
        {**good, "argv": ["check", 1]},
        {**good, "argv": ["daemon", "stop"]},  # only checks are served
        {**good, "env": {"A": 1}},
        {**good, "env": {"A": "nul\0"}},
        {**good, "env": {"A=B": "c"}},
        {**good, "umask": "022"},
        {**good, "stdout": {**stream, "encoding": "no-such-codec"}},
        {**good, "stdout": {**stream, "encoding": "utf\0-8"}},
        {**good, "stdout": {**stream, "encoding": "rot13"}},  # a codec, but not of text to bytes
        {**good, "stdout": {**stream, "errors": "no-such-handler"}},
        {**good, "stdout": {**stream, "buffered": "yes"}},
        {**good, "stderr": {}},
        {**good, "cwd": str(tmp_path / "gone")},
        {**good, "cwd": "nul\0"},
    ):
        answers = served.ask({"run": broken})
        assert len(answers) == 1 and "refused" in answers[0], broken
    assert served.ask({"run": good}, streams=False) == [{"started": os.getpid()}]  # a go without streams
    assert served.daemon.served == 0


def test_a_run_that_raises_ends_as_the_command_line_would(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    def broken(argv: list[str]) -> int:
        print("half a report")
        raise RuntimeError("a bug")

    served = Served(tmp_path, broken)
    answers = served.ask(_run_request(tmp_path, ["check"]))
    assert answers == [{"started": os.getpid()}, {"code": 1}]
    assert served.out.read_bytes() == b"half a report\n"
    assert "Traceback" in served.err.read_text() and "RuntimeError: a bug" in served.err.read_text()
    assert "RuntimeError: a bug" in capfd.readouterr().err  # the daemon's log: its own standard error


def test_a_run_whose_client_went_away_before_saying_go_never_happens(tmp_path: Path) -> None:
    """A client that tired of waiting for "started" (the daemon was busy) ran the check itself:
    the daemon, getting to its request later, must not run it too."""
    ran: list[list[str]] = []
    served = Served(tmp_path, lambda argv: ran.append(argv) or 0)
    assert served.ask(_run_request(tmp_path, ["check"]), go=False) == [{"started": os.getpid()}]
    assert ran == [] and served.daemon.served == 0
    assert served.ask(_run_request(tmp_path, ["check"])) == [{"started": os.getpid()}, {"code": 0}]
    assert ran == [["check"]]


def test_a_run_writes_to_the_clients_streams_in_its_place(tmp_path: Path) -> None:
    seen: dict[str, Any] = {}

    def command(argv: list[str]) -> int:
        seen.update(cwd=os.getcwd(), env=os.environ.get("ONLY_THE_CLIENT"), umask=os.umask(0o022))
        os.umask(seen["umask"])
        print("héllo")
        print("oops", file=sys.stderr)
        return 3

    request = _run_request(tmp_path, ["check"])
    request["run"]["env"] = {"ONLY_THE_CLIENT": "yes"}
    request["run"]["umask"] = 0o027
    request["run"]["stdout"] = {**request["run"]["stdout"], "encoding": "latin-1"}
    cwd, env, umask = os.getcwd(), dict(os.environ), os.umask(0o022)
    os.umask(umask)
    served = Served(tmp_path, command)
    assert served.ask(request) == [{"started": os.getpid()}, {"code": 3}]
    assert seen == {"cwd": str(tmp_path), "env": "yes", "umask": 0o027}
    assert served.out.read_bytes() == "héllo\n".encode("latin-1") and served.err.read_bytes() == b"oops\n"
    assert os.getcwd() == cwd and dict(os.environ) == env and os.umask(umask) == umask
    with pytest.raises(RuntimeError), _as_client(str(tmp_path), {}, 0o077, io.StringIO(), io.StringIO()):
        raise RuntimeError
    assert os.getcwd() == cwd and dict(os.environ) == env and os.umask(umask) == umask


def test_status_stop_and_a_client_of_other_code(tmp_path: Path) -> None:
    served = Served(tmp_path, lambda argv: pytest.fail("never run"))
    assert served.ask({"status": True}, streams=False)[0]["pid"] == os.getpid()
    assert served.ask({"fingerprint": "0" * 32, "status": True}, streams=False)[0] == {
        "refused": "this daemon runs other code than the client"
    }
    ours, theirs = socket.socketpair()
    with ours, theirs:
        send(ours, {"fingerprint": served.where.fingerprint, "stop": True})
        assert served.daemon._answer(theirs) is True
        assert receive(ours) == {"stopped": os.getpid()}


def test_a_warm_up_writes_no_files_and_nothing_to_anyone(tmp_path: Path) -> None:
    argvs: list[list[str]] = []
    served = Served(tmp_path, lambda argv: argvs.append(argv) or print("to nobody") or 0)
    request = _run_request(
        tmp_path, ["check", "--output", "junit:a.xml", "--staged", "--output=sarif:b", "--", "--output"]
    )
    served.daemon._warm_up(request["run"])
    assert argvs == [["check", "--staged", "--", "--output"]]


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


def _wait_gone(pid: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
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
    kept = FileMemory()
    keep_files_in_memory(kept)
    try:
        assert bcplint(*args, cwd=GOLDEN_WORKSPACE) == without  # memory filled
        assert bcplint(*args, cwd=GOLDEN_WORKSPACE) == without  # memory used
        assert kept.reused > 0 and kept.read == 0
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


def _on_a_terminal(daemons: Daemons, args: tuple[str, ...], cwd: Path, columns: int) -> tuple[int, bytes]:
    """Exit code and what ``bcplint <args>`` shows on a pseudo-terminal ``columns`` wide."""
    import fcntl  # noqa: PLC0415 - POSIX only, like the daemon
    import pty  # noqa: PLC0415
    import struct  # noqa: PLC0415
    import termios  # noqa: PLC0415

    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = {k: v for k, v in daemons.env.items() if k not in ("COLUMNS", "NO_COLOR", "TERM")} | {"TERM": "xterm"}
    process = subprocess.Popen(
        [sys.executable, "-m", "bcplint", *args], cwd=cwd, env=env, stdin=terminal, stdout=terminal, stderr=terminal
    )
    os.close(terminal)
    shown = bytearray()
    with contextlib.suppress(OSError):  # EIO once the last holder of the terminal is gone
        while chunk := os.read(controller, 65536):
            shown += chunk
    os.close(controller)
    return process.wait(timeout=120), bytes(shown)


def test_a_served_run_on_a_terminal_shows_what_the_run_itself_shows(daemons: Daemons, tmp_path: Path) -> None:
    """Colours, and the terminal's width, come from the client's terminal, not the daemon's."""
    workspace = shutil.copytree(EXAMPLES / "jitbit", tmp_path / "ws")  # findings: colours to show
    daemons.run("daemon", "start", cwd=workspace)
    before = daemons.wait_for(workspace)["served"]
    check, usage = ("check", "--today", TODAY), ("check", "--help")
    for columns in (60, 200):
        itself = _on_a_terminal(daemons, check, workspace, columns)
        assert b"\x1b[" in itself[1]  # coloured: a terminal
        assert _on_a_terminal(daemons, (*check, "--daemon"), workspace, columns) == itself
        itself = _on_a_terminal(daemons, usage, workspace, columns)  # wrapped to the width
        assert _on_a_terminal(daemons, (*usage, "--daemon"), workspace, columns) == itself
    assert _on_a_terminal(daemons, usage, workspace, 60) != itself
    assert daemons.wait_for(workspace)["served"] == before + 4
