"""The rule-pack file format, as pydantic models (``rules/pack.schema.json`` is generated from it)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from bcplint.load.config import DocsUrl

RULE_ID_PATTERN = r"^[A-Z][A-Z0-9]*[0-9]{3}$"
RULE_NAME_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
SeverityName = Literal["error", "warning", "info"]
Message = str | dict[str, str]


class PackModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class CheckSpec(PackModel):
    """One call of a built-in check function."""

    function: str = Field(description="name of a built-in check function, e.g. defined, max_age")
    field: str | None = Field(default=None, description="field path, e.g. reviewed.on or backups[*].frequency")
    params: dict[str, Any] = Field(
        default_factory=dict, description="the function's parameters; '$name' takes the rule parameter 'name'"
    )
    message: Message | None = Field(
        default=None, description="message template, or one per outcome (missing, stale, ...)"
    )


class Selector(PackModel):
    """Which documents a rule is about."""

    kinds: list[Literal["Plan", "Contact", "Team", "Service", "System", "Supplier", "Site", "Exercise", "Waiver"]] = (
        Field(min_length=1)
    )
    where: dict[str, Any] = Field(default_factory=dict, description="field path -> value, list or {operator: value}")


class Examples(PackModel):
    """Workspaces (YAML text, documents separated by ---) on which the rule must pass or fail."""

    today: dt.date | None = Field(default=None, description="evaluation date of the examples (default: today)")
    passing: list[str] = Field(default_factory=list, alias="pass")
    failing: list[str] = Field(default_factory=list, alias="fail")


class RuleEntry(PackModel):
    """A rule definition, or an entry that enables a rule defined elsewhere and tunes it."""

    id: str = Field(pattern=RULE_ID_PATTERN, description="permanent id, e.g. BCP201 or ACME001")
    name: str | None = Field(default=None, pattern=RULE_NAME_PATTERN, description="permanent kebab-case name")
    severity: SeverityName | None = None
    severities: dict[str, SeverityName] = Field(
        default_factory=dict,
        description="outcome -> severity, for the outcomes whose findings differ from the rule's severity",
    )
    summary: str | None = None
    rationale: str | None = None
    fix: str | None = None
    clauses: list[str] = Field(default_factory=list, description="clauses of the pack's framework")
    applies_to: Selector | None = None
    check: CheckSpec | list[CheckSpec] | None = None
    message: Message | None = None
    params: dict[str, Any] = Field(default_factory=dict, description="the rule's tunable parameters")
    enforce_from: dt.date | None = Field(default=None, description="findings are warnings before this date")
    examples: Examples | None = None


def pack_json_schema() -> dict[str, Any]:
    """JSON Schema of a rule pack file (``rules/pack.schema.json`` is this, kept in sync by a test)."""
    schema = PackFile.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://bcplint.example.com/schema/pack-v1.json"
    return schema


class PackFile(PackModel):
    apiVersion: Literal["bcplint/pack/v1"]
    pack: str = Field(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$", description="the pack's name")
    title: str
    framework: str | None = Field(default=None, description="label put before clauses, e.g. 'ISO 22301:2019'")
    description: str | None = None
    docs_url: DocsUrl | None = Field(
        default=None,
        description="where the pages of the rules this pack defines live: a URL ending with '/' "
        "(a rule's page is <url><ID>.md) or holding '{id}'; reports link each rule there",
    )
    extends: list[str] = Field(default_factory=list, description="packs (names or paths) this one builds on")
    rules: list[RuleEntry] = Field(default_factory=list)
