"""What a change to some files touches: the documents whose findings it may change.

A narrowed run (``--staged``, ``--changed-since``, one file named) judges these and reports
their findings; everything else is left as it was.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from bcplint.workspace.documents import Document, Workspace, references
from bcplint.workspace.graph import LEAF_KINDS, edges, reachable
from bcplint.workspace.objectives import COUNTED_TYPES, objective_graph, states


def affected(workspace: Workspace, changed: Collection[str], removed: Collection[str] = ()) -> list[Document]:
    """The documents in the ``changed`` files (report paths) or referring to a ``removed`` name
    that no document holds any more; what depends on them (transitively) and the plans covering
    any of those; and below them, what takes something from them: the Systems their objectives
    flow down to, the Sites and the people they rely on (whether a Site needs an alternate,
    how much rests on one person, depend on what relies on them)."""
    dependents: dict[str, list[Document]] = {}
    for doc in workspace.valid():
        for name in workspace.dependencies(doc):
            dependents.setdefault(name, []).append(doc)
    covering = workspace.referrers("Plan", "covers")
    gone = set(removed) - set(workspace.by_name)
    starts = [doc for doc in workspace.docs if doc.path in changed]
    if gone:
        starts += [doc for doc in workspace.valid() if any(ref.target in gone for ref in references(doc))]

    def touched_by(doc: Document) -> list[Document]:
        return [*dependents.get(doc.name, []), *covering.get(doc.name, [])] if doc.name is not None else []

    above = reachable(starts, touched_by)
    return list(dict.fromkeys([*above, *_below(workspace, [doc.name for doc in starts if doc.name])]))


def _below(workspace: Workspace, names: Iterable[str]) -> list[Document]:
    """What the named documents pass something down to: Systems that inherit an objective through
    them, and the Sites, Teams and Contacts they rely on, directly or through their Systems."""
    found: list[Document] = []
    names = list(names)
    for objective in COUNTED_TYPES:
        graph = objective_graph(workspace, objective)

        def inheritors(name: str, graph: dict[str, list[str]] = graph, objective: str = objective) -> list[str]:
            return [child for child in graph.get(name, []) if not states(workspace.by_name[child], objective)]

        found += [workspace.by_name[n] for n in reachable(names, inheritors) if n not in names]
    everything = edges(workspace)
    for name in reachable(names, lambda n: everything.get(n, [])):
        doc = workspace.by_name.get(name)
        if doc is not None and doc.kind in LEAF_KINDS:
            found.append(doc)
    return found
