"""What the client and the daemon say to each other over one connection.

A request starts with one byte, ``R`` for a run or ``Q`` for a question, sent with the
client's standard output and error as file descriptors for a run (``SCM_RIGHTS``, as
Mercurial's chg hands its terminal to its command server): the daemon writes the run's output
to them itself, so buffering, the order of output and errors, terminal detection and errors
writing (a full disk, a reader gone) are those of a run in the client's process. Then frames:
each the length of its JSON text (8 bytes, big-endian) and the text, UTF-8.

- a run: ``{"fingerprint", "run": {...}}`` (:func:`run_request`); the daemon answers
  ``{"started": pid}`` when the run begins and ``{"code": int}`` when it ends, or
  ``{"refused": reason}`` instead of both (the client then runs the check itself);
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
RUN, QUESTION = b"R", b"Q"
# The terminal's width travels in the environment when the client's output is a terminal: the
# daemon's own standard streams are not the client's terminal.
_WIDTH = "COLUMNS"


class WireError(Exception):
    """The peer sent something that is not this protocol, or went away mid-frame."""


def send_request(connection: socket.socket, message: dict[str, Any], fds: Sequence[int] = ()) -> None:
    """The first byte (with ``fds``, for a run) and ``message``. OSError when the peer is gone."""
    socket.send_fds(connection, [RUN if fds else QUESTION], list(fds))
    send(connection, message)


def receive_request(connection: socket.socket) -> tuple[dict[str, Any], list[int]]:
    """A request and the file descriptors that came with it (the caller closes them). WireError
    for anything else; OSError and TimeoutError as the socket raises them."""
    first, fds, _, _ = socket.recv_fds(connection, 1, 2)
    try:
        if first not in (RUN, QUESTION) or (first == RUN) != (len(fds) == 2):
            raise WireError("not a request of this protocol")
        return receive(connection), fds
    except BaseException:
        for fd in fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        raise


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
