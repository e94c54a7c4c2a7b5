"""`bcplint daemon`: start, stop and look at the process that serves `bcplint check --daemon`."""

from __future__ import annotations

import sys
import time
from typing import Any

import click

from bcplint.cli import common
from bcplint.cli.common import EXIT_OK, EXIT_USAGE
from bcplint.daemon.address import Address, address
from bcplint.daemon.client import ask, private_directory, start_in_background
from bcplint.daemon.server import DEFAULT_IDLE_SECONDS, Daemon, read_lock, read_warm_up

# How long `daemon start` waits for the new daemon to answer.
START_SECONDS = 30.0
ANSWER_SECONDS = 10.0


@click.group("daemon")
def daemon_command() -> None:
    """Keep bcplint running between checks, for a fast pre-commit hook on a large repository.

    `bcplint check --daemon` (the pre-commit hook's way) hands its run to the daemon of this
    installation, starting one when none runs, except in CI (that run is checked the usual
    way). The daemon keeps the parsed files of the workspaces it checked; output and exit
    codes are exactly those of a run without it. It leaves after 30 idle minutes. Linux and
    macOS only.
    """


@daemon_command.command("start")
def start() -> int:
    """Start the daemon (if none runs) and wait until it answers."""
    where = _usable()
    if (status := _status(where)) is not None:
        click.echo(f"bcplint daemon: already running (pid {status['pid']}), listening on {where.socket}")
        return EXIT_OK
    start_in_background(where)
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if (status := _status(where)) is not None:
            click.echo(f"bcplint daemon: started (pid {status['pid']}), listening on {where.socket}")
            return EXIT_OK
        time.sleep(0.05)
    raise click.ClickException(f"the daemon did not start within {START_SECONDS:g} seconds; see {where.log}")


@daemon_command.command("stop")
def stop() -> int:
    """Stop the daemon of this installation, if one runs."""
    where = _usable()
    reply = _ask(where, {"fingerprint": where.fingerprint, "stop": True})
    if reply is None or "stopped" not in reply:
        click.echo("bcplint daemon: not running")
    else:
        click.echo(f"bcplint daemon: stopped (pid {reply['stopped']})")
    return EXIT_OK


@daemon_command.command("status")
def status() -> int:
    """Say whether the daemon of this installation runs; exit code 1 when it does not."""
    where = _usable()
    found = _status(where)
    if found is None:
        click.echo(f"bcplint daemon: not running (it would listen on {where.socket})")
        return 1
    minutes = (time.time() - found["started"]) / 60
    click.echo(
        f"bcplint daemon: running (pid {found['pid']}) for {minutes:.0f} min, {found['served']} runs served, "
        f"peak memory {found['peak_mb']} MB, leaves after {found['idle_seconds'] / 60:g} idle min; "
        f"listening on {where.socket}"
    )
    return EXIT_OK


@daemon_command.command("serve", hidden=True)
@click.option("--fingerprint", "expected", help="Serve only if this installation has this fingerprint.")
@click.option(
    "--idle-timeout",
    type=click.FloatRange(min=1),
    default=DEFAULT_IDLE_SECONDS,
    show_default=True,
    help="Seconds without a request after which the daemon leaves.",
)
def serve(expected: str | None, idle_timeout: float) -> int:
    """Serve in the foreground (what `start` runs; a run request on standard input is served
    first, output thrown away)."""
    where = _usable()
    if expected is not None and expected != where.fingerprint:
        click.echo(f"bcplint daemon: not started: the client runs other code than {where.fingerprint}", err=True)
        return EXIT_USAGE
    from bcplint.cli import flushed, main  # noqa: PLC0415 - the package imports this module

    def command(argv: list[str]) -> int:
        """A check as the ``bcplint`` command runs it, to the end: output flushed (and an
        error writing it said), what the run built kept until Daemon.release."""
        common.allow_ending_at_once()
        return flushed(main(argv))

    warm_up = None if sys.stdin is None or sys.stdin.isatty() else read_warm_up(sys.stdin.buffer)
    why = Daemon(where, command, common.stop_keeping, idle_timeout).serve(warm_up)
    click.echo(f"{time.ctime()}: bcplint daemon {where.fingerprint}: {why}", err=True)
    return EXIT_OK


def _usable() -> Address:
    where = address()
    problem = where.problem()
    if problem is None and not private_directory(where):
        problem = f"{where.directory} must be a directory only this user may enter"
    if problem is not None:
        raise click.ClickException(f"no daemon here: {problem}")
    return where


def _status(where: Address) -> dict[str, Any] | None:
    reply = _ask(where, {"fingerprint": where.fingerprint, "status": True})
    return reply if reply is not None and "pid" in reply else None


def _ask(where: Address, request: dict[str, Any]) -> dict[str, Any] | None:
    """The daemon's answer; ClickException naming it when it does not answer in time."""
    try:
        return ask(where, request, timeout=ANSWER_SECONDS)
    except TimeoutError:
        try:
            pid = read_lock(where.lock)[0] or "?"
        except (OSError, ValueError):
            pid = "?"
        raise click.ClickException(
            f"the daemon (pid {pid}) did not answer within {ANSWER_SECONDS:g} s: it is busy with a long run, "
            f"or wedged; `kill {pid}` stops it"
        ) from None
