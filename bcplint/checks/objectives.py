"""Graph checks on recovery objectives: nothing may recover slower than what relies on it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from bcplint.checks.base import Context, Hit, Params
from bcplint.model.types import Duration
from bcplint.workspace.documents import Workspace
from bcplint.workspace.graph import edges, path_within, strongly_connected_components


class ObjectiveParams(Params):
    objective: Literal["rto", "rpo"]


@dataclass(frozen=True)
class _Worst:
    """The dependency with the longest objective below a node, and the path to it."""

    value: Duration
    name: str
    path: tuple[str, ...]  # from the first hop to ``name``


def dependency_objective(ctx: Context, params: ObjectiveParams) -> Iterator[Hit]:
    """No Service or System depends, directly or transitively, on something with a longer objective.

    With ``objective: rto``: ``checkout`` (RTO 1h) -> ``orders-api`` (no RTO) -> ``orders-db``
    (RTO 6h) fails (outcome ``inverted``) on ``checkout``, naming the path; with ``orders-db``
    at 1h it passes. Suppliers count with their contracted ``rto``. One finding per dependent,
    naming the worst dependency. Linear in the size of the graph; cycles are cut, not followed.
    """
    workspace = ctx.workspace
    graph = edges(workspace)
    objective = {name: _objective(workspace, name, params.objective) for name in graph}
    worst = _worst_below(graph, objective)
    for name in sorted(graph):
        doc = workspace.by_name[name]
        mine = objective[name]
        below = worst.get(name)
        if doc.kind not in ("Service", "System") or mine is None or below is None:
            continue
        if below.value.seconds <= mine.seconds:
            continue
        label = params.objective.upper()
        via = f" via {', '.join(repr(n) for n in below.path[:-1])}" if len(below.path) > 1 else ""
        first_hop = workspace.dependencies(doc).index(below.path[0])
        yield Hit(
            doc=doc,
            field=("depends_on", first_hop),
            outcome="inverted",
            detail=f"({label} {mine}) depends on '{below.name}' ({label} {below.value}){via}",
            values={
                "value": str(mine),
                "dependency": below.name,
                "dependency_value": str(below.value),
                "via": via,
                "objective": label,
            },
        )


def _objective(workspace: Workspace, name: str, objective: str) -> Duration | None:
    doc = workspace.by_name[name]
    value = getattr(doc.model, objective, None)
    return value if isinstance(value, Duration) else None


def _worst_below(graph: dict[str, list[str]], objective: dict[str, Duration | None]) -> dict[str, _Worst]:
    """For every node, the longest objective reachable through depends_on, and a path to it.

    Components of the graph are handled dependencies first. Inside a cycle every member
    reaches every other, so they share one answer, reached through the member whose edge
    leads to it. Linear in the graph, plus a breadth-first walk inside each (small) cycle.
    """
    result: dict[str, _Worst] = {}
    for component in strongly_connected_components(graph):
        members = set(component)
        best: tuple[_Worst, str] | None = None  # the worst candidate and the member it leaves from
        for member in sorted(component):
            for candidate in _candidates(graph[member], objective, result, members):
                if best is None or _longer(candidate, best[0]):
                    best = (candidate, member)
        if best is None:
            continue
        worst, exit_member = best
        for member in component:
            if member == exit_member:
                result[member] = worst
                continue
            lead = path_within(graph, members, member, exit_member)
            result[member] = _Worst(worst.value, worst.name, (*lead, *worst.path))
    return result


def _candidates(
    children: list[str], objective: dict[str, Duration | None], result: dict[str, _Worst], members: set[str]
) -> list[_Worst]:
    found = []
    for child in children:
        own = objective.get(child)
        if own is not None:
            found.append(_Worst(own, child, (child,)))
        below = result.get(child) if child not in members else None
        if below is not None:
            found.append(_Worst(below.value, below.name, (child, *below.path)))
    return found


def _longer(a: _Worst, b: _Worst) -> bool:
    """Longer objective first; on a tie the shorter path, then the smaller name, for stable output."""
    return (-a.value.seconds, len(a.path), a.name) < (-b.value.seconds, len(b.path), b.name)
