"""Impact tolerances: an important business service, and everything it needs, recovers within them.

UK operational resilience (FCA SYSC 15A.2) asks firms to set an impact tolerance for each
important business service and to be able to remain within it; APRA CPS 230 calls the same
limits tolerance levels for critical operations.
"""

from __future__ import annotations

from collections.abc import Iterator

from bcplint.checks.base import Context, Hit, NoParams
from bcplint.checks.objectives import objective_text
from bcplint.model.kinds import Service
from bcplint.model.validate import FieldPath
from bcplint.workspace.documents import Document, Workspace
from bcplint.workspace.graph import Longest, longest_below
from bcplint.workspace.objectives import Target, objective_graph, targets


def within_impact_tolerance(ctx: Context, doc: Document, field: str, params: NoParams) -> Iterator[Hit]:
    """An important Service has an impact tolerance, and its targets fit in it.

    Fails with outcome ``missing`` when ``important: true`` and no ``impact_tolerance``;
    ``duration`` when an RTO target of the service, or of anything it needs for its RTO,
    plus the service's own ``wrt`` (work recovery starts once the systems are back), is longer
    than ``max_duration``; ``data_loss`` when an RPO target of the service or of what holds its
    data is longer than ``max_data_loss``. Every scenario's target counts: the tolerance is for
    severe but plausible disruptions, whichever they are. One finding per limit, for the worst.
    Linear in the graph for all services together (one walk per objective, shared).
    """
    service = doc.model
    workspace = ctx.workspace
    if not isinstance(service, Service) or not service.important or workspace.by_name.get(doc.name or "") is not doc:
        return  # a second document with the name is BCP004's
    tolerance = service.impact_tolerance
    if tolerance is None:
        yield Hit(
            doc=doc,
            field=("important",),
            outcome="missing",
            detail="is an important business service but has no impact tolerance",
        )
        return
    wrt = service.wrt.seconds if service.wrt is not None else 0
    limits = (
        ("rto", tolerance.max_duration, wrt, "duration", "disruption"),
        ("rpo", tolerance.max_data_loss, 0, "data_loss", "data loss"),
    )
    for objective, limit, extra, outcome, words in limits:
        if limit is None:
            continue
        own = max(targets(doc, objective), key=lambda found: found.value.seconds, default=None)
        below = _longest_below(workspace, objective).get(doc.name or "")
        label = objective.upper()
        where: FieldPath
        if below is not None and (own is None or below.value.seconds > own.value.seconds):
            if below.value.seconds + extra <= limit.seconds:
                continue
            value = objective_text(below.value, _longest_targets(workspace, objective)[below.name].scenario)
            via = f" via {', '.join(repr(n) for n in below.path[:-1])}" if len(below.path) > 1 else ""
            breach = f"it depends on '{below.name}' ({label} {value}){via}"
            where = ("depends_on", workspace.dependencies(doc).index(below.path[0]))
            holder = below.name
        elif own is not None and own.value.seconds + extra > limit.seconds:
            value = objective_text(own.value, own.scenario)
            breach = f"its own {label} is {value}"
            where = own.field
            holder = doc.name or ""
        else:
            continue
        if extra:
            breach += f", and its work recovery takes {service.wrt} more"
        yield Hit(
            doc=doc,
            field=where,
            outcome=outcome,
            detail=f"is an important business service with a maximum tolerable {words} of {limit}, but {breach}",
            values={"tolerance": str(limit), "value": value, "dependency": holder},
        )


def _longest_targets(workspace: Workspace, objective: str) -> dict[str, Target]:
    """name -> the longest target of ``objective`` each document in the graph states, any scenario."""

    def build() -> dict[str, Target]:
        found = {}
        for name in objective_graph(workspace, objective):
            stated = targets(workspace.by_name[name], objective)
            if stated:
                found[name] = max(stated, key=lambda target: target.value.seconds)
        return found

    return workspace.memo(("longest-targets", objective), build)


def _longest_below(workspace: Workspace, objective: str) -> dict[str, Longest]:
    """name -> the longest target anything below it states, and the path there (one walk)."""

    def build() -> dict[str, Longest]:
        longest = {name: target.value for name, target in _longest_targets(workspace, objective).items()}
        return longest_below(objective_graph(workspace, objective), longest)

    return workspace.memo(("longest-below", objective), build)
