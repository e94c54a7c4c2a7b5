"""The daemon: a process that serves ``bcplint check`` runs and keeps what they loaded.

It listens on this installation's socket (:mod:`bcplint.daemon.address`) and serves one run
at a time, exactly as the command line would run it in the client's place: the client's
arguments, current directory, environment and umask, writing to the client's own standard
output and error (passed over the socket), built as Python builds them for a process (same
encoding, error handler and buffering), and flushing them at the end as the command line
does. Between runs it keeps the parsed files of the workspaces it checked
(:mod:`bcplint.load.memory`) and every module loaded, which is what a fresh process pays for
on every run: a pre-commit run on a large repository then costs what finding and judging the
change costs.

It holds a lock for as long as it lives, so a second daemon for the same installation leaves
at once. It leaves after ``idle_seconds`` without a request, on a ``stop`` request, and within
:data:`WATCH_SECONDS` of its socket being removed or replaced. An exception a run raises (a bug
of bcplint's) ends that run as it would end the command line, with the traceback on the
client's standard error and exit code 1, and is written to the daemon's log too.
"""

from __future__ import annotations

import codecs
import contextlib
import gc
import hashlib
import io
import json
import os
import select
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from bcplint.daemon.address import Address
from bcplint.daemon.client import HEARTBEAT_SECONDS, private_directory
from bcplint.daemon.wire import WireError, receive, receive_go, send
from bcplint.git.runner import toplevel

DEFAULT_IDLE_SECONDS = 30 * 60
# How long one client may take to send its request: a connection that sends nothing is dropped.
REQUEST_SECONDS = 10.0
# How often an idle daemon looks whether its socket is still its own.
WATCH_SECONDS = 5.0
# What a warm-up run leaves out of the client's arguments: it writes no files.
_OUTPUT_OPTION = "--output"


class Daemon:
    """The serving loop of one daemon at ``where``; :meth:`serve` runs it.

    ``command(argv)`` runs ``bcplint <argv>`` in this process as the command line does, output
    flushed at the end, and returns its exit code, keeping what the run built until
    ``release()`` is called, once the client has its answer: freeing a large workspace object
    by object takes a tenth of a second the client need not wait for.
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
        self._inode: int | None = None

    def serve(self, warm_up: dict[str, Any] | None = None) -> str:
        """Serve until idle, stopped or displaced; why it stopped, for the log. Returns at
        once (saying so) when another daemon of this installation holds the lock."""
        problem = self.where.problem()
        if problem is None and not private_directory(self.where):
            problem = f"{self.where.directory} is not private to this user"
        if problem is not None:
            return f"not started: {problem}"
        import fcntl  # noqa: PLC0415 - POSIX only, like the daemon (problem() said this is POSIX)

        with open(self.where.lock, "a+b") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return "not started: another daemon of this installation is running"
            lock.seek(0)
            lock.truncate()
            lock.write(f"{os.getpid()}\n{environment()}\n".encode())  # see read_lock()
            lock.flush()
            os.chdir(self.where.directory)  # started in a client's directory; holds none
            return self._serve_locked(warm_up)

    def _serve_locked(self, warm_up: dict[str, Any] | None) -> str:
        from bcplint.load.memory import FileMemory, keep_files_in_memory  # noqa: PLC0415 - after the lock
        from bcplint.load.read import read_in_this_process_only  # noqa: PLC0415

        keep_files_in_memory(FileMemory())
        read_in_this_process_only()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.where.socket)  # a daemon that died left it; the lock says none listens
        listening = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listening.bind(os.fspath(self.where.socket))
            os.chmod(self.where.socket, 0o600)
            self._inode = os.stat(self.where.socket).st_ino
            listening.listen(64)
            if warm_up:
                self._warm_up(warm_up)
            self._retire_superseded()
            return self._loop(listening)
        finally:
            listening.close()
            if self._own_socket():
                with contextlib.suppress(OSError):
                    os.unlink(self.where.socket)

    def _loop(self, listening: socket.socket) -> str:
        last = time.monotonic()
        while True:
            listening.settimeout(min(WATCH_SECONDS, self.idle_seconds))
            try:
                connection, _ = listening.accept()
            except TimeoutError:
                if not self._own_socket():
                    return "its socket was removed or replaced"
                if time.monotonic() - last >= self.idle_seconds:
                    return f"idle for {self.idle_seconds:g} seconds"
                continue
            with connection:
                stop = self._answer(connection)
            last = time.monotonic()
            if stop:
                return "stopped on request"
            if not self._own_socket():
                return "its socket was removed or replaced"
            self._tidy()

    def _answer(self, connection: socket.socket) -> bool:
        """Serve one connection; True when it asked the daemon to stop. Whatever a client
        sends, the daemon goes on: a malformed request is dropped or refused."""
        try:
            connection.settimeout(REQUEST_SECONDS)
            request = receive(connection)
        except (OSError, WireError):
            return False
        try:
            return self._answer_request(connection, request)
        except (Exception, KeyboardInterrupt):  # a SIGINT meant for a run that had just ended
            _log(f"answering a request failed:\n{traceback.format_exc()}")
            return False

    def _answer_request(self, connection: socket.socket, request: dict[str, Any]) -> bool:
        if request.get("fingerprint") != self.where.fingerprint:
            _send(connection, {"refused": "this daemon runs other code than the client"})
        elif request.get("stop"):
            _send(connection, {"stopped": os.getpid()})
            return True
        elif request.get("status"):
            _send(connection, self.status())
        elif not isinstance(run := request.get("run"), dict):
            _send(connection, {"refused": "not a request this daemon knows"})
        elif (problem := _malformed(run)) is not None:
            _send(connection, {"refused": f"a malformed run request: {problem}"})
        else:
            with _uninterrupted():
                fds = _begun(connection)
                if fds is None:  # the client went away (Ctrl-C, or tired of waiting): not run
                    return False
                streams = _streams(fds, run)
                if streams is None:
                    _send(connection, {"code": 1})
                    return False
                code = self._run(run, *streams, connection)
                self.served += 1
                _send(connection, {"code": code})
        return False

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

    def _run(self, run: dict[str, Any], out: TextIO, err: TextIO, client: socket.socket | None = None) -> int:
        """Run one command in the client's place, writing to ``out`` and ``err`` (closed
        afterwards), telling ``client`` it is alive meanwhile; its exit code."""
        toplevel.cache_clear()  # kept for one run only: a repository may be made or removed between runs
        try:
            with _heartbeat(client, (out, err)), _as_client(run["cwd"], run["env"], run["umask"], out, err):
                return self._command(run["argv"], out, err)
        except Exception as exc:  # taking the client's place failed (its directory removed since)
            _log(f"a run of {json.dumps(run['argv'])} could not begin:\n{traceback.format_exc()}")
            with contextlib.suppress(OSError, ValueError):
                err.write(f"bcplint: error: the daemon could not run the check ({exc}); run it with --no-daemon\n")
                err.flush()
            return 1
        finally:
            _close(out)
            _close(err)

    def _command(self, argv: list[str], out: TextIO, err: TextIO) -> int:
        """The exit code of ``bcplint <argv>``, ended as the command line ends it."""
        try:
            with _interruptible():
                return self.command(argv)
        except KeyboardInterrupt:  # the client's Ctrl-C outside what click catches
            with contextlib.suppress(OSError, ValueError):
                print("Aborted.", file=sys.stderr)
            return 2
        except SystemExit as exit:  # click's way out when the reader went away (EPIPE)
            return _exit_code(exit)
        except Exception:
            # As an exception leaving the command line would end it: the traceback,
            # exit code 1, and standard output flushed.
            _log(f"a run of {json.dumps(argv)} failed:\n{traceback.format_exc()}")
            with contextlib.suppress(OSError, ValueError):
                traceback.print_exc()
            for stream in (out, err):
                with contextlib.suppress(OSError, ValueError):
                    stream.flush()
            return 1

    def _warm_up(self, run: dict[str, Any]) -> None:
        """Run a client's first request with no output and no ``--output`` files: it loads the
        workspace into memory for the next run."""
        if _malformed(run) is not None:
            return
        argv = _without_outputs(run["argv"])
        devnull = {"encoding": "utf-8", "errors": "strict", "line_buffering": False, "write_through": False}
        quiet = [_stream(os.open(os.devnull, os.O_WRONLY), {**devnull, "buffered": True}) for _ in range(2)]
        self._run({**run, "argv": argv}, quiet[0], quiet[1])
        self._tidy()

    def _tidy(self) -> None:
        """After an answer: free the run's workspace, collect its cycles, and move what remains
        (the files kept in memory, the loaded modules) out of the collector's sight for good."""
        self.release()
        gc.collect()
        gc.freeze()

    def _retire_superseded(self) -> None:
        """Ask the daemons :func:`superseded` names to stop. One busy with a run gets the
        request after it (the request waits in its queue); this daemon does not wait for it."""
        from bcplint.daemon.client import ask  # noqa: PLC0415

        for fingerprint in superseded(self.where, environment()):
            with contextlib.suppress(TimeoutError, OSError):
                ask(self.where._replace(fingerprint=fingerprint), {"fingerprint": fingerprint, "stop": True}, 0.5)

    def _own_socket(self) -> bool:
        try:
            return os.stat(self.where.socket).st_ino == self._inode
        except OSError:
            return False


def environment() -> str:
    """32 hex digits naming where this process finds its code: the Python environment
    (``sys.prefix``, the virtual environment) and the module search path (``sys.path``, made
    absolute by Python at start-up), but not what lies there. Two daemons with the same
    environment and different fingerprints run the same installation before and after a
    change (an upgrade, an edit, a package installed beside it)."""
    return hashlib.blake2b("\0".join([sys.prefix, *sys.path]).encode(), digest_size=16).hexdigest()


def superseded(where: Address, environment: str) -> list[str]:
    """The fingerprints of the other daemons in ``where``'s directory of the same
    ``environment`` (:func:`environment`) as the daemon at ``where``, in name order. No client
    asks them anything any more: the installation they serve has changed since they started,
    and each would hold a workspace in memory until its idle time is up. Daemons of other
    environments (another virtual environment, pre-commit's environment of another bcplint
    version, another PYTHONPATH) may still have clients and are not named. Their lock files say
    where they run (pid, then environment, a line each)."""
    found = []
    for lock in sorted(where.directory.glob("*.lock")):
        try:
            _, named = read_lock(lock)
        except (OSError, ValueError):
            continue
        if lock.stem != where.fingerprint and named == environment:
            found.append(lock.stem)
    return found


def read_lock(lock: Path) -> tuple[str, str]:
    """The pid and the environment (:func:`environment`) a daemon wrote in its lock file, a
    line each; "" for what it does not say (a lock of an earlier layout holds the pid only).
    OSError or ValueError when it cannot be read."""
    lines = lock.read_text(encoding="utf-8").split("\n")
    return lines[0].strip(), lines[1] if len(lines) > 1 else ""


def _exit_code(exit: SystemExit) -> int:
    """The exit code a process leaving with ``exit`` has (a message is printed, as Python does)."""
    if exit.code is None or isinstance(exit.code, int):
        return exit.code or 0
    with contextlib.suppress(OSError, ValueError):
        print(exit.code, file=sys.stderr)
    return 1


def _send(connection: socket.socket, message: dict[str, Any]) -> None:
    """Answer; a client that went away is no error."""
    with contextlib.suppress(OSError):
        connection.settimeout(REQUEST_SECONDS)
        send(connection, message)


def _malformed(run: dict[str, Any]) -> str | None:
    """What is wrong with a run request, or None."""
    argv, cwd, env, umask = (run.get(key) for key in ("argv", "cwd", "env", "umask"))
    if not (isinstance(argv, list) and argv and argv[0] == "check" and all(isinstance(a, str) for a in argv)):
        return "argv must be a check's arguments"
    if not isinstance(cwd, str) or "\0" in cwd or not os.path.isdir(cwd):
        return "cwd must be a directory"
    if not (isinstance(env, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in env.items())):
        return "env must map names to values"
    if any(not name or "=" in name or "\0" in name or "\0" in value for name, value in env.items()):
        return "env holds a variable no process can have"
    if not isinstance(umask, int) or isinstance(umask, bool) or not 0 <= umask <= 0o777:
        return "umask must be a permission mask"
    for name in ("stdout", "stderr"):
        spec = run.get(name)
        if not isinstance(spec, dict):
            return f"{name} must describe the stream"
        try:
            io.TextIOWrapper(io.BytesIO(), encoding=spec["encoding"], errors=spec["errors"])  # text encodings only
            codecs.lookup_error(spec["errors"])
        except (KeyError, LookupError, TypeError, ValueError):
            return f"{name} has an encoding or error handler Python does not know for text"
        if not all(isinstance(spec.get(flag), bool) for flag in ("line_buffering", "write_through", "buffered")):
            return f"{name} must say how it is buffered"
    return None


def _stream(fd: int, spec: dict[str, Any]) -> TextIO:
    """A text stream over ``fd`` built as Python builds a process's standard stream: a buffer
    of the file's block size unless unbuffered, the client's encoding, error handler and
    line buffering. Closing it closes ``fd``."""
    raw = io.FileIO(fd, "w", closefd=True)
    buffer: Any = raw
    if spec["buffered"]:
        try:
            size = os.fstat(fd).st_blksize
        except OSError:
            size = 0
        buffer = io.BufferedWriter(raw, size if size > 1 else io.DEFAULT_BUFFER_SIZE)
    return io.TextIOWrapper(
        buffer,
        encoding=spec["encoding"],
        errors=spec["errors"],
        newline="\n",
        line_buffering=spec["line_buffering"],
        write_through=spec["write_through"],
    )


def _streams(fds: list[int], run: dict[str, Any]) -> tuple[TextIO, TextIO] | None:
    """The client's standard output and error as :func:`_stream` builds them, or None (every
    descriptor closed, the failure logged) when they cannot be built."""
    built: list[TextIO] = []
    try:
        for fd, name in zip(fds, ("stdout", "stderr"), strict=True):
            built.append(_stream(fd, run[name]))
    except (OSError, ValueError, LookupError, TypeError):
        _log(f"the client's streams could not be built:\n{traceback.format_exc()}")
        for stream in built:
            _close(stream)
        for fd in fds[len(built) :]:
            with contextlib.suppress(OSError):
                os.close(fd)
        return None
    return built[0], built[1]


def _close(stream: TextIO) -> None:
    """Close a client's stream without writing to it again: the command line flushed it once
    at its end and leaves what could not be written unwritten (it ends with ``os._exit``)."""
    _silence(stream)  # whatever is left in the buffer goes nowhere
    with contextlib.suppress(OSError, ValueError):
        stream.close()


def _silence(stream: TextIO) -> None:
    """Point ``stream``'s descriptor at /dev/null: nothing written to it reaches the client."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)


def _without_outputs(argv: list[str]) -> list[str]:
    """``argv`` without its ``--output FORMAT:PATH`` options (before any ``--``)."""
    kept: list[str] = []
    skip = False
    for i, arg in enumerate(argv):
        if arg == "--":
            return [*kept, *argv[i:]]
        if skip:
            skip = False
        elif arg == _OUTPUT_OPTION:
            skip = True
        elif not arg.startswith(_OUTPUT_OPTION + "="):
            kept.append(arg)
    return kept


@contextlib.contextmanager
def _as_client(cwd: str, env: dict[str, str], umask: int, stdout: TextIO, stderr: TextIO) -> Iterator[None]:
    """This process in the client's place for the length of a run: its directory, environment,
    umask and standard streams; the daemon's own restored afterwards."""
    saved_cwd, saved_env = os.getcwd(), dict(os.environ)
    saved_streams = sys.stdout, sys.stderr
    saved_umask = os.umask(umask)
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
        os.umask(saved_umask)
        os.chdir(saved_cwd)


def _begun(connection: socket.socket) -> list[int] | None:
    """Tell the client its run begins and wait for its "go": the descriptors of its standard
    output and error, or None when it went away instead (it ran the check itself, or was
    interrupted) and the run must not happen."""
    try:
        send(connection, {"started": os.getpid()})
        connection.settimeout(REQUEST_SECONDS)
        return receive_go(connection)
    except (OSError, WireError):
        return None


# Set when SIGINT arrives while a client's run is served but outside its command.
_interrupt_pending = threading.Event()


@contextlib.contextmanager
def _uninterrupted() -> Iterator[None]:
    """SIGINT held back while a client's run is served, outside the command itself (see
    :func:`_interruptible`): the client's Ctrl-C (raised by :func:`_heartbeat`) interrupts the
    command and never the daemon's own work around it. Between runs SIGINT stops a daemon
    served in the foreground, as usual; no client sends a daemon signals."""
    _interrupt_pending.clear()
    previous = signal.signal(signal.SIGINT, lambda *_: _interrupt_pending.set())
    try:
        yield
    finally:
        _restore_handler(previous)


@contextlib.contextmanager
def _interruptible() -> Iterator[None]:
    """SIGINT interrupts the command (KeyboardInterrupt, which click turns into "Aborted."),
    including one that arrived since the run was handed over."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        if _interrupt_pending.is_set():
            raise KeyboardInterrupt
        yield
    finally:
        _restore_handler(previous)


def _restore_handler(handler: Any) -> None:
    """Put ``handler`` back for SIGINT, even when a SIGINT lands meanwhile (the run is ending
    anyway): a default handler left behind would let a later one stop the daemon."""
    while True:
        try:
            signal.signal(signal.SIGINT, handler)
            return
        except KeyboardInterrupt:
            continue


@contextlib.contextmanager
def _heartbeat(client: socket.socket | None, streams: tuple[TextIO, TextIO]) -> Iterator[None]:
    """While the block runs, listen to ``client`` and tell it every HEARTBEAT_SECONDS that the
    run is alive, so it can wait for a run as long as the run takes (a slow reader of the
    output, a large workspace) and still tell a frozen daemon. A beat the client has no room
    for (it is stopped, Ctrl-Z) is skipped, not waited for.

    The client's Ctrl-C comes as a byte on the connection (:func:`bcplint.daemon.wire.send_interrupt`)
    and interrupts the command, as it would in the client's process. A client that has gone
    away (killed, its terminal closed) gets nothing more: its streams are pointed at /dev/null
    and its run interrupted, as its end would have ended the run in its own process. The run is
    interrupted once at most."""
    if client is None:
        yield
        return
    ended = threading.Event()
    wake, woken = os.pipe()  # written when the run ends: the heartbeat stops at once

    def beat() -> None:
        interrupted = False
        while not ended.is_set():
            try:
                said = client.fileno() in select.select([client.fileno(), wake], [], [], HEARTBEAT_SECONDS)[0]
                if ended.is_set():
                    return
                gone = said and not client.recv(64)
                if not said and select.select([], [client], [], 0)[1]:
                    send(client, {"alive": True})
            except (BrokenPipeError, ConnectionResetError):
                gone = said = True
            except OSError:  # a beat that could not be sent whole: the next one may
                continue
            if gone:
                for stream in streams:
                    _silence(stream)
            if said and not interrupted:
                interrupted = True
                signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)  # ends a blocked write too
            if gone:
                return

    thread = threading.Thread(target=beat, name="bcplint-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        ended.set()
        os.write(woken, b"x")
        thread.join()
        os.close(wake)
        os.close(woken)


def _log(message: str) -> None:
    """A line (or more) in the daemon's log: its own standard error, never a client's."""
    log = sys.__stderr__
    if log is not None:
        with contextlib.suppress(OSError, ValueError):
            log.write(f"{time.ctime()}: {message}\n")
            log.flush()


def read_warm_up(stream: io.BufferedReader | Any) -> dict[str, Any] | None:
    """The run request a starting client wrote on standard input (see
    :func:`bcplint.daemon.client.start_in_background`), or None."""
    try:
        message = json.loads(stream.read() or b"{}")
    except (OSError, ValueError, RecursionError):
        return None
    run = message.get("run") if isinstance(message, dict) else None
    return run if isinstance(run, dict) else None
