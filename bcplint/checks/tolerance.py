"""Impact tolerances: an important business service, and everything it needs, recovers within them.

UK operational resilience (FCA SYSC 15A.2) asks firms to set an impact tolerance for each
important business service and to be able to remain within it; APRA CPS 230 calls the same
limits tolerance levels for critical operations.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from bcplint.checks.base import Context, Hit, NoParams
from bcplint.checks.objectives import objective_text
from bcplint.model.kinds import Service
from bcplint.model.types import Duration
from bcplint.model.validate import FieldPath
from bcplint.workspace.documents import Document, Workspace
from bcplint.workspace.graph import strongly_connected_components
from bcplint.workspace.objectives import objective_graph


@dataclass(frozen=True)
class _Slowest:
    """The longest target found: whose, for which scenario, and how to reach it from the service."""

    value: Duration
    scenario: str | None
    holder: str  # the service itself or a dependency
    path: tuple[str, ...]  # hops from the service to ``holder``; () for the service's own
    field: FieldPath  # where the service's own value is written (when ``path`` is empty)


def within_impact_tolerance(ctx: Context, doc: Document, field: str, params: NoParams) -> Iterator[Hit]:
    """An important Service has an impact tolerance, and its targets fit in it.

    Fails with outcome ``missing`` when ``important: true`` and no ``impact_tolerance``;
    ``duration`` when an RTO target of the service, or of anything it needs for its RTO,
    plus the service's own ``wrt`` (work recovery starts once the systems are back), is longer
    than ``max_duration``; ``data_loss`` when an RPO target of the service or of what holds its
    data is longer than ``max_data_loss``. Every scenario's target counts: the tolerance is for
    severe but plausible disruptions, whichever they are. One finding per limit, for the worst.
    """
    service = doc.model
    if not isinstance(service, Service) or not service.important:
        return
    tolerance = service.impact_tolerance
    if tolerance is None:
        yield Hit(
            doc=doc,
            field=("important",),
            outcome="missing",
            detail="is an important business service but has no impact tolerance",
        )
        return
    workspace = ctx.workspace
    wrt = service.wrt.seconds if service.wrt is not None else 0
    limits = (
        ("rto", tolerance.max_duration, wrt, "duration", "disruption"),
        ("rpo", tolerance.max_data_loss, 0, "data_loss", "data loss"),
    )
    for objective, limit, extra, outcome, words in limits:
        if limit is None:
            continue
        longest = _longest(workspace, objective).get(doc.name or "", _own_longest(doc, objective))
        if longest is None or longest + extra <= limit.seconds:
            continue  # within the tolerance, known without a walk per service
        slowest = _slowest(workspace, doc, objective)
        if slowest is None or slowest.value.seconds + extra <= limit.seconds:
            continue
        value = objective_text(slowest.value, slowest.scenario)
        label = objective.upper()
        if slowest.path:
            via = f" via {', '.join(repr(n) for n in slowest.path[:-1])}" if len(slowest.path) > 1 else ""
            breach = f"it depends on '{slowest.holder}' ({label} {value}){via}"
            first_hop = workspace.dependencies(doc).index(slowest.path[0])
            where: FieldPath = ("depends_on", first_hop)
        else:
            breach = f"its own {label} is {value}"
            where = slowest.field
        if extra:
            breach += f", and its work recovery takes {service.wrt} more"
        yield Hit(
            doc=doc,
            field=where,
            outcome=outcome,
            detail=f"is an important business service with a maximum tolerable {words} of {limit}, but {breach}",
            values={"tolerance": str(limit), "value": value, "dependency": slowest.holder},
        )


def _longest(workspace: Workspace, objective: str) -> dict[str, int | None]:
    """name -> the longest ``objective`` target, in seconds, of the name or of anything it
    reaches as :func:`_slowest` walks (None: no target at all). One pass over the graph,
    dependencies first, for every service at once: a walk per important service, which finds
    the path to name, is left for those out of tolerance (it was 0.29 s of a 10,000-document
    check with 200 important services, quadratic in the graph)."""

    def build() -> dict[str, int | None]:
        graph = objective_graph(workspace, objective)
        longest: dict[str, int | None] = {}
        for component in strongly_connected_components(graph):
            members = set(component)
            found = [_own_longest(workspace.by_name[member], objective) for member in component]
            found += [longest[child] for member in component for child in graph[member] if child not in members]
            known = [seconds for seconds in found if seconds is not None]
            for member in component:
                longest[member] = max(known) if known else None
        return longest

    return workspace.memo(("longest-target", objective), build)


def _own_longest(doc: Document, objective: str) -> int | None:
    """The longest of the document's own targets (see :func:`_targets`), in seconds."""
    own = getattr(doc.model, objective, None)
    longest = own.seconds if isinstance(own, Duration) else None
    for entry in getattr(doc.model, "objectives", ()):
        value = getattr(entry, objective)
        if entry.status == "target" and value is not None and (longest is None or value.seconds > longest):
            longest = value.seconds
    return longest


def _slowest(workspace: Workspace, doc: Document, objective: str) -> _Slowest | None:
    """The longest ``objective`` target of the service or of anything it reaches through the
    dependency types that count for it, with the shortest path to it (breadth first)."""
    graph = objective_graph(workspace, objective)
    start = doc.name or ""
    paths: dict[str, tuple[str, ...]] = {start: ()}
    frontier = [start]
    while frontier:
        following = []
        for name in frontier:
            for child in graph.get(name, []):
                if child not in paths:
                    paths[child] = (*paths[name], child)
                    following.append(child)
        frontier = following
    best: _Slowest | None = None
    for name in sorted(paths, key=lambda n: (len(paths[n]), n)):
        for found in _targets(workspace.by_name[name], objective, name, paths[name]):
            if best is None or found.value.seconds > best.value.seconds:
                best = found
    return best


def _targets(doc: Document, objective: str, name: str, path: tuple[str, ...]) -> Iterator[_Slowest]:
    """Every target of one document: the plain one and each scenario's."""
    own = getattr(doc.model, objective, None)
    if isinstance(own, Duration):
        yield _Slowest(own, None, name, path, (objective,))
    for index, entry in enumerate(getattr(doc.model, "objectives", ())):
        value = getattr(entry, objective)
        if entry.status == "target" and value is not None:
            yield _Slowest(value, entry.scenario, name, path, ("objectives", index, objective))
