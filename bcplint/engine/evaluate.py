"""Rules over a workspace: call the checks, stamp severity, word messages, find positions.

With a :class:`~bcplint.engine.scope.Focus` (a narrowed run), document checks are called only
on the documents in focus; workspace checks and the checks on exemptions still see the whole
workspace (what they say of one document depends on others: names, the dependency graph, how
much rests on one person), but only their hits on documents and files in focus become
findings, so lines are found and messages worded for those alone. A workspace check whose hit
on a document comes from that document alone (its references) may skip the others: the
focus is in its :class:`~bcplint.checks.base.Context` (``in_focus``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bcplint.checks.base import Context, Hit, render
from bcplint.checks.filters import matches
from bcplint.engine.scope import Focus
from bcplint.findings import CheckedSubject, Exemption, Finding, Severity
from bcplint.load.parse import YamlText, read_texts
from bcplint.load.positions import PositionIndex
from bcplint.model.types import UNSET_WORDING
from bcplint.model.validate import format_field
from bcplint.packs import BoundCheck, Rule
from bcplint.workspace.documents import Document, Workspace

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True, kw_only=True)
class Evaluator:
    """Turns the hits of check functions into findings: severity stamped, message worded,
    position found (composing a file only when one of its findings needs a line)."""

    context: Context
    positions: PositionIndex

    @classmethod
    def of(cls, workspace: Workspace) -> Evaluator:
        return cls(context=Context(workspace=workspace, today=workspace.today), positions=PositionIndex())

    def findings(self, rules: Iterable[Rule], focus: Focus | None = None) -> set[Finding]:
        """Every finding of ``rules`` (rules about exemptions excluded: see :meth:`about_exemptions`),
        on the documents and files in ``focus`` when given."""
        context = self.context if focus is None else dataclasses.replace(self.context, focus=focus.documents)
        # (kinds, where) -> the documents a rule with that selector is about: rules share
        # selectors (every critical or high Service...), and a filter costs a lookup per document.
        selections: dict[str, list[Document]] = {}
        hits: list[tuple[Rule, BoundCheck, Hit]] = []
        for rule in rules:
            if rule.judges_exemptions:
                continue
            for bound in rule.checks:
                hits.extend(
                    (rule, bound, hit)
                    for hit in self._hits(context, rule, bound, focus, selections)
                    if focus is None or _wanted(focus, hit)
                )
        # Findings file by file: the positions of one file's findings are found together, so
        # each file is composed once while only a few composed files are kept (PositionIndex).
        hits.sort(key=lambda item: _file_of(item[2]))
        return set(self._found(hits))

    @staticmethod
    def _hits(
        context: Context, rule: Rule, bound: BoundCheck, focus: Focus | None, selections: dict[str, list[Document]]
    ) -> Iterator[Hit]:
        function = bound.function
        if function.scope == "exemption":
            return
        if function.scope == "workspace":
            hits = function.function(context, bound.params)
            if function.judges_excluded:
                yield from hits
            else:  # documents out of continuity scope are not judged
                workspace = context.workspace
                yield from (hit for hit in hits if hit.doc is None or not workspace.excluded(hit.doc))
            return
        selector = repr((rule.kinds, rule.where))
        if selector not in selections:
            selections[selector] = list(_selected(rule, context.workspace, focus))
        for doc in selections[selector]:
            yield from function.function(context, doc, bound.field, bound.params)

    def about_exemptions(
        self, rules: Iterable[Rule], exemptions: Sequence[Exemption], focus: Focus | None = None
    ) -> list[Finding]:
        """The findings of the rules about exemptions, on ``exemptions`` as the others left them
        (those in ``focus`` when given)."""
        hits = [
            (rule, bound, hit)
            for rule in rules
            if rule.judges_exemptions
            for bound in rule.checks
            for hit in bound.function.function(self.context, bound.params, exemptions)
            if focus is None or _wanted(focus, hit)
        ]
        return self._found(hits)

    def _found(self, hits: Sequence[tuple[Rule, BoundCheck, Hit]]) -> list[Finding]:
        """The findings of ``hits``, in their order: severity stamped, message worded, line found
        (the texts those lines are in read first, in one batch rather than a query per file)."""
        read_texts(_sources_of(hit for _, _, hit in hits))
        return [
            _finding(rule, bound, hit, effective_severity(rule, self.context.today, hit.outcome), self.positions)
            for rule, bound, hit in hits
        ]


def checked_subjects(rules: Iterable[Rule], workspace: Workspace, focus: Focus | None = None) -> list[CheckedSubject]:
    """Every (rule, document) the rules examined, passing or failing, sorted (those in ``focus``
    when given)."""
    subjects: set[CheckedSubject] = set()
    for rule in rules:
        for bound in rule.checks:
            for path, doc in _subjects_of(rule, bound, workspace):
                if focus is not None and not focus.wants(doc, path):
                    continue
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


def _subjects_of(rule: Rule, bound: BoundCheck, workspace: Workspace) -> Iterator[tuple[str, Document | None]]:
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
        if (kinds is None or doc.kind in kinds) and (bound.function.judges_excluded or not workspace.excluded(doc)):
            yield doc.path, doc


def effective_severity(rule: Rule, today: dt.date, outcome: str | None = None) -> Severity:
    """The severity of a finding: the rule's, or the one it gives the outcome (a measured
    capability that misses its target is worse than an estimate). A rule being rolled out
    (``enforce_from`` in the future) only warns until that date."""
    severity = rule.outcome_severity.get(outcome, rule.severity) if outcome is not None else rule.severity
    if rule.enforce_from is not None and today < rule.enforce_from:
        return min(severity, Severity.WARNING)
    return severity


def _selected(rule: Rule, workspace: Workspace, focus: Focus | None = None) -> Iterator[Document]:
    """The valid documents of the rule's kinds that pass its ``where`` filter (in ``focus``, when
    given), without those out of continuity scope."""
    for doc in workspace.valid(rule.kinds):
        if (
            (focus is None or doc in focus.documents)
            and (not rule.where or matches(doc.model, rule.where))
            and not workspace.excluded(doc)
        ):
            yield doc


def _file_of(hit: Hit) -> str:
    return hit.doc.path if hit.doc is not None else hit.position[0] if hit.position is not None else ""


def _sources_of(hits: Iterable[Hit]) -> Iterator[YamlText]:
    """The texts the positions of ``hits`` are found in: their documents' and related ones'."""
    for hit in hits:
        if hit.doc is not None:
            yield hit.doc.raw.source
        if hit.related is not None:
            yield hit.related[0].raw.source


def _wanted(focus: Focus, hit: Hit) -> bool:
    return focus.wants(hit.doc, hit.position[0] if hit.position is not None else None)


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
            values.update((k, v) for k, v in UNSET_WORDING.items() if getattr(model, k, "") is None)
        values.update(label=hit.doc.label, kind=hit.doc.kind or "document", name=hit.doc.name or "")
    values.update(field=format_field(hit.field), detail=hit.detail)
    if hit.related is not None:
        other, field = hit.related
        line, _ = positions.locate(other.raw.source, other.raw.index, field, key=True)
        values["related_at"] = f"{other.path}:{line}"
    values.update(hit.values)
    values.update((k, v) for k, v in rule.params.items() if k not in values)
    return _PLACEHOLDER.sub(lambda m: render(values[m.group(1)]) if m.group(1) in values else m.group(0), template)
