"""The command line: parse options, call the library, print, return the exit code.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings; 2 usage or configuration error.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bcplint import __version__
from bcplint.errors import BcplintError
from bcplint.findings import LintResult, Severity
from bcplint.report import FORMATTERS, NEEDS_CHECKS, ReportOptions

if TYPE_CHECKING:
    from bcplint.packs import Rule

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
    help="Load the whole workspace but report only on PATHS (as the pre-commit hook does).",
)
@click.option("--changed-since", metavar="REF", help="Report only on what changed since the merge base with REF.")
@click.option("--rev", metavar="REV", help="Lint the tree of a commit (read from git objects, nothing checked out).")
@click.option(
    "--baseline",
    "baseline_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Accept the findings recorded in this baseline (see `bcplint baseline`).",
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
    outputs: tuple[str, ...],
    report_only: bool,
    changed_since: str | None,
    rev: str | None,
    baseline_path: Path | None,
    today: dt.datetime | None,
    config_path: Path | None,
    no_color: bool,
    quiet: bool,
) -> int:
    """Check the plan documents under PATHS (default: the current repository)."""
    from bcplint.api import LintOptions, configuration, lint

    reports = [_parse_output(value) for value in outputs]
    options = LintOptions(
        paths=paths,
        packs=list(packs) or None,
        select=_split(select),
        ignore=_split(ignore),
        today=today.date() if today else None,
        config_path=config_path,
        report_only=report_only,
        record_checks=bool(NEEDS_CHECKS & {output_format, *(f for f, _ in reports)}),
        assess_maturity="json" in {output_format, *(f for f, _ in reports)},
        changed_since=changed_since,
        rev=rev,
        baseline=baseline_path,
    )
    loaded = configuration(options)
    result = lint(options, loaded)
    threshold = fail_on or loaded.config.fail_on
    for report_format, path in reports:
        _write_report(report_format, path, result, ReportOptions(fail_on=threshold))
    FORMATTERS[output_format](
        result, sys.stdout, ReportOptions(color=_use_color(no_color), quiet=quiet, fail_on=threshold)
    )
    if not quiet:
        for note in result.notes:
            click.echo(f"bcplint: note: {note}", err=True)
    return exit_code(result, threshold)


def _parse_output(value: str) -> tuple[str, Path]:
    report_format, sep, path = value.partition(":")
    if not sep or not path:
        raise click.BadParameter(f"'{value}' is not FORMAT:PATH, e.g. junit:report.xml", param_hint="'--output'")
    if report_format not in FORMATTERS:
        choices = ", ".join(FORMATTERS)
        raise click.BadParameter(f"unknown format '{report_format}' (choose from {choices})", param_hint="'--output'")
    return report_format, Path(path)


def _write_report(report_format: str, path: Path, result: LintResult, options: ReportOptions) -> None:
    from bcplint.errors import SourceError

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="\n") as stream:
            FORMATTERS[report_format](result, stream, options)
    except OSError as exc:
        raise SourceError(f"{path}: cannot write the {report_format} report: {exc.strerror or exc}") from None


@cli.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
def init_command(directory: Path) -> int:
    """Start a plan: a .bcplint.yaml and bcp/plan.yaml skeleton (existing files are kept)."""
    from importlib.resources import files

    skeleton = files("bcplint") / "skeleton"
    created = []
    for name, target in (("bcplint.yaml", ".bcplint.yaml"), ("plan.yaml", "bcp/plan.yaml")):
        path = directory / target
        if path.exists():
            click.echo(f"kept {path}: it exists already")
            continue
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text((skeleton / name).read_text(encoding="utf-8"), encoding="utf-8")
        except OSError as exc:
            raise BcplintError(f"{path}: cannot write: {exc.strerror or exc}") from None
        created.append(str(path))
        click.echo(f"created {path}")
    if created:
        click.echo("Next: fill in the plan, then run `bcplint check`.")
    return EXIT_OK


@cli.command("baseline")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--output",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write it (default: the configuration's `baseline`, else .bcplint-baseline.json).",
)
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Evaluation date (default: today, UTC).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), help="Configuration file.")
def baseline_command(
    paths: tuple[str, ...], output: Path | None, today: dt.datetime | None, config_path: Path | None
) -> int:
    """Record today's findings so that `check --baseline` fails only on new ones."""
    from bcplint.api import LintOptions, configuration, lint
    from bcplint.baseline import DEFAULT_BASELINE, write

    options = LintOptions(
        paths=paths, today=today.date() if today else None, config_path=config_path, ignore_baseline=True
    )
    loaded = configuration(options)
    result = lint(options, loaded)
    if output is None:
        base = loaded.root or Path.cwd()
        output = base / (loaded.config.baseline or DEFAULT_BASELINE)
    try:
        with output.open("w", encoding="utf-8", newline="\n") as stream:
            count = write(result.findings, stream)
    except OSError as exc:
        raise BcplintError(f"{output}: cannot write the baseline: {exc.strerror or exc}") from None
    click.echo(f"Wrote {count} finding{'s' if count != 1 else ''} to {output}.")
    return EXIT_OK


@cli.command("waivers")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True
)
@click.option("--expiring-within", metavar="DURATION", help="Only those expiring within this time, e.g. 30d.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Evaluation date (default: today, UTC).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), help="Configuration file.")
def waivers_command(
    paths: tuple[str, ...],
    output_format: str,
    expiring_within: str | None,
    today: dt.datetime | None,
    config_path: Path | None,
) -> int:
    """The exception register: every waiver and inline suppression, its expiry and days left."""
    from bcplint.api import LintOptions, lint, today_utc
    from bcplint.model.types import Duration
    from bcplint.report.register import REGISTER_FORMATS

    when = today.date() if today else today_utc()
    horizon = None
    if expiring_within:
        try:
            horizon = when + dt.timedelta(seconds=Duration.parse(expiring_within).seconds)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="'--expiring-within'") from None
        except OverflowError:
            raise click.BadParameter(
                f"'{expiring_within}' is too far ahead", param_hint="'--expiring-within'"
            ) from None
    result = lint(LintOptions(paths=paths, today=when, config_path=config_path))
    register = [e for e in result.exemptions if e.kind != "baseline"]
    if horizon is not None:
        register = [e for e in register if e.expires is not None and e.expires <= horizon]
    REGISTER_FORMATS[output_format](register, when, sys.stdout)
    return EXIT_OK


@cli.command("graph")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "output_format", type=click.Choice(["mermaid", "dot"]), default="mermaid", show_default=True)
@click.option("--focus", metavar="NAME", help="Only NAME, what it depends on and what depends on it.")
@click.option("--rev", metavar="REV", help="The graph of a commit (read from git objects).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), help="Configuration file.")
def graph_command(
    paths: tuple[str, ...], output_format: str, focus: str | None, rev: str | None, config_path: Path | None
) -> int:
    """Draw the dependency graph with RTO/RPO; RTO inversions red, cycles purple."""
    from bcplint.api import LintOptions, load_workspace
    from bcplint.depgraph import dependency_graph, to_dot, to_mermaid

    workspace = load_workspace(LintOptions(paths=paths, rev=rev, config_path=config_path))
    graph = dependency_graph(workspace, focus)
    click.echo(to_mermaid(graph) if output_format == "mermaid" else to_dot(graph), nl=False)
    return EXIT_OK


@cli.command("report")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "output_format", type=click.Choice(["html", "markdown"]), default="html", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The file to write (a single self-contained file).",
)
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Evaluation date (default: today, UTC).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), help="Configuration file.")
def report_command(
    paths: tuple[str, ...], output_format: str, output: Path, today: dt.datetime | None, config_path: Path | None
) -> int:
    """A readiness report: maturity, readiness matrix, clause coverage, graph, exceptions."""
    from bcplint.api import LintOptions, lint_workspace
    from bcplint.depgraph import dependency_graph
    from bcplint.readiness import coverage, matrix
    from bcplint.report import html_report, md_report

    options = LintOptions(
        paths=paths,
        today=today.date() if today else None,
        config_path=config_path,
        record_checks=True,
        assess_maturity=True,
    )
    result, workspace = lint_workspace(options)
    writer = html_report.write if output_format == "html" else md_report.write
    try:
        with output.open("w", encoding="utf-8", newline="\n") as stream:
            writer(result, matrix(workspace, result), coverage(result), dependency_graph(workspace), stream)
    except OSError as exc:
        raise BcplintError(f"{output}: cannot write the report: {exc.strerror or exc}") from None
    click.echo(f"Wrote {output}.")
    return EXIT_OK


def _rules_of(packs: tuple[str, ...]) -> list[Rule]:
    """The rules of ``packs`` (default: the configured packs), configuration overrides applied."""
    from bcplint.api import LintOptions, configuration, load_rules

    options = LintOptions(packs=list(packs) or None, select=[], ignore=[])
    return load_rules(options, configuration(options))


@cli.command("rules")
@click.option("--pack", "packs", multiple=True, help="Only the rules of this pack (repeatable).")
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True
)
def rules_command(packs: tuple[str, ...], output_format: str) -> int:
    """List the enabled rules with their severity and framework clauses."""
    from bcplint.report.catalog import CATALOG_FORMATS

    rules = _rules_of(packs)
    CATALOG_FORMATS[output_format](rules, sys.stdout)
    return EXIT_OK


@cli.command()
@click.argument("rule")
@click.option("--pack", "packs", multiple=True, help="Look the rule up in this pack (repeatable).")
def explain(rule: str, packs: tuple[str, ...]) -> int:
    """Explain RULE (id or name): why it matters, clauses, examples and the fix."""
    from bcplint.errors import ConfigError, did_you_mean
    from bcplint.report.catalog import write_explanation
    from bcplint.verify import verify_rules

    rules = _rules_of(packs)
    by_key = {key: r for r in rules for key in (r.id, r.name)}
    found = by_key.get(rule) or by_key.get(rule.upper()) or by_key.get(rule.lower())
    if found is None:
        hint = did_you_mean(rule.upper(), by_key) or did_you_mean(rule.lower(), by_key)
        raise ConfigError(f"unknown rule '{rule}'{hint}; `bcplint rules` lists them")
    from bcplint.api import today_utc

    today = today_utc()
    results = sorted(verify_rules([found], today, alongside=rules), key=lambda r: r.expect != "fail")
    examples = [
        ("Fails" if r.expect == "fail" else "Passes", r.text, [m.split(": ", 1)[1] for m in r.messages])
        for r in results
    ]
    write_explanation(found, examples, sys.stdout)
    return EXIT_OK


@cli.command()
@click.argument("packs", nargs=-1)
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Date for examples that do not set one.")
@click.option("-v", "--verbose", is_flag=True, help="List every example, not only the failures.")
def verify(packs: tuple[str, ...], today: dt.datetime | None, verbose: bool) -> int:
    """Run the example documents of PACKS (default: the configured packs) against their rules."""
    from bcplint.verify import rules_without_examples, verify_rules

    rules = _rules_of(packs)
    from bcplint.api import today_utc

    when = today.date() if today else today_utc()
    results = verify_rules(rules, when)
    for result in results:
        if verbose or not result.ok:
            status = "PASS" if result.ok else "FAIL"
            click.echo(f"{status} {result.name} ({result.rule.origin}): {result.detail}")
    for rule in rules_without_examples(rules):
        click.echo(f"bcplint: note: {rule.id} {rule.name} has no passing and failing examples", err=True)
    failed = sum(1 for r in results if not r.ok)
    click.echo(f"{len(results)} examples: {len(results) - failed} passed, {failed} failed")
    return EXIT_FINDINGS if failed else EXIT_OK


@cli.command()
@click.option("--kind", help="Only this kind (Plan, Contact, Service, System, Supplier, Exercise, Waiver).")
@click.option("--pack", "pack_format", is_flag=True, help="The schema of rule pack files instead.")
def schema(kind: str | None, pack_format: bool) -> int:
    """Print the JSON Schema of the bcplint/v1 format (or of rule packs), for editors."""
    from bcplint.model import json_schema
    from bcplint.packs.model import pack_json_schema

    document = pack_json_schema() if pack_format else json_schema(kind)
    click.echo(json.dumps(document, indent=2, sort_keys=True))
    return EXIT_OK


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
