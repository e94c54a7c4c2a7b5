"""SARIF 2.1.0 for code-scanning UIs (GitHub code scanning, Azure DevOps, IDEs).

Rules carry their descriptions, help and clause tags; results carry regions, URIs relative
to the repository root (``%SRCROOT%``, declared in ``originalUriBaseIds``) wherever bcplint
ran, stable ``partialFingerprints`` that ignore line numbers, and ``suppressions`` for waived
findings.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import PurePosixPath
from typing import Any, TextIO
from urllib.parse import quote

from bcplint import __version__
from bcplint.findings import Finding, LintResult, RuleInfo, Severity, clause_text

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
FINGERPRINT = "bcplint/v1"


def _rule(rule: RuleInfo) -> dict[str, Any]:
    clauses = clause_text(rule.clauses)
    help_text = f"{rule.fix}\n\nClauses: {clauses}" if clauses else rule.fix
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.name.split("-")),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.rationale or rule.summary},
        "help": {"text": help_text, "markdown": f"**Fix:** {rule.fix}\n\n**Clauses:** {clauses or 'none'}"},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": ["business-continuity", rule.pack, *rule.clauses], "precision": "very-high"},
    }


def _artifact(path: str) -> dict[str, str]:
    posix = PurePosixPath(path)
    if posix.is_absolute():
        return {"uri": "file://" + quote(str(posix))}
    return {"uri": quote(str(posix)), "uriBaseId": "%SRCROOT%"}


def _fingerprint(finding: Finding) -> str:
    """The finding's own identity (rule, document, field: never the line) plus its file, so two
    documents sharing a name (BCP004) are two alerts, and edits elsewhere keep the alert."""
    return hashlib.sha256(f"{finding.fingerprint}|{finding.path}".encode()).hexdigest()[:32]


def _result(finding: Finding, rule_index: dict[str, int]) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": _artifact(finding.path),
            "region": {"startLine": finding.line, "startColumn": finding.column},
        }
    }
    if finding.document:
        location["logicalLocations"] = [
            {"name": finding.document, "fullyQualifiedName": f"{finding.kind}/{finding.document}", "kind": "object"}
        ]
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT: _fingerprint(finding)},
    }
    if finding.rule_id in rule_index:
        result["ruleIndex"] = rule_index[finding.rule_id]
    if finding.waiver:
        kind = "inSource" if finding.waiver_kind == "inline" else "external"
        result["suppressions"] = [{"kind": kind, "status": "accepted", "justification": finding.waiver}]
    return result


def sarif_log(result: LintResult) -> dict[str, Any]:
    rule_index = {rule.id: i for i, rule in enumerate(result.rules)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "bcplint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": "https://pypi.org/project/bcplint/",
                        "rules": [_rule(rule) for rule in result.rules],
                    }
                },
                # The base is named, not given as a file:// URI: an absolute path of the machine
                # that ran the check would make the log differ from one checkout to the next.
                "originalUriBaseIds": {
                    "%SRCROOT%": {"description": {"text": "The root of the git repository that holds the plan."}}
                },
                "columnKind": "unicodeCodePoints",
                "results": [_result(f, rule_index) for f in result.findings],
            }
        ],
    }


def write(result: LintResult, stream: TextIO) -> None:
    json.dump(sarif_log(result), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
