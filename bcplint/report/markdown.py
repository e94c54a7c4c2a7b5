"""A Markdown summary for pull-request comments and ``$GITHUB_STEP_SUMMARY``."""

from __future__ import annotations

from typing import TextIO

from bcplint.findings import LintResult, Severity, clause_text

MAX_ROWS = 200  # PR comments and job summaries have size limits; the full list is in other reports


def table_cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def write(result: LintResult, stream: TextIO) -> None:
    counts = result.counts()
    waived = result.waived_count
    stream.write("## bcplint\n\n")
    stream.write("| errors | warnings | info | waived | documents | files |\n|---:|---:|---:|---:|---:|---:|\n")
    stream.write(
        f"| {counts[Severity.ERROR]} | {counts[Severity.WARNING]} | {counts[Severity.INFO]} | {waived} "
        f"| {result.documents_checked} | {result.files_checked} |\n\n"
    )
    if not result.findings:
        stream.write("No findings.\n")
        return
    stream.write("| severity | rule | location | finding | clauses |\n|---|---|---|---|---|\n")
    for finding in result.findings[:MAX_ROWS]:
        severity = f"{finding.severity.label} (waived)" if finding.waived else finding.severity.label
        stream.write(
            f"| {severity} | {finding.rule_id} {finding.rule_name} | `{table_cell(finding.path)}:{finding.line}` "
            f"| {table_cell(finding.message)} | {table_cell(clause_text(finding.clauses))} |\n"
        )
    hidden = len(result.findings) - MAX_ROWS
    if hidden > 0:
        stream.write(f"\n… and {hidden} more findings (see the full report).\n")
