"""Run rules over a workspace: call the checks, stamp severity, word messages, find positions."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from bcplint.checks.base import Context, Hit, render
from bcplint.checks.filters import matches
from bcplint.findings import CheckedSubject, Finding, Severity
from bcplint.packs import BoundCheck, Rule
from bcplint.positions import PositionIndex
from bcplint.validate import format_field
from bcplint.workspace import Doc, Workspace

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def run(rules: Iterable[Rule], workspace: Workspace) -> list[Finding]:
    """Every finding of ``rules`` on ``workspace``, de-duplicated and sorted."""
    ctx = Context(workspace=workspace, today=workspace.today)
    positions = PositionIndex()
    findings: set[Finding] = set()
    for rule in rules:
        severity = effective_severity(rule, workspace.today)
        for bound in rule.checks:
            for hit in _hits(ctx, rule, bound):
                findings.add(_finding(rule, bound, hit, severity, positions))
    return sorted(findings)


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
    return sorted(subjects)


def _subjects_of(rule: Rule, bound: BoundCheck, workspace: Workspace) -> Iterator[tuple[str, Doc | None]]:
    if bound.function.scope == "document":
        for doc in workspace.valid(rule.kinds):
            if not rule.where or matches(doc.model, rule.where):
                yield doc.path, doc
        return
    kinds = bound.function.subjects
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
    if bound.function.scope == "workspace":
        yield from bound.function.function(ctx, bound.params)
        return
    for doc in ctx.workspace.valid(rule.kinds):
        if not rule.where or matches(doc.model, rule.where):
            yield from bound.function.function(ctx, doc, bound.field, bound.params)


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
        message=_message(rule, bound, hit),
        kind=doc.kind if doc else None,
        document=doc.name if doc else None,
        field=format_field(hit.field) or None,
        clauses=rule.clauses,
    )


def _message(rule: Rule, bound: BoundCheck, hit: Hit) -> str:
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
    values.update(hit.values)
    values.update((k, v) for k, v in rule.params.items() if k not in values)
    return _PLACEHOLDER.sub(lambda m: render(values[m.group(1)]) if m.group(1) in values else m.group(0), template)
