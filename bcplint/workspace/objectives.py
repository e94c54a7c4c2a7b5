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

Objectives flow down, never up. A System with no plain RTO (or RPO) of its own is judged
against the strictest plain one stated by anything that depends on it, through the counted
types, transitively (``checkout`` 1h -> ``api`` 2h -> ``db``: the db is held to 1h, since the
API must be back within 1h for checkout). A plan that sets objectives once per service gets no
"no RTO" finding on each part, and the parts' backups and restores are held to the service's
objective (the finding says it is inherited). Per-scenario targets are compared like with
like by the inversion rules; they do not stop the plain objective from flowing down. A
Service's own objectives are the business impact analysis's decision (ISO 22301:2019 8.2.2),
so a Service never takes one from its parts or from another Service (it passes on what it
inherits, though).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bcplint.model.parts import SCENARIOS
from bcplint.model.types import Duration
from bcplint.workspace.documents import Document, Workspace
from bcplint.workspace.graph import edges, reversed_edges, strongly_connected_components

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


def own_objective(doc: Document | None, objective: str) -> Duration | None:
    """The document's own plain ``rto`` or ``rpo`` (a Supplier's ``rto`` is its contracted one)."""
    value = getattr(doc.model, objective, None) if doc is not None else None
    return value if isinstance(value, Duration) else None


@dataclass(frozen=True)
class Target:
    """One target a document states: plain (``scenario`` None) or for one scenario."""

    value: Duration
    scenario: str | None
    field: tuple[str | int, ...]  # where it is written: ("rto",) or ("objectives", 2, "rto")


def targets(doc: Document, objective: str) -> list[Target]:
    """Every target of ``objective`` the document states: the plain field first, then each
    ``objectives`` entry with status target and that objective set, in the order written."""
    found = []
    own = own_objective(doc, objective)
    if own is not None:
        found.append(Target(own, None, (objective,)))
    for index, entry in enumerate(getattr(doc.model, "objectives", ())):
        value = getattr(entry, objective)
        if entry.status == "target" and value is not None:
            found.append(Target(value, entry.scenario, ("objectives", index, objective)))
    return found


def target_for(doc: Document | None, objective: str, scenario: str | None = None) -> Duration | None:
    """The target for ``scenario``: its ``objectives`` entry with status target, else the plain
    field (the target for every scenario no entry overrides). ``scenario=None``: the plain field."""
    if doc is None:
        return None
    if scenario is not None:
        for found in targets(doc, objective):
            if found.scenario == scenario:
                return found.value
    return own_objective(doc, objective)


def states_objective(doc: Document, objective: str) -> bool:
    """True when the document states the objective itself: the plain field or a target entry."""
    return bool(targets(doc, objective))


def scenarios_targeted(docs: Iterable[Document], objective: str) -> list[str]:
    """The scenarios some document sets a target for, in the format's order."""
    used = {found.scenario for doc in docs for found in targets(doc, objective)}
    return [scenario for scenario in SCENARIOS if scenario in used]


def objective_graph(workspace: Workspace, objective: str) -> dict[str, list[str]]:
    """The dependency graph along the types that count for ``objective``, without documents
    that are out of scope (depending on one is reported by its own rule, not as an inversion)."""

    def build() -> dict[str, list[str]]:
        graph = edges(workspace, COUNTED_TYPES[objective])
        kept = {name for name in graph if not workspace.excluded(workspace.by_name[name])}
        return {name: [t for t in goals if t in kept] for name, goals in graph.items() if name in kept}

    return workspace.memo(("objective-graph", objective), build)


@dataclass(frozen=True)
class Inherited:
    """An objective a component takes from what depends on it.

    ``value`` is the strictest plain objective stated by anything above it (None when those
    above state only per-scenario targets); ``source`` is the document that states it.
    """

    value: Duration | None
    source: Document


def inherited(workspace: Workspace, objective: str) -> dict[str, Inherited]:
    """name -> what each System with no plain ``objective`` of its own inherits, for those that
    inherit one. Linear in the graph (see :func:`_above`)."""

    def systems_only() -> dict[str, Inherited]:
        above = _above(workspace, objective)
        return {
            name: taken
            for name, taken in above.items()
            if (doc := workspace.by_name[name]).kind in INHERITING_KINDS
            and own_objective(doc, objective) is None
            and taken.source is not doc
        }

    return workspace.memo(("inherited", objective), systems_only)


def effective(workspace: Workspace, doc: Document, objective: str) -> tuple[Duration | None, Document | None]:
    """The plain objective a rule compares with, and where it came from: the document's own
    (source None), else the inherited one (source: the document that states it)."""
    own = own_objective(doc, objective)
    if own is not None or doc.name is None:
        return own, None
    taken = inherited(workspace, objective).get(doc.name)
    return (taken.value, taken.source) if taken is not None else (None, None)


def _above(workspace: Workspace, objective: str) -> dict[str, Inherited]:
    """name -> the strictest objective stated by anything that depends on it, transitively.

    Components are handled dependents first, so each one sees the final answer of everything
    above it. A dependent offers its own plain objective, what it has from above, and (when it
    states per-scenario targets only) itself with no value, so its parts count as covered.
    Members of a cycle depend on each other: they share what any of them offers.
    """
    graph = objective_graph(workspace, objective)
    dependents = reversed_edges(graph)
    result: dict[str, Inherited] = {}
    for component in reversed(strongly_connected_components(graph)):  # dependencies come first
        members = set(component)
        offers = [
            offer
            for member in component
            for above in dependents.get(member, [])
            if above not in members
            for offer in _offers(workspace, above, objective, result)
        ]
        if len(component) > 1:
            offers += [offer for member in component for offer in _offers(workspace, member, objective, {})]
        if offers:
            best = min(offers, key=_strictness)
            for member in component:
                result[member] = best
    return result


def _offers(workspace: Workspace, name: str, objective: str, result: dict[str, Inherited]) -> list[Inherited]:
    doc = workspace.by_name[name]
    found = [result[name]] if name in result else []
    own = own_objective(doc, objective)
    if own is not None:
        found.append(Inherited(own, doc))
    elif states_objective(doc, objective):
        found.append(Inherited(None, doc))
    return found


def _strictness(offer: Inherited) -> tuple[bool, int, str]:
    """A stated value before none; a shorter one before a longer; then the name, for stable output."""
    return (offer.value is None, offer.value.seconds if offer.value else 0, offer.source.name or "")
