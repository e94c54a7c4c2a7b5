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
    if failover is None:
        reason = "has no failover"
    elif failover.strategy == "none":
        reason = "has failover strategy 'none'"
    elif failover.target is None:
        reason = f"has a {failover.strategy} failover with no target location"
    elif failover.target.region is None or (system.hosting is not None and system.hosting.region is None):
        reason = f"fails over within {failover.target.provider} without naming a different region"
    else:
        reason = "fails over to the same provider and region it runs in"
    yield Hit(
        doc=doc, field=("failover",) if failover else (), outcome="single", detail=reason + _zones(system.hosting)
    )


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

    Fails with outcome ``missing`` (no ``alternate``) or ``same_location`` (the alternate's
    ``location`` is the Site's own, compared case-insensitively; unknown locations are not
    compared). Services whose criticality is unassessed count as critical; Sites and Services
    out of scope are skipped. One finding per Site, naming the first critical Service (by
    name) that relies on it.
    """
    workspace = ctx.workspace
    if not any(workspace.valid(("Site",))):
        return
    critical = {
        doc.name or ""
        for doc in workspace.valid(("Service",))
        if isinstance(doc.model, Service) and doc.model.criticality in CRITICAL and not workspace.excluded(doc)
    }
    # One pass, not a walk per critical Service: those were quadratic in the graph.
    relying = least_reaching(edges(workspace), critical)
    for doc in workspace.valid(("Site",)):
        site = doc.model
        if not isinstance(site, Site) or doc.name not in relying or workspace.excluded(doc):
            continue
        service = relying[doc.name]
        values = {"service": service}
        if site.alternate is None:
            yield Hit(doc=doc, field=(), outcome="missing", detail="has no alternate", values=values)
            continue
        other = workspace.get(site.alternate, ("Site",))
        alternate = other.model if other is not None else None
        if other is doc:
            yield Hit(
                doc=doc,
                field=("alternate",),
                outcome="same_location",
                detail="names itself as its alternate",
                values={**values, "alternate": site.alternate},
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
                values={**values, "alternate": site.alternate, "location": site.location},
            )


def _same(a: str, b: str) -> bool:
    return " ".join(a.lower().split()) == " ".join(b.lower().split())
