"""The ``bcplint`` command as a process: ``check`` ends with ``os._exit`` once its output is
flushed (bcplint.cli.console), so nothing it prints or writes may be lost on the way out."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import junitparser
import pytest

from tests.conftest import EXAMPLES, TODAY, Run, write


def command(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """``python -m bcplint ARGS`` with its output block-buffered, as into any pipe (this
    machine's PYTHONUNBUFFERED would hide a buffer left unflushed)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return subprocess.run([sys.executable, "-m", "bcplint", *args], cwd=cwd, env=env, capture_output=True, check=False)


def test_check_prints_and_writes_everything_before_the_process_ends(
    bcplint: Callable[..., Run], tmp_path: Path
) -> None:
    """Standard output, standard error, a report file and the exit code are those of the same
    check run in-process (where nothing ends at once)."""
    workspace = shutil.copytree(EXAMPLES / "complete", tmp_path / "ws")
    report = tmp_path / "out" / "report.xml"
    args = ("check", "--today", TODAY, "--format", "json", "--output", f"junit:{report}")
    ended = command(*args, cwd=workspace)
    written = report.read_bytes()
    report.unlink()
    expected = bcplint(*args, cwd=workspace)
    assert ended.returncode == expected.code
    assert ended.stdout.decode() == expected.out and len(ended.stdout) > 1000
    assert ended.stderr.decode() == expected.err
    assert written == report.read_bytes()
    suite = junitparser.JUnitXml.fromfile(str(report))
    assert sum(1 for _ in suite) > 0


def test_exit_codes_survive_the_quick_end(tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    write(clean, ".bcplint.yaml", "fail_on: never\n")
    write(clean, "bcp/svc.yaml", "apiVersion: bcplint/v1\nkind: Service\nname: svc\n")
    assert command("check", "--today", TODAY, cwd=clean).returncode == 0
    failing = tmp_path / "failing"
    write(failing, "bcp/svc.yaml", "apiVersion: bcplint/v1\nkind: Service\nname: svc\ndepends_on: [nothing]\n")
    assert command("check", "--today", TODAY, cwd=failing).returncode == 1
    assert command("check", "--today", "not-a-date", cwd=failing).returncode == 2


def test_a_profiler_or_an_exit_handler_still_gets_its_turn(tmp_path: Path) -> None:
    """A profiler writes its statistics at the interpreter's end: the quick end gives way to
    it, and lets go of the workspaces first (the last garbage collection would walk them all).
    An ``atexit`` handler (coverage's, multiprocessing's) runs before the quick end."""
    write(tmp_path, "bcp/svc.yaml", "apiVersion: bcplint/v1\nkind: Service\nname: svc\n")
    profile = tmp_path / "run.prof"
    args = ["check", "--today", TODAY, "--format", "json"]
    subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "bcplint", *args],
        cwd=tmp_path,
        capture_output=True,
        check=False,
    )
    assert profile.stat().st_size > 0  # (cProfile swallows the exit status)
    script = (
        "import atexit, os, sys; from bcplint.cli import common, console; quick = os._exit;"
        "os._exit = lambda code: (print('ended at once'), sys.stdout.flush(), quick(code));"
        "atexit.register(lambda: print('handler ran, kept:', len(common._KEPT))); console()"
    )
    handled = subprocess.run([sys.executable, "-c", script, *args], cwd=tmp_path, capture_output=True, check=False)
    assert handled.returncode == 1
    assert handled.stdout.decode().endswith("handler ran, kept: 1\nended at once\n")
    # A tracer (coverage's way) means the usual end, the workspaces let go of before it.
    traced = "import sys; sys.settrace(lambda *a: None); " + script
    watched = subprocess.run([sys.executable, "-c", traced, *args], cwd=tmp_path, capture_output=True, check=False)
    assert watched.returncode == 1 and watched.stdout.decode().endswith("handler ran, kept: 0\n"), watched


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full, a device every write to fails (Linux)")
@pytest.mark.parametrize("services", [1, 600], ids=["output-in-the-buffer", "output-past-the-buffer"])
def test_output_that_cannot_be_written_is_an_error_not_a_silent_pass(tmp_path: Path, services: int) -> None:
    """A full disk under the report: said on standard error, status 2 (a usage or I/O error),
    never a traceback and never the lint's own status as if the report were there; both when
    the report still sits in the buffer at the end and when a write fails on the way."""
    documents = "---\n".join(
        f"apiVersion: bcplint/v1\nkind: Service\nname: svc-{i:04d}\ndepends_on: [missing-{i:04d}]\n"
        for i in range(services)
    )
    write(tmp_path, "bcp/services.yaml", documents)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    with open("/dev/full", "w") as full:
        ended = subprocess.run(
            [sys.executable, "-m", "bcplint", "check", "--today", TODAY, "--format", "json"],
            cwd=tmp_path,
            env=env,
            stdout=full,
            stderr=subprocess.PIPE,
            check=False,
        )
    errors = ended.stderr.decode()
    assert ended.returncode == 2, errors
    assert "cannot write" in errors and "standard output" in errors and "Traceback" not in errors
    assert errors.count("bcplint: error:") == 1


def test_a_warm_check_ends_at_once(tmp_path: Path) -> None:
    """A check takes the quick end: nothing watches it, and it kept its workspaces."""
    write(tmp_path, "bcp/svc.yaml", "apiVersion: bcplint/v1\nkind: Service\nname: svc\n")
    args = ["check", "--today", TODAY, "--format", "json"]
    command(*args, cwd=tmp_path)  # fills the cache
    script = (
        "import os, sys; from bcplint.cli import console; quick = os._exit;"
        "os._exit = lambda code: (sys.stderr.write('ended at once\\n'), sys.stderr.flush(), quick(code)); console()"
    )
    ended = subprocess.run([sys.executable, "-c", script, *args], cwd=tmp_path, capture_output=True, check=False)
    assert ended.returncode == 1 and ended.stderr.decode().endswith("ended at once\n")


def test_text_the_terminal_cannot_encode_is_escaped_not_a_traceback(tmp_path: Path) -> None:
    """An ASCII-only standard output (PYTHONIOENCODING=ascii, as a C locale on an old system
    gives) gets what it cannot encode as escapes; served or not, the run ends as usual."""
    write(tmp_path, "bcp/svc.yaml", "apiVersion: bcplint/v1\nkind: Service\nname: café\ndepends_on: [nothing]\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"} | {"PYTHONIOENCODING": "ascii", "CI": "1"}
    for served in ("--no-daemon", "--daemon"):  # in CI no daemon starts: the client's own setting
        ended = subprocess.run(
            [sys.executable, "-m", "bcplint", "check", "--today", TODAY, served],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            check=False,
        )
        assert ended.returncode == 1 and b"Traceback" not in ended.stderr, ended.stderr
        assert b"caf\\xe9" in ended.stdout and ended.stdout.isascii()
