"""Graph checks on recovery objectives: nothing may recover slower than what relies on it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from bcplint.checks.base import Context, Hit, Params
from bcplint.graph import edges
from bcplint.model.types import Duration
from bcplint.workspace import Workspace


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
        if doc.kind not in ("Service", "System") or mine is None or below is None or below.value <= mine:
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
    """For every node, the longest objective reachable through depends_on (memoised DFS)."""
    result: dict[str, _Worst | None] = {}
    in_progress: set[str] = set()
    for root in sorted(graph):
        stack: list[tuple[str, int]] = [(root, 0)]
        while stack:
            node, child_i = stack.pop()
            if child_i == 0:
                if node in result:
                    continue
                in_progress.add(node)
            children = graph[node]
            if child_i < len(children):
                stack.append((node, child_i + 1))
                child = children[child_i]
                if child not in result and child not in in_progress:
                    stack.append((child, 0))
                continue
            in_progress.discard(node)
            result[node] = _best(node, children, objective, result)
    return {name: worst for name, worst in result.items() if worst is not None}


def _best(
    node: str, children: list[str], objective: dict[str, Duration | None], result: dict[str, _Worst | None]
) -> _Worst | None:
    best: _Worst | None = None
    for child in children:
        candidates = []
        own = objective.get(child)
        if own is not None:
            candidates.append(_Worst(own, child, (child,)))
        deeper = result.get(child)  # None too while the child is still open: a cycle, cut here
        if deeper is not None:
            candidates.append(_Worst(deeper.value, deeper.name, (child, *deeper.path)))
        for candidate in candidates:
            if best is None or (candidate.value.seconds, -len(candidate.path)) > (best.value.seconds, -len(best.path)):
                best = candidate
    return best
