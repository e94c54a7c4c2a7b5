"""Pictures of the plan: `graph` and `report`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from bcplint.api import LintOptions, lint_workspaces, load_workspace
from bcplint.cli.common import EXIT_OK, config_option, emit, format_option, paths_argument, today_option
from bcplint.insights.dependencies import dependency_graph
from bcplint.insights.readiness import readiness_report
from bcplint.report import CHECKS, MATURITY, needs


@click.command("graph")
@paths_argument
@format_option("graph", "mermaid")
@click.option("--focus", metavar="NAME", help="Only NAME, what it depends on and what depends on it.")
@click.option("--rev", metavar="REV", help="The graph of a commit (read from git objects).")
@config_option
def graph_command(
    paths: tuple[str, ...], output_format: str, focus: str | None, rev: str | None, config_path: Path | None
) -> int:
    """Draw the dependency graph with RTO/RPO; RTO inversions red, cycles purple."""
    workspace = load_workspace(LintOptions(paths=paths, rev=rev, config_path=config_path))
    emit("graph", output_format, dependency_graph(workspace, focus))
    return EXIT_OK


@click.command("report")
@paths_argument
@format_option("report", "html")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (a single self-contained file); default: standard output.",
)
@today_option
@config_option
def report_command(
    paths: tuple[str, ...],
    output_format: str,
    output: Path | None,
    today: dt.datetime | None,
    config_path: Path | None,
) -> int:
    """A readiness report: maturity, readiness matrix, clause coverage, graph, exceptions."""
    wanted = needs("report", [output_format])
    options = LintOptions(
        paths=paths,
        today=today.date() if today else None,
        config_path=config_path,
        record_checks=CHECKS in wanted,
        assess_maturity=MATURITY in wanted,
    )
    [one] = lint_workspaces(options, command="report")
    emit("report", output_format, readiness_report(one.result, one.workspace), output)
    if output is not None:
        click.echo(f"Wrote {output}.")
    return EXIT_OK
