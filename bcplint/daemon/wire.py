"""What the client and the daemon say to each other over one connection.

Frames: each the length of its JSON text (8 bytes, big-endian) and the text, UTF-8. The client
sends one request:

- a run: ``{"fingerprint", "run": {...}}`` (:func:`run_request`). The daemon answers
  ``{"started": pid}`` when it can begin the run (or ``{"refused": reason}``: the client then
  runs the check itself). Then the client says "go" (:func:`send_go`): one byte sent with its
  standard output and error as file descriptors (``SCM_RIGHTS``, as Mercurial's chg hands its
  terminal to its command server). The daemon writes the run's output to them itself, so
  buffering, the order of output and errors, terminal detection and errors writing (a full
  disk, a reader gone) are those of a run in the client's process. Only a daemon that is about
  to run gets them: a client tired of waiting for a busy daemon closes the connection, and no
  copy of its streams is left behind in the daemon's queue, holding its pipes open. While the
  run lasts the daemon sends ``{"alive": true}`` every second, and ``{"code": int}`` when it
  ends; the client's Ctrl-C travels as one byte (:func:`send_interrupt`);
- ``{"fingerprint", "status": true}``: the daemon describes itself (pid, runs served...);
- ``{"fingerprint", "stop": true}``: it answers ``{"stopped": pid}`` and leaves.

A daemon of other code (another fingerprint, :func:`bcplint.daemon.address.fingerprint`)
refuses every request.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import socket
import sys
from collections.abc import Sequence
from typing import Any

# Far beyond any request or answer; a peer announcing more is not one of ours.
MAX_FRAME_BYTES = 2**26
_HEADER_BYTES = 8
_GO, _INTERRUPT = b"G", b"I"
# The terminal's width travels in the environment when the client's output is a terminal: the
# daemon's own standard streams are not the client's terminal.
_WIDTH = "COLUMNS"


class WireError(Exception):
    """The peer sent something that is not this protocol, or went away mid-frame."""


def send_go(connection: socket.socket, streams: Sequence[int]) -> None:
    """Say "go", with the descriptors of the client's standard output and error. OSError when
    the daemon is gone."""
    socket.send_fds(connection, [_GO], list(streams))


def receive_go(connection: socket.socket) -> list[int]:
    """The client's standard output and error, as descriptors the caller closes. WireError for
    anything but "go" with two of them (the peer gone included); OSError and TimeoutError as
    the socket raises them."""
    said, fds, _, _ = socket.recv_fds(connection, 1, 2)
    if said != _GO or len(fds) != 2:
        for fd in fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        raise WireError("not a go with two streams")
    for fd in fds:  # received without close-on-exec: a program the run starts must not hold them
        os.set_inheritable(fd, False)
    return fds


def send_interrupt(connection: socket.socket) -> None:
    """The client's Ctrl-C, during its run: one byte, which the daemon turns into a
    KeyboardInterrupt of that run (a signal would reach whatever the daemon is doing by then).
    OSError when the daemon is gone."""
    connection.sendall(_INTERRUPT)


def send(connection: socket.socket, message: dict[str, Any]) -> None:
    """Write ``message`` as one frame. OSError when the peer is gone."""
    data = json.dumps(message, ensure_ascii=True).encode()
    connection.sendall(len(data).to_bytes(_HEADER_BYTES, "big") + data)


def receive(connection: socket.socket) -> dict[str, Any]:
    """Read one frame. WireError when it is not one (or the peer closed the connection first);
    OSError, TimeoutError as the socket raises them."""
    length = int.from_bytes(_exactly(connection, _HEADER_BYTES), "big")
    if length > MAX_FRAME_BYTES:
        raise WireError(f"a frame of {length} bytes")
    try:
        message = json.loads(_exactly(connection, length))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise WireError(f"not JSON: {type(exc).__name__}") from None
    if not isinstance(message, dict):
        raise WireError("not a JSON object")
    return message


def _exactly(connection: socket.socket, size: int) -> bytes:
    chunks, wanted = [], size
    while wanted:
        chunk = connection.recv(min(wanted, 2**20))
        if not chunk:
            raise WireError("the connection closed mid-frame")
        chunks.append(chunk)
        wanted -= len(chunk)
    return b"".join(chunks)


def run_request(argv: list[str], fingerprint: str) -> dict[str, Any]:
    """A request to run ``bcplint`` with ``argv`` as this process would: its current directory,
    whole environment and umask, and how it writes standard output and error (encoding, error
    handler, buffering), so the daemon writes to them as this process would. OSError when the
    current directory is gone."""
    env = dict(os.environ)
    if sys.stdout.isatty() and _WIDTH not in env:
        with contextlib.suppress(OSError):
            env[_WIDTH] = str(os.get_terminal_size(sys.stdout.fileno()).columns)
    umask = os.umask(0o022)
    os.umask(umask)
    return {
        "fingerprint": fingerprint,
        "run": {
            "argv": argv,
            "cwd": os.getcwd(),
            "env": env,
            "umask": umask,
            "stdout": _stream(sys.stdout),
            "stderr": _stream(sys.stderr),
        },
    }


def _stream(stream: Any) -> dict[str, Any]:
    """How a standard stream turns text into bytes: what the daemon needs to build its twin."""
    return {
        "encoding": stream.encoding,
        "errors": stream.errors,
        "line_buffering": stream.line_buffering,
        "write_through": stream.write_through,
        "buffered": isinstance(stream.buffer, io.BufferedWriter),  # not under -u or PYTHONUNBUFFERED
    }
