"""The dependency graph as text: Mermaid (renders on GitHub and GitLab as is) or Graphviz DOT.

Services, Systems and Suppliers with their RTO and RPO, coloured by criticality, and the Sites,
Teams and Contacts they rely on; an edge for each ``depends_on``, labelled with its type unless
it is runtime, and dotted when it is not needed to run (recovery, people, facility). An edge
whose dependency recovers slower than its dependent (an RTO inversion) is drawn red; edges
inside a dependency cycle are drawn purple; documents out of scope are grey.
"""

from __future__ import annotations

from typing import TextIO

from bcplint.insights.dependencies import DependencyGraph
from bcplint.report.options import ReportOptions

# Criticality, "unassessed" (no criticality yet: dashed grey in the SVG, plain grey here),
# "resource" (a Site, Team or Contact) and "excluded" (out of continuity scope).
COLOURS = {
    "critical": "#f8d0d0",
    "high": "#fde2c4",
    "medium": "#fff3bf",
    "low": "#e9ecef",
    "unassessed": "#f8f9fa",
    "resource": "#e7f5ff",
    "excluded": "#f1f3f5",
}
BORDERS = {
    "critical": "#c92a2a",
    "high": "#d9480f",
    "medium": "#b08900",
    "low": "#868e96",
    "unassessed": "#adb5bd",
    "resource": "#1971c2",
    "excluded": "#ced4da",
}
INVERTED, CYCLE = "#e03131", "#7048e8"
# Dependency types drawn dotted: needed to recover, or people and places, not to run.
DOTTED = frozenset({"recovery", "people", "facility"})


def write_mermaid(graph: DependencyGraph, stream: TextIO, options: ReportOptions) -> None:
    stream.write(to_mermaid(graph))


def write_dot(graph: DependencyGraph, stream: TextIO, options: ReportOptions) -> None:
    stream.write(to_dot(graph))


def to_mermaid(graph: DependencyGraph) -> str:
    ids = {node.name: f"n{i}" for i, node in enumerate(graph.nodes)}
    lines = ["flowchart LR"]
    for level, fill in COLOURS.items():
        lines.append(f"  classDef {level} fill:{fill},stroke:{BORDERS[level]},color:#212529")
    for node in graph.nodes:
        label = node.label.replace('"', "#quot;").replace("\n", "<br/>")
        lines.append(f'  {ids[node.name]}["{label}"]:::{node.style}')
    styles = []
    for index, edge in enumerate(graph.edges):
        label = f"|{edge.label}|" if edge.label else ""
        arrow = "-.->" if edge.type in DOTTED else "-->"
        lines.append(f"  {ids[edge.source]} {arrow}{label} {ids[edge.target]}")
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
        colours = f'fillcolor="{COLOURS[node.style]}", color="{BORDERS[node.style]}"'
        lines.append(f"  {_quoted(node.name)} [label={_quoted(node.label)}, {colours}];")
    for edge in graph.edges:
        attributes: list[str] = []
        if edge.inverted:
            attributes += [f'color="{INVERTED}"', "penwidth=3"]
        elif edge.in_cycle:
            attributes += [f'color="{CYCLE}"', "penwidth=3"]
        if edge.label:
            attributes.append(f"label={_quoted(edge.label)}")
        if edge.type in DOTTED:
            attributes.append("style=dashed")
        extra = f" [{', '.join(attributes)}]" if attributes else ""
        lines.append(f"  {_quoted(edge.source)} -> {_quoted(edge.target)}{extra};")
    lines.append("}")
    return "\n".join(lines) + "\n"
