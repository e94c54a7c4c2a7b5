"""Run rules over a workspace: call the checks, stamp severity, word messages, find positions."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from bcplint.checks.base import Context, Hit, render
from bcplint.checks.filters import matches
from bcplint.exemptions import waivers
from bcplint.exemptions.baseline import Baseline
from bcplint.findings import CheckedSubject, Exemption, Finding, Severity
from bcplint.load.positions import PositionIndex
from bcplint.model.validate import format_field
from bcplint.packs import BoundCheck, Rule
from bcplint.workspace.documents import Doc, Workspace

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Outcome:
    findings: list[Finding]  # sorted; waived ones marked
    exemptions: list[Exemption]  # every waiver, suppression and baseline entry, with its status


def run(
    rules: Iterable[Rule],
    workspace: Workspace,
    *,
    known_rules: Mapping[str, str] | None = None,
    baseline: Baseline | None = None,
) -> Outcome:
    """Every finding of ``rules`` on ``workspace``, with exemptions applied, sorted.

    ``known_rules`` maps the ids and names of every rule that exists (enabled or not) to its
    id, so a waiver of a rule left out of this run is not mistaken for a typo.
    """
    rules = list(rules)
    ctx = Context(workspace=workspace, today=workspace.today)
    positions = PositionIndex()
    findings: set[Finding] = set()
    exemption_rules = [r for r in rules if any(b.function.scope == "exemption" for b in r.checks)]
    for rule in rules:
        if rule in exemption_rules:
            continue
        severity = effective_severity(rule, workspace.today)
        for bound in rule.checks:
            for hit in _hits(ctx, rule, bound):
                findings.add(_finding(rule, bound, hit, severity, positions))
    keys = dict(known_rules) if known_rules else {key: r.id for r in rules for key in (r.id, r.name)}
    candidates = waivers.collect(workspace, keys, workspace.today)
    ran = {r.id for r in rules}
    applied = waivers.apply(candidates, sorted(findings, key=Finding.sort_key), workspace, positions, ran)
    found, exemptions = applied.findings, applied.exemptions
    if baseline is not None:
        found, unused = baseline.apply(found)
        exemptions = [*exemptions, *unused]
    about = _exemption_findings(ctx, exemption_rules, exemptions, positions)
    if baseline is not None:
        # The baseline may accept findings about exceptions too; its entries for those are
        # only judged now, and any left unused are reported like the others.
        about, late = baseline.apply(about, about_exemptions=True)
        exemptions = [*exemptions, *late]
        about += _exemption_findings(ctx, exemption_rules, late, positions)
    return Outcome(findings=sorted({*found, *about}, key=Finding.sort_key), exemptions=exemptions)


def _exemption_findings(
    ctx: Context, rules: list[Rule], exemptions: list[Exemption], positions: PositionIndex
) -> list[Finding]:
    findings: list[Finding] = []
    for rule in rules:
        severity = effective_severity(rule, ctx.today)
        for bound in rule.checks:
            hits = bound.function.function(ctx, bound.params, exemptions)
            findings.extend(_finding(rule, bound, hit, severity, positions) for hit in hits)
    return findings


def checked_subjects(rules: Iterable[Rule], workspace: Workspace) -> list[CheckedSubject]:
    """Every (rule, document) the rules examined, passing or failing, sorted."""
    subjects: set[CheckedSubject] = set()
    for rule in rules:
        for bound in rule.checks:
            for path, doc in _subjects_of(rule, bound, workspace):
                subjects.add(
                    CheckedSubject(
                        rule_id=rule.id,
                        path=path,
                        kind=doc.kind if doc else None,
                        document=doc.name if doc else None,
                        index=doc.raw.index if doc else 0,
                    )
                )
    return sorted(subjects, key=CheckedSubject.sort_key)


def _subjects_of(rule: Rule, bound: BoundCheck, workspace: Workspace) -> Iterator[tuple[str, Doc | None]]:
    if bound.function.scope == "document":
        yield from ((doc.path, doc) for doc in _selected(rule, workspace))
        return
    kinds = bound.function.subjects
    if bound.function.scope == "exemption":
        yield from ((doc.path, doc) for doc in workspace.valid(kinds))
        return
    if kinds == ("file",):
        yield from ((f.path, None) for f in workspace.files if f.is_bcp)
        return
    for doc in workspace.docs:
        if kinds is None or doc.kind in kinds:
            yield doc.path, doc


def effective_severity(rule: Rule, today: dt.date) -> Severity:
    """A rule being rolled out (``enforce_from`` in the future) only warns until that date."""
    if rule.enforce_from is not None and today < rule.enforce_from:
        return min(rule.severity, Severity.WARNING)
    return rule.severity


def _hits(ctx: Context, rule: Rule, bound: BoundCheck) -> Iterator[Hit]:
    if bound.function.scope == "exemption":
        return
    if bound.function.scope == "workspace":
        yield from bound.function.function(ctx, bound.params)
        return
    for doc in _selected(rule, ctx.workspace):
        yield from bound.function.function(ctx, doc, bound.field, bound.params)


def _selected(rule: Rule, workspace: Workspace) -> Iterator[Doc]:
    """The valid documents of the rule's kinds that pass its ``where`` filter."""
    for doc in workspace.valid(rule.kinds):
        if not rule.where or matches(doc.model, rule.where):
            yield doc


def _finding(rule: Rule, bound: BoundCheck, hit: Hit, severity: Severity, positions: PositionIndex) -> Finding:
    doc = hit.doc
    if hit.position is not None:
        path, line, column = hit.position
    elif doc is not None:
        path = doc.path
        line, column = positions.locate(doc.raw.source, doc.raw.index, hit.field, key=hit.at_key)
    else:  # a workspace hit with neither: should not happen, but never crash on it
        path, line, column = "", 1, 1
    return Finding(
        path=path,
        line=line,
        column=column,
        rule_id=rule.id,
        rule_name=rule.name,
        severity=severity,
        message=_message(rule, bound, hit, positions),
        kind=doc.kind if doc else None,
        document=doc.name if doc else None,
        field=format_field(hit.field) or None,
        clauses=rule.clauses,
    )


def _message(rule: Rule, bound: BoundCheck, hit: Hit, positions: PositionIndex) -> str:
    template = bound.message if bound.message is not None else rule.message
    if isinstance(template, Mapping):
        template = template.get(hit.outcome)
    if template is None:
        template = "{label} {detail}" if hit.doc is not None else "{detail}"
    values: dict[str, Any] = {}
    if hit.doc is not None:
        model = hit.doc.model
        if model is not None:
            values.update((k, v) for k, v in model.__dict__.items() if isinstance(v, (str, int, dt.date)))
        values.update(label=hit.doc.label, kind=hit.doc.kind or "document", name=hit.doc.name or "")
    values.update(field=format_field(hit.field), detail=hit.detail)
    if hit.related is not None:
        other, field = hit.related
        line, _ = positions.locate(other.raw.source, other.raw.index, field, key=True)
        values["related_at"] = f"{other.path}:{line}"
    values.update(hit.values)
    values.update((k, v) for k, v in rule.params.items() if k not in values)
    return _PLACEHOLDER.sub(lambda m: render(values[m.group(1)]) if m.group(1) in values else m.group(0), template)
