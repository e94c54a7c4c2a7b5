"""Checks of continuity arrangements: backups, channels, failover, exercises."""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Iterator, Mapping
from typing import Any, Literal

from pydantic import Field

from bcplint.checks.base import Context, Hit, NoParams, Params
from bcplint.checks.objectives import inherited_wording
from bcplint.checks.providers import known_provider
from bcplint.findings import plural
from bcplint.model.kinds import Channel, Exercise, Plan, System
from bcplint.model.types import Duration, HostLocation
from bcplint.workspace.documents import Document, Workspace
from bcplint.workspace.graph import edges, reachable_sets, relied_on, reversed_edges, strongly_connected_components

Place = tuple[str, str | None]  # HostLocation.key(): provider and region, lower-cased
# Criticalities a "critical" judgement applies to: a System whose criticality was never assessed
# is treated as critical until it is (criticality-assessed reports the gap itself).
CRITICAL = ("critical", None)


def elsewhere(a: HostLocation, b: HostLocation) -> bool:
    """True when ``a`` is surely not where ``b`` is: another provider, or another known region."""
    return _apart(a.key(), b.key())


def _apart(a: Place, b: Place) -> bool:
    (provider_a, region_a), (provider_b, region_b) = a, b
    return provider_a != provider_b or (region_a is not None and region_b is not None and region_a != region_b)


def backup_offsite(ctx: Context, doc: Document, field: str, params: NoParams) -> Iterator[Hit]:
    """At least one backup lives with another provider, or in another region, than the System.

    Hosted on aws/us-east-1: a backup in aws/us-west-2 passes; only aws/us-east-1 copies fail
    (outcome ``onsite``), and so do backups whose location is not written (outcome
    ``unknown``: no copy can be shown to be elsewhere). Silent without hosting or backups.
    """
    system = doc.model
    if not isinstance(system, System) or system.hosting is None or not system.backups:
        return
    hosting = system.hosting
    if any(b.location is not None and elsewhere(b.location, hosting) for b in system.backups):
        return
    where = f"{hosting.provider}/{hosting.region}" if hosting.region else hosting.provider
    unplaced = [b.name for b in system.backups if b.location is None]
    if unplaced:
        yield Hit(
            doc=doc,
            field=("backups",),
            outcome="unknown",
            detail=f"does not say where backup{'s' if len(unplaced) > 1 else ''} "
            f"{', '.join(repr(n) for n in unplaced)} {'are' if len(unplaced) > 1 else 'is'} kept, so no copy can "
            f"be shown to be away from {where}",
            values={"hosting": where, "items": ", ".join(unplaced)},
        )
    else:
        yield Hit(
            doc=doc,
            field=("backups",),
            outcome="onsite",
            detail=f"keeps every backup copy where it runs ({where})",
            values={"hosting": where},
        )


def backup_frequency_known(ctx: Context, doc: Document, field: str, params: NoParams) -> Iterator[Hit]:
    """A System that has backups and an RPO (stated or inherited) says how often at least one runs.

    With ``rpo: 1h``: ``backups: [{name: nightly}]`` fails (outcome ``unknown``: the RPO cannot
    be shown to be met); a backup with ``frequency: 1h`` passes, and so does a System without
    an RPO or without backups (other rules report those).
    """
    system = doc.model
    if not isinstance(system, System) or not system.backups or any(b.frequency for b in system.backups):
        return
    rpo, text = inherited_wording(ctx.workspace, doc, "rpo")
    if rpo is not None:
        yield Hit(
            doc=doc,
            field=("backups",),
            outcome="unknown",
            detail=f"has an RPO of {text} but none of its backups says how often it runs",
            values={"other": text},
        )


def channel_independence(ctx: Context, doc: Document, field: str, params: NoParams) -> Iterator[Hit]:
    """No secondary internal channel shares a provider with a primary one (case-insensitive).

    Primary ``slack``: a ``phone`` secondary with provider ``carrier`` passes; a ``slack``
    huddle as secondary fails (outcome ``shared``). Silent without both kinds of channel.
    A provider that is not known (absent, or a placeholder such as ``unspecified`` or ``TBD``,
    see :mod:`bcplint.checks.providers`) is never taken for another: two unknowns are not one
    provider. But independence it cannot show either: a secondary channel whose provider, or a
    primary one's, is unknown fails with outcome ``unknown``, once per secondary channel.
    """
    plan = doc.model
    if not isinstance(plan, Plan) or plan.communication is None:
        return
    internal = plan.communication.internal
    primaries: dict[str, Channel] = {}
    for c in internal:
        key = known_provider(c.provider)
        if c.priority == "primary" and key is not None:
            primaries[key] = c
    unknown_primaries = [
        (i, c) for i, c in enumerate(internal) if c.priority == "primary" and known_provider(c.provider) is None
    ]
    for i, channel in enumerate(internal):
        if channel.priority != "secondary":
            continue
        key = known_provider(channel.provider)
        primary = primaries.get(key) if key is not None else None
        if primary is not None:
            yield Hit(
                doc=doc,
                field=("communication", "internal", i, "provider"),
                outcome="shared",
                detail=f"secondary channel '{channel.name}' runs on {(channel.provider or '').strip()}, "
                f"like primary channel '{primary.name}'",
                values={"channel": channel.name, "primary": primary.name, "provider": channel.provider or ""},
            )
        elif key is None or unknown_primaries:
            if key is None:
                at, detail = (
                    i,
                    (
                        f"secondary channel '{channel.name}' names no provider, so it cannot be shown to stay up "
                        "when the primary channels go down"
                    ),
                )
            else:
                at, primary_channel = unknown_primaries[0]
                detail = (
                    f"primary channel '{primary_channel.name}' names no provider, so secondary channel "
                    f"'{channel.name}' cannot be shown to stay up when it goes down"
                )
            yield Hit(
                doc=doc,
                field=("communication", "internal", at),
                outcome="unknown",
                detail=detail,
                values={"channel": channel.name},
            )


def _covered_critical_systems(workspace: Workspace, plan: Plan) -> list[Document]:
    """Critical Systems the plan's services rely on (all critical Systems if it covers none)."""
    candidates = relied_on(workspace, plan.covers) if plan.covers else list(workspace.valid(("System",)))
    systems = [d for d in candidates if isinstance(d.model, System) and d.model.criticality in CRITICAL]
    return sorted(systems, key=lambda d: d.name or "")


def _critical_places(workspace: Workspace, plan: Plan) -> frozenset[Place]:
    """Where the critical Systems the plan relies on are hosted (see _covered_critical_systems)."""

    def per_document() -> dict[str, frozenset[Place]]:
        own = {
            doc.name: frozenset({doc.model.hosting.key()})
            for doc in workspace.valid(("System",))
            if isinstance(doc.model, System) and doc.model.criticality in CRITICAL and doc.model.hosting and doc.name
        }
        return reachable_sets(edges(workspace), own)

    reachable = workspace.memo("critical-places", per_document)
    if not plan.covers:
        return frozenset().union(*reachable.values()) if reachable else frozenset()
    return frozenset().union(*(reachable.get(name, frozenset()) for name in plan.covers))


def status_page_independence(ctx: Context, doc: Document, field: str, params: NoParams) -> Iterator[Hit]:
    """A status page is not hosted with the provider and region of the critical systems it reports on.

    A status page on ``statuspage-vendor`` passes for systems on aws/us-east-1; one hosted on
    aws/us-east-1 fails (outcome ``shared``). Status pages without ``hosting`` are not judged.
    """
    plan = doc.model
    if not isinstance(plan, Plan) or plan.communication is None:
        return
    pages = [(i, c) for i, c in enumerate(plan.communication.external) if c.type == "status-page" and c.hosting]
    if not pages:
        return
    places = _critical_places(ctx.workspace, plan)
    for i, page in pages:
        assert page.hosting is not None
        if all(_apart(page.hosting.key(), place) for place in places):
            continue  # the common case, decided without walking the plan's dependencies
        systems = _covered_critical_systems(ctx.workspace, plan)
        shared = [
            s
            for s in systems
            if isinstance(s.model, System) and s.model.hosting and not elsewhere(page.hosting, s.model.hosting)
        ]
        if shared:
            names = ", ".join(s.name or "" for s in shared)
            yield Hit(
                doc=doc,
                field=("communication", "external", i, "hosting"),
                outcome="shared",
                detail=f"status page '{page.name}' is hosted alongside the critical systems it reports on "
                f"({names}); it would go down with them",
                values={"channel": page.name, "systems": names},
            )


class RecencyParams(Params):
    days: int = Field(ge=0)
    # The environments whose exercises count; None: any (an exercise that does not say counts too).
    environments: list[Literal["production", "staging", "test", "other"]] | None = None


def exercise_recency(ctx: Context, doc: Document, field: str, params: RecencyParams) -> Iterator[Hit]:
    """The document is in the scope of an Exercise held within ``days`` before the evaluation date.

    With ``days: 365``: an exercise of the service three months ago passes; none, or only one
    two years ago, fails (outcome ``missing`` or ``stale``). Exercises dated after today do not
    count, nor, with ``environments: [production]``, a game day held in staging (or one that
    does not say where it was held).
    """
    exercises = [e.model for e in ctx.workspace.referrers("Exercise", "scope").get(doc.name or "", [])]
    wanted = params.environments
    held = [
        e.date
        for e in exercises
        if isinstance(e, Exercise) and e.date <= ctx.today and (wanted is None or e.environment in wanted)
    ]
    if not held:
        yield Hit(doc=doc, field=(), outcome="missing", detail="has never been exercised", values={"days": params.days})
        return
    last = max(held)
    age = (ctx.today - last).days
    if age > params.days:
        yield Hit(
            doc=doc,
            field=(),
            outcome="stale",
            detail=f"was last exercised on {last.isoformat()}, {age} days ago (limit {params.days})",
            values={"value": last.isoformat(), "age": age, "days": params.days},
        )


def overdue_findings(ctx: Context, doc: Document, field: str, params: NoParams) -> Iterator[Hit]:
    """No open exercise finding is past its due date.

    On 2026-11-23 an open finding due 2026-12-01 passes, one due 2026-11-01 fails (outcome
    ``overdue``); closed findings and findings without a due date are not judged here.
    """
    exercise = doc.model
    if not isinstance(exercise, Exercise):
        return
    for i, finding in enumerate(exercise.findings):
        if finding.status == "open" and finding.due is not None and finding.due < ctx.today:
            days = (ctx.today - finding.due).days
            yield Hit(
                doc=doc,
                field=("findings", i, "due"),
                outcome="overdue",
                detail=f"finding {finding.id} was due on {finding.due.isoformat()} and is still open "
                f"({plural(days, 'day')} late)",
                values={"id": finding.id, "value": finding.due.isoformat(), "days": days},
            )


def exercise_within_rto(ctx: Context, doc: Document, field: str, params: NoParams) -> Iterator[Hit]:
    """Every recovery time measured in an Exercise is within the target's RTO.

    ``recovery_times: {checkout: 90m}`` passes for an RTO of 2h and fails (outcome
    ``exceeded``) for an RTO of 1h. Targets without an RTO are left to BCP201.
    """
    exercise = doc.model
    if isinstance(exercise, Exercise):
        yield from _measured_within(ctx, doc, exercise.recovery_times, "recovery_times", "rto", "recovered")


def exercise_within_rpo(ctx: Context, doc: Document, field: str, params: NoParams) -> Iterator[Hit]:
    """Every data loss measured in an Exercise is within the target's RPO.

    ``data_loss: {orders-db: 5m}`` passes for an RPO of 15m and fails (outcome ``exceeded``)
    for an RPO of 1m. Targets without an RPO are left to BCP202.
    """
    exercise = doc.model
    if isinstance(exercise, Exercise):
        yield from _measured_within(ctx, doc, exercise.data_loss, "data_loss", "rpo", "lost the data of")


def _measured_within(
    ctx: Context, doc: Document, measured: dict[str, Duration], field: str, objective: str, verb: str
) -> Iterator[Hit]:
    for target, value in measured.items():
        limit, limit_text = inherited_wording(ctx.workspace, ctx.workspace.get(target), objective)
        if limit is not None and value.seconds > limit.seconds:
            name = objective.upper()
            yield Hit(
                doc=doc,
                field=(field, target),
                outcome="exceeded",
                detail=f"{verb} '{target}' {'in' if objective == 'rto' else 'for'} {value}, longer than its {name} of "
                f"{limit_text}",
                values={"target": target, "value": str(value), objective: limit_text},
            )


class RestoreParams(Params):
    days: int = Field(ge=0)


def restore_evidence(ctx: Context, doc: Document, field: str, params: RestoreParams) -> Iterator[Hit]:
    """Each backup has been shown to restore within ``days``: a passing restore test, or
    automated restore validation whose last success is that recent (ISO 22301:2019 8.5).

    With ``days: 365`` on 2026-11-23: ``last_restore_test: {date: 2026-10-05, result: pass}``
    passes, and so does ``restore_validation: {frequency: 1d, last_success: 2026-11-22}``.
    Fails with outcome ``missing`` (neither), ``stale`` (the newest evidence is too old),
    ``failed`` (the last restore test failed and no recent validation succeeded) or ``undated``
    (validation runs, but the plan records no date of its last success).
    """
    system = doc.model
    if not isinstance(system, System):
        return
    for i, backup in enumerate(system.backups):
        test, validation = backup.last_restore_test, backup.restore_validation
        values: dict[str, object] = {"item": backup.name, "days": params.days}
        validated = validation.last_success if validation is not None else None
        if validated is not None:
            age = (ctx.today - validated).days
            if age <= params.days:
                continue
            if test is None or validated >= test.date:  # the validation is the newest evidence
                yield Hit(
                    doc=doc,
                    field=("backups", i, "restore_validation", "last_success"),
                    outcome="validation_stale",
                    detail=f"backup '{backup.name}' was last restored by its validation on {validated.isoformat()}, "
                    f"{age} days ago (limit {params.days} days)",
                    values={**values, "value": validated.isoformat(), "age": age},
                )
                continue
        if test is None:
            if validation is not None and validation.last_success is None:
                every = f" every {validation.frequency}" if validation.frequency else ""
                yield Hit(
                    doc=doc,
                    field=("backups", i, "restore_validation"),
                    outcome="undated",
                    detail=f"backup '{backup.name}' is validated by automated restores{every}, but no date "
                    "of their last success is recorded",
                    values=values,
                )
            else:
                yield Hit(
                    doc=doc,
                    field=("backups", i, "last_restore_test", "date"),
                    outcome="missing",
                    detail=f"backup '{backup.name}' has never been restore-tested",
                    values=values,
                )
            continue
        age = (ctx.today - test.date).days
        if age > params.days:
            yield Hit(
                doc=doc,
                field=("backups", i, "last_restore_test", "date"),
                outcome="stale",
                detail=f"backup '{backup.name}' was last restore-tested on {test.date.isoformat()}, {age} days ago "
                f"(limit {params.days} days)",
                values={**values, "value": test.date.isoformat(), "age": age},
            )
        if test.result != "pass":
            yield Hit(
                doc=doc,
                field=("backups", i, "last_restore_test", "result"),
                outcome="failed",
                detail=f"the last restore test of backup '{backup.name}' failed",
                values=values,
            )


def changed_after_review(ctx: Context, doc: Document, field: str, params: NoParams) -> Iterator[Hit]:
    """No file of a document the Plan covers, or of anything those depend on, changed after its review.

    Reviewed on 2026-06-01: a commit to a covered service's file on 2026-05-20 passes; one on
    2026-07-02 fails (outcome ``changed``), once per Plan, naming the latest changed file and
    commit and how many files changed: "was last reviewed on 2026-06-01, but bcp/db.yaml has
    changed since, in commit 1a2b3c4 on 2026-07-02 ('Relax the RTO')". Silent without git
    history (the run says once why) or without a review date (BCP301's business).
    """
    plan = doc.model
    history = ctx.workspace.history
    if not isinstance(plan, Plan) or history is None or plan.reviewed is None or plan.reviewed.on is None:
        return
    reviewed = plan.reviewed.on
    since = _changes_since_review(ctx, history).get(id(plan))
    if since is None:
        return
    # One finding per Plan, naming the latest change: the review is what needs doing, once.
    count, (_, path) = since
    latest = history[path]
    commit = f"commit {latest.short} on {latest.date.isoformat()} ({_subject(latest.subject)!r})"
    if count == 1:
        what = f"{path} has changed since, in {commit}"
    else:
        what = f"{count} files it relies on have changed since; the latest change is to {path}, in {commit}"
    yield Hit(
        doc=doc,
        field=("reviewed", "on"),
        outcome="changed",
        detail=f"was last reviewed on {reviewed.isoformat()}, but {what}",
        values={
            "path": path,
            "count": count,
            "commit": latest.short,
            "date": latest.date.isoformat(),
            "subject": latest.subject,
            "reviewed": reviewed.isoformat(),
        },
    )


def _changes_since_review(ctx: Context, history: Mapping[str, Any]) -> dict[int, tuple[int, tuple[dt.date, str]]]:
    """id(Plan) -> how many files it relies on changed after its review and the latest of those
    changes (date, path), for every Plan in focus with a review and such a change. A Plan relies
    on the files of what it covers and of everything those depend on, transitively, as
    :func:`~bcplint.workspace.graph.relied_on` walks them.

    A walk per Plan was quadratic on the generated organisation (0.22 s at 10,000 documents,
    11.9 s at 100,000). Instead, one pass over the graph, dependents first, gives each name the
    Plans relying on it (the bits of an int, Plan j being bit j), and the changed files, latest
    first, are added up into a binary counter per Plan held as bit planes (plane k holds bit k
    of every Plan's count): each Plan's count is read once the files changed after its review
    are in. Linear in the graph and the files, times the number of Plans over a machine word.
    Kept per workspace, focus and history (a workspace may be checked again with another).
    """
    workspace = ctx.workspace
    kept: dict[int, tuple[Mapping[str, Any], dict[int, tuple[int, tuple[dt.date, str]]]]]
    kept = workspace.memo(("changes-since-review", ctx.focus), dict)
    if id(history) in kept and kept[id(history)][0] is history:
        return kept[id(history)][1]
    plans = [
        d.model
        for d in ctx.in_focus(workspace.valid(("Plan",)))
        if isinstance(d.model, Plan) and d.model.reviewed is not None and d.model.reviewed.on is not None
    ]
    by_file = _plans_relying(workspace, plans)
    changes = sorted(((history[path].date, path) for path in by_file if path in history), reverse=True)
    answers = _count_since_review(plans, changes, by_file)
    kept[id(history)] = (history, answers)
    return answers


def _plans_relying(workspace: Workspace, plans: list[Plan]) -> dict[str, int]:
    """path -> the Plans relying on the file (Plan j is bit j): one pass, dependents first."""
    graph: dict[str, list[str]] = {}  # what relied_on walks: names valid documents hold
    stack = [name for plan in plans for name in plan.covers]
    while stack:
        name = stack.pop()
        doc = workspace.get(name)
        if name in graph or doc is None:
            continue
        graph[name] = [dependency for dependency in workspace.dependencies(doc) if workspace.get(dependency)]
        stack.extend(graph[name])
    covering: dict[str, int] = {}
    for number, plan in enumerate(plans):
        for name in plan.covers:
            covering[name] = covering.get(name, 0) | 1 << number
    reverse = reversed_edges(graph)
    relying: dict[str, int] = {}
    for component in strongly_connected_components(reverse):  # dependents first
        members = set(component)
        bits = 0
        for member in component:
            bits |= covering.get(member, 0)
            bits = functools.reduce(operator.or_, (relying[r] for r in reverse[member] if r not in members), bits)
        for member in component:
            relying[member] = bits
    by_file: dict[str, int] = {}
    for name, bits in relying.items():
        path = workspace.by_name[name].path
        by_file[path] = by_file.get(path, 0) | bits
    return by_file


def _count_since_review(
    plans: list[Plan], changes: list[tuple[dt.date, str]], by_file: dict[str, int]
) -> dict[int, tuple[int, tuple[dt.date, str]]]:
    """The answer of :func:`_changes_since_review` from the changes, latest first."""
    # Latest review first; a Plan's count is read before the first change on or before its review.
    waiting = sorted(range(len(plans)), key=lambda number: _review_day(plans[number]))
    planes: list[int] = []
    answers: dict[int, tuple[int, tuple[dt.date, str]]] = {}
    latest: dict[int, tuple[dt.date, str]] = {}
    seen = 0
    for change in [*changes, None]:
        while waiting and (change is None or _review_day(plans[waiting[-1]]) >= change[0]):
            number = waiting.pop()
            count = sum(((plane >> number) & 1) << k for k, plane in enumerate(planes))
            if count:
                answers[id(plans[number])] = (count, latest[number])
        if change is None:
            break
        bits = by_file[change[1]]
        first = bits & ~seen  # Plans for which this is the latest change they rely on
        while first:
            lowest = first & -first
            latest[lowest.bit_length() - 1] = change
            first ^= lowest
        seen |= bits
        carry, k = bits, 0  # add one to the count of every Plan in bits
        while carry:
            if k == len(planes):
                planes.append(0)
            planes[k], carry = planes[k] ^ carry, planes[k] & carry
            k += 1
    return answers


# Long enough for a commit subject written to git's convention (50, at most 72 characters);
# a longer one is cut, so that a finding stays one readable line.
SUBJECT_LENGTH = 72


def _subject(subject: str) -> str:
    """A commit subject for a message: cut at a word to :data:`SUBJECT_LENGTH` characters, with …"""
    if len(subject) <= SUBJECT_LENGTH:
        return subject
    room = subject[: SUBJECT_LENGTH - 1]
    ends_a_word = subject[len(room)] == " "
    at_word = (room if ends_a_word else room.rsplit(" ", 1)[0]).rstrip(" ,;:")
    # At a word when that keeps most of the room; a very long word is cut where the room ends.
    return (at_word if len(at_word) >= SUBJECT_LENGTH // 2 else room) + "…"


def _review_day(plan: Plan) -> dt.date:
    assert plan.reviewed is not None and plan.reviewed.on is not None  # only those are counted
    return plan.reviewed.on
