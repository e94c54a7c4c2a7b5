"""Where the daemon of this installation listens, and how a client knows it is the right one.

One daemon per installation and user: its socket is named by a fingerprint of everything its
answers depend on besides the files it reads, so a client only ever talks to a daemon running
the very code it would run itself. An upgrade, an edit of bcplint's code, another Python or a
package installed or removed beside it gives a new name; the new daemon stops the old one of the
same environment (:func:`bcplint.daemon.server.superseded`), and any other leaves when its idle
time is up.

Imports nothing heavy: the client computes this before deciding whether to load bcplint at all.
"""

from __future__ import annotations

import hashlib
import os
import socket
import sys
from pathlib import Path
from typing import NamedTuple

import bcplint
from bcplint.load.location import default_directory

# A Unix socket's path must fit in sockaddr_un.sun_path: 108 bytes on Linux, 104 on macOS.
MAX_SOCKET_PATH = 100


class Address(NamedTuple):
    """The files of one installation's daemon, all in ``directory`` (private to the user):
    ``<fingerprint>.sock`` it listens on, ``.lock`` it holds while it lives, ``.log`` it writes
    to (a start-up failure, a request it could not serve)."""

    directory: Path
    fingerprint: str

    @property
    def socket(self) -> Path:
        return self.directory / f"{self.fingerprint}.sock"

    @property
    def lock(self) -> Path:
        return self.directory / f"{self.fingerprint}.lock"

    @property
    def log(self) -> Path:
        return self.directory / f"{self.fingerprint}.log"

    def problem(self) -> str | None:
        """Why no daemon can serve this installation here, or None when one can."""
        if not hasattr(socket, "AF_UNIX") or sys.platform == "win32":
            return "the daemon needs Unix sockets, which this platform does not offer"
        if len(os.fsencode(self.socket)) > MAX_SOCKET_PATH:
            return (
                f"its socket path would be longer than a Unix socket allows ({self.socket}); "
                "set BCPLINT_CACHE_DIR to a shorter directory"
            )
        return None


def address() -> Address:
    """The address of this installation's daemon, under the cache directory
    (:func:`bcplint.load.location.default_directory`)."""
    return Address(default_directory().absolute() / "daemon", fingerprint())


def fingerprint() -> str:
    """32 hex digits naming this installation: bcplint's version; every file of its package and
    shipped packs (bytes, not times: about 2 ms; :func:`code_directories`); the interpreter
    (its path and version); and the state of every directory on ``sys.path`` but the first
    (installing or removing a package there changes its modification time; the first is the
    script's directory or the current one, which depend on how bcplint was started, not on
    what it runs; under ``-P``, as the daemon runs, Python adds no such entry)."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{bcplint.__version__}\0{os.path.realpath(sys.executable)}\0{sys.version}\0".encode())
    for entry in sys.path if sys.flags.safe_path else sys.path[1:]:
        try:
            digest.update(f"{entry}\0{os.stat(entry or '.').st_mtime_ns}\0".encode())
        except OSError:
            digest.update(f"{entry}\0-\0".encode())
    for top in code_directories():
        for path in _files(top):
            digest.update(path.relative_to(top.parent).as_posix().encode() + b"\0")
            try:
                digest.update(path.read_bytes())
            except OSError:
                digest.update(b"\1unreadable")
    return digest.hexdigest()


def code_directories() -> list[Path]:
    """The package, and the shipped packs when they lie outside it: ``rules/`` beside the package
    in a source checkout, where :func:`bcplint.packs.builtin_pack_dir` finds them when the
    package has no ``_rules`` of its own (an installed copy has)."""
    package = Path(bcplint.__file__).resolve().parent
    outside = package.parent / "rules"
    return [package] if (package / "_rules").is_dir() or not outside.is_dir() else [package, outside]


def _files(top: Path) -> list[Path]:
    """Every file under ``top`` but compiled bytecode, in a fixed order."""
    found: list[Path] = []
    for root, directories, files in os.walk(top):
        directories[:] = sorted(d for d in directories if d != "__pycache__")
        found.extend(Path(root, name) for name in sorted(files) if not name.endswith((".pyc", ".pyo")))
    return found
