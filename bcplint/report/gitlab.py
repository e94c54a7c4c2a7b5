"""GitLab Code Quality report, for the merge-request widget and the pipeline's Code Quality tab.

The format is GitLab's subset of the Code Climate issue spec, documented at
https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format: one JSON array
(no byte order mark) of issues, each with ``description``, ``check_name``, ``fingerprint``,
``severity`` (``info``, ``minor``, ``major``, ``critical`` or ``blocker``), ``location.path``
(relative to the repository root) and ``location.lines.begin``. GitLab ignores other fields.

Severity mapping (docs/ci.md repeats it, and a test holds the two together): error -> major,
warning -> minor, info -> info, the same steps other linters use in that widget, so bcplint's
findings rank beside theirs; critical and blocker are left to security scanners. A waived
finding is kept as ``info`` with its waiver in the description: the exception stays visible,
as in every other report. Its fingerprint differs from the active finding's, so the merge
request that adds a waiver shows the finding as resolved and the waived one as new.

GitLab matches issues between the source and target branches by fingerprint, and shows
issues sharing one as a single entry: fingerprints are unique within the report and never
include the line (:mod:`bcplint.report.fingerprints`, shared with SARIF).
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from bcplint.findings import Finding, LintResult, Severity, clause_text
from bcplint.report.fingerprints import unique_fingerprints
from bcplint.report.options import ReportOptions

SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}
WAIVED_SEVERITY = "info"


def _waived(finding: Finding) -> str:
    return "|waived" if finding.waived else ""


def _issue(finding: Finding, fingerprint: str) -> dict[str, Any]:
    clauses = clause_text(finding.clauses)
    description = finding.message + (f" [{clauses}]" if clauses else "")
    if finding.waiver:
        description += f" (waived: {finding.waiver})"
    return {
        "description": description,
        "check_name": f"{finding.rule_id} {finding.rule_name}",
        "fingerprint": fingerprint,
        "severity": WAIVED_SEVERITY if finding.waived else SEVERITIES[finding.severity],
        "location": {"path": finding.path, "lines": {"begin": finding.line}},
    }


def code_quality_report(result: LintResult) -> list[dict[str, Any]]:
    """The report as a list of issue dicts, one per finding, in the result's order."""
    prints = unique_fingerprints(result.findings, variant=_waived)
    return [_issue(f, fp) for f, fp in zip(result.findings, prints, strict=True)]


def write(result: LintResult, stream: TextIO, options: ReportOptions) -> None:
    json.dump(code_quality_report(result), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
