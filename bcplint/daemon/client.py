"""The client side: hand a ``bcplint check --daemon`` run to this installation's daemon.

:func:`forward` sends the run (arguments, current directory, environment, what standard
output and error are) and writes back what the daemon's run wrote, byte for byte, with its
exit code. When no daemon answers it starts one in the background, for the next run (never in
CI: a job runs one check, and a daemon would only outlive it), and says so by returning None:
the caller then runs the check itself. A daemon that accepts the run but does not answer
within :data:`REPLY_SECONDS` is wedged: it is killed, and the client runs the check. So
``--daemon`` never fails a run and never changes its output; at worst it costs a connection
attempt (a millisecond).

Imports nothing heavy: a served run never loads bcplint's models, rules or click.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import socket
import stat
import sys
from typing import Any

from bcplint.daemon.address import Address, address
from bcplint.daemon.wire import WireError, receive, run_request, send

# A daemon that does not accept within this long is busy or wedged: the client runs the check.
CONNECT_SECONDS = 2.0
# The longest a client waits for a run's reply, its turn included: far beyond a cold check of
# 100,000 documents (30 s). A daemon that takes longer is taken for wedged and replaced.
REPLY_SECONDS = 300.0
# Set by CI services (CI by most; the others by those that do not set it).
CI_VARIABLES = ("CI", "TF_BUILD", "JENKINS_URL", "TEAMCITY_VERSION", "BUILDKITE", "CODEBUILD_BUILD_ID")


def forward(argv: list[str]) -> int | None:
    """The exit code of ``bcplint <argv>`` run by the daemon, its output written to this
    process's standard output and error; None when no daemon ran it (none is running: one is
    started for next time; it refused; it went away) and the caller must run it itself."""
    if sys.stdout is None or sys.stderr is None:  # closed: the caller's own run says what it can
        return None
    where = address()
    if where.problem() is not None or not private_directory(where):
        return None
    try:
        request = run_request(argv, where.fingerprint)
    except (OSError, ValueError):  # the current directory is gone, a stream closed: the caller says so
        return None
    try:
        reply = ask(where, request, timeout=REPLY_SECONDS)
    except TimeoutError:
        stop_wedged(where)
        reply = None
    if reply is None:
        if not in_ci():
            start_in_background(where, request)
        return None
    return _written(reply)


def in_ci() -> bool:
    """True when a CI service runs this process (:data:`CI_VARIABLES`; ``CI=false`` says no)."""
    return any(os.environ.get(name, "").lower() not in ("", "0", "false", "no") for name in CI_VARIABLES)


def ask(where: Address, request: dict[str, Any], timeout: float) -> dict[str, Any] | None:
    """The daemon's reply to ``request``; None when there is no daemon at ``where`` or it did
    not answer properly. TimeoutError when it accepted the request but did not answer within
    ``timeout`` seconds."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        try:
            connection.settimeout(CONNECT_SECONDS)
            connection.connect(os.fspath(where.socket))
        except OSError:
            return None
        try:
            connection.settimeout(timeout)
            send(connection, request)
            return receive(connection)
        except TimeoutError:
            raise
        except (OSError, WireError):
            return None


def stop_wedged(where: Address) -> None:
    """Kill the daemon holding the lock at ``where`` (it wrote its pid there), if one does."""
    import fcntl  # noqa: PLC0415 - POSIX only, like the daemon
    import signal  # noqa: PLC0415

    try:
        with open(where.lock, "rb") as lock:
            pid = int(lock.read().strip() or 0)
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:  # held: the daemon that wrote the pid is alive
                if pid > 0:
                    os.kill(pid, signal.SIGKILL)
    except (OSError, ValueError):
        pass


def private_directory(where: Address) -> bool:
    """True when the daemon's directory exists or could be made, belongs to this user and no one
    else may enter it: only then is whatever listens there this user's own daemon."""
    try:
        where.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.stat(where.directory)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o077


def start_in_background(where: Address, warm_up: dict[str, Any] | None = None) -> None:
    """Start a daemon for this installation, detached (its own session; standard streams not
    shared, so a pre-commit hook does not wait for it), and return at once. ``warm_up``, a run
    request, is served first with its output thrown away, so the next run finds the workspace
    in memory. A second daemon started meanwhile sees the first one's lock and leaves."""
    import subprocess  # noqa: PLC0415 - only a client that starts a daemon needs it

    command = [sys.executable, "-m", "bcplint", "daemon", "serve", "--fingerprint", where.fingerprint]
    try:
        with open(where.log, "ab") as log:
            process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=log,
                start_new_session=True,
                close_fds=True,
                cwd=where.directory,
            )
    except OSError:
        return
    assert process.stdin is not None
    with contextlib.suppress(OSError):  # a daemon that left at once (another one runs)
        process.stdin.write(json.dumps(warm_up or {}).encode())
    with contextlib.suppress(OSError):
        process.stdin.close()


def _written(reply: dict[str, Any]) -> int | None:
    """Write the output of a served run and return its exit code; None for a refusal."""
    code = reply.get("code")
    if not isinstance(code, int) or isinstance(code, bool):
        return None
    try:
        out = base64.b64decode(reply.get("stdout", ""), validate=True)
        err = base64.b64decode(reply.get("stderr", ""), validate=True)
    except (binascii.Error, TypeError, ValueError):
        return None
    return _write(out, err, code)


def _write(out: bytes, err: bytes, code: int) -> int:
    """Write ``out`` to standard output, then ``err`` to standard error (a check writes its
    report, then its notes); ``code``, or what a run in this process would end with when
    standard output cannot be written: 0 for a reader that went away (``| head``), 2 with a
    message for anything else (a full disk)."""
    try:
        sys.stdout.buffer.write(out)
        sys.stdout.flush()
    except BrokenPipeError:
        return 0
    except (OSError, ValueError) as exc:
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(f"bcplint: error: cannot write to standard output: {getattr(exc, 'strerror', exc)}\n")
        return 2
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.buffer.write(err)
        sys.stderr.flush()
    return code
