"""Checks of where things run and where people work: regions, zones, sites and their alternates."""

from __future__ import annotations

from collections.abc import Iterator

from bcplint.checks.base import Context, Hit, NoParams
from bcplint.checks.continuity import CRITICAL, elsewhere
from bcplint.model.kinds import Service, Site, System
from bcplint.model.types import HostLocation
from bcplint.workspace.documents import Document
from bcplint.workspace.graph import edges, least_reaching


def failover_elsewhere(ctx: Context, doc: Document, field: str, params: NoParams) -> Iterator[Hit]:
    """The System can fail over to another region or provider than the one it runs in.

    Hosted on aws/us-east-1: ``failover: {strategy: warm-standby, target: {provider: aws,
    region: us-west-2}}`` passes; no failover, ``strategy: none``, no target or a target in
    the same place fails (outcome ``single``). Where the hosting names its zones, the message
    tells a System in one zone from one spread over several zones of its region.
    """
    system = doc.model
    if not isinstance(system, System):
        return
    failover = system.failover
    if (
        failover is not None
        and failover.strategy != "none"
        and failover.target is not None
        and (system.hosting is None or elsewhere(failover.target, system.hosting))
    ):
        return
    if failover is None or failover.strategy == "none":
        reason = "has no failover" if failover is None else "has failover strategy 'none'"
        reason += _zones(system.hosting)  # what the zones it runs in do and do not survive
    elif failover.target is None:
        reason = f"has a {failover.strategy} failover with no target location"
    elif failover.target.region is None or (system.hosting is not None and system.hosting.region is None):
        reason = f"fails over within {failover.target.provider} without naming a different region"
    elif system.hosting is not None and failover.target.zone_names() not in ((), system.hosting.zone_names()):
        zones = ", ".join(failover.target.zone_names())
        reason = (
            f"fails over only to another zone of {failover.target.region} ({zones}): it survives a zone outage, "
            "not the loss of the region"
        )
    else:
        reason = "fails over to the same provider and region it runs in"
    yield Hit(doc=doc, field=("failover",) if failover else (), outcome="single", detail=reason)


def _zones(hosting: HostLocation | None) -> str:
    """What the zones named say about surviving a region's loss: nothing when none are named."""
    zones = hosting.zone_names() if hosting is not None else ()
    region = f" of {hosting.region}" if hosting is not None and hosting.region else ""
    if len(zones) > 1:
        return f" (it runs in {len(zones)} zones{region}: it survives a zone outage, not the loss of the region)"
    if len(zones) == 1:
        return f" (it runs in one zone, {zones[0]}: a zone outage stops it too)"
    return ""


def single_zone(ctx: Context, doc: Document, field: str, params: NoParams) -> Iterator[Hit]:
    """A System that names a single zone has a failover out of it.

    ``hosting: {provider: gcp, region: us-central1, zone: us-central1-b}`` with no failover, or
    with strategy ``none``, or failing over into that same zone, fails (outcome ``single``);
    naming several ``zones``, or a failover to another zone, region or provider, passes. A
    System whose zones are not written says nothing here (single-region judges it).
    """
    system = doc.model
    if not isinstance(system, System) or system.hosting is None:
        return
    zones = system.hosting.zone_names()
    if len(zones) != 1:
        return
    failover = system.failover
    if failover is not None and failover.strategy != "none":
        goal = failover.target
        if goal is None or elsewhere(goal, system.hosting) or goal.zone_names() != zones:
            return
        reason = "fails over into the same zone"
    else:
        reason = "has no failover" if failover is None else "has failover strategy 'none'"
    yield Hit(
        doc=doc,
        field=("hosting", "zone") if system.hosting.zone is not None else ("hosting", "zones", 0),
        outcome="single",
        detail=f"runs in one zone, {zones[0]}, and {reason}: losing the zone stops it",
        values={"zone": zones[0], "reason": reason},
    )


def site_alternate(ctx: Context, params: NoParams) -> Iterator[Hit]:
    """Every Site a critical Service relies on, directly or through its Systems, has an
    alternate Site somewhere else (ISO 22301:2019 8.3.4: buildings, workplaces and facilities).

    Fails with outcome ``missing`` (no ``alternate``), ``same_location`` (the alternate is the
    Site itself, or its ``location`` is the Site's own, compared case-insensitively; unknown
    locations are not compared) or ``excluded`` (the alternate is out of continuity scope).
    Services whose criticality is unassessed count as critical, and the message says so; Sites
    and Services out of scope are skipped. One finding per Site, naming the first such Service
    (by name) that relies on it. One walk over the graph for all services together.
    """
    workspace = ctx.workspace
    if not any(workspace.valid(("Site",))):
        return  # nothing to walk for
    critical: dict[str, Document] = {}
    for doc in workspace.valid(("Service",)):
        if isinstance(doc.model, Service) and doc.model.criticality in CRITICAL and not workspace.excluded(doc):
            critical.setdefault(doc.name or "", doc)  # a name held twice keeps its first document
    # One pass over the graph, not a walk per critical Service (quadratic in the graph).
    relying = {name: critical[source] for name, source in least_reaching(edges(workspace), critical).items()}
    for doc in workspace.valid(("Site",)):
        site = doc.model
        if not isinstance(site, Site) or doc.name not in relying or workspace.excluded(doc):
            continue
        service = relying[doc.name]
        shown = "critical" if getattr(service.model, "criticality", None) else "of unassessed criticality"
        values = {"service": service.name or "", "relied_by": f"Service '{service.name}' ({shown})"}
        if site.alternate is None:
            yield Hit(doc=doc, field=(), outcome="missing", detail="has no alternate", values=values)
            continue
        other = workspace.get(site.alternate, ("Site",))
        alternate = other.model if other is not None else None
        values["alternate"] = site.alternate
        if other is doc:
            yield Hit(
                doc=doc,
                field=("alternate",),
                outcome="same_location",
                detail="names itself as its alternate",
                values=values,
            )
        elif other is not None and workspace.excluded(other):
            reason = alternate.out_of_scope.reason if isinstance(alternate, Site) and alternate.out_of_scope else ""
            yield Hit(
                doc=doc,
                field=("alternate",),
                outcome="excluded",
                detail=f"has alternate '{site.alternate}', which is out of continuity scope ({reason})",
                values=values,
            )
        elif (
            isinstance(alternate, Site)
            and site.location
            and alternate.location
            and _same(site.location, alternate.location)
        ):
            yield Hit(
                doc=doc,
                field=("alternate",),
                outcome="same_location",
                detail=f"has alternate '{site.alternate}' at the same location ({site.location})",
                values={**values, "location": site.location},
            )


def _same(a: str, b: str) -> bool:
    return " ".join(a.lower().split()) == " ".join(b.lower().split())
