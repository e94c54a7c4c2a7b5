"""The ``bcplint`` command (and ``python -m bcplint``): the daemon's client, else the command line.

``bcplint check --daemon`` is handed to this installation's daemon (:mod:`bcplint.daemon`)
before anything heavy is imported: a served run never loads bcplint's models, rules or click,
which is most of what a small run costs. Every other command, and a check no daemon serves,
goes to :func:`bcplint.cli.console`.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn


def console() -> NoReturn:
    """Run ``bcplint`` with the process's arguments, and end the process with its exit code."""
    _never_fail_to_encode()
    argv = sys.argv[1:]
    if _wants_daemon(argv):
        from bcplint.daemon.client import forward  # noqa: PLC0415 - only a run that asks pays for it

        try:
            code = forward(argv)
        except KeyboardInterrupt:  # before the daemon began the run: as click says it
            sys.stderr.write("Aborted.\n")
            code = 2
        if code is not None:  # served: the daemon wrote the output and flushed it
            raise SystemExit(code)
    from bcplint.cli import console as run_here  # noqa: PLC0415 - what a served run never loads

    run_here()


def _wants_daemon(argv: list[str]) -> bool:
    """True for ``check ... --daemon ...``: the last of ``--daemon`` and ``--no-daemon`` before
    any ``--`` (after which everything is a path) decides, as click decides for the option."""
    if not argv or argv[0] != "check":
        return False
    options = argv[1 : argv.index("--")] if "--" in argv else argv[1:]
    flags = [option for option in options if option in ("--daemon", "--no-daemon")]
    return bool(flags) and flags[-1] == "--daemon"


def _never_fail_to_encode() -> None:
    """Standard output and error write what their encoding cannot (a plan's "…" or "é" to an
    ASCII terminal, ``PYTHONIOENCODING=ascii``, a C locale on an old system) as ``\\u2026``
    escapes, as Python's own standard error does, rather than stop the run with a
    UnicodeEncodeError. An error handler the user chose (``PYTHONIOENCODING=ascii:strict``) is
    kept. Before the daemon's client: a served run writes with the handler this sets."""
    if ":" in os.environ.get("PYTHONIOENCODING", ""):
        return
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "errors", None) == "strict" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
