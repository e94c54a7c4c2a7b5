"""Pictures of the plan: `graph` and `report`."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import click

from bcplint.cli.common import (
    EXIT_OK,
    config_option,
    paths_argument,
    today_option,
)
from bcplint.errors import BcplintError


@click.command("graph")
@paths_argument
@click.option("--format", "output_format", type=click.Choice(["mermaid", "dot"]), default="mermaid", show_default=True)
@click.option("--focus", metavar="NAME", help="Only NAME, what it depends on and what depends on it.")
@click.option("--rev", metavar="REV", help="The graph of a commit (read from git objects).")
@config_option
def graph_command(
    paths: tuple[str, ...], output_format: str, focus: str | None, rev: str | None, config_path: Path | None
) -> int:
    """Draw the dependency graph with RTO/RPO; RTO inversions red, cycles purple."""
    from bcplint.api import LintOptions, load_workspace
    from bcplint.insights.dependencies import dependency_graph, to_dot, to_mermaid

    workspace = load_workspace(LintOptions(paths=paths, rev=rev, config_path=config_path))
    graph = dependency_graph(workspace, focus)
    click.echo(to_mermaid(graph) if output_format == "mermaid" else to_dot(graph), nl=False)
    return EXIT_OK


@click.command("report")
@paths_argument
@click.option("--format", "output_format", type=click.Choice(["html", "markdown"]), default="html", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (a single self-contained file); standard output without it.",
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
    from bcplint.api import LintOptions, lint_workspaces
    from bcplint.insights.dependencies import dependency_graph
    from bcplint.insights.readiness import coverage, matrix
    from bcplint.report import readiness_html, readiness_markdown

    options = LintOptions(
        paths=paths,
        today=today.date() if today else None,
        config_path=config_path,
        record_checks=True,
        assess_maturity=True,
    )
    [one] = lint_workspaces(options, command="report")
    result, workspace = one.result, one.workspace
    writer = readiness_html.write if output_format == "html" else readiness_markdown.write
    if output is None:
        text = io.StringIO()
        writer(result, matrix(workspace, result), coverage(result), dependency_graph(workspace), text)
        click.echo(text.getvalue(), nl=False)
        return EXIT_OK
    try:
        with output.open("w", encoding="utf-8", newline="\n") as stream:
            writer(result, matrix(workspace, result), coverage(result), dependency_graph(workspace), stream)
    except OSError as exc:
        raise BcplintError(f"{output}: cannot write the report: {exc.strerror or exc}") from None
    click.echo(f"Wrote {output}.")
    return EXIT_OK
