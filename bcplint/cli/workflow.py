"""Adopting and maintaining: `init`, `baseline` and the exception register (`waivers`)."""

from __future__ import annotations

import datetime as dt
from importlib.resources import files
from pathlib import Path

import click

from bcplint.api import LintOptions, lint, lint_workspaces, today_utc
from bcplint.cli.common import EXIT_OK, config_option, emit, format_option, paths_argument, today_option
from bcplint.errors import BcplintError
from bcplint.exemptions.baseline import DEFAULT_BASELINE, write
from bcplint.exemptions.register import Register
from bcplint.model.types import Duration


@click.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
def init_command(directory: Path) -> int:
    """Start a plan: a .bcplint.yaml and bcp/plan.yaml skeleton (existing files are kept)."""
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


@click.command("baseline")
@paths_argument
@click.option(
    "--output",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write it (default: the configuration's `baseline`, else .bcplint-baseline.json).",
)
@today_option
@config_option
def baseline_command(
    paths: tuple[str, ...], output: Path | None, today: dt.datetime | None, config_path: Path | None
) -> int:
    """Record today's findings so that `check --baseline` fails only on new ones.

    One baseline per workspace, where its configuration says (default: .bcplint-baseline.json
    beside the configuration, else at the workspace root).
    """
    options = LintOptions(
        paths=paths, today=today.date() if today else None, config_path=config_path, ignore_baseline=True
    )
    results = lint_workspaces(options)
    if output is not None and len(results) > 1:
        raise BcplintError("--output names one file, and the paths cover several workspaces; leave it out")
    for one in results:
        spec, result = one.spec, one.result
        target = output or (spec.config.root or spec.root) / (spec.config.config.baseline or DEFAULT_BASELINE)
        try:
            with target.open("w", encoding="utf-8", newline="\n") as stream:
                count = write(result.findings, stream, baselinable={r.id for r in result.rules if r.baselinable})
        except OSError as exc:
            raise BcplintError(f"{target}: cannot write the baseline: {exc.strerror or exc}") from None
        click.echo(f"Wrote {count} finding{'s' if count != 1 else ''} to {target}.")
    return EXIT_OK


@click.command("waivers")
@paths_argument
@format_option("waivers", "text")
@click.option("--expiring-within", metavar="DURATION", help="Only those expiring within this time, e.g. 30d.")
@today_option
@config_option
def waivers_command(
    paths: tuple[str, ...],
    output_format: str,
    expiring_within: str | None,
    today: dt.datetime | None,
    config_path: Path | None,
) -> int:
    """The exception register: every waiver and inline suppression, its expiry and days left."""
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
    emit("waivers", output_format, Register.of(register, when))
    return EXIT_OK
