"""Exemptions applied to a run's findings, in the one order that makes them auditable.

1. Waiver documents and inline suppressions hide the findings they match
   (:mod:`bcplint.exemptions.match`); each records how many it hid.
2. The baseline accepts what it recorded of the remaining findings.
3. The rules about exemptions judge them all (expired, unused, invalid): their findings are
   never hidden by a waiver, but the baseline may accept them, in a pass of its own once they
   exist; its entries left unused there are judged like the others.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from bcplint.exemptions.baseline import Baseline
from bcplint.exemptions.candidates import collect
from bcplint.exemptions.match import apply as apply_waivers
from bcplint.findings import Exemption, Finding
from bcplint.load.positions import PositionIndex
from bcplint.packs import Rule
from bcplint.workspace.documents import Workspace

# Findings of the rules about exemptions, given the exemptions with their status.
Judge = Callable[[Sequence[Exemption]], list[Finding]]


@dataclass(frozen=True, kw_only=True)
class Exempted:
    """Every finding, sorted, waived ones marked; every exemption with its status and use."""

    findings: list[Finding]
    exemptions: list[Exemption]


def apply_exemptions(
    findings: set[Finding],
    *,
    rules: Sequence[Rule],
    known_rules: Mapping[str, str],
    workspace: Workspace,
    positions: PositionIndex,
    baseline: Baseline | None,
    judge: Judge,
    files: Collection[str] | None = None,
) -> Exempted:
    """``findings`` of ``rules`` with every exemption applied, and the findings of ``judge``.

    ``known_rules`` maps the ids and names of every rule that exists (enabled or not) to its id.
    ``files``: a narrowed run's files, whose inline suppressions are read (see :func:`collect`).
    """
    about_exemptions = {r.id for r in rules if r.judges_exemptions}
    candidates = collect(workspace, known_rules, workspace.today, files)
    applied = apply_waivers(
        candidates,
        sorted(findings, key=Finding.sort_key),
        workspace,
        positions,
        {r.id for r in rules},
        about_exemptions,
        files,
    )
    found, exemptions = applied.findings, applied.exemptions
    if baseline is not None:
        found, unused = baseline.apply(found, baseline.rules - about_exemptions)
        exemptions = [*exemptions, *unused]
    judged = judge(exemptions)
    if baseline is not None:
        judged, late = baseline.apply(judged, about_exemptions)
        exemptions = [*exemptions, *late]
        judged += judge(late)
    return Exempted(findings=sorted({*found, *judged}, key=Finding.sort_key), exemptions=exemptions)
