"""The dependency graph as text: Mermaid (renders on GitHub and GitLab as is) or Graphviz DOT.

Services, Systems and Suppliers with their RTO and RPO, coloured by criticality; an edge for
each ``depends_on``. An edge whose dependency recovers slower than its dependent (an RTO
inversion) is drawn red; edges inside a dependency cycle are drawn purple.
"""

from __future__ import annotations

from typing import TextIO

from bcplint.insights.dependencies import DependencyGraph
from bcplint.report.options import ReportOptions

# Criticality, and "unassessed" (no criticality yet: dashed grey in the SVG, plain grey here).
COLOURS = {"critical": "#f8d0d0", "high": "#fde2c4", "medium": "#fff3bf", "low": "#e9ecef", "unassessed": "#f8f9fa"}
BORDERS = {"critical": "#c92a2a", "high": "#d9480f", "medium": "#b08900", "low": "#868e96", "unassessed": "#adb5bd"}
INVERTED, CYCLE = "#e03131", "#7048e8"


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
