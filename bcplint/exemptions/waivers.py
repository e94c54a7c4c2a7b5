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
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from bcplint.exemptions.baseline import EXEMPTION_RULES
from bcplint.exemptions.placement import Placement, unused_detail
from bcplint.findings import Exemption, Finding
from bcplint.load.comments import ATTEMPT, DirectiveComment, directive_comments
from bcplint.load.positions import PositionIndex
from bcplint.model.kinds import Waiver
from bcplint.workspace.documents import Doc, Workspace

_SYNTAX = "`# bcplint: ignore[RULE] until=YYYY-MM-DD -- reason`"
# After `bcplint:`: `ignore[BCP402, plan-reviewed] until=2027-01-31 -- new storage arrives in January`.
_VERB = re.compile(r"\s*(?P<verb>[A-Za-z_-]*)\s*(?P<rest>.*)$", re.DOTALL)
# Greedy reason, stripped afterwards: a lazy one before \s*$ is quadratic on long lines.
_BODY = re.compile(r"^\[(?P<rules>[^\]]*)\](?:\s+until=(?P<until>\S+))?\s*(?:--\s*(?P<reason>.*))?$", re.DOTALL)


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

    ``rule_keys`` maps every rule id and name (of all known rules) to its id. Inline
    suppressions come from the comments the YAML scanner finds (:mod:`bcplint.load.comments`); any
    comment that says ``bcplint:`` (in any case) is an attempt at one, and is either a valid
    suppression or reported invalid (BCP803), never ignored.
    """
    candidates = [_from_waiver(doc, rule_keys, workspace, today) for doc in workspace.valid(("Waiver",))]
    for loaded in workspace.files:
        if loaded.source is not None:
            for comment in directive_comments(loaded.source):
                candidates.append(_inline(loaded.source.path, comment, rule_keys, today))
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


def _inline(path: str, comment: DirectiveComment, rule_keys: Mapping[str, str], today: dt.date) -> Candidate:
    names, until, reason, problems = parse_directive(comment.text)
    rule_ids = {rule_keys.get(n) or rule_keys.get(n.upper()) for n in names}
    unknown = [n for n in names if not (rule_keys.get(n) or rule_keys.get(n.upper()))]
    if unknown:
        problems.append(f"names no known rule {', '.join(repr(n) for n in unknown)}")
    expires = None
    if until:
        try:
            expires = dt.date.fromisoformat(until)
        except ValueError:
            problems.append(f"has an invalid date until={until} (use YYYY-MM-DD)")
    exemption = Exemption(
        kind="inline",
        name=f"{path}:{comment.line}",
        rule=", ".join(names),
        target=None,
        reason=reason or "",
        approved_by=None,
        expires=expires,
        path=path,
        line=comment.line,
        column=comment.column,
        status=_status(problems, expires, today),
        problems=tuple(problems),
    )
    return Candidate(exemption=exemption, rule_ids=frozenset(r for r in rule_ids if r), path=path, line=comment.line)


def parse_directive(text: str) -> tuple[list[str], str | None, str | None, list[str]]:
    """``# bcplint: ignore[BCP402, plan-reviewed] until=2027-01-31 -- reason`` -> (rule names,
    the text after ``until=``, the reason, problems).

    ``text`` runs from the ``#`` before ``bcplint`` to the end of the comment. Every way it
    differs from the syntax is a problem, so a mistyped directive is reported (BCP803) instead
    of silently hiding nothing.
    """
    attempt = ATTEMPT.search(text)
    if attempt is None:
        return [], None, None, [f"is not {_SYNTAX}"]
    problems = []
    if not attempt.group().startswith("bcplint"):
        problems.append(f"writes '{attempt.group()}'; write 'bcplint:' in lower case")
    prose = text[1 : attempt.start()].strip(" \t")
    if prose:
        problems.append(f"has '{_clip(prose)}' between '#' and 'bcplint:'; start the comment with the directive")
    verb = _VERB.match(text, attempt.end())
    word, rest = (verb.group("verb"), verb.group("rest")) if verb else ("", "")
    if word.lower() != "ignore":
        what = f"'{_clip(word)}' is no directive" if word else "says nothing after 'bcplint:'"
        return [], None, None, [*problems, f"{what}; write {_SYNTAX}"]
    if word != "ignore":
        problems.append(f"writes '{word}'; write 'ignore' in lower case")
    body = _BODY.match(rest.strip())
    if body is None:
        hint = "the rules go in brackets right after 'ignore', " if not rest.startswith("[") else ""
        return [], None, None, [*problems, f"is not {_SYNTAX}; {hint}e.g. ignore[BCP201]"]
    names = [name.strip() for name in body.group("rules").split(",") if name.strip()]
    reason = (body.group("reason") or "").strip() or None
    if not names:
        problems.append("names no rule")
    if reason is None:
        problems.append("gives no reason (add `-- why this is acceptable`)")
    return names, body.group("until"), reason, problems


def _clip(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


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

    Only an exemption of a rule that ran (``ran``) can be found unused; an unused one says why
    (see :func:`bcplint.exemptions.placement.unused_detail`). Where an inline suppression must stand is
    described in :mod:`bcplint.exemptions.placement`.
    """
    placement = Placement(workspace, positions, {c.path for c in candidates if c.path is not None})
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
                if _matches(candidates[index], finding, placement):
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
        hint = _unused_detail(candidate, workspace, placement, findings) if unused else ""
        status = "unused" if unused else exemption.status
        exemptions.append(
            dataclasses.replace(exemption, line=line, column=column, matched=count, status=status, hint=hint)
        )
    return Applied(findings=result, exemptions=exemptions)


def _matches(candidate: Candidate, finding: Finding, placement: Placement) -> bool:
    if finding.rule_id not in candidate.rule_ids:
        return False
    if candidate.target is not None:
        return finding.document == candidate.target
    return finding.path == candidate.path and candidate.line in placement.covering(finding)


def _unused_detail(candidate: Candidate, workspace: Workspace, placement: Placement, findings: list[Finding]) -> str:
    if candidate.path is not None:
        return unused_detail(placement, candidate.path, candidate.line, candidate.rule_ids, findings)
    target = workspace.get(candidate.target or "")
    label = target.label if target is not None else f"'{candidate.target}'"
    return f"matches no finding: {label} has no {', '.join(sorted(candidate.rule_ids))} finding any more; remove it"


def _describe(exemption: Exemption) -> str:
    until = f"until {exemption.expires.isoformat()}" if exemption.expires else "no expiry"
    if exemption.kind == "waiver":
        return f"Waiver '{exemption.name}' approved by {exemption.approved_by}, {until}: {exemption.reason}"
    return f"inline at {exemption.name}, {until}: {exemption.reason}"
