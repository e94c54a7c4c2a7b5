"""``bcplint report --format html``: one self-contained page for continuity managers and auditors.

Inline CSS, inline SVG, no script, nothing fetched: it opens from a mail attachment or an
air-gapped share exactly as it was written. Deterministic: the only date is the evaluation date.
Rule ids in the maturity and coverage tables link to the rules' pages, where they have one.
"""

from __future__ import annotations

from html import escape
from typing import TextIO

from bcplint import __version__
from bcplint.exemptions.register import ends
from bcplint.findings import LintResult, Severity, clause_text, plural
from bcplint.insights.readiness import ClauseCoverage, ReadinessReport, Row, blockers
from bcplint.report.graph_svg import svg
from bcplint.report.options import ReportOptions

SYMBOLS = {"ok": "✓", "warn": "!", "fail": "✗", "none": "n/a"}
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem;color:#212529;max-width:1400px}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2.2rem;border-bottom:1px solid #dee2e6}
table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}th,td{border:1px solid #dee2e6;padding:.3rem .55rem;
text-align:left;vertical-align:top}th{background:#f1f3f5}td.ok{background:#d3f9d8}td.warn{background:#fff3bf}
td.fail{background:#ffc9c9}td.none{background:#f8f9fa;color:#868e96}.summary span{margin-right:1.4rem}
.level{font-weight:600;padding:.1rem .5rem;border-radius:.6rem}.gold{background:#ffe066}.silver{background:#dee2e6}
.bronze{background:#e8b88a}.below{background:#ffc9c9}.muted{color:#868e96}.evidence{font-size:.8rem;color:#495057}
.graph{max-width:100%;height:auto;border:1px solid #dee2e6;background:#fff}
"""


def write(report: ReadinessReport, stream: TextIO, options: ReportOptions) -> None:
    result, rows, coverage, graph = report.result, report.rows, report.coverage, report.graph
    counts = result.counts()
    waived = result.waived_count
    stream.write('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">')
    stream.write('<meta name="viewport" content="width=device-width, initial-scale=1">')
    stream.write(f"<title>Continuity readiness report</title><style>{CSS}</style></head><body>\n")
    stream.write("<h1>Continuity readiness report</h1>\n")
    today = result.today.isoformat() if result.today else ""
    stream.write(
        f'<p class="muted">Evaluated on {today} by bcplint {__version__} with the packs '
        f"{escape(', '.join(result.packs))}.</p>\n"
    )
    stream.write(
        f'<p class="summary"><span id="errors">{plural(counts[Severity.ERROR], "error")}</span>'
        f'<span id="warnings">{plural(counts[Severity.WARNING], "warning")}</span>'
        f'<span id="waived">{waived} waived</span>'
        f'<span id="documents">{plural(result.documents_checked, "document")}</span></p>\n'
    )
    _maturity(result, stream)
    _matrix(report.columns, rows, stream)
    _coverage(coverage, _rule_links(result), stream)
    stream.write(
        '<h2>Dependency graph</h2>\n<p class="muted">Red: the dependency recovers slower than '
        "its dependent (RTO inversion). Purple: a dependency cycle.</p>\n"
    )
    stream.write(svg(graph) + "\n")
    _register(report, stream)
    _exclusions(result, stream)
    stream.write("</body></html>\n")


def _maturity(result: LintResult, stream: TextIO) -> None:
    stream.write(
        '<h2>Maturity</h2>\n<table id="maturity"><tr><th>service</th><th>level</th>'
        "<th>next level</th><th>what stands in the way</th></tr>\n"
    )
    names = {rule.id: rule.name for rule in result.rules}
    links = _rule_links(result)
    for item in result.maturity:
        level = item.level or "below bronze"
        css = item.level or "below"
        missing = ", ".join(_linked(entry, blockers([entry], names), links) for entry in item.missing) or "—"
        stream.write(
            f'<tr><td>{escape(item.service)}</td><td><span class="level {css}">{escape(level)}</span></td>'
            f"<td>{escape(item.next or '—')}</td><td>{missing}</td></tr>\n"
        )
    stream.write("</table>\n")


def _rule_links(result: LintResult) -> dict[str, str]:
    """Rule id -> the rule's page, for the rules that have one."""
    return {rule.id: rule.help_url for rule in result.rules if rule.help_url}


def _linked(item: str, text: str, links: dict[str, str]) -> str:
    """``text`` (which starts with the rule id of ``item``, "BCP402 (on a dependency)") as
    HTML, the rule id a link to the rule's page when it has one."""
    rule = item.partition(" ")[0]
    if rule not in links or not text.startswith(rule):
        return escape(text)
    return f'<a href="{escape(links[rule])}">{escape(rule)}</a>{escape(text[len(rule) :])}'


def _matrix(columns: tuple[str, ...], rows: list[Row], stream: TextIO) -> None:
    stream.write('<h2>Readiness matrix</h2>\n<p class="muted">Hover a cell for the findings behind it.</p>\n')
    headers = "".join(f"<th>{escape(column)}</th>" for column in columns)
    stream.write(f'<table id="readiness"><tr><th>document</th><th>criticality</th>{headers}</tr>\n')
    for row in rows:
        cells = "".join(
            f'<td class="{cell.status}" title="{escape(chr(10).join(cell.evidence))}">'
            f"{SYMBOLS[cell.status]}{' ' + escape(cell.text) if cell.text else ''}</td>"
            for cell in row.cells
        )
        stream.write(
            f'<tr data-name="{escape(row.name)}"><td>{escape(row.kind)} <b>{escape(row.name)}</b></td>'
            f"<td>{escape(row.criticality)}</td>{cells}</tr>\n"
        )
    stream.write("</table>\n")


def _coverage(coverage: list[ClauseCoverage], links: dict[str, str], stream: TextIO) -> None:
    stream.write(
        '<h2>Framework coverage</h2>\n<table id="coverage"><tr><th>clause</th><th>rules</th>'
        "<th>checks passing</th><th>checks failing</th></tr>\n"
    )
    for row in coverage:
        idle = ", ".join(_linked(r, r, links) for r in row.not_applicable)
        if row.applicable:
            checked = ", ".join(_linked(r, r, links) for r in row.rules if r not in row.not_applicable)
            rules = checked + (f' <span class="muted">(nothing to check: {idle})</span>' if idle else "")
            css = "fail" if row.failing else "ok" if row.passing else "none"
            counts = f'<td>{row.passing}</td><td class="{css}">{row.failing}</td>'
        else:
            rules = f'<span class="muted">nothing to check: {idle}</span>'
            counts = '<td class="none">n/a</td><td class="none">n/a</td>'
        stream.write(f"<tr><td>{escape(clause_text((row.clause,)))}</td><td>{rules}</td>{counts}</tr>\n")
    stream.write("</table>\n")


def _exclusions(result: LintResult, stream: TextIO) -> None:
    if not result.exclusions:
        return
    stream.write(
        '<h2>Out of scope</h2>\n<p class="muted">Declared out of continuity scope, and not judged by the rules.</p>\n'
        '<table id="exclusions"><tr><th>document</th><th>reason</th><th>approved by</th><th>where</th></tr>\n'
    )
    for e in result.exclusions:
        stream.write(
            f"<tr><td>{escape(e.kind)} <b>{escape(e.name)}</b></td><td>{escape(e.reason)}</td>"
            f"<td>{escape(e.approved_by or '')}</td><td><code>{escape(e.path)}:{e.line}</code></td></tr>\n"
        )
    stream.write("</table>\n")


def _register(report: ReadinessReport, stream: TextIO) -> None:
    result, register = report.result, report.register.exemptions
    stream.write("<h2>Exception register</h2>\n")
    if not register:
        stream.write("<p>No waivers or inline suppressions.</p>\n")
        return
    stream.write(
        '<table id="register"><tr><th>expires</th><th>days left</th><th>status</th><th>rule</th>'
        "<th>target</th><th>approved by</th><th>reason</th><th>where</th></tr>\n"
    )
    for e in register:
        left = e.days_left(result.today) if result.today else None
        css = "fail" if e.status in ("expired", "invalid") else "warn" if left is not None and left <= 30 else "ok"
        stream.write(
            f'<tr><td class="{css}">{escape(ends(e))}</td>'
            f"<td>{'' if left is None else left}</td><td>{e.status}</td><td>{escape(e.rule)}</td>"
            f"<td>{escape(e.target or '')}</td><td>{escape(e.approved_by or '')}</td><td>{escape(e.reason)}</td>"
            f"<td><code>{escape(e.path)}:{e.line}</code></td></tr>\n"
        )
    stream.write("</table>\n")
