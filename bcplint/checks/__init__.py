"""The built-in check functions rule packs can name, and only these: a pack cannot run code.

Document checks are called once per selected document with the rule's ``field``; workspace
checks once per run, and pick their documents themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from bcplint.checks import (
    continuity,
    exemptions,
    fields,
    objectives,
    people,
    places,
    plans,
    scope,
    structure,
    tolerance,
    values,
)
from bcplint.checks.base import CheckFunction, Hit, NoParams, Params


def _document(
    name: str,
    function: Callable[..., Iterator[Hit]],
    params: type[Params] = NoParams,
    needs: frozenset[str] = frozenset(),
) -> CheckFunction:
    return CheckFunction(name=name, params=params, scope="document", function=function, needs=needs)


def _workspace(
    name: str,
    function: Callable[..., Iterator[Hit]],
    params: type[Params] = NoParams,
    subjects: tuple[str, ...] | None = None,
    *,
    judges_excluded: bool = False,
) -> CheckFunction:
    return CheckFunction(
        name=name,
        params=params,
        scope="workspace",
        function=function,
        subjects=subjects,
        judges_excluded=judges_excluded,
    )


def _after_rules(name: str, function: Callable[..., Iterator[Hit]], *, baselinable: bool = True) -> CheckFunction:
    """A check on waivers, suppressions and baseline entries, run once every other rule has."""
    return CheckFunction(
        name=name,
        params=NoParams,
        scope="exemption",
        function=function,
        subjects=("Waiver",),
        baselinable=baselinable,
    )


_ALL: list[CheckFunction] = [
    # one field
    _document("defined", fields.defined),
    _document("truthy", fields.truthy),
    _document("pattern", fields.pattern, fields.PatternParams),
    _document("enum", fields.enum, fields.EnumParams),
    _document("max_age", fields.max_age, fields.MaxAgeParams),
    _document("count_min", fields.count_min, fields.CountParams),
    _document("duration_max", fields.duration_max, fields.DurationMaxParams),
    # values compared
    _document("compare", values.compare, values.CompareParams),
    _document("defined_any", values.defined_any, values.DefinedAnyParams),
    _document("not_future", values.not_future),
    _document("schema", values.schema, values.SchemaParams),
    # continuity arrangements
    _document("owner_deputy", people.owner_deputy),
    _document("backup_offsite", continuity.backup_offsite),
    _document("backup_frequency_known", continuity.backup_frequency_known),
    _document("channel_independence", continuity.channel_independence),
    _document("status_page_independence", continuity.status_page_independence),
    _document("exercise_recency", continuity.exercise_recency, continuity.RecencyParams),
    _document("overdue_findings", continuity.overdue_findings),
    _document("exercise_within_rto", continuity.exercise_within_rto),
    _document("exercise_within_rpo", continuity.exercise_within_rpo),
    _document("restore_evidence", continuity.restore_evidence, continuity.RestoreParams),
    _document("plan_procedures", plans.plan_procedures),
    _document("notification_deadlines", plans.notification_deadlines),
    _document("failover_elsewhere", places.failover_elsewhere),
    _document("single_zone", places.single_zone),
    # objectives, scope and tolerances
    _document("objective_defined", objectives.objective_defined),
    _document("capability_meets_target", objectives.capability_meets_target),
    _document("rto_within_mtpd", objectives.rto_within_mtpd),
    _document("excluded_dependency", scope.excluded_dependency),
    _document("within_impact_tolerance", tolerance.within_impact_tolerance),
    _document("changed_after_review", continuity.changed_after_review, needs=frozenset({"history"})),
    # the whole workspace
    # The structure of the documents is judged out of scope too: a broken file is broken.
    _workspace("parse_error", structure.parse_error, subjects=("file",), judges_excluded=True),
    _workspace("schema_violation", structure.schema_violation, judges_excluded=True),
    _workspace("unknown_reference", structure.unknown_reference, judges_excluded=True),
    _workspace("duplicate_name", structure.duplicate_name, judges_excluded=True),
    _workspace(
        "dependency_cycle", structure.dependency_cycle, subjects=("Service", "System", "Supplier"), judges_excluded=True
    ),
    _workspace(
        "dependency_objective", objectives.dependency_objective, objectives.ObjectiveParams, ("Service", "System")
    ),
    _workspace("contact_reachable", people.contact_reachable, people.ReachableParams, ("Contact", "Team")),
    _workspace("contact_verified", people.contact_verified, people.VerifiedParams, ("Contact",)),
    _workspace("key_person", people.key_person, people.KeyPersonParams, ("Contact",)),
    _workspace("site_alternate", places.site_alternate, subjects=("Site",)),
    # after every other rule, on the waivers, suppressions and baseline entries
    _after_rules("waiver_expired", exemptions.waiver_expired),
    # An unused exemption is no gap to accept: the fix is to delete it.
    _after_rules("waiver_unused", exemptions.waiver_unused, baselinable=False),
    _after_rules("waiver_invalid", exemptions.waiver_invalid),
    _after_rules("waiver_review_due", exemptions.waiver_review_due),
]

CHECKS: dict[str, CheckFunction] = {check.name: check for check in _ALL}

__all__ = ["CHECKS", "CheckFunction", "Params"]
