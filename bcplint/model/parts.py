"""Objects several kinds share: objectives by scenario, typed dependencies, impact tolerances,
workarounds, and the record that a document is out of continuity scope.

Their meaning for the rules (which dependency types count for which objective, how objectives
flow to components) is in ``bcplint.workspace.objectives``; ``docs/format.md`` shows the shapes.
"""

from __future__ import annotations

import itertools
from typing import Annotated, Literal, get_args

from pydantic import ConfigDict, Field, JsonValue, model_validator

from bcplint.model.refs import PartyRef, ServiceDependencyRef, SystemDependencyRef
from bcplint.model.types import DurationField, Strict, given

Text = Annotated[str, Field(min_length=1)]
PathOrUrl = Annotated[
    str, Field(min_length=1, description="repository path or URL", examples=["docs/runbooks/restore.md"])
]

# --- objectives by scenario --------------------------------------------------------------------

# The kinds of disruption an objective can be set for. AWS Resilience Hub keeps RTO and RPO per
# disruption type (application, infrastructure, availability zone, region); the rest are the
# losses continuity plans are written for (a site, a supplier, a cyber attack, key people).
Scenario = Literal["application", "infrastructure", "zone", "region", "provider", "site", "supplier", "cyber", "people"]
SCENARIOS: tuple[str, ...] = get_args(Scenario)
ObjectiveStatus = Literal["target", "estimate", "measured"]
STATUSES: tuple[str, ...] = get_args(ObjectiveStatus)


def _any_of(*fields: str) -> dict[str, JsonValue]:
    """JSON Schema: at least one of ``fields`` is given (what the models' validators check)."""
    return {"anyOf": [given(field) for field in fields]}


class Objective(Strict):
    """Recovery objectives for one kind of disruption: a target promised, or a capability
    estimated or measured. Plain ``rto`` and ``rpo`` stay the target for every scenario an
    entry does not override."""

    model_config = ConfigDict(**Strict.model_config, json_schema_extra=_any_of("rto", "rpo"))

    scenario: Scenario = Field(
        description="the disruption: application (a bad release, a software fault), infrastructure (a host, "
        "a disk), zone, region, provider, site, supplier, cyber, people",
        examples=["region"],
    )
    rto: DurationField | None = Field(default=None, description="recovery time for this disruption")
    rpo: DurationField | None = Field(default=None, description="data loss for this disruption")
    status: ObjectiveStatus = Field(
        default="target",
        description="target: what is promised; estimate: what the team believes it can do, not yet shown; "
        "measured: what an exercise or a real disruption showed",
    )

    @model_validator(mode="after")
    def _something(self) -> Objective:
        if self.rto is None and self.rpo is None:
            raise ValueError("give an 'rto', an 'rpo' or both")
        return self


def _one_entry_per_scenario_and_status() -> dict[str, JsonValue]:
    """JSON Schema: no two objectives with the same scenario and status (a missing status is target)."""
    rules: list[JsonValue] = []
    for scenario, status in itertools.product(SCENARIOS, STATUSES):
        same: dict[str, JsonValue] = {"scenario": {"const": scenario}, "status": {"const": status}}
        item: dict[str, JsonValue] = {
            "properties": same,
            "required": ["scenario"] if status == "target" else ["scenario", "status"],
        }
        rules.append({"contains": item, "maxContains": 1, "minContains": 0})
    return {"allOf": rules}


Objectives = Annotated[
    list[Objective],
    Field(
        description="objectives per kind of disruption, one entry per scenario and status",
        json_schema_extra=_one_entry_per_scenario_and_status(),
    ),
]


def check_objectives(objectives: list[Objective]) -> None:
    """Raise ValueError when two entries share a scenario and a status (which would be the truth?)."""
    seen: set[tuple[str, str]] = set()
    for entry in objectives:
        key = (entry.scenario, entry.status)
        if key in seen:
            raise ValueError(f"objectives: two {entry.status} entries for scenario '{entry.scenario}'; keep one")
        seen.add(key)


# --- typed dependencies ------------------------------------------------------------------------

# What a dependency is for. bcplint.workspace.objectives says which types each rule counts.
DependencyType = Literal["runtime", "data", "recovery", "people", "facility", "information"]
DEPENDENCY_TYPES: tuple[str, ...] = get_args(DependencyType)
_DEPENDENCY_TYPE = (
    "runtime: needed to run; data: keeps this one's data; recovery: needed only to rebuild or restore it "
    "(deployment, configuration management, backup tooling); people: a Contact or Team it cannot run without; "
    "facility: a Site; information: records or documents it needs. Default: facility for a Site, people for "
    "a Contact or Team, runtime otherwise"
)


class ServiceDependency(Strict):
    """One thing a Service depends on, and what for."""

    name: ServiceDependencyRef
    type: DependencyType | None = Field(default=None, description=_DEPENDENCY_TYPE, examples=["recovery"])


class SystemDependency(Strict):
    """One thing a System depends on, and what for."""

    name: SystemDependencyRef
    type: DependencyType | None = Field(default=None, description=_DEPENDENCY_TYPE, examples=["data"])


# --- tolerances and workarounds ----------------------------------------------------------------


class ImpactTolerance(Strict):
    """The most disruption an important business service may suffer (UK operational resilience:
    FCA SYSC 15A.2; APRA CPS 230 calls them tolerance levels)."""

    model_config = ConfigDict(
        **Strict.model_config, json_schema_extra=_any_of("max_duration", "max_data_loss", "min_service")
    )

    max_duration: DurationField | None = Field(
        default=None, description="the longest disruption tolerated", examples=["24h"]
    )
    max_data_loss: DurationField | None = Field(
        default=None, description="the most data, as time before the disruption, that may be lost", examples=["1h"]
    )
    min_service: str | None = Field(
        default=None,
        min_length=1,
        description="the service that must go on meanwhile, in words",
        examples=["customers can see balances and make urgent payments by phone"],
    )

    @model_validator(mode="after")
    def _something(self) -> ImpactTolerance:
        if self.max_duration is None and self.max_data_loss is None and self.min_service is None:
            raise ValueError("give at least one of 'max_duration', 'max_data_loss' and 'min_service'")
        return self


class Workaround(Strict):
    """A manual or temporary way to keep a Service going while its systems are down."""

    description: Text = Field(
        description="what people do instead", examples=["cases are logged in a shared spreadsheet"]
    )
    sustainable_for: DurationField | None = Field(
        default=None, description="how long it can carry the service", examples=["3d"]
    )
    procedure: PathOrUrl | None = Field(default=None, description="where the workaround is written")


# --- scope -------------------------------------------------------------------------------------


class OutOfScope(Strict):
    """A document left out of continuity scope on purpose, and why (ISO 22301:2019 4.3.2 asks
    for exclusions to be documented and explained)."""

    reason: Text = Field(description="why it is excluded", examples=["retired in March; read-only archive"])
    approved_by: PartyRef | None = Field(default=None, description="the Contact or Team who agreed the exclusion")
