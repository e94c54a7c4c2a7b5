"""The dependency graph as an inline SVG: no script, no web font, nothing fetched.

Layered left to right: a document sits one column right of the furthest thing that depends
on it, so services come first and suppliers last. Cycles share a column. Deterministic.
"""

from __future__ import annotations

from html import escape

from bcplint.insights.dependencies import DependencyGraph
from bcplint.report.graph_text import BORDERS, COLOURS, CYCLE, DOTTED, INVERTED
from bcplint.workspace.graph import strongly_connected_components

WIDTH, HEIGHT, GAP_X, GAP_Y, MARGIN = 210, 44, 80, 18, 20
MAX_NODES = 250  # beyond this a picture stops helping; `bcplint graph` still draws it all


def svg(graph: DependencyGraph) -> str:
    if not graph.nodes:
        return "<p>No services, systems or suppliers.</p>"
    if len(graph.nodes) > MAX_NODES:
        return (
            f"<p>{len(graph.nodes)} documents are too many to draw here; "
            "run <code>bcplint graph --focus NAME</code> for one part of it.</p>"
        )
    columns = _columns(graph)
    rows: dict[int, int] = {}
    place: dict[str, tuple[int, int]] = {}
    for node in graph.nodes:  # already sorted by name
        column = columns[node.name]
        row = rows.get(column, 0)
        rows[column] = row + 1
        place[node.name] = (MARGIN + column * (WIDTH + GAP_X), MARGIN + row * (HEIGHT + GAP_Y))
    width = MARGIN * 2 + (max(columns.values()) + 1) * (WIDTH + GAP_X) - GAP_X
    height = MARGIN * 2 + max(rows.values()) * (HEIGHT + GAP_Y) - GAP_Y
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="graph" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="dependency graph">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#495057"/></marker></defs>',
    ]
    for edge in graph.edges:
        (x1, y1), (x2, y2) = place[edge.source], place[edge.target]
        start, end = (x1 + WIDTH, y1 + HEIGHT // 2), (x2, y2 + HEIGHT // 2)
        if x2 <= x1:  # same column (a cycle) or backwards: loop around below
            start, end = (x1 + WIDTH // 2, y1 + HEIGHT), (x2 + WIDTH // 2, y2 + HEIGHT)
        colour = INVERTED if edge.inverted else CYCLE if edge.in_cycle else "#868e96"
        kind = "inverted" if edge.inverted else "cycle" if edge.in_cycle else "plain"
        bend = (start[0] + end[0]) // 2
        dashes = ' stroke-dasharray="5 4"' if edge.type in DOTTED else ""
        parts.append(
            f'<path class="edge {kind} {edge.type}" d="M {start[0]} {start[1]} C {bend} {start[1]}, {bend} {end[1]}, '
            f'{end[0]} {end[1]}" fill="none" stroke="{colour}" stroke-width="{3 if kind != "plain" else 1.5}"{dashes} '
            f'marker-end="url(#arrow)"><title>{escape(edge.source)} depends on {escape(edge.target)}'
            f"{f' ({escape(edge.label)})' if edge.label else ''}</title></path>"
        )
    for node in graph.nodes:
        x, y = place[node.name]
        lines = node.label.split("\n")
        parts.append(
            f'<g class="node {node.style}"><rect x="{x}" y="{y}" width="{WIDTH}" height="{HEIGHT}" rx="6" '
            f'fill="{COLOURS[node.style]}" stroke="{BORDERS[node.style]}"/>'
            f'<text x="{x + 8}" y="{y + 18}" font-size="12" font-weight="600">{escape(lines[0])}</text>'
            + (f'<text x="{x + 8}" y="{y + 34}" font-size="11">{escape(lines[1])}</text>' if len(lines) > 1 else "")
            + "</g>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _columns(graph: DependencyGraph) -> dict[str, int]:
    """Longest path from the documents nothing depends on, over the cycle-free condensation."""
    adjacency: dict[str, list[str]] = {node.name: [] for node in graph.nodes}
    for edge in graph.edges:
        adjacency[edge.source].append(edge.target)
    components = strongly_connected_components(adjacency)  # dependencies first
    component_of = {member: i for i, members in enumerate(components) for member in members}
    column = [0] * len(components)
    for index in reversed(range(len(components))):  # dependents first
        for member in components[index]:
            for target in adjacency[member]:
                other = component_of[target]
                if other != index:
                    column[other] = max(column[other], column[index] + 1)
    return {name: column[component_of[name]] for name in adjacency}
