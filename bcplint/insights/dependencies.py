"""The dependency graph as a picture: Mermaid (renders on GitHub and GitLab as is) or DOT.

Services, Systems and Suppliers with their RTO and RPO, coloured by criticality; an edge for
each ``depends_on``. An edge whose dependency recovers slower than its dependent (an RTO
inversion) is drawn red; edges inside a dependency cycle are drawn purple.
"""

from __future__ import annotations

from dataclasses import dataclass

from bcplint.errors import ConfigError, did_you_mean
from bcplint.model.types import Duration
from bcplint.workspace.documents import Workspace
from bcplint.workspace.graph import around, cyclic_components, edges


@dataclass(frozen=True)
class Node:
    name: str
    kind: str
    criticality: str
    rto: str | None
    rpo: str | None

    @property
    def label(self) -> str:
        objectives = " / ".join(f"{k} {v}" for k, v in (("RTO", self.rto), ("RPO", self.rpo)) if v)
        return f"{self.name} ({self.kind})" + (f"\n{objectives}" if objectives else "")


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    inverted: bool  # the target's RTO is longer than the source's
    in_cycle: bool


@dataclass(frozen=True)
class DependencyGraph:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]


def dependency_graph(workspace: Workspace, focus: str | None = None) -> DependencyGraph:
    """The graph of the workspace, or only what ``focus`` depends on and what depends on it."""
    graph = edges(workspace)
    if focus is not None and focus not in graph:
        raise ConfigError(f"--focus: no Service, System or Supplier is named '{focus}'{did_you_mean(focus, graph)}")
    keep = around(graph, focus) if focus else set(graph)
    cyclic = {member for component in cyclic_components(graph) for member in component}
    nodes = []
    rto: dict[str, Duration | None] = {}
    for name in sorted(keep):
        model = workspace.by_name[name].model
        rto[name] = getattr(model, "rto", None)
        rpo = getattr(model, "rpo", None)
        nodes.append(
            Node(
                name=name,
                kind=workspace.by_name[name].kind or "",
                criticality=getattr(model, "criticality", None) or "unassessed",
                rto=str(rto[name]) if rto[name] else None,
                rpo=str(rpo) if rpo else None,
            )
        )
    links = []
    for source in sorted(keep):
        for target in graph[source]:
            if target not in keep:
                continue
            slow, fast = rto.get(target), rto.get(source)
            inverted = slow is not None and fast is not None and slow.seconds > fast.seconds
            links.append(Edge(source, target, inverted, source in cyclic and target in cyclic))
    return DependencyGraph(nodes=tuple(nodes), edges=tuple(links))


__all__ = ["DependencyGraph", "dependency_graph"]
