"""The dependency graph, and every walk over it.

A graph here is ``name -> names it depends on`` (:func:`edges`): every Service, System and
Supplier, and the Sites, Teams and Contacts something depends on. Every traversal bcplint makes
lives in this module: what a document relies on, what relies on it, the strongly connected
components (cycles), the shortest paths inside them, and the longest duration below each node.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from bcplint.model.refs import SERVICE_DEPENDENCY_KINDS, SYSTEM_DEPENDENCY_KINDS
from bcplint.model.types import Duration
from bcplint.workspace.documents import Document, Workspace

T = TypeVar("T")
N = TypeVar("N", bound=Hashable)

GRAPH_KINDS = ("Service", "System", "Supplier")
# Kinds that are only ever depended on: in the graph when something depends on them.
LEAF_KINDS = ("Site", "Team", "Contact")
# What each kind's depends_on may name; an entry naming another kind is BCP003's, not an edge.
DEPENDENCY_KINDS = {"Service": SERVICE_DEPENDENCY_KINDS, "System": SYSTEM_DEPENDENCY_KINDS}


def edges(workspace: Workspace, types: Collection[str] | None = None) -> dict[str, list[str]]:
    """name -> names it depends on, of every type or only ``types`` (see
    :meth:`Workspace.dependency_links`). Every Service, System and Supplier is a node, and so is
    each Site, Team or Contact something depends on. Names no valid document holds are left out.
    Built once per workspace and set of types, and shared: callers must not change it."""

    def build() -> dict[str, list[str]]:
        graph: dict[str, list[str]] = {}
        for name, links in typed_edges(workspace).items():
            graph[name] = [target for target, kind in links if types is None or kind in types]
        for targets in list(graph.values()):
            for target in targets:
                graph.setdefault(target, [])
        return graph

    key = ("edges", None if types is None else frozenset(types))
    return workspace.memo(key, build)


def typed_edges(workspace: Workspace) -> dict[str, list[tuple[str, str]]]:
    """name -> (name depended on, dependency type) for every Service, System and Supplier, in
    the order written; only names of valid documents of the kinds it may depend on. What every
    :func:`edges` graph is filtered from: the links are read once per workspace."""

    def build() -> dict[str, list[tuple[str, str]]]:
        found: dict[str, list[tuple[str, str]]] = {}
        by_name = workspace.by_name
        for doc in workspace.valid(GRAPH_KINDS):
            assert doc.name is not None
            if by_name.get(doc.name) is not doc:
                continue  # a duplicate: the first document with the name stands for it
            allowed = DEPENDENCY_KINDS.get(doc.kind or "", ())
            found[doc.name] = [
                (link.name, link.type) for link in workspace.dependency_links(doc) if workspace.get(link.name, allowed)
            ]
        return found

    return workspace.memo(("typed-edges",), build)


def subgraph_below(graph: dict[str, list[str]], starts: Iterable[str]) -> dict[str, list[str]]:
    """``graph`` restricted to ``starts`` (those in it) and everything they reach. Nothing a
    kept node reaches is left out, so its components, and every answer about it that depends
    only on what is below it (the longest objective, the rules failing below), are those of the
    whole graph: what a narrowed run computes for the documents in focus alone."""
    return {name: graph[name] for name in reachable([s for s in starts if s in graph], graph.__getitem__)}


def reversed_edges(graph: dict[str, list[str]]) -> dict[str, list[str]]:
    """name -> names that depend on it (every node present, in the graph's order)."""
    reverse: dict[str, list[str]] = {name: [] for name in graph}
    for source, targets in graph.items():
        for target in targets:
            reverse.setdefault(target, []).append(source)
    return reverse


def strongly_connected_components(graph: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's components, each listed after every component it can reach (dependencies first).

    Iterative, so a long chain cannot exhaust the stack; linear in nodes + edges.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, child_i = work.pop()
            if child_i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            children = graph.get(node, [])
            if child_i < len(children):
                work.append((node, child_i + 1))
                child = children[child_i]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return components


def reachable_sets(graph: dict[str, list[str]], own: dict[str, frozenset[T]]) -> dict[str, frozenset[T]]:
    """For every node, the union of ``own`` over itself and everything it reaches.

    One pass over the components, dependencies first: linear in the graph when the sets are
    small (a handful of hosting locations, say), instead of one walk per question.
    """
    result: dict[str, frozenset[T]] = {}
    for component in strongly_connected_components(graph):
        members = set(component)
        gathered: set[T] = set()
        for member in component:
            gathered |= own.get(member, frozenset())
            for child in graph[member]:
                if child not in members:
                    gathered |= result[child]
        frozen = frozenset(gathered)
        for member in component:
            result[member] = frozen
    return result


def least_reaching(graph: dict[str, list[str]], sources: Collection[str]) -> dict[str, str]:
    """name -> the least (alphabetically) of ``sources`` that is the name or reaches it, for every
    name some source reaches (a source outside the graph reaches only itself).

    One pass over the components of the reversed graph, dependents first: linear in the graph,
    where a walk from each source is quadratic when many sources reach much of it.
    """
    reverse = reversed_edges(graph)
    result: dict[str, str] = {}
    for component in strongly_connected_components(reverse):
        members = set(component)
        found = {member for member in component if member in sources}
        found.update(
            result[parent]
            for member in component
            for parent in reverse[member]
            if parent not in members and parent in result
        )
        if found:
            least = min(found)
            for member in component:
                result[member] = least
    for source in sources:
        if source not in graph:
            result[source] = source
    return result


def cyclic_components(graph: dict[str, list[str]]) -> list[list[str]]:
    """The strongly connected components that hold a cycle (several members, or a self-loop)."""
    return [
        component
        for component in strongly_connected_components(graph)
        if len(component) > 1 or component[0] in graph.get(component[0], [])
    ]


def find_cycles(workspace: Workspace, within: Iterable[str] | None = None) -> list[list[str]]:
    """One cycle per strongly connected component that has one, starting at its smallest name.
    ``within``: only the cycles among what these names reach (a cycle through a name lies
    entirely within what it reaches), for a narrowed run."""
    graph = edges(workspace)
    if within is not None:
        graph = subgraph_below(graph, within)
    return [_cycle_in(graph, component) for component in cyclic_components(graph)]


def path_within(graph: dict[str, list[str]], members: set[str], start: str, goal: str) -> tuple[str, ...]:
    """Shortest path from ``start`` to ``goal`` inside ``members``: the nodes after ``start``, ``goal``
    included. ``goal`` may be ``start`` itself: then it is the shortest cycle through it."""
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        next_frontier = []
        for node in frontier:
            for child in graph[node]:
                if child not in members:
                    continue
                if child == goal:
                    path, walker = [goal], node
                    while walker != start:
                        path.append(walker)
                        walker = previous[walker]
                    return tuple(reversed(path))
                if child != start and child not in previous:
                    previous[child] = node
                    next_frontier.append(child)
        frontier = next_frontier
    return ()


def _cycle_in(graph: dict[str, list[str]], component: list[str]) -> list[str]:
    """A concrete cycle through the component's smallest name, starting there."""
    start = min(component)
    return [start, *path_within(graph, set(component), start, start)[:-1]]


def reachable(starts: Iterable[N], neighbours: Callable[[N], Iterable[N]], seen: set[N] | None = None) -> list[N]:
    """``starts`` and everything reachable from them, each once, in the order first reached
    (depth first, without recursion: a long chain cannot exhaust the stack). With ``seen``, the
    nodes in it are not visited again and the nodes visited are added to it, so several walks
    sharing one set are linear together."""
    seen = set() if seen is None else seen
    found: list[N] = []
    stack = list(reversed(list(starts)))
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        found.append(node)
        stack.extend(reversed(list(neighbours(node))))
    return found


def relied_on(workspace: Workspace, names: Iterable[str]) -> list[Document]:
    """The valid documents named and everything they depend on, transitively."""
    docs = (workspace.get(name) for name in reachable(names, lambda name: _dependencies_of(workspace, name)))
    return [doc for doc in docs if doc is not None]


def _dependencies_of(workspace: Workspace, name: str) -> list[str]:
    doc = workspace.get(name)
    return workspace.dependencies(doc) if doc is not None else []


def around(graph: dict[str, list[str]], focus: str) -> set[str]:
    """``focus``, everything it depends on and everything that depends on it."""
    reverse = reversed_edges(graph)
    return {*reachable([focus], lambda n: graph.get(n, [])), *reachable([focus], lambda n: reverse.get(n, []))}


@dataclass(frozen=True)
class Longest:
    """The dependency with the longest duration below a node, and the path to it."""

    value: Duration
    name: str
    path: tuple[str, ...]  # from the first hop to ``name``


def longest_below(graph: dict[str, list[str]], values: Mapping[str, Duration | None]) -> dict[str, Longest]:
    """For every node, the longest of ``values`` reachable through its dependencies (itself
    excluded), and a shortest path to it; nodes that reach no value are left out.

    Components of the graph are handled dependencies first. Inside a cycle every member
    reaches every other, so they share one answer, reached through the member whose edge
    leads to it. Linear in the graph, plus a breadth-first walk inside each (small) cycle.
    """
    result: dict[str, Longest] = {}
    for component in strongly_connected_components(graph):
        members = set(component)
        best: tuple[Longest, str] | None = None  # the worst candidate and the member it leaves from
        for member in sorted(component):
            for candidate in _candidates(graph[member], values, result, members):
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
            result[member] = Longest(worst.value, worst.name, (*lead, *worst.path))
    return result


def _candidates(
    children: list[str], values: Mapping[str, Duration | None], result: dict[str, Longest], members: set[str]
) -> list[Longest]:
    found = []
    for child in children:
        own = values.get(child)
        if own is not None:
            found.append(Longest(own, child, (child,)))
        below = result.get(child) if child not in members else None
        if below is not None:
            found.append(Longest(below.value, below.name, (child, *below.path)))
    return found


def _longer(a: Longest, b: Longest) -> bool:
    """Longer first; on a tie the shorter path, then the smaller name, for stable output."""
    return (-a.value.seconds, len(a.path), a.name) < (-b.value.seconds, len(b.path), b.name)
