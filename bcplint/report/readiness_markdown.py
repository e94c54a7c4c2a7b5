"""``bcplint report --format markdown``: the same report for a pull-request comment or a wiki.

The dependency graph is a Mermaid block, which GitHub and GitLab render in place. Rule ids in the
maturity and coverage tables link to the rules' pages, where they have one.
"""

from __future__ import annotations

from typing import TextIO

from bcplint.exemptions.register import ends
from bcplint.findings import LintResult, Severity, clause_text, plural
from bcplint.insights.readiness import ClauseCoverage, ReadinessReport, blockers
from bcplint.report.graph_text import to_mermaid
from bcplint.report.markdown_summary import table_cell as _cell
from bcplint.report.options import ReportOptions

MARKS = {"ok": "✅", "warn": "⚠️", "fail": "❌", "none": "n/a"}


def write(report: ReadinessReport, stream: TextIO, options: ReportOptions) -> None:
    result, rows, coverage, graph = report.result, report.rows, report.coverage, report.graph
    counts = result.counts()
    today = result.today.isoformat() if result.today else ""
    errors, warnings = plural(counts[Severity.ERROR], "error"), plural(counts[Severity.WARNING], "warning")
    stream.write(f"# Continuity readiness report\n\nEvaluated on {today}: {errors}, {warnings}, ")
    stream.write(f"{result.waived_count} waived, {plural(result.documents_checked, 'document')}.\n\n")
    stream.write("## Maturity\n\n| service | level | missing for the next |\n")
    stream.write("|---|---|---|\n")
    names = {rule.id: rule.name for rule in result.rules}
    links = {rule.id: rule.help_url for rule in result.rules if rule.help_url}
    for item in result.maturity:
        missing = ", ".join(_linked(entry, blockers([entry], names), links) for entry in item.missing) or "—"
        stream.write(f"| {_cell(item.service)} | {item.level or 'below bronze'} | {missing} |\n")
    stream.write("\n## Readiness\n\n| document | criticality | " + " | ".join(report.columns) + " |\n")
    stream.write("|---|---|" + "---|" * len(report.columns) + "\n")
    for row in rows:
        cells = " | ".join(f"{MARKS[c.status]} {_cell(c.text)}".rstrip() for c in row.cells)
        stream.write(f"| {row.kind} **{_cell(row.name)}** | {row.criticality} | {cells} |\n")
    stream.write("\n## Framework coverage\n\n| clause | rules | passing | failing |\n|---|---|---:|---:|\n")
    for item in coverage:
        tally = f"{item.passing} | {item.failing}" if item.applicable else "n/a | n/a"
        stream.write(f"| {clause_text((item.clause,))} | {_rules(item, links)} | {tally} |\n")
    stream.write("\n## Dependency graph\n\n```mermaid\n" + to_mermaid(graph) + "```\n")
    register = report.register.exemptions
    stream.write("\n## Exception register\n\n")
    if not register:
        stream.write("No waivers or inline suppressions.\n")
    else:
        stream.write("| expires | status | rule | target | approved by | reason |\n|---|---|---|---|---|---|\n")
    for e in register:
        expires = _cell(ends(e))
        stream.write(
            f"| {expires} | {e.status} | {_cell(e.rule)} | {_cell(e.target or '')} | {_cell(e.approved_by or '')} "
            f"| {_cell(e.reason)} |\n"
        )
    _exclusions(result, stream)


def _exclusions(result: LintResult, stream: TextIO) -> None:
    if not result.exclusions:
        return
    stream.write("\n## Out of scope\n\nDeclared out of continuity scope, and not judged by the rules.\n\n")
    stream.write("| document | reason | approved by | where |\n|---|---|---|---|\n")
    for e in result.exclusions:
        stream.write(
            f"| {e.kind} **{_cell(e.name)}** | {_cell(e.reason)} | {_cell(e.approved_by or '')} "
            f"| `{_cell(e.path)}:{e.line}` |\n"
        )


def _rules(item: ClauseCoverage, links: dict[str, str]) -> str:
    """``BCP601, BCP604 (nothing to check: BCP602)``: rules that had nothing to check set apart."""
    idle = ", ".join(_linked(r, r, links) for r in item.not_applicable)
    if not item.applicable:
        return f"nothing to check: {idle}"
    checked = ", ".join(_linked(r, r, links) for r in item.rules if r not in item.not_applicable)
    return checked + (f" (nothing to check: {idle})" if idle else "")


def _linked(item: str, text: str, links: dict[str, str]) -> str:
    """``text`` (which starts with the rule id of ``item``) for a table cell, the rule id a link
    to the rule's page when it has one: ``[BCP402](https://…/BCP402.md) backup-tested``."""
    rule = item.partition(" ")[0]
    if rule not in links or not text.startswith(rule):
        return _cell(text)
    return f"[{rule}]({links[rule]}){_cell(text[len(rule) :])}"
