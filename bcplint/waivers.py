"""Exceptions, made auditable: Waiver documents and inline ``# bcplint: ignore[...]`` comments.

A waiver hides the findings it matches until it expires; every waived finding stays in every
report, marked. An expired waiver hides nothing (BCP801 says so), one that matches nothing is
reported (BCP802), and one that cannot take effect (unknown rule, no reason, approved by the
owner of what it waives) is reported and ignored (BCP803).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from bcplint.baseline import EXEMPTION_RULES
from bcplint.findings import Exemption, Finding
from bcplint.model.kinds import Waiver
from bcplint.positions import PositionIndex
from bcplint.workspace import Doc, Workspace

# `# bcplint: ignore[BCP402, plan-reviewed] until=2027-01-31 -- new storage arrives in January`
_INLINE = re.compile(r"#\s*bcplint:\s*ignore\b(?P<body>.*)$")
# Greedy reason, stripped afterwards: a lazy one before \s*$ is quadratic on long lines.
_INLINE_BODY = re.compile(r"^\[(?P<rules>[^\]]*)\](?:\s+until=(?P<until>\S+))?\s*(?:--\s*(?P<reason>.*))?$")


@dataclass(frozen=True, kw_only=True)
class Candidate:
    """An exemption as written, before it is checked, with what it hides."""

    exemption: Exemption
    rule_ids: frozenset[str]
    target: str | None = None  # Waiver documents: the document name
    doc: Doc | None = None
    path: str | None = None  # inline comments: the file and line they sit on
    line: int = 0


def collect(workspace: Workspace, rule_keys: Mapping[str, str], today: dt.date) -> list[Candidate]:
    """Every Waiver document and inline suppression, with problems that make one invalid.

    ``rule_keys`` maps every rule id and name (of all known rules) to its id.
    """
    candidates = [_from_waiver(doc, rule_keys, workspace, today) for doc in workspace.valid(("Waiver",))]
    for loaded in workspace.files:
        if loaded.source is not None and "bcplint:" in loaded.source.text:
            candidates.extend(
                _inline(loaded.source.path, loaded.source.text, loaded.source.line_offset, rule_keys, today)
            )
    return candidates


def _from_waiver(doc: Doc, rule_keys: Mapping[str, str], workspace: Workspace, today: dt.date) -> Candidate:
    waiver = doc.model
    assert isinstance(waiver, Waiver)
    problems: list[tuple[str, str]] = []  # (field, problem)
    rule_id = rule_keys.get(waiver.rule) or rule_keys.get(waiver.rule.upper())
    if rule_id is None:
        problems.append(("rule", f"names no known rule '{waiver.rule}'"))
    target = workspace.get(waiver.target)
    if target is None:
        problems.append(("target", f"waives '{waiver.target}', which is no document"))
    if workspace.get(waiver.approved_by, ("Contact",)) is None:
        problems.append(("approved_by", f"is approved by '{waiver.approved_by}', who is not a known Contact"))
    owner = getattr(target.model, "owner", None) if target else None
    if waiver.approved_by in (owner, waiver.target):
        problems.append(
            ("approved_by", f"is approved by '{waiver.approved_by}', who owns what it waives; ask someone independent")
        )
    exemption = Exemption(
        kind="waiver",
        name=waiver.name,
        rule=waiver.rule,
        target=waiver.target,
        reason=waiver.reason,
        approved_by=waiver.approved_by,
        expires=waiver.expires,
        path=doc.path,
        line=0,
        status=_status([p for _, p in problems], waiver.expires, today),
        problems=tuple(p for _, p in problems),
        field=problems[0][0] if problems else "rule",
    )
    rules = frozenset({rule_id}) if rule_id else frozenset()
    return Candidate(exemption=exemption, rule_ids=rules, target=waiver.target, doc=doc)


def _inline(path: str, text: str, offset: int, rule_keys: Mapping[str, str], today: dt.date) -> Iterable[Candidate]:
    for number, line in enumerate(text.splitlines(), start=1 + offset):
        match = _INLINE.search(line)
        if match is None or not _is_comment(line, match.start()):
            continue
        problems: list[str] = []
        body = _INLINE_BODY.match(match.group("body").strip())
        rules_text, until, reason = (
            (body.group("rules"), body.group("until"), body.group("reason")) if body else ("", None, None)
        )
        reason = reason.strip() if reason else None
        if body is None:
            problems.append("is not `# bcplint: ignore[RULE] until=YYYY-MM-DD -- reason`")
        names = [name.strip() for name in rules_text.split(",") if name.strip()]
        rule_ids = {rule_keys.get(n) or rule_keys.get(n.upper()) for n in names}
        unknown = [n for n in names if not (rule_keys.get(n) or rule_keys.get(n.upper()))]
        if body is not None and not names:
            problems.append("names no rule")
        if unknown:
            problems.append(f"names no known rule {', '.join(repr(n) for n in unknown)}")
        if body is not None and not reason:
            problems.append("gives no reason (add `-- why this is acceptable`)")
        expires = None
        if until:
            try:
                expires = dt.date.fromisoformat(until)
            except ValueError:
                problems.append(f"has an invalid date until={until} (use YYYY-MM-DD)")
        exemption = Exemption(
            kind="inline",
            name=f"{path}:{number}",
            rule=", ".join(names),
            target=None,
            reason=reason or "",
            approved_by=None,
            expires=expires,
            path=path,
            line=number,
            column=match.start() + 1,
            status=_status(problems, expires, today),
            problems=tuple(problems),
        )
        yield Candidate(exemption=exemption, rule_ids=frozenset(r for r in rule_ids if r), path=path, line=number)


def _is_comment(line: str, hash_at: int) -> bool:
    """A YAML comment: ``#`` at the start or after whitespace, and not inside a quoted string
    (``owner: "x # bcplint: ignore[...]"`` is a value, not a suppression)."""
    before = line[:hash_at]
    if before and not before[-1].isspace():
        return False
    return before.count('"') % 2 == 0 and before.count("'") % 2 == 0


def _status(problems: list[str], expires: dt.date | None, today: dt.date) -> Literal["active", "expired", "invalid"]:
    if problems:
        return "invalid"
    return "expired" if expires is not None and expires < today else "active"


@dataclass(frozen=True)
class Applied:
    findings: list[Finding]
    exemptions: list[Exemption]  # with their status, usage counts and position


def apply(
    candidates: list[Candidate],
    findings: list[Finding],
    workspace: Workspace,
    positions: PositionIndex,
    ran: set[str],
) -> Applied:
    """Mark the findings that active exemptions match; count what each exemption hid.

    Only an exemption of a rule that ran (``ran``) can be found unused.
    """
    document_lines = _document_lines(candidates, workspace, positions)
    used = [0] * len(candidates)
    # Indexed by (rule, target document) and (rule, file): findings x exemptions is quadratic.
    index_of: dict[tuple[str, str | None, str | None], list[int]] = {}
    for index, candidate in enumerate(candidates):
        if candidate.exemption.status == "active":
            for rule_id in candidate.rule_ids:
                index_of.setdefault((rule_id, candidate.target, candidate.path), []).append(index)
    result = []
    for finding in findings:
        waiver = None
        if finding.rule_id not in EXEMPTION_RULES:
            by_target = index_of.get((finding.rule_id, finding.document, None), [])
            in_file = index_of.get((finding.rule_id, None, finding.path), [])
            for index in sorted(by_target + in_file):
                if _matches(candidates[index], finding, document_lines):
                    used[index] += 1
                    waiver = candidates[index].exemption
                    break
        if waiver is None:
            result.append(finding)
        else:
            result.append(dataclasses.replace(finding, waiver=_describe(waiver), waiver_kind=waiver.kind))
    exemptions = []
    for candidate, count in zip(candidates, used, strict=True):
        exemption = candidate.exemption
        line, column = exemption.line, exemption.column
        if candidate.doc is not None:
            line, column = positions.locate(candidate.doc.raw.source, candidate.doc.raw.index, (exemption.field,))
        unused = exemption.status == "active" and count == 0 and bool(candidate.rule_ids & ran)
        status = "unused" if unused else exemption.status
        exemptions.append(dataclasses.replace(exemption, line=line, column=column, matched=count, status=status))
    return Applied(findings=result, exemptions=exemptions)


def _document_lines(
    candidates: list[Candidate], workspace: Workspace, positions: PositionIndex
) -> dict[tuple[str, str], int]:
    """First line of each document in files that carry inline suppressions."""
    paths = {c.path for c in candidates if c.path is not None}
    lines = {}
    for doc in workspace.docs:
        if doc.path in paths and doc.name is not None:
            lines[(doc.path, doc.name)] = positions.locate(doc.raw.source, doc.raw.index, ())[0]
    return lines


def _matches(candidate: Candidate, finding: Finding, document_lines: dict[tuple[str, str], int]) -> bool:
    if finding.rule_id not in candidate.rule_ids:
        return False
    if candidate.target is not None:
        return finding.document == candidate.target
    if finding.path != candidate.path:
        return False
    if finding.line == candidate.line:
        return True  # a comment on the field's own line
    start = document_lines.get((finding.path, finding.document or ""))
    # A comment on the document's first line, or on its own line just above it, covers the document.
    return start is not None and candidate.line in (start, start - 1)


def _describe(exemption: Exemption) -> str:
    until = f"until {exemption.expires.isoformat()}" if exemption.expires else "no expiry"
    if exemption.kind == "waiver":
        return f"Waiver '{exemption.name}' approved by {exemption.approved_by}, {until}: {exemption.reason}"
    return f"inline at {exemption.name}, {until}: {exemption.reason}"
