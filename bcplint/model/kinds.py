"""Pydantic models of the bcplint/v1 document kinds: the one source of truth of the format."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from bcplint.model.types import Criticality, DateField, DurationField, HostLocation, Ref, Strict, ref_field

_ALL_KINDS = ("Plan", "Contact", "Service", "System", "Supplier", "Exercise", "Waiver")

# Reference types: a document name that the workspace resolves to one of the kinds.
ContactRef = Annotated[str, Ref(("Contact",)), ref_field("Contact")]
ServiceRef = Annotated[str, Ref(("Service",)), ref_field("Service")]
ServiceDependencyRef = Annotated[
    str, Ref(("Service", "System", "Supplier")), ref_field("Service", "System", "Supplier")
]
SystemDependencyRef = Annotated[str, Ref(("System", "Supplier")), ref_field("System", "Supplier")]
ScopeRef = ServiceDependencyRef
Name = Annotated[str, Field(min_length=1, max_length=253, description="unique name of the document")]
PathOrUrl = Annotated[str, Field(min_length=1, description="repository path or URL of a document")]


class BaseDocument(Strict):
    """Fields every document has."""

    apiVersion: Literal["bcplint/v1"]
    name: Name
    title: str | None = None


class SignOff(Strict):
    by: ContactRef | None = None
    on: DateField | None = None


class Activation(Strict):
    criteria: str | None = None
    authority: ContactRef | None = None


ChannelType = Literal["chat", "email", "phone", "sms", "video", "pager", "status-page", "social", "other"]


class Channel(Strict):
    name: str = Field(min_length=1)
    type: ChannelType
    provider: str = Field(min_length=1)
    priority: Literal["primary", "secondary"] | None = None
    hosting: HostLocation | None = None


class Communication(Strict):
    internal: list[Channel] = Field(default_factory=list)
    external: list[Channel] = Field(default_factory=list)


class PlanRole(Strict):
    role: str = Field(min_length=1)
    contact: ContactRef


class Plan(BaseDocument):
    kind: Literal["Plan"]
    owner: ContactRef | None = None
    version: str | None = None
    scope: str | None = None
    covers: list[ServiceRef] = Field(default_factory=list)
    approved: SignOff | None = None
    reviewed: SignOff | None = None
    activation: Activation | None = None
    communication: Communication | None = None
    roles: list[PlanRole] = Field(default_factory=list)


class Contact(BaseDocument):
    kind: Literal["Contact"]
    role: str | None = None
    email: str | None = None
    phone: str | None = None
    deputy: ContactRef | None = None


class Recovery(Strict):
    procedure: PathOrUrl | None = None
    steps: list[str] = Field(default_factory=list)


class Service(BaseDocument):
    kind: Literal["Service"]
    owner: ContactRef | None = None
    criticality: Criticality
    rto: DurationField | None = None
    rpo: DurationField | None = None
    mtpd: DurationField | None = None
    depends_on: list[ServiceDependencyRef] = Field(default_factory=list)
    recovery: Recovery | None = None


class RestoreTest(Strict):
    date: DateField
    result: Literal["pass", "fail"]
    duration: DurationField | None = None


class Backup(Strict):
    name: str = Field(min_length=1)
    frequency: DurationField
    retention: DurationField | None = None
    location: HostLocation
    last_restore_test: RestoreTest | None = None


class Failover(Strict):
    strategy: Literal["active-active", "warm-standby", "pilot-light", "backup-restore", "none"]
    target: HostLocation | None = None


class System(BaseDocument):
    kind: Literal["System"]
    owner: ContactRef | None = None
    criticality: Criticality
    rto: DurationField | None = None
    rpo: DurationField | None = None
    hosting: HostLocation | None = None
    stateless: bool = False
    depends_on: list[SystemDependencyRef] = Field(default_factory=list)
    backups: list[Backup] = Field(default_factory=list)
    failover: Failover | None = None


class Contingency(Strict):
    alternative: str | None = None
    plan: PathOrUrl | None = None
    last_tested: DateField | None = None


class Supplier(BaseDocument):
    kind: Literal["Supplier"]
    owner: ContactRef | None = None
    criticality: Criticality
    provides: list[str] = Field(default_factory=list)
    sla: str | None = None
    rto: DurationField | None = Field(default=None, description="contracted recovery time")
    contingency: Contingency | None = None


class ExerciseFinding(Strict):
    id: str = Field(min_length=1)
    description: str = Field(min_length=1)
    action: str | None = None
    owner: ContactRef | None = None
    due: DateField | None = None
    status: Literal["open", "closed"] = "open"


class Exercise(BaseDocument):
    kind: Literal["Exercise"]
    type: Literal["tabletop", "technical-drill", "full-scale", "backup-restore", "failover"]
    date: DateField
    scope: list[ScopeRef] = Field(min_length=1)
    scenarios: list[str] = Field(default_factory=list)
    result: Literal["pass", "partial", "fail"]
    recovery_times: dict[str, DurationField] = Field(default_factory=dict)
    findings: list[ExerciseFinding] = Field(default_factory=list)


class Waiver(BaseDocument):
    kind: Literal["Waiver"]
    rule: str = Field(min_length=1, description="rule id or name, e.g. BCP402")
    target: Annotated[str, Ref(tuple(_ALL_KINDS)), Field(min_length=1, description="name of the waived document")]
    reason: str = Field(min_length=1)
    approved_by: ContactRef
    expires: DateField


KINDS: dict[str, type[BaseDocument]] = {
    model.__name__: model for model in (Plan, Contact, Service, System, Supplier, Exercise, Waiver)
}
