"""Maturity levels per Service (bronze, silver, gold), as declared in ``rules/levels/maturity.yaml``.

A Service reaches a level when no finding of the level's rules, or of any lower level's,
falls on the service, on anything it depends on (transitively), on a Plan that covers it, or
on an Exercise that includes it. A waived finding still counts: accepted is not fixed. A
required rule that did not run counts too: what was not checked is not proven.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bcplint.errors import PackError
from bcplint.findings import Finding
from bcplint.load.yaml_stream import load_one
from bcplint.packs import builtin_pack_dir
from bcplint.workspace.documents import Document, Workspace
from bcplint.workspace.graph import edges, reachable_sets, subgraph_below


class Level(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    summary: str
    requires: list[str] = Field(min_length=1)


class MaturityModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    apiVersion: str = Field(pattern=r"^bcplint/maturity/v1$")
    levels: list[Level] = Field(min_length=1)


@dataclass(frozen=True, kw_only=True)
class Maturity:
    """Where one Service stands, and what stands between it and the next level."""

    service: str
    path: str
    level: str | None  # the highest level reached, None below the first
    next: str | None  # the next level, None at the top
    missing: tuple[str, ...]  # "BCP402 (on a dependency)" - what blocks the next level


def load_levels() -> list[Level]:
    path = builtin_pack_dir() / "levels" / "maturity.yaml"
    try:
        return MaturityModel.model_validate(load_one(path.read_text(encoding="utf-8"))).levels
    except (OSError, ValidationError) as exc:
        raise PackError(f"{path}: invalid maturity levels: {exc}") from None


def assess(
    workspace: Workspace,
    findings: Iterable[Finding],
    rules_run: Iterable[str],
    focus: Collection[Document] | None = None,
) -> list[Maturity]:
    """The level each Service reaches, sorted by name: the first level whose required rules
    all ran and none fails on the Service, on what it depends on (transitively) or on the Plans
    and Exercises naming it. ``focus``: only the Services in it (a narrowed run, whose findings
    cover them and what their levels depend on)."""
    levels = load_levels()
    ran = set(rules_run)
    on_document: dict[str, set[str]] = {}
    for finding in findings:
        if finding.document is not None:
            on_document.setdefault(finding.document, set()).add(finding.rule_id)
    own = {name: frozenset(rules) for name, rules in on_document.items()}
    services = [doc for doc in workspace.valid(("Service",)) if focus is None or doc in focus]
    graph = edges(workspace)
    if focus is not None:
        graph = subgraph_below(graph, [doc.name for doc in services if doc.name is not None])
    below = reachable_sets(graph, own)  # the document's and its dependencies' failing rules
    plans = workspace.referrers("Plan", "covers")
    exercises = workspace.referrers("Exercise", "scope")
    results = []
    for doc in services:
        if workspace.excluded(doc):
            continue  # out of continuity scope: no level to reach
        name = doc.name or ""
        direct = set(on_document.get(name, ()))
        related = (*plans.get(name, []), *exercises.get(name, []))
        around = {rule for d in related for rule in on_document.get(d.name or "", ())}
        failing = set(below.get(name, frozenset())) | direct | around
        reached: str | None = None
        blockers: tuple[str, ...] = ()
        next_level: str | None = None
        for level in levels:
            problems = [r for r in level.requires if r in failing or r not in ran]
            if problems:
                next_level = level.name
                blockers = tuple(_why(r, direct, around, ran) for r in problems)
                break
            reached = level.name
        results.append(Maturity(service=name, path=doc.path, level=reached, next=next_level, missing=blockers))
    return sorted(results, key=lambda m: m.service)


def _why(rule: str, direct: set[str], around: set[str], ran: set[str]) -> str:
    if rule not in ran:
        return f"{rule} (not run)"
    if rule in direct:
        return rule
    return f"{rule} (on a plan or exercise)" if rule in around else f"{rule} (on a dependency)"
