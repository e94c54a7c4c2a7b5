"""Checks on recovery objectives: stated or inherited, compared like with like per scenario,
nothing recovering slower than what relies on it, capabilities against targets, MTPD.

How objectives are read (scenarios, counted dependency types, inheritance) is in
:mod:`bcplint.workspace.objectives`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from bcplint.checks.base import Context, Hit, NoParams, Params
from bcplint.checks.fields import defined
from bcplint.model.types import Duration
from bcplint.workspace.documents import Document, Workspace
from bcplint.workspace.graph import longest_below, subgraph_below
from bcplint.workspace.objectives import (
    SCENARIO_WORDING,
    effective,
    objective_graph,
    scenarios_targeted,
    states_objective,
    target_for,
    targets,
)


class ObjectiveParams(Params):
    objective: Literal["rto", "rpo"]


def objective_defined(ctx: Context, doc: Document, field: str, params: NoParams) -> Iterator[Hit]:
    """The objective ``field`` (``rto`` or ``rpo``) is stated, plain or as a per-scenario target,
    or, for a System, inherited from what depends on it (:mod:`bcplint.workspace.objectives`).

    With ``field: rto``: ``rto: 4h`` passes; so does ``objectives: [{scenario: zone, rto: 2h}]``,
    and a System with no RTO that a Service with ``rto: 1h`` depends on. Fails (outcome
    ``missing``) otherwise. Any other field is only checked for a value, as ``defined`` does.
    """
    if field not in ("rto", "rpo"):
        yield from defined(ctx, doc, field, params)
        return
    if states_objective(doc, field):
        return
    _, source = effective(ctx.workspace, doc, field)
    if source is None:
        yield Hit(doc=doc, field=(field,), outcome="missing", detail=f"has no {field.upper()}")


def objective_text(value: Duration, scenario: str | None = None, source: Document | None = None) -> str:
    """``4h``, ``4h for a region outage`` or ``4h (inherited from Service 'checkout')``."""
    text = str(value)
    if scenario is not None:
        text += f" for {SCENARIO_WORDING[scenario]}"
    if source is not None:
        text += f" (inherited from {source.label})"
    return text


def dependency_objective(ctx: Context, params: ObjectiveParams) -> Iterator[Hit]:
    """No Service or System depends, directly or transitively, on something with a longer objective.

    With ``objective: rto``: ``checkout`` (RTO 1h) -> ``orders-api`` (no RTO) -> ``orders-db``
    (RTO 6h) fails (outcome ``inverted``) on ``checkout``, naming the path; with ``orders-db``
    at 1h it passes. Suppliers count with their contracted ``rto``. Only the dependency types
    that bound the objective are followed (a ``recovery`` dependency bounds the RTO, not the
    RPO), and targets are compared like with like: the plain values, then each scenario some
    document sets a target for (an entry, else the plain value). One finding per dependent,
    naming the worst dependency of the first scenario that inverts. Linear in the size of the
    graph per scenario; cycles are cut, not followed. A narrowed run walks only what the
    documents in focus depend on: that alone decides their findings.
    """
    workspace = ctx.workspace
    graph = objective_graph(workspace, params.objective)
    names = ctx.focus_names()
    if names is not None:
        graph = subgraph_below(graph, names)
    docs = [workspace.by_name[name] for name in graph]
    label = params.objective.upper()
    reported: set[str] = set()
    for scenario in [None, *scenarios_targeted(docs, params.objective)]:
        objective = {name: target_for(workspace.by_name[name], params.objective, scenario) for name in graph}
        worst = longest_below(graph, objective)
        for name in sorted(graph):
            doc = workspace.by_name[name]
            mine, below = objective[name], worst.get(name)
            if name in reported or doc.kind not in ("Service", "System") or mine is None or below is None:
                continue
            if below.value.seconds <= mine.seconds:
                continue
            reported.add(name)
            via = f" via {', '.join(repr(n) for n in below.path[:-1])}" if len(below.path) > 1 else ""
            first_hop = workspace.dependencies(doc).index(below.path[0])
            for_scenario = f" for {SCENARIO_WORDING[scenario]}" if scenario else ""
            yield Hit(
                doc=doc,
                field=("depends_on", first_hop),
                outcome="inverted",
                detail=f"({label} {mine}{for_scenario}) depends on '{below.name}' "
                f"({label} {below.value}{for_scenario}){via}",
                values={
                    "value": str(mine),
                    "dependency": below.name,
                    "dependency_value": str(below.value),
                    "via": via,
                    "objective": label,
                    "scenario": scenario or "",
                },
            )


def capability_meets_target(ctx: Context, doc: Document, field: str, params: NoParams) -> Iterator[Hit]:
    """Every estimated or measured capability in ``objectives`` is within the target for its
    scenario (the target entry for it, else the plain ``rto``/``rpo``).

    With ``rto: 4h``, ``{scenario: region, rto: 96h, status: estimate}`` fails with outcome
    ``estimate`` (``measured`` for a measured one: the rule grades them differently); with
    ``rto: 4d`` it passes. A capability with no target to compare with says nothing here.
    """
    for index, entry in enumerate(getattr(doc.model, "objectives", ())):
        if entry.status == "target":
            continue
        for objective in ("rto", "rpo"):
            capability = getattr(entry, objective)
            promised = target_for(doc, objective, entry.scenario)
            if capability is None or promised is None or capability.seconds <= promised.seconds:
                continue
            yield Hit(
                doc=doc,
                field=("objectives", index, objective),
                outcome=entry.status,
                detail=f"{entry.status} {objective.upper()} for {SCENARIO_WORDING[entry.scenario]} is "
                f"{capability}, longer than its target of {promised}",
                values={
                    "status": entry.status,
                    "objective": objective.upper(),
                    "scenario": SCENARIO_WORDING[entry.scenario],
                    "value": str(capability),
                    "target": str(promised),
                },
            )


def rto_within_mtpd(ctx: Context, doc: Document, field: str, params: NoParams) -> Iterator[Hit]:
    """Every RTO target, plus the work recovery time where one is given, fits in the MTPD.

    ``rto: 4h, mtpd: 1d`` passes; ``rto: 2d, mtpd: 1d`` fails (outcome ``violated``), and so
    does ``rto: 20h, wrt: 6h, mtpd: 1d``: the business is back only when the work has been
    recovered too (MTD = RTO + WRT: Snedaker and Rima, Business Continuity and Disaster Recovery
    Planning for IT Professionals, 2nd ed., 2014, the business impact analysis chapter). Each
    scenario's target is checked; one finding per document, for the longest. Says nothing
    without an MTPD or an RTO.
    """
    mtpd = getattr(doc.model, "mtpd", None)
    wrt = getattr(doc.model, "wrt", None)
    if not isinstance(mtpd, Duration):
        return
    extra = wrt.seconds if isinstance(wrt, Duration) else 0
    over = [found for found in targets(doc, "rto") if found.value.seconds + extra > mtpd.seconds]
    if not over:
        return
    worst = max(over, key=lambda found: found.value.seconds)
    value = objective_text(worst.value, worst.scenario)
    if isinstance(wrt, Duration):
        value += f" plus a work recovery time of {wrt}"
    yield Hit(
        doc=doc,
        field=worst.field,
        outcome="violated",
        detail=f"has an RTO of {value}, beyond its maximum tolerable disruption of {mtpd}",
        values={"value": value, "other": str(mtpd)},
    )


def inherited_wording(workspace: Workspace, doc: Document | None, objective: str) -> tuple[Duration | None, str]:
    """The objective a comparison uses for ``doc`` and how a message names it: ``4h`` when the
    document states it, ``4h (inherited from Service 'checkout')`` when it inherits it."""
    if doc is None:
        return None, ""
    value, source = effective(workspace, doc, objective)
    return value, objective_text(value, None, source) if value is not None else ""
