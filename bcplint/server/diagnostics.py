"""Findings as LSP diagnostics.

A diagnostic has the finding's severity (error, warning, information), ``code`` = the rule id,
``source`` = ``bcplint`` and the message with the framework clauses. Its range starts at the
finding's line and column and covers the YAML token there (:func:`bcplint.server.text.token_span`):
a key (``owner``), a plain or quoted value up to a comment, one item of a flow list
(``[a, b]``), or a whole flow collection. Where that is empty (the end of a line, the end of
the file) the range is empty too, and editors mark the character there.

Waived findings are not shown: the inline suppression, Waiver or baseline that hides them is
the record, and every report still lists them. ``codeDescription.href`` is the rule's page
(the URL SARIF gives as ``helpUri``); a rule without one (a pack that names no ``docs_url``)
has no ``codeDescription`` rather than a made-up link.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from lsprotocol import types

from bcplint.findings import Finding, Severity, clause_text
from bcplint.server.text import LineMap, code_units, token_span

SOURCE = "bcplint"

_SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


def finding_range(lines: LineMap, line: int, column: int, encoding: str) -> types.Range:
    """The LSP range of the token at 1-based YAML ``line`` and ``column`` of a buffer."""
    row, start = lines.from_yaml(line, column)
    text = lines.line(row)
    start, end = token_span(text, start)
    return types.Range(
        start=types.Position(line=row, character=code_units(text[:start], encoding)),
        end=types.Position(line=row, character=code_units(text[:end], encoding)),
    )


def to_diagnostics(
    findings: Iterable[Finding], text: str, encoding: str, pages: Mapping[str, str | None] | None = None
) -> list[types.Diagnostic]:
    """The active (not waived) findings of one file as diagnostics, in report order.

    ``text`` is the content the findings were computed from; ``encoding`` the negotiated
    position encoding (``utf-16``, ``utf-8`` or ``utf-32``); ``pages`` maps a rule id to the
    absolute URL of its page (:attr:`bcplint.findings.RuleInfo.help_url`).
    """
    pages = pages or {}
    lines = LineMap(text)
    diagnostics = []
    for finding in findings:
        if finding.waived:
            continue
        clauses = f" [{clause_text(finding.clauses)}]" if finding.clauses else ""
        page = pages.get(finding.rule_id)
        diagnostics.append(
            types.Diagnostic(
                range=finding_range(lines, finding.line, finding.column, encoding),
                severity=_SEVERITIES[finding.severity],
                code=finding.rule_id,
                code_description=types.CodeDescription(href=page) if page else None,
                source=SOURCE,
                message=f"{finding.message}{clauses}",
            )
        )
    return diagnostics
