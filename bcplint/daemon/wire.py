"""What the client and the daemon say to each other: one JSON object each way per connection.

A frame is the length of its JSON text (8 bytes, big-endian) and the text, UTF-8. Requests:

- ``{"run": {...}}`` — run a command (:func:`run_request` says what it holds); the reply is
  ``{"code": int, "stdout": base64, "stderr": base64}``, the bytes the command wrote, or
  ``{"refused": reason}`` when the daemon could not run it (the client then runs it itself);
- ``{"status": true}`` — the reply describes the daemon (pid, runs served, idle timeout);
- ``{"stop": true}`` — the daemon replies ``{"stopped": pid}`` and leaves.

Every request carries the client's ``fingerprint``
(:func:`bcplint.daemon.address.fingerprint`); a daemon of other code refuses it.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
from typing import Any

# Far beyond any report; a peer announcing more is not one of ours.
MAX_FRAME_BYTES = 2**31
_HEADER_BYTES = 8
# Environment variables that decide how output looks where the client prints it, not where the
# daemon runs: the terminal's width is sent with them when the client's output is a terminal.
_WIDTH = "COLUMNS"


class WireError(Exception):
    """The peer sent something that is not a frame of this protocol, or went away mid-frame."""


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
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WireError(f"not JSON: {exc}") from None
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
    its whole environment, and for standard output and error whether each is a terminal and
    the encoding this process would write them in."""
    env = dict(os.environ)
    if sys.stdout.isatty() and _WIDTH not in env:
        with contextlib.suppress(OSError):
            env[_WIDTH] = str(os.get_terminal_size(sys.stdout.fileno()).columns)
    return {
        "fingerprint": fingerprint,
        "run": {
            "argv": argv,
            "cwd": os.getcwd(),
            "env": env,
            "stdout": _stream(sys.stdout),
            "stderr": _stream(sys.stderr),
        },
    }


def _stream(stream: Any) -> dict[str, Any]:
    return {
        "tty": bool(stream.isatty()),
        "encoding": getattr(stream, "encoding", None) or "utf-8",
        "errors": getattr(stream, "errors", None) or "strict",
    }
