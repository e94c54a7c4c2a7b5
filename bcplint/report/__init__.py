"""Everything bcplint prints, behind one protocol and one registry.

A formatter writes one subject to the stream it is given: ``write(subject, stream, options)``.
:data:`REGISTRY` maps each command that prints to its formats:

- ``check``: a :class:`bcplint.findings.LintResult` (text, json, junit, sarif, github,
  markdown, gitlab);
- ``rules``: the rules (text, json, markdown); ``explain``: one rule with its examples;
- ``waivers``: the exception register (:class:`bcplint.exemptions.register.Register`);
- ``report``: the readiness report (:class:`bcplint.insights.readiness.ReadinessReport`);
- ``graph``: the dependency graph (:class:`bcplint.insights.dependencies.DependencyGraph`).

A formatter declares what it needs from the run (``checks``: passing checks too; ``maturity``:
maturity levels), so the run computes them only when a report asks. Formatter modules are
imported when first used: the heavy ones (junit-xml) cost nothing to runs that do not use them.
The command line's ``--format`` choices come from here.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TextIO

from bcplint.findings import LintResult
from bcplint.report.options import ReportOptions

CHECKS, MATURITY = "checks", "maturity"


@dataclass(frozen=True)
class Formatter:
    """Where a formatter's code is (``bcplint.report.<module>.<function>``) and what it needs.

    ``notes`` names a function ``(result) -> list[str]`` saying what the format leaves out
    (the CLI prints those notes on standard error).
    """

    module: str
    function: str = "write"
    needs: frozenset[str] = frozenset()
    notes: str | None = None

    def __call__(self, subject: Any, stream: TextIO, options: ReportOptions | None = None) -> None:
        self._get(self.function)(subject, stream, options or ReportOptions())

    def notes_on(self, result: LintResult) -> list[str]:
        return list(self._get(self.notes)(result)) if self.notes else []

    def _get(self, name: str) -> Any:
        return getattr(importlib.import_module(f"bcplint.report.{self.module}"), name)


def _table(module: str, *names: str) -> dict[str, Formatter]:
    """One module writing several formats, each with a ``write_<format>`` function."""
    return {name: Formatter(module, f"write_{name}") for name in names}


REGISTRY: dict[str, dict[str, Formatter]] = {
    "check": {
        "text": Formatter("text"),
        "json": Formatter("json_report", needs=frozenset({MATURITY})),
        "junit": Formatter("junit", needs=frozenset({CHECKS})),
        "sarif": Formatter("sarif", notes="notes"),
        "github": Formatter("github"),
        "markdown": Formatter("markdown_summary"),
        "gitlab": Formatter("gitlab"),
    },
    "rules": _table("rules", "text", "json", "markdown"),
    "explain": {"text": Formatter("rules", "write_explanation")},
    "waivers": _table("register", "text", "json", "markdown"),
    "report": {
        "html": Formatter("readiness_html", needs=frozenset({CHECKS, MATURITY})),
        "markdown": Formatter("readiness_markdown", needs=frozenset({CHECKS, MATURITY})),
    },
    "graph": _table("graph_text", "mermaid", "dot"),
}

# The formats of `bcplint check` (--format and --output).
FORMATTERS = REGISTRY["check"]


def needs(command: str, formats: Iterable[str]) -> frozenset[str]:
    """What the given formats of ``command`` need from the run, together."""
    table = REGISTRY[command]
    return frozenset().union(*(table[name].needs for name in formats))


def with_report_notes(result: LintResult, formats: Iterable[str]) -> LintResult:
    """``result`` with the notes the given check formats add about what they leave out."""
    notes = [note for name in sorted(set(formats)) for note in FORMATTERS[name].notes_on(result)]
    return dataclasses.replace(result, notes=(*result.notes, *notes)) if notes else result


__all__ = ["CHECKS", "FORMATTERS", "MATURITY", "REGISTRY", "ReportOptions", "needs", "with_report_notes"]
