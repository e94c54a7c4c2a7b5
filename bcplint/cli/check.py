"""`bcplint check`: lint the plan and write the reports."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from bcplint.api import LintOptions, lint_workspaces
from bcplint.cli.common import (
    config_option,
    emit,
    exit_code,
    keep_until_exit,
    paths_argument,
    split_list,
    today_option,
    use_color,
)
from bcplint.engine.merge import merge
from bcplint.errors import SourceError
from bcplint.report import CHECKS, FORMATTERS, MATURITY, ReportOptions, needs, with_report_notes


@click.command()
@paths_argument
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
@click.option(
    "--output",
    "outputs",
    multiple=True,
    metavar="FORMAT:PATH",
    help=f"Also write a report to a file, e.g. junit:report.xml (repeatable; formats: {', '.join(FORMATTERS)}).",
)
@click.option(
    "--report-only",
    is_flag=True,
    hidden=True,
    help="Kept for old hook configurations: PATHS always narrow the report, never the workspace.",
)
@click.option(
    "--staged",
    is_flag=True,
    help="Lint the index (what the next commit records); report on staged documents and what they affect.",
)
@click.option("--changed-since", metavar="REF", help="Report only on what changed since the merge base with REF.")
@click.option("--rev", metavar="REV", help="Lint the tree of a commit (read from git objects, nothing checked out).")
@click.option(
    "--baseline",
    "baseline_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Accept the findings recorded in this baseline (see `bcplint baseline`).",
)
@click.option(
    "--show-baselined",
    is_flag=True,
    help="List findings the baseline accepts in text, github and markdown output (default: only count them).",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Neither read nor write the cache of parsed files and results (BCPLINT_CACHE_DIR, else the user's cache).",
)
@click.option(
    "--daemon/--no-daemon",
    default=False,
    help="Hand the run to a bcplint daemon kept running between checks (started if none runs, "
    "except in CI; see `bcplint daemon`): the same output, much sooner on a large repository. "
    "The pre-commit hook passes --daemon; add --no-daemon to its args to turn it off.",
)
@today_option
@config_option
@click.option("--no-color", is_flag=True, help="Never colour the output (NO_COLOR is honoured too).")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary or notes.")
def check(
    paths: tuple[str, ...],
    packs: tuple[str, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    output_format: str,
    fail_on: str | None,
    outputs: tuple[str, ...],
    report_only: bool,
    staged: bool,
    changed_since: str | None,
    rev: str | None,
    baseline_path: Path | None,
    show_baselined: bool,
    no_cache: bool,
    daemon: bool,
    today: dt.datetime | None,
    config_path: Path | None,
    no_color: bool,
    quiet: bool,
) -> int:
    """Check the plan documents under PATHS (default: the workspace of the current directory).

    The workspace of each path is loaded whole, so references and dependencies resolve; PATHS
    only narrow what is reported.
    """
    del daemon  # the entry point (bcplint.console) hands the run over; here it runs as usual
    reports = [_parse_output(value) for value in outputs]
    wanted = needs("check", {output_format, *(f for f, _ in reports)})
    options = LintOptions(
        paths=paths,
        packs=list(packs) or None,
        select=split_list(select),
        ignore=split_list(ignore),
        today=today.date() if today else None,
        config_path=config_path,
        fail_on=fail_on,
        # --report-only (old hook configurations) was given every staged YAML file: only
        # plans among them are read. Narrowing the report to PATHS is what every run does now.
        read_named_files=not report_only,
        record_checks=CHECKS in wanted,
        assess_maturity=MATURITY in wanted,
        changed_since=changed_since,
        staged=staged,
        rev=rev,
        baseline=baseline_path,
        cache=not no_cache,
    )
    runs = lint_workspaces(options)
    keep_until_exit(runs)  # the workspaces are never freed one by one (bcplint.cli.console)
    result = with_report_notes(merge([run.result for run in runs]), {output_format, *(f for f, _ in reports)})
    cwd = Path.cwd()
    for report_format, path in reports:
        emit("check", report_format, result, path, ReportOptions(cwd=cwd, show_baselined=show_baselined))
    terminal = ReportOptions(color=use_color(no_color), quiet=quiet, cwd=cwd, show_baselined=show_baselined)
    try:
        FORMATTERS[output_format](result, sys.stdout, terminal)
    except BrokenPipeError:
        raise  # a reader that went away: bcplint.cli says nothing
    except OSError as exc:  # a full disk, an I/O error: never a traceback
        raise SourceError(
            f"cannot write the {output_format} report to standard output: {exc.strerror or exc}"
        ) from None
    if not quiet:
        for note in result.notes:
            click.echo(f"bcplint: note: {note}", err=True)
    return exit_code(result)


def _parse_output(value: str) -> tuple[str, Path]:
    report_format, sep, path = value.partition(":")
    if not sep or not path:
        raise click.BadParameter(f"'{value}' is not FORMAT:PATH, e.g. junit:report.xml", param_hint="'--output'")
    if report_format not in FORMATTERS:
        choices = ", ".join(FORMATTERS)
        raise click.BadParameter(f"unknown format '{report_format}' (choose from {choices})", param_hint="'--output'")
    return report_format, Path(path)
