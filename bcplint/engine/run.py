"""One check of one whole workspace: every rule, every exemption, what reports need.

Nothing is narrowed here (:mod:`bcplint.engine.scope` does that afterwards): rules always see
the whole workspace. A narrowed run passes a focus, and then only what it will report is
judged (:func:`bcplint.engine.scope.focus`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from bcplint.engine import results
from bcplint.engine.evaluate import Evaluator, checked_subjects
from bcplint.engine.history import HistorySource, file_history
from bcplint.engine.scope import Focus
from bcplint.exemptions.apply import apply_exemptions
from bcplint.exemptions.baseline import Baseline
from bcplint.findings import LintResult, RuleInfo
from bcplint.insights import maturity
from bcplint.insights.exclusions import exclusions
from bcplint.load.cache import Cache
from bcplint.packs import Rule
from bcplint.workspace.documents import Document, Workspace


@dataclass(frozen=True, kw_only=True)
class Run:
    """The settings of one check: its rules, what they are judged with, what reports need.

    ``known_rules`` maps the id and name of every rule that exists (enabled or not) to its id,
    so a waiver of a rule left out of this run is not mistaken for a typo (default: the rules
    of the run). ``history`` is where rules that read git history get it.
    """

    rules: tuple[Rule, ...]
    today: dt.date
    known_rules: Mapping[str, str] = field(default_factory=dict)
    baseline: Baseline | None = None
    history: HistorySource | None = None
    record_checks: bool = False
    assess_maturity: bool = False

    @property
    def known(self) -> Mapping[str, str]:
        return self.known_rules or {key: r.id for r in self.rules for key in (r.id, r.name)}


def check(
    run: Run,
    workspace: Workspace,
    notes: tuple[str, ...] = (),
    *,
    focus: Focus | None = None,
    cache: Cache | None = None,
    entries: Mapping[str, bytes] | None = None,
) -> LintResult:
    """Every finding of ``run.rules`` on ``workspace``, exemptions applied, plus what the
    reports asked for (passing checks, maturity levels). With ``focus``, only what a run
    narrowed to the scope it was made from will report is judged: narrowed to that scope,
    the result is the same as without it. With ``cache``, a whole result kept for the same
    workspace, run and code is reused, and a whole result judged now is kept
    (:mod:`bcplint.engine.results`; ``entries`` names the files made from cache entries)."""
    needing_history = [r for r in run.rules if "history" in r.needs]
    if run.history is not None and needing_history:
        workspace.history, why = file_history(workspace, run.history.repository, run.history.rev)
        if why:
            names = ", ".join(f"{r.id} {r.name}" for r in needing_history)
            notes = (*notes, f"{names} {'was' if len(needing_history) == 1 else 'were'} skipped: {why}")
    result_key = results.key(run, workspace, notes, entries) if cache is not None else None
    if cache is not None and result_key is not None:
        kept = results.recall(cache, result_key)
        if kept is not None:
            return kept
    result = _judge(run, workspace, notes, focus)
    if cache is not None and result_key is not None and focus is None:
        results.keep(cache, result_key, result)
    return result


def _judge(run: Run, workspace: Workspace, notes: tuple[str, ...], focus: Focus | None) -> LintResult:
    evaluator = Evaluator.of(workspace)
    exempted = apply_exemptions(
        evaluator.findings(run.rules, focus),
        rules=run.rules,
        known_rules=run.known,
        workspace=workspace,
        positions=evaluator.positions,
        baseline=run.baseline,
        judge=lambda exemptions: evaluator.about_exemptions(run.rules, exemptions, focus),
        files=None if focus is None else focus.files | {doc.path for doc in focus.documents},
    )
    checks = tuple(checked_subjects(run.rules, workspace, focus)) if run.record_checks else ()
    levels = (
        tuple(maturity.assess(workspace, exempted.findings, [r.id for r in run.rules], _documents(focus)))
        if run.assess_maturity
        else ()
    )
    return LintResult(
        findings=tuple(exempted.findings),
        exemptions=tuple(exempted.exemptions),
        today=run.today,
        files_checked=sum(1 for f in workspace.files if f.is_bcp),
        documents_checked=len(workspace.docs),
        packs=tuple(sorted({p for r in run.rules for p in r.packs})),
        notes=notes,
        rules=tuple(rule_info(r) for r in run.rules),
        checks=checks,
        maturity=levels,
        exclusions=tuple(exclusions(workspace, evaluator.positions, _documents(focus))),
    )


def _documents(focus: Focus | None) -> frozenset[Document] | None:
    return None if focus is None else focus.documents


def rule_info(rule: Rule) -> RuleInfo:
    """A rule as reports describe it, decoupled from the pack machinery."""
    return RuleInfo(
        id=rule.id,
        name=rule.name,
        severity=rule.severity,
        summary=rule.summary,
        rationale=rule.rationale.strip(),
        fix=rule.fix.strip(),
        clauses=rule.clauses,
        pack=rule.packs[0],
        about_files=rule.about_files,
        judges_exemptions=rule.judges_exemptions,
        baselinable=rule.baselinable,
        help_url=rule.help_url,
    )
