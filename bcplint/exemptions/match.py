"""Waivers and inline suppressions applied to findings: which findings they hide, how many
each hid, and why an unused one hid nothing (where its comment would have to stand:
:mod:`bcplint.exemptions.placement`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Set
from dataclasses import dataclass

from bcplint.exemptions.candidates import Candidate
from bcplint.exemptions.placement import Placement, unused_detail
from bcplint.findings import Exemption, Finding
from bcplint.load.parse import read_texts
from bcplint.load.positions import PositionIndex
from bcplint.workspace.documents import Workspace


@dataclass(frozen=True)
class Applied:
    findings: list[Finding]
    exemptions: list[Exemption]  # with their status, usage counts and position


def apply(
    candidates: list[Candidate],
    findings: list[Finding],
    workspace: Workspace,
    positions: PositionIndex,
    ran: Set[str],
    judging_exemptions: Set[str],
    files: Collection[str] | None = None,
) -> Applied:
    """Mark the findings that active exemptions match; count what each exemption hid.

    ``files``: a narrowed run's files (see :func:`bcplint.exemptions.candidates.collect`). The
    exemptions written in other files are counted but not placed (no line looked up, no hint
    worded): a narrowed result leaves them out.

    Findings of the rules in ``judging_exemptions`` (about the exemptions themselves) are never
    hidden. Only an exemption of a rule that ran (``ran``) can be found unused; an unused one says why
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
        if finding.rule_id not in judging_exemptions:
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
    placed = [files is None or c.exemption.path in files for c in candidates]
    read_texts(c.doc.raw.source for c, p in zip(candidates, placed, strict=True) if p and c.doc is not None)
    exemptions = []
    for candidate, count, place in zip(candidates, used, placed, strict=True):
        exemption = candidate.exemption
        line, column = exemption.line, exemption.column
        if candidate.doc is not None and place:
            line, column = positions.locate(candidate.doc.raw.source, candidate.doc.raw.index, (exemption.field,))
        unused = exemption.status == "active" and count == 0 and bool(candidate.rule_ids & ran)
        hint = _unused_detail(candidate, workspace, placement, findings) if unused and place else ""
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
    if exemption.expires:
        until = f"until {exemption.expires.isoformat()}"
    elif exemption.review_by:
        until = f"standing, review by {exemption.review_by.isoformat()}"
    else:
        until = "no expiry"
    if exemption.kind == "waiver":
        return f"Waiver '{exemption.name}' approved by {exemption.approved_by}, {until}: {exemption.reason}"
    return f"inline at {exemption.name}, {until}: {exemption.reason}"
