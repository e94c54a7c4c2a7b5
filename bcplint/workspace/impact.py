"""What a change to some files touches: the documents whose findings it may change.

A narrowed run (``--staged``, ``--changed-since``, one file named) judges these and reports
their findings; everything else is left as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable

from bcplint.workspace.documents import Document, Workspace, referred_names
from bcplint.workspace.graph import LEAF_KINDS, edges, reachable
from bcplint.workspace.objectives import INHERITING_KINDS, objective_graph, own_objective


def affected(
    workspace: Workspace,
    changed: Collection[str],
    removed: Collection[str] = (),
    referred_before: Collection[str] = (),
) -> list[Document]:
    """The documents whose findings a change to the ``changed`` files (report paths) may change.

    - the documents in those files, and those referring to a ``removed`` name no document holds
      any more (a deletion or a rename);
    - everything that refers to any of them, transitively, through any reference: what depends
      on them, the plans covering them, the owner of a team whose member changed, a Site whose
      alternate moved, the waivers naming them;
    - below them, what takes something from them: the Systems without an objective of their own
      that objectives flow down to, and the Sites, Teams and Contacts they rely on, also through
      their Systems;
    - the same below what their previous versions depended on (``referred_before``), those
      included: a dependency dropped or retyped stops passing an objective down.
    """
    referrers: dict[str, list[Document]] = workspace.memo(("referrers", "any"), lambda: _referrers(workspace))
    gone = set(removed) - set(workspace.by_name)
    starts = [doc for doc in workspace.docs if doc.path in changed]
    starts += [doc for name in sorted(gone) for doc in referrers.get(name, [])]
    above = reachable(starts, lambda doc: referrers.get(doc.name, []) if doc.name is not None else [])
    names = [doc.name for doc in starts if doc.name is not None]
    below = _below(workspace, [*names, *sorted(set(referred_before))])
    return list(dict.fromkeys([*above, *below]))


def _referrers(workspace: Workspace) -> dict[str, list[Document]]:
    """name -> the valid documents that refer to it, through any reference."""
    index: dict[str, list[Document]] = {}
    for doc in workspace.valid():
        for name in dict.fromkeys(referred_names(doc)):
            index.setdefault(name, []).append(doc)
    return index


def _children(graph: dict[str, list[str]]) -> Callable[[str], list[str]]:
    return lambda name: graph.get(name, [])


def _below(workspace: Workspace, names: Iterable[str]) -> list[Document]:
    """What the named documents pass something down to: the Systems below them, along the
    dependency types that carry an objective, that have none of their own (the strictest one
    above flows down, through Systems that state theirs too), and the Sites, Teams and Contacts
    they rely on, directly or through their Systems."""
    starts = [name for name in names if name in workspace.by_name]
    found: list[str] = []
    for objective in ("rto", "rpo"):
        for name in reachable(starts, _children(objective_graph(workspace, objective))):
            doc = workspace.by_name[name]
            if doc.kind in INHERITING_KINDS and own_objective(doc, objective) is None:
                found.append(name)
    everything = edges(workspace)
    found += [n for n in reachable(starts, lambda n: everything.get(n, [])) if workspace.by_name[n].kind in LEAF_KINDS]
    return [workspace.by_name[name] for name in dict.fromkeys(found)]
