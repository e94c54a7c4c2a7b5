"""SARIF 2.1.0 for code-scanning UIs (GitHub code scanning, Azure DevOps, IDEs).

Rules carry their descriptions, help, clause tags and, where the rule has a page, its absolute
``helpUri`` (:mod:`bcplint.packs.docs`); results carry regions, URIs relative
to the repository root (``%SRCROOT%``, declared in ``originalUriBaseIds``) wherever bcplint
ran, ``partialFingerprints`` and
``suppressions`` for waived findings (baselined ones included).

Fingerprints (``bcplint/v1``) are unique within a run and never contain a line number: a
finding's identity is its rule, document, field and file; findings that share all four (two
outcomes of one check, such as BCP501's missing primary and missing secondary channel) are
told apart by their message, then by their order. GitHub code scanning matches alerts by
``primaryLocationLineHash`` only, which its upload action computes from the text of the line:
results of one rule on one line would become one alert. Those results, and only those, get
a ``primaryLocationLineHash`` from their fingerprint (the action keeps it, logging that it
differs from the one it computed).

GitHub's documented upload limits (docs.github.com, "SARIF support for code scanning" and
"SARIF results exceed one or more limits") that bcplint could reach are respected: at most
25,000 results per run (the most severe are kept: findings that are not waived before waived
ones, errors before warnings before notes, then in report order; the run says so in a
``toolExecutionNotifications`` entry), at most 10 tags per rule (the number GitHub shows; 20
is rejected), rule names within 255 characters and descriptions within 1,024. One run, one
location per result and a few rules stay far below the other limits.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any, TextIO
from urllib.parse import quote

from bcplint import __version__
from bcplint.findings import Finding, LintResult, RuleInfo, Severity, clause_text
from bcplint.report.fingerprints import unique_fingerprints
from bcplint.report.options import ReportOptions

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
FINGERPRINT = "bcplint/v1"
GITHUB_FINGERPRINT = "primaryLocationLineHash"
MAX_RESULTS = 25_000  # GitHub rejects a run with more
MAX_TAGS = 10  # GitHub shows 10 tags per rule and rejects more than 20
MAX_NAME = 255  # GitHub's limit on a rule's name
MAX_DESCRIPTION = 1024  # GitHub's limit on a rule's short and full description
CAPPED = "bcplint/results-capped"


def _rule(rule: RuleInfo) -> dict[str, Any]:
    clauses = clause_text(rule.clauses)
    help_text = f"{rule.fix}\n\nClauses: {clauses}" if clauses else rule.fix
    help_markdown = f"**Fix:** {rule.fix}\n\n**Clauses:** {clauses or 'none'}"
    if rule.help_url:  # also in the help: GitHub code scanning shows the help, not helpUri
        help_text += f"\n\nMore: {rule.help_url}"
        help_markdown += f"\n\n**More:** [{rule.id} {rule.name}]({rule.help_url})"
    tags = list(dict.fromkeys(["business-continuity", rule.pack, *rule.clauses]))[:MAX_TAGS]
    described: dict[str, Any] = {
        "id": rule.id,
        "name": _clip("".join(part.capitalize() for part in rule.name.split("-")), MAX_NAME),
        "shortDescription": {"text": _clip(rule.summary, MAX_DESCRIPTION)},
        "fullDescription": {"text": _clip(rule.rationale or rule.summary, MAX_DESCRIPTION)},
        "help": {"text": help_text, "markdown": help_markdown},
    }
    if rule.help_url:  # absolute, or absent: the configuration and packs validate it
        described["helpUri"] = rule.help_url
    described["defaultConfiguration"] = {"level": LEVELS[rule.severity]}
    described["properties"] = {"tags": tags, "precision": "very-high"}
    return described


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _artifact(path: str) -> dict[str, str]:
    posix = PurePosixPath(path)
    if posix.is_absolute():
        return {"uri": "file://" + quote(str(posix))}
    return {"uri": quote(str(posix)), "uriBaseId": "%SRCROOT%"}


def capped(findings: Sequence[Finding], limit: int = MAX_RESULTS) -> tuple[list[Finding], int]:
    """The findings a run can carry (at most ``limit``, the most severe, in report order) and
    how many were left out."""
    if len(findings) <= limit:
        return list(findings), 0
    ranked = sorted(range(len(findings)), key=lambda i: (findings[i].waived, -findings[i].severity, i))
    kept = sorted(ranked[:limit])
    return [findings[i] for i in kept], len(findings) - limit


def capped_note(total: int, omitted: int) -> str:
    """What a capped run says about itself (in SARIF and on standard error)."""
    return (
        f"SARIF: {omitted} of {total} results left out; GitHub code scanning rejects a run of more than "
        f"{MAX_RESULTS:,}. The most severe are kept (not waived before waived, then by severity); "
        "the full list is in the text or JSON report."
    )


def _result(finding: Finding, fingerprint: str, rule_index: dict[str, int], line_hash: bool) -> dict[str, Any]:
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
    partial = {FINGERPRINT: fingerprint}
    if line_hash:
        partial[GITHUB_FINGERPRINT] = f"{fingerprint[:16]}:1"
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [location],
        "partialFingerprints": partial,
    }
    if finding.rule_id in rule_index:
        result["ruleIndex"] = rule_index[finding.rule_id]
    if finding.waiver:
        kind = "inSource" if finding.waiver_kind == "inline" else "external"
        result["suppressions"] = [{"kind": kind, "status": "accepted", "justification": finding.waiver}]
    return result


def sarif_log(result: LintResult, *, max_results: int = MAX_RESULTS) -> dict[str, Any]:
    """The SARIF log of ``result``: one run, at most ``max_results`` results."""
    rule_index = {rule.id: i for i, rule in enumerate(result.rules)}
    findings, omitted = capped(result.findings, max_results)
    prints = unique_fingerprints(findings)
    lines = Counter((f.rule_id, f.path, f.line) for f in findings)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "bcplint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": "https://pypi.org/project/bcplint/",
                "rules": [_rule(rule) for rule in result.rules],
            }
        },
    }
    if omitted:
        notification = {
            "descriptor": {"id": CAPPED},
            "level": "warning",
            "message": {"text": capped_note(len(result.findings), omitted)},
            "properties": {"results": len(result.findings), "reported": len(findings)},
        }
        run["invocations"] = [{"executionSuccessful": True, "toolExecutionNotifications": [notification]}]
    # The base is named, not given as a file:// URI: an absolute path of the machine that ran
    # the check would make the log differ from one checkout to the next.
    run["originalUriBaseIds"] = {
        "%SRCROOT%": {"description": {"text": "The root of the git repository that holds the plan."}}
    }
    run["columnKind"] = "unicodeCodePoints"
    run["results"] = [
        _result(f, fingerprint, rule_index, lines[(f.rule_id, f.path, f.line)] > 1)
        for f, fingerprint in zip(findings, prints, strict=True)
    ]
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def write(result: LintResult, stream: TextIO, options: ReportOptions) -> None:
    json.dump(sarif_log(result), stream, indent=2, ensure_ascii=False)
    stream.write("\n")


def notes(result: LintResult) -> list[str]:
    """What the SARIF of ``result`` leaves out: results beyond GitHub's limit."""
    _, omitted = capped(result.findings)
    return [capped_note(len(result.findings), omitted)] if omitted else []
