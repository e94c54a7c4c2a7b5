"""The command line: parse options, call the library, print, return the exit code.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings; 2 usage or configuration error.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from bcplint import __version__
from bcplint.errors import BcplintError
from bcplint.findings import LintResult, Severity
from bcplint.report import FORMATTERS, ReportOptions

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _split(values: Sequence[str]) -> list[str] | None:
    """``--select BCP1,BCP201 --select x`` -> ``['BCP1', 'BCP201', 'x']``; None when not given."""
    if not values:
        return None
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


def _use_color(no_color: bool) -> bool:
    return not no_color and "NO_COLOR" not in os.environ and sys.stdout.isatty()


def exit_code(result: LintResult, fail_on: str) -> int:
    if fail_on == "never":
        return EXIT_OK
    worst = result.worst()
    return EXIT_FINDINGS if worst is not None and worst >= Severity.parse(fail_on) else EXIT_OK


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bcplint")
def cli() -> None:
    """Lint business continuity plans kept as YAML documents in git."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--pack", "packs", multiple=True, help="Rule pack to enable: a built-in name or a path. Repeatable.")
@click.option("--select", multiple=True, help="Only these rules (ids, names or id prefixes; comma-separated).")
@click.option("--ignore", multiple=True, help="Skip these rules (ids, names or id prefixes; comma-separated).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(FORMATTERS)),
    default="text",
    show_default=True,
    help="Report format on standard output.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info", "never"]),
    default=None,
    help="Lowest severity that makes the exit code 1 (default: error, or the configuration's).",
)
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Evaluation date (default: today, UTC).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), help="Configuration file.")
@click.option("--no-color", is_flag=True, help="Never colour the output (NO_COLOR is honoured too).")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary or notes.")
def check(
    paths: tuple[str, ...],
    packs: tuple[str, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    output_format: str,
    fail_on: str | None,
    today: dt.datetime | None,
    config_path: Path | None,
    no_color: bool,
    quiet: bool,
) -> int:
    """Check the plan documents under PATHS (default: the current repository)."""
    from bcplint.api import LintOptions, configuration, lint

    options = LintOptions(
        paths=paths,
        packs=list(packs) or None,
        select=_split(select),
        ignore=_split(ignore),
        today=today.date() if today else None,
        config_path=config_path,
    )
    loaded = configuration(options)
    result = lint(options, loaded)
    report_options = ReportOptions(color=_use_color(no_color), quiet=quiet)
    FORMATTERS[output_format](result, sys.stdout, report_options)
    if not quiet:
        for note in result.notes:
            click.echo(f"bcplint: note: {note}", err=True)
    return exit_code(result, fail_on or loaded.config.fail_on)


@cli.command()
@click.option("--kind", help="Only this kind (Plan, Contact, Service, System, Supplier, Exercise, Waiver).")
def schema(kind: str | None) -> int:
    """Print the JSON Schema of the bcplint/v1 format, for editors."""
    from bcplint.model import json_schema

    click.echo(json.dumps(json_schema(kind), indent=2, sort_keys=True))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; the one place that turns errors into messages and exit codes."""
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
