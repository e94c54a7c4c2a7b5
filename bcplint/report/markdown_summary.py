"""A Markdown summary for pull-request comments and ``$GITHUB_STEP_SUMMARY``.

The counts include every finding; the table lists all but those the baseline accepted (unless
``show_baselined``), and a line below the counts says how many those are.
"""

from __future__ import annotations

from typing import TextIO

from bcplint.findings import LintResult, Severity, clause_text
from bcplint.report.options import ReportOptions

MAX_ROWS = 200  # PR comments and job summaries have size limits; the full list is in other reports


def table_cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def write(result: LintResult, stream: TextIO, options: ReportOptions) -> None:
    show_baselined = options.show_baselined
    counts = result.counts()
    waived = result.waived_count
    stream.write("## bcplint\n\n")
    stream.write("| errors | warnings | info | waived | documents | files |\n|---:|---:|---:|---:|---:|---:|\n")
    stream.write(
        f"| {counts[Severity.ERROR]} | {counts[Severity.WARNING]} | {counts[Severity.INFO]} | {waived} "
        f"| {result.documents_checked} | {result.files_checked} |\n\n"
    )
    listed = result.listed(show_baselined=show_baselined)
    hidden = len(result.findings) - len(listed)
    if hidden:
        verbs = "was accepted by the baseline and is" if hidden == 1 else "were accepted by the baseline and are"
        stream.write(f"{hidden} of the waived findings {verbs} not listed (`--show-baselined` lists them).\n\n")
    if not listed:
        stream.write("No findings.\n" if not hidden else "No other findings.\n")
        return
    stream.write("| severity | rule | location | finding | clauses |\n|---|---|---|---|---|\n")
    for finding in listed[:MAX_ROWS]:
        severity = f"{finding.severity.label} (waived)" if finding.waived else finding.severity.label
        stream.write(
            f"| {severity} | {finding.rule_id} {finding.rule_name} | `{table_cell(finding.path)}:{finding.line}` "
            f"| {table_cell(finding.message)} | {table_cell(clause_text(finding.clauses))} |\n"
        )
    more = len(listed) - MAX_ROWS
    if more > 0:
        stream.write(f"\n… and {more} more findings (see the full report).\n")
