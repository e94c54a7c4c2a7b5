"""Pydantic models of the bcplint/v1 document kinds: the one source of truth of the format.

Every field carries a description and, where a value is not obvious, an example: the JSON
Schema (``bcplint schema``) and ``docs/format.md`` are generated from them. The schema says
what a document looks like; whether a plan is complete is the rules' business, so a value
nobody assessed is left out (and a rule reports it), never invented to satisfy the schema.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, model_validator

from bcplint.model.parts import (
    ImpactTolerance,
    Objectives,
    OutOfScope,
    PathOrUrl,
    ServiceDependency,
    SystemDependency,
    Text,
    Workaround,
    check_objectives,
)
from bcplint.model.refs import (
    ALL_KINDS,
    ContactRef,
    PartyRef,
    ScopeRef,
    ServiceDependencyRef,
    ServiceRef,
    SiteRef,
    SystemDependencyRef,
)
from bcplint.model.types import Count, Criticality, DateField, DurationField, HostLocation, Ref, Strict, given

Name = Annotated[str, Field(min_length=1, max_length=253, description="unique name of the document")]


class Link(Strict):
    """Where a fact comes from or where more is written: a runbook, a ticket, the source page."""

    title: str | None = Field(default=None, description="what the link is", examples=["Incident response guide"])
    url: PathOrUrl = Field(description="URL or repository path of the linked document")


class BaseDocument(Strict):
    """Fields every document has, whatever its kind."""

    apiVersion: Literal["bcplint/v1"] = Field(description="the format's version: always bcplint/v1")
    name: Name
    title: str | None = Field(default=None, description="a human-readable title")
    links: list[Link] = Field(
        default_factory=list, description="provenance and further reading: source pages, runbooks, tickets"
    )
    annotations: dict[str, str] = Field(
        default_factory=dict,
        description="free-form labels (text to text) for your own tooling; bcplint does not judge them",
        examples=[{"source-section": "4.2 Recovery", "ticket": "OPS-1234"}],
    )


class ContinuityDocument(BaseDocument):
    """A document of the continuity arrangements themselves, which can be left out of scope."""

    out_of_scope: OutOfScope | None = Field(
        default=None,
        description="leaves it out of continuity scope, on the record: rules do not judge it, reports list "
        "it, and relying on it from a critical document is reported",
    )


class SignOff(Strict):
    """Who signed something off, and when."""

    by: PartyRef | None = Field(default=None, description="the Contact or Team who signed off")
    on: DateField | None = Field(default=None, description="the date of the sign-off")


class Activation(Strict):
    """When the plan is invoked, and by whom."""

    criteria: str | None = Field(
        default=None,
        description="when to invoke the plan",
        examples=["An outage of checkout longer than 30 minutes, or any loss of customer data"],
    )
    authority: PartyRef | list[PartyRef] | None = Field(
        default=None,
        description="who may invoke it: one Contact or Team, or a list of which any one may",
        examples=[["cto", "head-of-ops"]],
    )


ChannelType = Literal["chat", "email", "phone", "sms", "video", "pager", "status-page", "social", "other"]


class Channel(Strict):
    """A way to reach people during a disruption."""

    name: str = Field(min_length=1, description="the channel's name", examples=["incident-bridge"])
    type: ChannelType = Field(description="what kind of channel it is")
    provider: str | None = Field(
        default=None,
        min_length=1,
        description="who runs it (compared case-insensitively to tell channels apart); leave it out "
        "when the plan does not say: independence then cannot be shown, never assumed",
        examples=["slack", "carrier", "statuspage-vendor"],
    )
    priority: Literal["primary", "secondary"] | None = Field(
        default=None, description="for internal channels: the one used first, or the fallback"
    )
    hosting: HostLocation | None = Field(default=None, description="where it runs (status pages)")


NotificationEvent = Literal["detection", "activation", "recovery", "return-to-normal"]


class Notification(Strict):
    """Whom the plan tells, within how long of what, by whom, over which channel."""

    audience: Text = Field(description="who is told", examples=["customers", "regulator", "executive team"])
    within: DurationField | None = Field(default=None, description="the deadline", examples=["1h"])
    after: NotificationEvent | None = Field(
        default=None, description="the event the deadline runs from (default: activation of the plan)"
    )
    every: DurationField | None = Field(
        default=None, description="how often updates follow until recovery", examples=["1h"]
    )
    by: PartyRef | None = Field(default=None, description="the Contact or Team who sends it")
    channel: str | None = Field(
        default=None, min_length=1, description="the name of one of the plan's communication channels"
    )


class Communication(Strict):
    """The communication plan: internal and external channels, and who is notified when."""

    internal: list[Channel] = Field(default_factory=list, description="channels for the people who recover")
    external: list[Channel] = Field(default_factory=list, description="channels to reach customers and others")
    notify: list[Notification] = Field(default_factory=list, description="notification deadlines")


class PlanRole(Strict):
    """A role named in the plan, and who holds it."""

    role: Text = Field(description="the role", examples=["incident commander"])
    contact: PartyRef = Field(description="the Contact or Team who holds it")


class Procedure(Strict):
    """A procedure: its steps, or a link to where they are written."""

    link: PathOrUrl | None = Field(default=None, description="where the procedure is written")
    steps: list[str] = Field(default_factory=list, description="the steps, in order")


class Procedures(Strict):
    """The plan's procedures (ISO 22301:2019 8.4.4): respond, recover, return to normal."""

    response: Procedure | None = Field(default=None, description="the first response once the plan is invoked")
    recovery: Procedure | None = Field(default=None, description="how the services are recovered")
    return_to_normal: Procedure | None = Field(
        default=None, description="how temporary measures end and normal operation resumes"
    )


class Plan(ContinuityDocument):
    """A business continuity plan: what it covers, who owns it, how it is invoked and run."""

    kind: Literal["Plan"]
    owner: PartyRef | None = Field(default=None, description="the Contact or Team accountable for the plan")
    version: str | None = Field(default=None, description="the plan's own version label")
    scope: str | None = Field(default=None, description="what the plan covers, in words")
    covers: list[ServiceRef] = Field(default_factory=list, description="the Services the plan covers")
    approved: SignOff | None = Field(default=None, description="who approved the plan, and when")
    reviewed: SignOff | None = Field(default=None, description="who last reviewed the plan, and when")
    activation: Activation | None = Field(default=None, description="when and by whom the plan is invoked")
    procedures: Procedures | None = Field(default=None, description="response, recovery and return to normal")
    communication: Communication | None = Field(default=None, description="channels and notification deadlines")
    roles: list[PlanRole] = Field(default_factory=list, description="roles named in the plan and who holds them")
    contact_directory: str | None = Field(
        default=None,
        min_length=1,
        description="where the phone numbers of the people named are kept on purpose, instead of in the plan",
        examples=["HR system", "chat tool profiles"],
    )


class Contact(ContinuityDocument):
    """A person (named by role in examples and shared plans)."""

    kind: Literal["Contact"]
    role: str | None = Field(default=None, description="the person's job", examples=["Head of IT operations"])
    email: str | None = Field(default=None, description="email address")
    phone: str | None = Field(default=None, description="phone number that works when the office does not")
    deputy: PartyRef | None = Field(default=None, description="who stands in (a Contact or Team)")
    last_verified: DateField | None = Field(default=None, description="when these contact details were last checked")


class Team(ContinuityDocument):
    """A team: the usual owner of services and systems, and often the one who is called."""

    kind: Literal["Team"]
    lead: ContactRef | None = Field(default=None, description="the Contact who leads the team")
    members: list[ContactRef] = Field(default_factory=list, description="the team's members")
    channel: Channel | None = Field(
        default=None, description="how to reach the team at any hour: an on-call rota, a pager, a phone bridge"
    )
    email: str | None = Field(default=None, description="the team's address")


class Recovery(Strict):
    """How a Service is recovered."""

    procedure: PathOrUrl | None = Field(default=None, description="where the recovery procedure is written")
    steps: list[str] = Field(default_factory=list, description="the steps, in order")


_CRITICALITY = (
    "how much its loss matters, from the business impact analysis; leave it out until it is assessed "
    "(criticality-assessed reports it)"
)


class Service(ContinuityDocument):
    """A business service that people or customers rely on."""

    kind: Literal["Service"]
    owner: PartyRef | None = Field(default=None, description="the Contact or Team accountable for it")
    criticality: Criticality | None = Field(default=None, description=_CRITICALITY)
    rto: DurationField | None = Field(default=None, description="recovery time objective")
    rpo: DurationField | None = Field(default=None, description="recovery point objective: the data loss accepted")
    mtpd: DurationField | None = Field(default=None, description="maximum tolerable period of disruption")
    wrt: DurationField | None = Field(
        default=None,
        description="work recovery time: once its systems are back, how long it takes to check the data, "
        "catch up on the backlog and work normally again",
        examples=["4h"],
    )
    objectives: Objectives = Field(default_factory=list)
    important: bool | None = Field(
        default=None,
        description="true for an important business service (UK operational resilience) or a critical "
        "operation (APRA CPS 230): its disruption would cause intolerable harm to customers or the market",
    )
    impact_tolerance: ImpactTolerance | None = Field(
        default=None, description="the most disruption it may suffer, for an important service"
    )
    workarounds: list[Workaround] = Field(
        default_factory=list, description="manual ways to keep it going while its systems are down"
    )
    depends_on: list[ServiceDependencyRef | ServiceDependency] = Field(
        default_factory=list,
        description="what it needs: Services, Systems, Suppliers, Sites, Teams and Contacts, each a name or "
        "{name, type}",
    )
    recovery: Recovery | None = Field(default=None, description="how it is recovered")

    @model_validator(mode="after")
    def _objectives(self) -> Service:
        check_objectives(self.objectives)
        return self


class RestoreTest(Strict):
    """One restore of a backup, done to prove it can be restored."""

    date: DateField = Field(description="when it was done")
    result: Literal["pass", "fail"] = Field(description="whether the data came back as it should")
    duration: DurationField | None = Field(default=None, description="how long the restore took")


class RestoreValidation(Strict):
    """Restores checked as they happen: an automated job that restores backups and verifies them."""

    frequency: DurationField | None = Field(default=None, description="how often it runs", examples=["1d"])
    last_success: DateField | None = Field(default=None, description="the date of its last successful run")
    method: str | None = Field(
        default=None,
        description="what it does",
        examples=["restores the nightly snapshot into a scratch database and compares row counts"],
    )


class Backup(Strict):
    """A copy of a System's data."""

    name: Text = Field(description="the backup's name", examples=["nightly-snapshot"])
    frequency: DurationField | None = Field(
        default=None,
        description="time between copies; leave it out when the plan does not say (backup-meets-rpo reports it)",
        examples=["1d"],
    )
    retention: DurationField | None = Field(default=None, description="how long copies are kept")
    location: HostLocation | None = Field(
        default=None,
        description="where the copies are kept; leave it out when the plan does not say (backup-offsite reports it)",
    )
    last_restore_test: RestoreTest | None = Field(default=None, description="the last restore done by hand")
    restore_validation: RestoreValidation | None = Field(default=None, description="automated restore checks")


class Failover(Strict):
    """How a System moves elsewhere when it fails."""

    strategy: Literal["active-active", "warm-standby", "pilot-light", "backup-restore", "none"] = Field(
        description="the failover strategy"
    )
    target: HostLocation | None = Field(default=None, description="where it fails over to")


class System(ContinuityDocument):
    """A technical system a Service depends on."""

    kind: Literal["System"]
    owner: PartyRef | None = Field(default=None, description="the Contact or Team accountable for it")
    criticality: Criticality | None = Field(default=None, description=_CRITICALITY)
    rto: DurationField | None = Field(default=None, description="recovery time objective")
    rpo: DurationField | None = Field(default=None, description="recovery point objective")
    mtpd: DurationField | None = Field(default=None, description="maximum tolerable period of disruption")
    objectives: Objectives = Field(default_factory=list)
    hosting: HostLocation | None = Field(default=None, description="where it runs")
    stateless: bool = Field(
        default=False,
        description="true when it keeps no data of its own (a System whose data lives in a 'data' dependency "
        "is treated the same way)",
    )
    depends_on: list[SystemDependencyRef | SystemDependency] = Field(
        default_factory=list,
        description="what it needs: Systems, Suppliers, Sites, Teams and Contacts, each a name or {name, type}",
    )
    backups: list[Backup] = Field(default_factory=list, description="its backups")
    failover: Failover | None = Field(default=None, description="how it fails over")

    @model_validator(mode="after")
    def _objectives(self) -> System:
        check_objectives(self.objectives)
        return self

    @property
    def keeps_own_data(self) -> bool:
        """False when it is stateless or keeps its data in a ``data`` dependency: then the data
        store, not this System, is asked for backups and an RPO. Rule filters may use it."""
        return not self.stateless and not any(
            isinstance(entry, SystemDependency) and entry.type == "data" for entry in self.depends_on
        )


SiteType = Literal["office", "data-centre", "colocation", "alternate-workplace", "home-working"]


class Site(ContinuityDocument):
    """A place people work or systems run: an office, a data centre, an alternate workplace."""

    kind: Literal["Site"]
    type: SiteType = Field(description="what kind of place it is")
    location: str | None = Field(
        default=None,
        min_length=1,
        description="where it is (compared case-insensitively to tell an alternate apart)",
        examples=["Leeds, Wellington Place"],
    )
    capacity: Count | None = Field(default=None, description="how many people can work there", examples=[120])
    owner: PartyRef | None = Field(default=None, description="the Contact or Team responsible for it")
    alternate: SiteRef | None = Field(
        default=None, description="the Site people or systems move to when this one is lost", examples=["home-working"]
    )


class Contingency(Strict):
    """What to do when a Supplier fails: an alternative, an exit plan."""

    alternative: str | None = Field(default=None, description="another supplier or a workaround")
    plan: PathOrUrl | None = Field(default=None, description="the exit or contingency plan")
    last_tested: DateField | None = Field(default=None, description="when the contingency was last tried")


class Supplier(ContinuityDocument):
    """A third party the organisation relies on."""

    kind: Literal["Supplier"]
    owner: PartyRef | None = Field(default=None, description="the Contact or Team who manages the supplier")
    criticality: Criticality | None = Field(default=None, description=_CRITICALITY)
    provides: list[str] = Field(default_factory=list, description="what it provides")
    sla: str | None = Field(default=None, description="the service level agreed", examples=["99.9% monthly"])
    rto: DurationField | None = Field(default=None, description="contracted recovery time")
    contingency: Contingency | None = Field(default=None, description="what to do when it fails")


class ExerciseFinding(Strict):
    """Something an exercise found, and the corrective action."""

    id: Text = Field(description="the finding's identifier", examples=["F1"])
    description: Text = Field(description="what was found", examples=["the restore took 6h against a 4h RTO"])
    action: str | None = Field(default=None, description="the corrective action")
    owner: PartyRef | None = Field(default=None, description="the Contact or Team who acts")
    due: DateField | None = Field(default=None, description="when the action is due")
    status: Literal["open", "closed"] = Field(default="open", description="whether the action is done")


class Exercise(ContinuityDocument):
    """An exercise or test of the plan, and what it showed."""

    kind: Literal["Exercise"]
    type: Literal["tabletop", "technical-drill", "full-scale", "backup-restore", "failover"] = Field(
        description="the kind of exercise"
    )
    date: DateField = Field(description="when it was held")
    scope: list[ScopeRef] = Field(min_length=1, description="the Services, Systems, Suppliers and Sites it exercised")
    scenarios: list[str] = Field(default_factory=list, description="the scenarios played")
    environment: Literal["production", "staging", "test", "other"] | None = Field(
        default=None, description="where it was held"
    )
    independent: bool | None = Field(
        default=None, description="true when people independent of those who run the systems led or assessed it"
    )
    result: Literal["pass", "partial", "fail"] | None = Field(
        default=None, description="the outcome; leave it out when it was not recorded (exercise-result-recorded)"
    )
    recovery_times: dict[str, DurationField] = Field(
        default_factory=dict,
        description="measured recovery time per exercised document",
        examples=[{"checkout": "90m"}],
    )
    data_loss: dict[str, DurationField] = Field(
        default_factory=dict,
        description="measured data loss per exercised document (time between the last copy and the failure)",
        examples=[{"orders-db": "5m"}],
    )
    findings: list[ExerciseFinding] = Field(default_factory=list, description="findings and corrective actions")


class Waiver(BaseDocument):
    """An accepted gap, on the record: temporary (``expires``) or standing (``review_by``)."""

    # Exactly one of the two, in the JSON Schema as in the model's validator below.
    model_config = ConfigDict(
        **Strict.model_config,
        json_schema_extra={
            "oneOf": [
                {"allOf": [given("expires"), {"not": given("review_by")}]},
                {"allOf": [given("review_by"), {"not": given("expires")}]},
            ]
        },
    )

    kind: Literal["Waiver"]
    rule: Text = Field(description="rule id or name", examples=["BCP402"])
    target: Annotated[
        str, Ref(ALL_KINDS), Field(min_length=1, description="name of the waived document", examples=["orders-db"])
    ]
    reason: Text = Field(
        description="why the gap is acceptable", examples=["replaced by the new ledger in Q3; not worth a restore test"]
    )
    approved_by: PartyRef = Field(description="the Contact or Team who accepted it (not the target's owner)")
    expires: DateField | None = Field(
        default=None,
        description="a temporary exception ends here: the finding is reported again",
        examples=["2026-12-31"],
    )
    review_by: DateField | None = Field(
        default=None,
        description="a standing risk acceptance: it keeps hiding the finding, and is reported as due for review "
        "from this date",
    )

    @model_validator(mode="after")
    def _one_end(self) -> Waiver:
        if (self.expires is None) == (self.review_by is None):
            raise ValueError(
                "give either 'expires' (a temporary exception) or 'review_by' (a standing risk acceptance), not "
                + ("both" if self.expires else "neither")
            )
        return self


KINDS: dict[str, type[BaseDocument]] = {
    model.__name__: model for model in (Plan, Contact, Team, Service, System, Supplier, Site, Exercise, Waiver)
}
