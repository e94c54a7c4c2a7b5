"""`bcplint server`: the language server for editors, on standard input and output."""

from __future__ import annotations

import datetime as dt
import sys

import click

from bcplint.cli.common import EXIT_OK, today_option
from bcplint.errors import ConfigError

# What the `server` extra brings; anything else missing is a bug to report, not an install step.
_SERVER_PACKAGES = ("pygls", "lsprotocol", "cattrs", "attrs")


@click.command("server")
@today_option
def server_command(today: dt.datetime | None) -> int:
    """Run the language server on stdin/stdout (editors start it; see docs/editors.md)."""
    try:
        from bcplint.server.app import serve  # noqa: PLC0415 - pygls is an optional extra, and 0.2 s to import
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in _SERVER_PACKAGES:
            raise
        raise ConfigError(
            f"`bcplint server` needs the server extra ({exc.name} is not installed): pip install 'bcplint[server]'"
        ) from None
    if sys.stdin.isatty():  # someone typed the command: say what it is waiting for
        click.echo("bcplint server: a language server; it speaks LSP on stdin and stdout, and editors", err=True)
        click.echo("start it themselves (see docs/editors.md). Ctrl-C stops it.", err=True)
    serve(today.date() if today else None)
    return EXIT_OK
