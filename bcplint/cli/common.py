"""What the commands share: exit codes, common options, writing a report."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from bcplint.api import LintOptions, enabled_rules
from bcplint.errors import SourceError
from bcplint.findings import LintResult
from bcplint.packs import Rule
from bcplint.report import REGISTRY, ReportOptions

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
F = TypeVar("F", bound=Callable[..., Any])


# What a command keeps until the process ends, when it ends at once (bcplint.cli.console):
# only then, so a process that calls main() again and again frees each run as usual.
_KEPT: list[object] = []
_ALLOWED: list[bool] = []


def allow_ending_at_once() -> None:
    """Say that this process ends when the command returns (the console entry point)."""
    _ALLOWED.append(True)


def keep_until_exit(value: object) -> None:
    """Keep ``value`` alive until the process ends, when it may end at once: it is then never
    freed object by object (see :func:`bcplint.cli.console`)."""
    if _ALLOWED:
        _KEPT.append(value)


def stop_keeping() -> None:
    """Let go of what :func:`keep_until_exit` kept, and keep nothing more: the process ends the
    usual way after all (or goes on, if its caller catches the exit)."""
    _KEPT.clear()
    _ALLOWED.clear()


def ending_at_once() -> bool:
    """True when a command kept something for the end, so the process may skip its teardown."""
    return bool(_KEPT)


def split_list(values: Sequence[str]) -> list[str] | None:
    """``--select BCP1,BCP201 --select x`` -> ``['BCP1', 'BCP201', 'x']``; None when not given."""
    if not values:
        return None
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


def use_color(no_color: bool) -> bool:
    return not no_color and "NO_COLOR" not in os.environ and sys.stdout.isatty()


def exit_code(result: LintResult) -> int:
    """1 when any active finding is at or above its workspace's fail_on, else 0."""
    return EXIT_FINDINGS if result.failing() else EXIT_OK


def rules_of(packs: tuple[str, ...]) -> list[Rule]:
    """The rules of ``packs`` (default: the configured packs), configuration overrides applied."""
    return enabled_rules(LintOptions(packs=list(packs) or None, select=[], ignore=[]))


def emit(
    command: str, output_format: str, subject: Any, output: Path | None = None, options: ReportOptions | None = None
) -> None:
    """Write ``subject`` with the formatter of ``command`` and ``output_format`` to ``output``
    (parents created) or standard output. SourceError when the file cannot be written."""
    formatter = REGISTRY[command][output_format]
    if output is None:
        text = io.StringIO()
        formatter(subject, text, options)
        click.echo(text.getvalue(), nl=False)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        with output.open("w", encoding="utf-8", newline="\n") as stream:
            formatter(subject, stream, options)
    except OSError as exc:
        raise SourceError(f"{output}: cannot write the {output_format} report: {exc.strerror or exc}") from None


def format_option(command: str, default: str) -> Callable[[F], F]:
    """``--format`` with the formats the registry has for ``command``."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(sorted(REGISTRY[command])),
        default=default,
        show_default=True,
        help="Output format.",
    )


today_option = click.option(
    "--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Evaluation date (default: today, UTC)."
)
config_option = click.option(
    "--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), help="Configuration file."
)
paths_argument = click.argument("paths", nargs=-1, type=click.Path())
