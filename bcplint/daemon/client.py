"""The client side: hand a ``bcplint check --daemon`` run to this installation's daemon.

:func:`forward` sends the run (arguments, current directory, environment, umask) with this
process's standard output and error; the daemon writes the run's output to them itself and
answers with the exit code. When no daemon answers, the client starts one in the background for
the next run (never in CI: a job runs one check, and a daemon would only outlive it) and runs
the check itself. So ``--daemon`` never fails a run and never changes its output; at worst it
costs a connection attempt (a millisecond), or :data:`STARTED_SECONDS` when the daemon is busy.

A daemon that does not begin the run within :data:`STARTED_SECONDS` is busy with another run:
the client runs the check itself, and the daemon, when it gets to the request, finds the client
gone and does not run it (the client says "go" once it has the daemon's "started"). A run once
begun takes as long as it takes, as it would in this process (a slow reader of its output, a
large workspace), while the daemon says every second that it is alive. One that falls silent
for :data:`SILENT_SECONDS` is taken for frozen, killed, and the check is run again here, as it
is when the daemon dies during the run, with a note on standard error saying so. What the
unfinished run wrote to a file is cut off first; to a pipe or terminal it stays. Ctrl-C
interrupts the run in the daemon, which ends it as the command line would ("Aborted."); a
client that goes away (killed, its terminal closed) has its run interrupted too.

Imports nothing heavy: a served run never loads bcplint's models, rules or click.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import stat
import struct
import sys
import time
from typing import Any

from bcplint.daemon.address import Address, address
from bcplint.daemon.wire import WireError, receive, run_request, send, send_go, send_interrupt

# A daemon that does not accept within this long is gone or wedged: the client runs the check.
CONNECT_SECONDS = 2.0
# A daemon that does not begin the run within this long is busy with another run (or wedged):
# the client runs the check itself. An idle daemon begins at once.
STARTED_SECONDS = 2.0
# A daemon serving a run says it is alive every HEARTBEAT_SECONDS (even while it waits for a
# slow reader of the output); one silent for SILENT_SECONDS is frozen, and is killed.
HEARTBEAT_SECONDS = 1.0
SILENT_SECONDS = 60.0
# How long an interrupted client waits for the daemon to end the run it interrupted.
INTERRUPTED_SECONDS = 10.0
# How long a client that killed a frozen daemon waits for it to be gone.
KILLED_SECONDS = 2.0
# Set by CI services (CI by most; the others by those that do not set it).
CI_VARIABLES = ("CI", "TF_BUILD", "JENKINS_URL", "TEAMCITY_VERSION", "BUILDKITE", "CODEBUILD_BUILD_ID")


def forward(argv: list[str]) -> int | None:
    """The exit code of ``bcplint <argv>`` run by the daemon, which wrote its output to this
    process's standard output and error; None when the daemon did not run it (see the module
    docstring) and the caller must run it itself."""
    try:
        where = address()
        if where.problem() is not None or not private_directory(where):
            return None
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        fds = [sys.stdout.fileno(), sys.stderr.fileno()]
        request = run_request(argv, where.fingerprint)
    except Exception:  # a stream closed or replaced, the directory gone, a home that is not
        return None
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        if not _connected(connection, where):
            if not in_ci():
                start_in_background(where, request)
            return None
        return _served(connection, request, fds)


def _connected(connection: socket.socket, where: Address) -> bool:
    """True once connected to a daemon run by this user."""
    try:
        connection.settimeout(CONNECT_SECONDS)
        connection.connect(os.fspath(where.socket))
    except OSError:
        return False
    return _peer(connection)[1] in (None, os.getuid())


def _peer(connection: socket.socket) -> tuple[int | None, int | None]:
    """The process id and user id of the process at the other end (Linux), as this process's
    namespace sees them; None where they cannot be asked, -1 when asking failed."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return None, None
    try:
        pid, uid, _ = struct.unpack("3i", connection.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i")))
    except OSError:
        return -1, -1
    return int(pid), int(uid)


def _served(connection: socket.socket, request: dict[str, Any], fds: list[int]) -> int | None:
    """The run's exit code, or None when the caller must run the check (the daemon refused
    it, was busy, or died or froze during it: then a note says so)."""
    going = False
    pid = None
    try:
        connection.settimeout(STARTED_SECONDS)
        send(connection, request)
        pid = _daemon_pid(connection, receive(connection).get("started"))
        if pid is None:
            return None  # refused
        ends = [_end_of_file(fd) for fd in fds]
        going = True  # before "go" is sent: a Ctrl-C from here on is passed on (see _interrupted)
        send_go(connection, fds)  # from here on the run is the daemon's, not this process's
        connection.settimeout(SILENT_SECONDS)
        code = _code(connection)
    except TimeoutError:
        if going:  # began, and fell silent: frozen (one that never began is busy: left alone)
            _kill(pid, connection)
            _again(f"the daemon stopped answering for {SILENT_SECONDS:g} s during the run and was stopped", fds, ends)
        return None
    except (OSError, WireError):
        if going:
            _again("the daemon stopped during the run", fds, ends)
        return None
    except KeyboardInterrupt:
        return _interrupted(connection, going)
    if code is None:
        _again("the daemon stopped during the run", fds, ends)
    return code


def _daemon_pid(connection: socket.socket, said: object) -> int | None:
    """The daemon's pid (the kernel's word for it where it can be asked), or None when ``said``
    is not one: a refusal. Never 0, -1 or 1, which would signal many processes."""
    if not isinstance(said, int) or isinstance(said, bool):
        return None
    pid = _peer(connection)[0]
    pid = said if pid is None else pid
    return pid if pid > 1 else None


def _code(connection: socket.socket, deadline: float | None = None) -> int | None:
    """The exit code the daemon sends when the run ends (heartbeats before it skipped), or None
    when it sends something else. TimeoutError when ``deadline`` (time.monotonic()) passes
    first, heartbeats or not."""
    while True:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            connection.settimeout(left)
        message = receive(connection)
        if "alive" not in message:
            code = message.get("code")
            return code if isinstance(code, int) and not isinstance(code, bool) else None


def _interrupted(connection: socket.socket, going: bool) -> int:
    """Ctrl-C: the daemon's run interrupted as this process's would be; its exit code, or 2
    ("Aborted.", as click says it) when the run had not been handed over or does not end
    within INTERRUPTED_SECONDS. A daemon still waiting for the "go" takes the interrupt for
    the end of the request and does not run it."""
    if going:
        with contextlib.suppress(OSError, WireError, KeyboardInterrupt):
            send_interrupt(connection)
            code = _code(connection, deadline=time.monotonic() + INTERRUPTED_SECONDS)
            if code is not None:
                return code
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write("Aborted.\n")
        sys.stderr.flush()
    return 2


def _end_of_file(fd: int) -> int | None:
    """Where the run's output to ``fd`` will begin, when ``fd`` is a regular file this process
    writes at its end (``>`` or ``>>`` in a shell): None for anything else (a pipe, a terminal,
    a file written in its middle)."""
    try:
        info = os.fstat(fd)
        at = os.lseek(fd, 0, os.SEEK_CUR)
        appending = bool(_status_flags(fd) & os.O_APPEND)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode) or not (appending or at == info.st_size):
        return None
    return info.st_size


def _status_flags(fd: int) -> int:
    """The file status flags of ``fd`` (O_APPEND...)."""
    import fcntl  # noqa: PLC0415 - POSIX only, like the daemon

    return fcntl.fcntl(fd, fcntl.F_GETFL)


def _again(why: str, fds: list[int], ends: list[int | None]) -> None:
    """Before the check is run again in this process: what the daemon's unfinished run wrote
    to files (``ends``: where it began, see :func:`_end_of_file`) is cut off, so a report
    redirected to a file is whole, unless something else wrote to the file after it (the
    file's end is then not where the run's last write left it); a pipe or terminal keeps it.
    Then say why on standard error."""
    for fd, end in zip(fds, ends, strict=True):
        if end is not None:
            with contextlib.suppress(OSError):
                if os.lseek(fd, 0, os.SEEK_CUR) != os.fstat(fd).st_size:  # the run's writes move it
                    continue
                os.ftruncate(fd, end)
                os.lseek(fd, end, os.SEEK_SET)
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(f"bcplint: note: {why}; checking without it\n")
        sys.stderr.flush()


def _kill(pid: int | None, connection: socket.socket) -> None:
    """Kill the daemon, and wait (a little) for it to be gone: its last write lands before the
    client cuts the file it went to."""
    if pid is None:
        return
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + KILLED_SECONDS
    with contextlib.suppress(OSError):
        while (left := deadline - time.monotonic()) > 0:
            connection.settimeout(left)
            if not connection.recv(65536):
                return


def in_ci() -> bool:
    """True when a CI service runs this process (:data:`CI_VARIABLES`; ``CI=false`` says no)."""
    return any(os.environ.get(name, "").lower() not in ("", "0", "false", "no") for name in CI_VARIABLES)


def ask(where: Address, request: dict[str, Any], timeout: float) -> dict[str, Any] | None:
    """The daemon's answer to a question (``status``, ``stop``); None when there is no daemon
    at ``where`` (or it went away). TimeoutError when one took the question and did not
    answer within ``timeout`` seconds: busy with a long run, or wedged."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        if not _connected(connection, where):
            return None
        try:
            connection.settimeout(timeout)
            send(connection, request)
            return receive(connection)
        except TimeoutError:
            raise
        except (OSError, WireError):
            return None


def private_directory(where: Address) -> bool:
    """True when the daemon's directory exists or could be made, is a directory (not a link to
    one), belongs to this user and no one else may enter it: only then is whatever listens
    there this user's own daemon."""
    try:
        where.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.lstat(where.directory)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o077


# A log longer than this is started again when a daemon starts.
MAX_LOG_BYTES = 2**20


def start_in_background(where: Address, warm_up: dict[str, Any] | None = None) -> None:
    """Start a daemon for this installation, detached (its own session; standard streams not
    shared, so a pre-commit hook does not wait for it), and return at once. ``warm_up``, a run
    request, is run first without output (and without its ``--output`` files), so the next
    run finds the workspace in memory. A second daemon started meanwhile sees the first one's
    lock and leaves.

    It starts in this process's current directory, so the relative entries of ``PYTHONPATH``
    name the same directories, and with ``-P``, so a ``bcplint`` directory there is not
    imported instead of this installation."""
    import subprocess  # noqa: PLC0415 - only a client that starts a daemon needs it

    command = [sys.executable, "-P", "-m", "bcplint", "daemon", "serve", "--fingerprint", where.fingerprint]
    env = {**os.environ, "BCPLINT_CACHE_DIR": os.fspath(where.directory.parent)}  # absolute: it moves
    try:
        with open(where.log, "ab") as log:
            if log.tell() > MAX_LOG_BYTES:
                log.truncate(0)
            process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=log,
                env=env,
                start_new_session=True,
                close_fds=True,
            )
    except OSError:
        return
    assert process.stdin is not None
    with contextlib.suppress(OSError):  # a daemon that left at once (another one runs)
        process.stdin.write(json.dumps(warm_up or {}).encode())
    with contextlib.suppress(OSError):
        process.stdin.close()
