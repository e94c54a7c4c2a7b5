"""Formatters: each takes the whole result and writes to the stream it is given.

``FORMATTERS`` is the one registry; the CLI's ``--format`` and ``--output`` choices come from
it. Each formatter module is imported only when used, so the heavy ones (junit-xml) cost nothing
to a run that does not ask for them.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bcplint.findings import LintResult


@dataclass(frozen=True, kw_only=True)
class ReportOptions:
    """How to render a result. ``cwd``: the directory text output makes paths relative to
    (machine-readable formats always use paths relative to the result's base).
    ``show_baselined`` lists findings accepted by the baseline in text, GitHub and Markdown
    output, which otherwise only count them. The fail-on threshold is the result's own
    (:meth:`LintResult.fail_on`): JUnit fails only the testcases that fail the run."""

    color: bool = False
    quiet: bool = False
    cwd: Path | None = None
    show_baselined: bool = False


Formatter = Callable[[LintResult, TextIO, ReportOptions], None]


def _module(name: str) -> Formatter:
    def write(result: LintResult, stream: TextIO, options: ReportOptions) -> None:
        module = importlib.import_module(f"bcplint.report.{name}")
        if name == "text":
            module.write(
                result,
                stream,
                color=options.color,
                quiet=options.quiet,
                cwd=options.cwd,
                show_baselined=options.show_baselined,
            )
        else:
            module.write(result, stream, options)

    return write


FORMATTERS: dict[str, Formatter] = {
    "text": _module("text"),
    "json": _module("json_report"),
    "junit": _module("junit"),
    "sarif": _module("sarif"),
    "github": _module("github"),
    "markdown": _module("markdown_summary"),
    "gitlab": _module("gitlab"),
}

# Formats that list passing checks too, which the engine records only on request.
NEEDS_CHECKS = frozenset({"junit"})


def with_report_notes(result: LintResult, formats: Iterable[str]) -> LintResult:
    """``result`` with notes about what the reports in ``formats`` leave out (the CLI prints
    notes on standard error): a SARIF run capped at GitHub's limit says how many results it
    dropped."""
    if "sarif" not in set(formats):
        return result
    from bcplint.report import sarif

    _, omitted = sarif.capped(result.findings)
    if not omitted:
        return result
    return dataclasses.replace(result, notes=(*result.notes, sarif.capped_note(len(result.findings), omitted)))


__all__ = ["FORMATTERS", "NEEDS_CHECKS", "Formatter", "ReportOptions", "with_report_notes"]
