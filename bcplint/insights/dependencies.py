"""The dependency graph as a picture: Mermaid (renders on GitHub and GitLab as is) or DOT.

Services, Systems and Suppliers with their RTO and RPO, coloured by criticality, and the
Sites, Teams and Contacts something depends on; an edge for each ``depends_on``, labelled
with its type unless it is runtime. An edge whose dependency recovers slower than its
dependent (an RTO inversion, along the types that bound the RTO) is drawn red; edges inside a
dependency cycle are drawn purple; documents out of scope are greyed.
"""

from __future__ import annotations

from dataclasses import dataclass

from bcplint.errors import ConfigError, did_you_mean
from bcplint.model.types import Duration
from bcplint.workspace.documents import Workspace
from bcplint.workspace.graph import LEAF_KINDS, around, cyclic_components, edges
from bcplint.workspace.objectives import COUNTED_TYPES


@dataclass(frozen=True)
class Node:
    name: str
    kind: str
    criticality: str  # critical, high, medium, low, "unassessed"; "resource" for a Site, Team or Contact
    rto: str | None
    rpo: str | None
    excluded: bool = False  # declared out of continuity scope

    @property
    def label(self) -> str:
        objectives = " / ".join(f"{k} {v}" for k, v in (("RTO", self.rto), ("RPO", self.rpo)) if v)
        title = f"{self.name} ({self.kind}{', out of scope' if self.excluded else ''})"
        return title + (f"\n{objectives}" if objectives else "")

    @property
    def style(self) -> str:
        """The class the pictures draw it with: its criticality, "resource" or "excluded"."""
        return "excluded" if self.excluded else self.criticality


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    inverted: bool  # the target's RTO is longer than the source's
    in_cycle: bool
    type: str = "runtime"  # the dependency type: runtime, data, recovery, people, facility, information

    @property
    def label(self) -> str:
        """What the pictures write on the edge: its type unless runtime, and an RTO inversion."""
        parts = [self.type] if self.type != "runtime" else []
        if self.inverted:
            parts.append("RTO inversion")
        return ", ".join(parts)


@dataclass(frozen=True)
class DependencyGraph:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]


def dependency_graph(workspace: Workspace, focus: str | None = None) -> DependencyGraph:
    """The graph of the workspace, or only what ``focus`` depends on and what depends on it."""
    graph = edges(workspace)
    if focus is not None and focus not in graph:
        raise ConfigError(f"--focus: nothing in the dependency graph is named '{focus}'{did_you_mean(focus, graph)}")
    keep = around(graph, focus) if focus else set(graph)
    cyclic = {member for component in cyclic_components(graph) for member in component}
    nodes = []
    rto: dict[str, Duration | None] = {}
    for name in sorted(keep):
        doc = workspace.by_name[name]
        model = doc.model
        rto[name] = getattr(model, "rto", None)
        rpo = getattr(model, "rpo", None)
        nodes.append(
            Node(
                name=name,
                kind=doc.kind or "",
                criticality="resource"
                if doc.kind in LEAF_KINDS
                else getattr(model, "criticality", None) or "unassessed",
                rto=str(rto[name]) if rto[name] else None,
                rpo=str(rpo) if rpo else None,
                excluded=workspace.excluded(doc),
            )
        )
    links = []
    for source in sorted(keep):
        source_doc = workspace.by_name[source]
        seen: set[str] = set()
        for link in workspace.dependency_links(source_doc):
            target = link.name
            if target not in keep or target not in graph or target in seen:
                continue
            seen.add(target)
            slow, fast = rto.get(target), rto.get(source)
            inverted = (
                link.type in COUNTED_TYPES["rto"]
                and slow is not None
                and fast is not None
                and slow.seconds > fast.seconds
            )
            links.append(Edge(source, target, inverted, source in cyclic and target in cyclic, link.type))
    return DependencyGraph(nodes=tuple(nodes), edges=tuple(links))


__all__ = ["DependencyGraph", "Edge", "Node", "dependency_graph"]
