"""The readiness matrix and clause coverage that ``bcplint report`` shows.

One row per Service and System; each column is a question an auditor asks (is there an owner,
a deputy, an RTO...), answered green, amber or red by the findings of the rules behind it,
with the findings themselves as the evidence. Nothing here re-checks anything: it arranges
what the engine found.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bcplint.errors import PackError
from bcplint.exemptions.register import Register
from bcplint.findings import Finding, LintResult, Severity
from bcplint.insights.dependencies import DependencyGraph, dependency_graph
from bcplint.load.yaml_stream import load_one
from bcplint.model.kinds import Exercise, Plan, System
from bcplint.packs import builtin_pack_dir
from bcplint.workspace.documents import Document, Workspace
from bcplint.workspace.graph import edges, reachable_sets, reversed_edges
from bcplint.workspace.objectives import effective, own_objective, targets

Status = Literal["ok", "warn", "fail", "none"]


class Column(BaseModel):
    """One question of the matrix: the rules whose findings answer it, on the row itself or
    on the plans covering it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    rules: tuple[str, ...] = Field(min_length=1)
    on: Literal["document", "plans"] = "document"


class _Columns(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    apiVersion: str = Field(pattern=r"^bcplint/readiness/v1$")
    columns: tuple[Column, ...] = Field(min_length=1)


@functools.cache
def columns() -> tuple[Column, ...]:
    """The columns of ``rules/levels/readiness.yaml`` (data: which rules answer which question).
    PackError when the shipped file is broken."""
    path = builtin_pack_dir() / "levels" / "readiness.yaml"
    try:
        return _Columns.model_validate(load_one(path.read_text(encoding="utf-8"))).columns
    except (OSError, ValidationError) as exc:
        raise PackError(f"{path}: invalid readiness columns: {exc}") from None


# What a cell says when the plan has no value; alone beside "n/a" it says nothing more.
_ABSENT = ("none", "never")


@dataclass(frozen=True, kw_only=True)
class Cell:
    status: Status
    text: str  # what the plan says (the RTO, the owner, a date), why there is nothing, or ""
    evidence: tuple[str, ...]  # the findings behind an amber or red cell


@dataclass(frozen=True, kw_only=True)
class Row:
    kind: str
    name: str
    criticality: str
    path: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True, kw_only=True)
class ClauseCoverage:
    """How the rules mapped to one framework clause fared.

    ``passing`` and ``failing`` count (rule, document) checks; ``not_applicable`` lists the
    rules (also in ``rules``) that had nothing to check in this workspace (a waiver rule where
    there are no waivers): they are no evidence either way. ``applicable`` is False when
    every rule of the clause is in that list.
    """

    clause: str
    rules: tuple[str, ...]
    passing: int
    failing: int
    not_applicable: tuple[str, ...] = ()

    @property
    def applicable(self) -> bool:
        return len(self.not_applicable) < len(self.rules)


def matrix(workspace: Workspace, result: LintResult) -> list[Row]:
    by_document: dict[tuple[str, str], list[Finding]] = {}
    for finding in result.findings:
        if finding.document is not None:
            by_document.setdefault((finding.path, finding.document), []).append(finding)
    checked = {(c.rule_id, c.path, c.document) for c in result.checks}
    plans_above = _plans_above(workspace)
    rows = []
    for doc in sorted(workspace.valid(("Service", "System")), key=lambda d: (d.kind or "", d.name or "")):
        if workspace.excluded(doc):
            continue  # listed with the other exclusions, not judged
        plans = [p for p in (workspace.get(n, ("Plan",)) for n in sorted(plans_above.get(doc.name or "", ()))) if p]
        cells = []
        for column in columns():
            rules = column.rules
            subjects = plans if column.on == "plans" else [doc]
            found = [f for s in subjects for f in by_document.get((s.path, s.name or ""), []) if f.rule_id in rules]
            applies = any((r, s.path, s.name) in checked for r in rules for s in subjects)
            if column.name == "deputy" and not getattr(doc.model, "owner", None):
                applies = False  # no owner, so no deputy to ask for: BCP101 says what is missing
            cells.append(_cell(column.name, doc, plans, workspace, found, applies))
        rows.append(
            Row(
                kind=doc.kind or "",
                name=doc.name or "",
                criticality=getattr(doc.model, "criticality", None) or "not assessed",
                path=doc.path,
                cells=tuple(cells),
            )
        )
    return rows


def _plans_above(workspace: Workspace) -> dict[str, frozenset[str]]:
    """For each document, the Plans that cover it or cover something that depends on it."""
    referrers = workspace.referrers("Plan", "covers")
    covering = {name: frozenset(d.name or "" for d in docs) for name, docs in referrers.items()}
    return reachable_sets(reversed_edges(edges(workspace)), covering)


def _cell(
    column: str, doc: Document, plans: list[Document], workspace: Workspace, found: list[Finding], applies: bool
) -> Cell:
    evidence = tuple(f"{f.rule_id}: {f.message}" + (" (waived)" if f.waived else "") for f in found)
    active = [f for f in found if not f.waived]
    text = _text(column, doc, plans, workspace)
    if any(f.severity is Severity.ERROR for f in active):
        return Cell(status="fail", text=text, evidence=evidence)
    if found:
        return Cell(status="warn", text=text, evidence=evidence)
    if not applies:
        # Nothing to show but the absence of something not asked for: a plain n/a, not "n/a none".
        shown = "" if text in _ABSENT else text
        return Cell(status="none", text=shown, evidence=("not required for this document",))
    return Cell(status="ok", text=text, evidence=())


def _text(column: str, doc: Document, plans: list[Document], workspace: Workspace) -> str:
    model = doc.model
    if column == "owner":
        return str(getattr(model, "owner", None) or "none")
    if column == "deputy":
        owner = workspace.get(str(getattr(model, "owner", "")), ("Contact",))
        return str(getattr(owner.model, "deputy", None) or "none") if owner else "none"
    if column in ("RTO", "RPO"):
        return _objective_text(workspace, doc, column.lower())
    if column == "backup tested":
        if isinstance(model, System) and model.stateless:
            return "stateless"
        if isinstance(model, System) and not model.keeps_own_data:
            stores = [link.name for link in workspace.dependency_links(doc) if link.type == "data"]
            return f"data in {', '.join(stores)}"
        tests = [b.last_restore_test.date for b in getattr(model, "backups", []) if b.last_restore_test]
        return _latest(tests, "never")
    if column == "exercised":
        held = [
            e.model.date
            for e in workspace.referrers("Exercise", "scope").get(doc.name or "", [])
            if isinstance(e.model, Exercise)
        ]
        return _latest(held, "never")
    reviews = [
        p.model.reviewed.on for p in plans if isinstance(p.model, Plan) and p.model.reviewed and p.model.reviewed.on
    ]
    return _latest(reviews, "no plan covers it" if not plans else "never")


def _objective_text(workspace: Workspace, doc: Document, objective: str) -> str:
    """``4h``; for an RPO of a System that keeps no data of its own, where its data is; the
    per-scenario targets (``zone 2h, region 96h``) when there is no plain one; ``1h from
    checkout`` when it is inherited; ``none``."""
    own = own_objective(doc, objective)
    if own is not None:
        return str(own)
    model = doc.model
    if objective == "rpo" and isinstance(model, System) and not model.keeps_own_data:
        stores = [link.name for link in workspace.dependency_links(doc) if link.type == "data"]
        return f"data in {', '.join(stores)}" if stores else "stateless"
    stated = [f"{found.scenario} {found.value}" for found in targets(doc, objective)]
    if stated:
        return ", ".join(stated)
    value, source = effective(workspace, doc, objective)
    if source is not None:
        return f"{value} from {source.name}" if value is not None else f"from {source.name}"
    return "none"


def _latest(dates: Iterable[dt.date], otherwise: str) -> str:
    dates = list(dates)
    return max(dates).isoformat() if dates else otherwise


def coverage(result: LintResult) -> list[ClauseCoverage]:
    """Per framework clause: the rules mapped to it, and how many of their checks pass or fail.

    A check fails when an unwaived finding of its rule falls on its document; findings on
    something the engine did not list as checked (an inline suppression's BCP801) still fail.
    A rule that checked nothing and found nothing is not applicable, never passing.
    """
    failing_by_rule: dict[str, set[tuple[str, str | None]]] = {}
    for finding in result.findings:
        if not finding.waived:
            failing_by_rule.setdefault(finding.rule_id, set()).add((finding.path, finding.document))
    checked_by_rule: dict[str, set[tuple[str, str | None]]] = {}
    for check in result.checks:
        checked_by_rule.setdefault(check.rule_id, set()).add((check.path, check.document))
    rules_by_clause: dict[str, list[str]] = {}
    for rule in result.rules:
        for clause in rule.clauses:
            rules_by_clause.setdefault(clause, []).append(rule.id)
    rows = []
    for clause in sorted(rules_by_clause, key=_clause_order):
        rules = rules_by_clause[clause]
        passing = failing = 0
        for rule_id in rules:
            failed = failing_by_rule.get(rule_id, set())
            failing += len(failed)
            passing += len(checked_by_rule.get(rule_id, set()) - failed)
        idle = tuple(r for r in rules if not (checked_by_rule.get(r) or failing_by_rule.get(r) or _judges(r, result)))
        rows.append(
            ClauseCoverage(clause=clause, rules=tuple(rules), passing=passing, failing=failing, not_applicable=idle)
        )
    return rows


def _judges(rule: str, result: LintResult) -> bool:
    """Rules about exceptions have something to check whenever there is one, inline ones included
    (the engine lists only Waiver documents as what they checked)."""
    judging = {info.id for info in result.rules if info.judges_exemptions}
    return rule in judging and bool(result.exemptions)


def blockers(missing: Iterable[str], names: Mapping[str, str]) -> str:
    """What stands between a Service and its next maturity level, each rule by id and name.

    ``("BCP601", "BCP402 (on a dependency)")`` with the rules' names ->
    ``"BCP601 exercise-recency, BCP402 backup-tested (on a dependency)"``; a rule whose name
    is not in ``names`` (one that did not run) keeps its id alone. "—" when nothing does.
    """
    shown = []
    for item in missing:
        rule, _, why = item.partition(" ")
        named = f"{rule} {names[rule]}" if rule in names else rule
        shown.append(f"{named} {why}" if why else named)
    return ", ".join(shown) or "—"


def _clause_order(clause: str) -> tuple[str, tuple[tuple[int, int, str], ...]]:
    """'ISO 22301:2019 8.4.3' sorts by framework, then numerically (8.10 after 8.9)."""
    framework, _, number = clause.rpartition(" ")
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in number.split("."))
    return framework, parts


@dataclass(frozen=True, kw_only=True)
class ReadinessReport:
    """Everything ``bcplint report`` shows: the result, one matrix row per Service and System,
    the framework coverage per clause, the dependency graph and the exception register
    (waivers and inline suppressions, soonest expiry first)."""

    result: LintResult
    columns: tuple[str, ...]  # the matrix's column names, in order (each row has a cell per column)
    rows: list[Row]
    coverage: list[ClauseCoverage]
    graph: DependencyGraph
    register: Register


def readiness_report(result: LintResult, workspace: Workspace) -> ReadinessReport:
    """The report of ``result``, which must have been run with passing checks and maturity."""
    exemptions = (e for e in result.exemptions if e.kind != "baseline")
    return ReadinessReport(
        result=result,
        columns=tuple(column.name for column in columns()),
        rows=matrix(workspace, result),
        coverage=coverage(result),
        graph=dependency_graph(workspace),
        register=Register.of(exemptions, result.today or dt.date.min),
    )
