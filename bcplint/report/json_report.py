"""Machine-readable output, versioned: consumers can rely on ``"version": 1``.

Shape::

    {"version": 1, "tool": {"name": "bcplint", "version": "..."},
     "findings": [{"rule_id", "rule_name", "severity", "message", "path", "line", "column",
                   "kind", "document", "field", "clauses", "waiver"}...],
     "maturity": [{"service", "path", "level", "next", "missing"}...],
     "excluded": [{"kind", "name", "reason", "approved_by", "path", "line"}...],
     "summary": {"error": n, "warning": n, "info": n, "waived": n, "documents": n, "files": n}}

``excluded`` lists the documents declared out of continuity scope (``out_of_scope``), which
no rule but the structural ones judged.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from bcplint import __version__
from bcplint.findings import Finding, LintResult, Severity
from bcplint.report.options import ReportOptions

JSON_VERSION = 1


def finding_dict(finding: Finding) -> dict[str, Any]:
    return {
        "rule_id": finding.rule_id,
        "rule_name": finding.rule_name,
        "severity": finding.severity.label,
        "message": finding.message,
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "kind": finding.kind,
        "document": finding.document,
        "field": finding.field,
        "clauses": list(finding.clauses),
        "waiver": finding.waiver,
    }


def write(result: LintResult, stream: TextIO, options: ReportOptions) -> None:
    counts = result.counts()
    document = {
        "version": JSON_VERSION,
        "tool": {"name": "bcplint", "version": __version__},
        "packs": list(result.packs),
        "findings": [finding_dict(f) for f in result.findings],
        "maturity": [
            {"service": m.service, "path": m.path, "level": m.level, "next": m.next, "missing": list(m.missing)}
            for m in result.maturity
        ],
        "excluded": [
            {
                "kind": e.kind,
                "name": e.name,
                "reason": e.reason,
                "approved_by": e.approved_by,
                "path": e.path,
                "line": e.line,
            }
            for e in result.exclusions
        ],
        "summary": {
            **{s.label: counts[s] for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)},
            "waived": result.waived_count,
            "documents": result.documents_checked,
            "files": result.files_checked,
        },
    }
    json.dump(document, stream, indent=2, sort_keys=False, ensure_ascii=False)
    stream.write("\n")
