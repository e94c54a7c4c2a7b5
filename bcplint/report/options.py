"""How a report is written: the options every formatter receives."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, kw_only=True)
class ReportOptions:
    """How to render a result.

    ``cwd``: the directory text output makes paths relative to (machine-readable formats always
    name files relative to the result's base). ``show_baselined`` lists findings the baseline
    accepted in text, GitHub and Markdown output, which otherwise only count them. The fail-on
    threshold is the result's own (:meth:`bcplint.findings.LintResult.fail_on`).
    """

    color: bool = False
    quiet: bool = False
    cwd: Path | None = None
    show_baselined: bool = False
