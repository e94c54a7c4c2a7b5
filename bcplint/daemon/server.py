"""The daemon: a process that serves ``bcplint check`` runs and keeps what they loaded.

It listens on this installation's socket (:mod:`bcplint.daemon.address`) and serves one run
at a time, exactly as the command line would run it in the client's place: the client's
arguments, current directory and environment, its standard output and error captured with
the client's encoding and terminal flags. Between runs it keeps the parsed files of the
workspaces it checked (:mod:`bcplint.load.memory`) and every module loaded, which is what a
fresh process pays for on every run: a pre-commit run on a large repository then costs what
finding and judging the change costs.

It holds a lock for as long as it lives, so a second daemon for the same installation leaves
at once. It leaves after ``idle_seconds`` without a request, on a ``stop`` request, and when
its socket is no longer its own. A run it cannot serve (a bug of bcplint's: an exception the
command line does not turn into a message) is written to its log and refused, and the client
runs it itself, so the daemon never shows what a run of the command line would not.
"""

from __future__ import annotations

import base64
import contextlib
import gc
import io
import json
import os
import socket
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from bcplint.daemon.address import Address
from bcplint.daemon.client import private_directory
from bcplint.daemon.wire import WireError, receive, send
from bcplint.git.runner import toplevel

DEFAULT_IDLE_SECONDS = 30 * 60
# How long one client may take to send its request: a connection that sends nothing is dropped.
REQUEST_SECONDS = 10.0


class Daemon:
    """The serving loop of one daemon at ``where``; :meth:`serve` runs it.

    ``command(argv)`` runs ``bcplint <argv>`` in this process and returns its exit code (the
    command line's ``main``), keeping what the run built until ``release()`` is called, once
    the reply is sent: freeing a large workspace object by object takes a tenth of a second
    the client need not wait for.
    """

    def __init__(
        self,
        where: Address,
        command: Callable[[list[str]], int],
        release: Callable[[], None],
        idle_seconds: float = DEFAULT_IDLE_SECONDS,
    ) -> None:
        self.where = where
        self.command = command
        self.release = release
        self.idle_seconds = idle_seconds
        self.started = time.time()
        self.served = 0
        self._listening: socket.socket | None = None
        self._inode: int | None = None

    def serve(self, warm_up: dict[str, Any] | None = None) -> str:
        """Serve until idle, stopped or displaced; why it stopped, for the log. Returns at
        once (saying so) when another daemon of this installation holds the lock."""
        if self.where.problem() is not None or not private_directory(self.where):
            return f"not started: {self.where.problem() or f'{self.where.directory} is not private to this user'}"
        import fcntl  # noqa: PLC0415 - POSIX only, like the daemon (problem() said this is POSIX)

        with open(self.where.lock, "a+b") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return "not started: another daemon of this installation is running"
            lock.seek(0)
            lock.truncate()
            lock.write(str(os.getpid()).encode())  # for a client that finds it wedged
            lock.flush()
            return self._serve_locked(warm_up)

    def _serve_locked(self, warm_up: dict[str, Any] | None) -> str:
        from bcplint.load.memory import FileMemory, keep_files_in_memory  # noqa: PLC0415 - after the lock

        keep_files_in_memory(FileMemory())
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.where.socket)  # a daemon that died left it; the lock says none listens
        listening = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listening = listening
        try:
            listening.bind(os.fspath(self.where.socket))
            os.chmod(self.where.socket, 0o600)
            self._inode = os.stat(self.where.socket).st_ino
            listening.listen(64)
            if warm_up:
                self._run(warm_up)  # output thrown away: this fills memory for the next run
            return self._loop(listening)
        finally:
            listening.close()
            if self._own_socket():
                with contextlib.suppress(OSError):
                    os.unlink(self.where.socket)

    def _loop(self, listening: socket.socket) -> str:
        while True:
            listening.settimeout(self.idle_seconds)
            try:
                connection, _ = listening.accept()
            except TimeoutError:
                return f"idle for {self.idle_seconds:g} seconds"
            with connection:
                stop = self._answer(connection)
            if stop:
                return "stopped on request"
            if not self._own_socket():
                return "its socket was removed or replaced"
            self._tidy()

    def _answer(self, connection: socket.socket) -> bool:
        """Serve one connection; True when it asked the daemon to stop."""
        try:
            connection.settimeout(REQUEST_SECONDS)
            request = receive(connection)
        except (OSError, WireError):
            return False
        reply, stop = self.reply(request)
        with contextlib.suppress(OSError):
            connection.settimeout(REQUEST_SECONDS)
            send(connection, reply)
        return stop

    def reply(self, request: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """The reply to one request, and whether the daemon stops after sending it."""
        if request.get("fingerprint") != self.where.fingerprint:
            return {"refused": "this daemon runs other code than the client"}, False
        if request.get("stop"):
            return {"stopped": os.getpid()}, True
        if request.get("status"):
            return self.status(), False
        run = request.get("run")
        if not isinstance(run, dict):
            return {"refused": "not a request this daemon knows"}, False
        served = self._run(run)
        self.served += "code" in served
        return served, False

    def status(self) -> dict[str, Any]:
        """pid, start time (seconds since the epoch), runs served, idle timeout (seconds),
        and the resident memory it peaked at (MB)."""
        import resource  # noqa: PLC0415

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # bytes on macOS, KB elsewhere
        return {
            "pid": os.getpid(),
            "started": self.started,
            "served": self.served,
            "idle_seconds": self.idle_seconds,
            "peak_mb": round(peak / 2**20 if sys.platform == "darwin" else peak / 2**10),
        }

    def _run(self, run: dict[str, Any]) -> dict[str, Any]:
        """Run one command as the client would, and what it wrote; a refusal when the request is
        malformed or the run raised what the command line lets through (logged)."""
        try:
            argv, cwd, env = run["argv"], run["cwd"], run["env"]
            out, err = _Captured(run["stdout"]), _Captured(run["stderr"])
            if not (isinstance(argv, list) and all(isinstance(a, str) for a in argv) and isinstance(cwd, str)):
                raise TypeError("argv, cwd")
            if not (isinstance(env, dict) and all(isinstance(v, str) for v in env.values())):
                raise TypeError("env")
        except (KeyError, TypeError, LookupError) as exc:
            return {"refused": f"a malformed run request ({exc})"}
        if not os.path.isdir(cwd):
            return {"refused": f"no directory {cwd}"}  # the client's own run says what is wrong
        toplevel.cache_clear()  # kept for one run only: a repository may be made or removed between runs
        try:
            with _as_client(cwd, env, out.stream, err.stream):
                code = self.command(argv)
        except (Exception, SystemExit):  # a bug of bcplint's: logged, and the client runs it itself
            print(f"{time.ctime()}: a run of {json.dumps(argv)} failed:", file=sys.stderr)
            traceback.print_exc()
            sys.stderr.flush()
            return {"refused": "the run failed in the daemon (see its log)"}
        return {"code": code, "stdout": out.encoded(), "stderr": err.encoded()}

    def _tidy(self) -> None:
        """After a reply: free the run's workspace, collect its cycles, and move what remains
        (the files kept in memory, the loaded modules) out of the collector's sight for good."""
        self.release()
        gc.collect()
        gc.freeze()

    def _own_socket(self) -> bool:
        try:
            return os.stat(self.where.socket).st_ino == self._inode
        except OSError:
            return False


class _Captured:
    """A text stream that keeps what is written to it as bytes, encoded as the client's stream
    would encode it, and says it is a terminal when the client's is."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.buffer = io.BytesIO()
        tty = bool(spec["tty"])
        encoding, errors = str(spec["encoding"]), str(spec["errors"])
        "".encode(encoding, errors)  # LookupError for an encoding or handler Python does not know

        class Stream(io.TextIOWrapper):
            def isatty(self) -> bool:
                return tty

        self.stream = Stream(self.buffer, encoding=encoding, errors=errors, write_through=True)

    def encoded(self) -> str:
        self.stream.flush()
        return base64.b64encode(self.buffer.getvalue()).decode()


@contextlib.contextmanager
def _as_client(cwd: str, env: dict[str, str], stdout: TextIO, stderr: TextIO) -> Iterator[None]:
    """This process in the client's place for the length of a run: its directory, environment
    and standard streams; the daemon's own restored afterwards."""
    saved_cwd, saved_env = os.getcwd(), dict(os.environ)
    saved_streams = sys.stdout, sys.stderr
    try:
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        sys.stdout, sys.stderr = stdout, stderr
        yield
    finally:
        sys.stdout, sys.stderr = saved_streams
        os.environ.clear()
        os.environ.update(saved_env)
        os.chdir(saved_cwd)


def read_warm_up(stream: io.BufferedReader | Any) -> dict[str, Any] | None:
    """The run request a starting client wrote on standard input (see
    :func:`bcplint.daemon.client.start_in_background`), or None."""
    try:
        message = json.loads(stream.read() or b"{}")
    except (OSError, ValueError):
        return None
    run = message.get("run") if isinstance(message, dict) else None
    return run if isinstance(run, dict) else None
