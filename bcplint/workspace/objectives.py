"""Recovery objectives as the rules read them: per scenario, along the dependency types that
count, and flowing down to components that state none.

Which dependency types count (``docs/format.md`` shows the same table):

=============  ====================  ====================  ==========================
type           bounds RTO (BCP204)   bounds RPO (BCP205)   passes objectives down
=============  ====================  ====================  ==========================
runtime        yes                   yes                   RTO and RPO
data           yes                   yes                   RTO and RPO
information    yes                   yes                   RTO and RPO
recovery       yes                   no                    RTO only
people         no                    no                    no (mapping: BCP104)
facility       no                    no                    no (mapping: site-alternate)
=============  ====================  ====================  ==========================

A recovery dependency (deployment, configuration management, backup tooling) must be back
before what it rebuilds can be, so it bounds the RTO; it holds none of the dependent's data,
so its RPO says nothing about the dependent's data loss.

Objectives flow down, never up. A System that states no RTO (or RPO) is judged against the
strictest one stated by what depends on it, through the counted types, transitively: a plan
that sets objectives once per service gets no "no RTO" finding on each part, and the parts'
backups and restores are held to the service's objective (the finding says it is inherited).
A Service's own objectives are the business impact analysis's decision (ISO 22301:2019
8.2.2), so a Service never takes one from its parts or from another Service.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from bcplint.model.parts import SCENARIOS
from bcplint.model.types import Duration
from bcplint.workspace.documents import Document, Workspace
from bcplint.workspace.graph import edges, reversed_edges, strongly_connected_components

ObjectiveName = Literal["rto", "rpo"]

COUNTED_TYPES: dict[str, frozenset[str]] = {
    "rto": frozenset({"runtime", "data", "information", "recovery"}),
    "rpo": frozenset({"runtime", "data", "information"}),
}
INHERITING_KINDS = ("System",)

# How a message names the disruption an objective is for.
SCENARIO_WORDING = {
    "application": "an application failure",
    "infrastructure": "an infrastructure failure",
    "zone": "a zone outage",
    "region": "a region outage",
    "provider": "a provider outage",
    "site": "the loss of a site",
    "supplier": "a supplier failure",
    "cyber": "a cyber attack",
    "people": "the loss of key people",
}


def plain(doc: Document | None, objective: str) -> Duration | None:
    """The document's own ``rto`` or ``rpo`` field (a Supplier's ``rto`` is its contracted one)."""
    value = getattr(doc.model, objective, None) if doc is not None else None
    return value if isinstance(value, Duration) else None


def target(doc: Document | None, objective: str, scenario: str | None = None) -> Duration | None:
    """The target for ``scenario``: an ``objectives`` entry with status target for it, else the
    plain field (the target for every scenario no entry overrides). ``scenario=None``: the plain field."""
    if doc is None:
        return None
    if scenario is not None:
        for entry in getattr(doc.model, "objectives", ()):
            value = getattr(entry, objective)
            if entry.scenario == scenario and entry.status == "target" and value is not None:
                return value  # type: ignore[no-any-return]
    return plain(doc, objective)


def states(doc: Document, objective: str) -> bool:
    """True when the document states the objective itself: the plain field or a target entry."""
    if plain(doc, objective) is not None:
        return True
    return any(
        entry.status == "target" and getattr(entry, objective) is not None
        for entry in getattr(doc.model, "objectives", ())
    )


def scenarios_targeted(docs: Iterable[Document], objective: str) -> list[str]:
    """The scenarios some document sets a target for, in the format's order."""
    used = {
        entry.scenario
        for doc in docs
        for entry in getattr(doc.model, "objectives", ())
        if entry.status == "target" and getattr(entry, objective) is not None
    }
    return [scenario for scenario in SCENARIOS if scenario in used]


def objective_graph(workspace: Workspace, objective: str) -> dict[str, list[str]]:
    """The dependency graph along the types that count for ``objective``, without documents
    that are out of scope (depending on one is reported by its own rule, not as an inversion)."""

    def build() -> dict[str, list[str]]:
        graph = edges(workspace, COUNTED_TYPES[objective])
        kept = {name for name in graph if not workspace.excluded(workspace.by_name[name])}
        return {name: [t for t in targets if t in kept] for name, targets in graph.items() if name in kept}

    return workspace.memo(("objective-graph", objective), build)


@dataclass(frozen=True)
class Inherited:
    """An objective a component takes from what depends on it.

    ``value`` is the strictest plain objective stated above it (None when those above state
    only per-scenario targets); ``source`` is the document that states it.
    """

    value: Duration | None
    source: Document


def inherited(workspace: Workspace, objective: str) -> dict[str, Inherited]:
    """name -> what each System that states no ``objective`` inherits, for those that inherit one.

    Dependents are handled before their dependencies, so a chain passes the value all the way
    down (``checkout`` 1h -> ``orders-api`` -> ``orders-db``: both inherit 1h from checkout),
    also through a Service that states none (it passes the value on without taking it: its own
    objective stays the impact analysis's to set). Members of a dependency cycle share what
    reaches any of them. Linear in the graph.
    """

    def systems_only() -> dict[str, Inherited]:
        passed = _passed_down(workspace, objective)
        return {name: taken for name, taken in passed.items() if workspace.by_name[name].kind in INHERITING_KINDS}

    return workspace.memo(("inherited", objective), systems_only)


def effective(workspace: Workspace, doc: Document, objective: str) -> tuple[Duration | None, Document | None]:
    """The plain objective a rule compares with, and where it came from: the document's own
    (source None), else the inherited one (source: the document that states it)."""
    own = plain(doc, objective)
    if own is not None or doc.name is None:
        return own, None
    taken = inherited(workspace, objective).get(doc.name)
    return (taken.value, taken.source) if taken is not None else (None, None)


def _passed_down(workspace: Workspace, objective: str) -> dict[str, Inherited]:
    """name -> the strictest objective stated above each document that states none itself."""
    graph = objective_graph(workspace, objective)
    dependents = reversed_edges(graph)
    result: dict[str, Inherited] = {}
    # Components come dependencies first; walking them backwards meets every dependent first.
    for component in reversed(strongly_connected_components(graph)):
        members = set(component)
        best: Inherited | None = None
        for member in component:
            for above in dependents.get(member, []):
                offer = _offer(workspace, above, objective, result) if above not in members else None
                if offer is not None and (best is None or _stricter(offer, best)):
                    best = offer
            own = workspace.by_name[member]
            if len(component) > 1 and states(own, objective):
                mine = Inherited(plain(own, objective), own)
                if best is None or _stricter(mine, best):
                    best = mine
        if best is None:
            continue
        for member in component:
            doc = workspace.by_name[member]
            if not states(doc, objective) and best.source is not doc:
                result[member] = best
    return result


def _offer(workspace: Workspace, name: str, objective: str, result: dict[str, Inherited]) -> Inherited | None:
    """What the dependent ``name`` passes down: its own objective, else what it inherited."""
    doc = workspace.by_name[name]
    if states(doc, objective):
        return Inherited(plain(doc, objective), doc)
    return result.get(name)


def _stricter(a: Inherited, b: Inherited) -> bool:
    """A stated value beats none; a shorter one a longer; then the smaller name, for stable output."""
    a_key = (a.value is None, a.value.seconds if a.value else 0, a.source.name or "")
    b_key = (b.value is None, b.value.seconds if b.value else 0, b.source.name or "")
    return a_key < b_key
