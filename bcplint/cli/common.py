"""What the commands share: exit codes, common options, small helpers."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bcplint.findings import LintResult

if TYPE_CHECKING:
    from bcplint.packs import Rule

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


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
    from bcplint.api import LintOptions, enabled_rules

    return enabled_rules(LintOptions(packs=list(packs) or None, select=[], ignore=[]))


today_option = click.option(
    "--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Evaluation date (default: today, UTC)."
)
config_option = click.option(
    "--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), help="Configuration file."
)
paths_argument = click.argument("paths", nargs=-1, type=click.Path())
