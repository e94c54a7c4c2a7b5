"""The command line: parse options, call the library, print, return the exit code.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings; 2 usage or configuration error, or
a report that could not be written.
Each command lives in a module of this package; this one holds the group and the one place
that turns errors into messages and exit codes.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

import click

from bcplint import __version__
from bcplint.cli import check, common, daemon, rules, server, views, workflow
from bcplint.cli.common import EXIT_OK, EXIT_USAGE
from bcplint.errors import BcplintError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bcplint")
def cli() -> None:
    """Lint business continuity plans kept as YAML documents in git."""


for command in (
    check.check,
    rules.rules_command,
    rules.explain,
    rules.schema,
    rules.verify,
    workflow.init_command,
    workflow.baseline_command,
    workflow.waivers_command,
    views.graph_command,
    views.report_command,
    server.server_command,
    daemon.daemon_command,
):
    cli.add_command(command)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; the one place that turns errors into messages and exit codes."""
    # A lint run allocates millions of small objects that live until it ends, and almost no
    # cycles: the cyclic collector's passes over a growing heap only cost time (a fifth of a
    # large run, growing faster than linearly). Turned back on afterwards for embedders.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _run(argv)
    finally:
        if enabled:
            gc.enable()


def console() -> NoReturn:
    """The ``bcplint`` command and ``python -m bcplint``: :func:`main`, then the process ends.

    A check's workspace is hundreds of thousands of objects. Freeing them one by one when the
    run returns, and tearing the interpreter down after, costs a tenth of a second on the
    10,000-document benchmark (a tenth of a pre-commit run) and two seconds at 100,000. So
    ``check`` keeps what it built (:func:`bcplint.cli.common.keep_until_exit`) and the process
    leaves with ``os._exit``, as mypy does, once its output is flushed and the ``atexit``
    handlers have run (multiprocessing's after a cold run's workers, coverage's). Every file a
    command writes is closed before it returns; other commands end the usual way, and
    :func:`main`, for callers whose process goes on, frees everything as usual. So does a
    process a profiler or tracer watches: they write their results at the interpreter's end.
    """
    common.allow_ending_at_once()
    code = main()
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)  # CPython's own, run at its end
    if common.ending_at_once() and not _watched() and run_exit_handlers is not None:
        code = flushed(code)
        run_exit_handlers()
        os._exit(flushed(code))
    # Freed now, by reference counts: kept until the interpreter's end, they would be walked by
    # its last garbage collection too (a third of a second for a cold run's workspace).
    common.stop_keeping()
    raise SystemExit(code)


def flushed(code: int) -> int:
    """Flush standard output and error before the process ends at once; ``code``, or
    :data:`EXIT_USAGE` when the output could not be written (a full disk, an I/O error), said
    on standard error. A reader that went away (``bcplint check | head``) is no error."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        pass
    except (OSError, ValueError) as exc:
        if code != EXIT_USAGE:  # else the command said already why it stopped
            with contextlib.suppress(OSError, ValueError):
                sys.stderr.write(f"bcplint: error: cannot write to standard output: {getattr(exc, 'strerror', exc)}\n")
        code = EXIT_USAGE
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    return code


def _watched() -> bool:
    """True when a profiler or tracer is attached: they write their results at the
    interpreter's end (``python -m cProfile``), so it must come."""
    return sys.getprofile() is not None or sys.gettrace() is not None


def _run(argv: Sequence[str] | None) -> int:
    try:
        result = cli.main(args=list(argv) if argv is not None else None, prog_name="bcplint", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return EXIT_USAGE
    except BcplintError as exc:
        click.echo(f"bcplint: error: {exc}", err=True)
        return EXIT_USAGE
    except BrokenPipeError:  # output piped into `head`: not an error of ours
        sys.stderr.close()
        return EXIT_OK
    return result if isinstance(result, int) else EXIT_OK
