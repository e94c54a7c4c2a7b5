"""Formatters: each takes the whole result and writes to the stream it is given.

``FORMATTERS`` is the one registry; the CLI's ``--format`` choices come from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from bcplint.findings import LintResult
from bcplint.report import json_report, text


@dataclass(frozen=True, kw_only=True)
class ReportOptions:
    color: bool = False
    quiet: bool = False


Formatter = Callable[[LintResult, TextIO, ReportOptions], None]

FORMATTERS: dict[str, Formatter] = {
    "text": lambda result, stream, options: text.write(result, stream, color=options.color, quiet=options.quiet),
    "json": lambda result, stream, options: json_report.write(result, stream),
}

__all__ = ["FORMATTERS", "Formatter", "ReportOptions"]
