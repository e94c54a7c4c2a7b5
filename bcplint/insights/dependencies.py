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
from bcplint.workspace.graph import GRAPH_KINDS, around, cyclic_components, edges

COLOURS = {"critical": "#f8d0d0", "high": "#fde2c4", "medium": "#fff3bf", "low": "#e9ecef"}
BORDERS = {"critical": "#c92a2a", "high": "#d9480f", "medium": "#b08900", "low": "#868e96"}
INVERTED, CYCLE = "#e03131", "#7048e8"


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
                criticality=str(getattr(model, "criticality", "low")),
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


def to_mermaid(graph: DependencyGraph) -> str:
    ids = {node.name: f"n{i}" for i, node in enumerate(graph.nodes)}
    lines = ["flowchart LR"]
    for level, fill in COLOURS.items():
        lines.append(f"  classDef {level} fill:{fill},stroke:{BORDERS[level]},color:#212529")
    for node in graph.nodes:
        label = node.label.replace('"', "#quot;").replace("\n", "<br/>")
        lines.append(f'  {ids[node.name]}["{label}"]:::{node.criticality}')
    styles = []
    for index, edge in enumerate(graph.edges):
        label = "|RTO inversion|" if edge.inverted else ""
        lines.append(f"  {ids[edge.source]} -->{label} {ids[edge.target]}")
        if edge.inverted or edge.in_cycle:
            colour = INVERTED if edge.inverted else CYCLE
            styles.append(f"  linkStyle {index} stroke:{colour},stroke-width:3px")
    return "\n".join(lines + styles) + "\n"


def _quoted(text: str) -> str:
    """A DOT string: quotes and backslashes escaped, newlines as DOT's own \\n."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def to_dot(graph: DependencyGraph) -> str:
    lines = [
        "digraph bcplint {",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fontname="Helvetica"];',
    ]
    for node in graph.nodes:
        attributes = f'fillcolor="{COLOURS[node.criticality]}", color="{BORDERS[node.criticality]}"'
        lines.append(f"  {_quoted(node.name)} [label={_quoted(node.label)}, {attributes}];")
    for edge in graph.edges:
        extra = ""
        if edge.inverted:
            extra = f' [color="{INVERTED}", penwidth=3, label="RTO inversion"]'
        elif edge.in_cycle:
            extra = f' [color="{CYCLE}", penwidth=3]'
        lines.append(f"  {_quoted(edge.source)} -> {_quoted(edge.target)}{extra};")
    lines.append("}")
    return "\n".join(lines) + "\n"


__all__ = ["GRAPH_KINDS", "DependencyGraph", "dependency_graph", "to_dot", "to_mermaid"]
