"""The built-in check functions, each with the passing and failing example of its docstring."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bcplint.checks import CHECKS
from bcplint.checks.base import Context, lookup, parse_field
from bcplint.checks.filters import check_where, matches
from bcplint.load.parse import ParsedDocument, YamlText
from bcplint.model.validate import validate
from bcplint.workspace.documents import Document, build_workspace

TODAY = dt.date(2026, 11, 23)


def make_doc(data: dict[str, Any]) -> Document:
    full = {"apiVersion": "bcplint/v1", "name": "x", **data}
    model, problems = validate(full)
    assert model is not None, problems
    raw = ParsedDocument(source=YamlText(path="x.yaml", text=""), index=0, data=full)
    return Document(raw=raw, kind=full["kind"], name="x", model=model, problems=[])


def outcomes(function: str, data: dict[str, Any], field: str, **params: Any) -> list[str]:
    check = CHECKS[function]
    ctx = Context(workspace=build_workspace([], TODAY), today=TODAY)
    return [hit.outcome for hit in check.function(ctx, make_doc(data), field, check.params.model_validate(params))]


SERVICE = {"kind": "Service", "criticality": "critical"}
PLAN = {"kind": "Plan"}


def test_defined() -> None:
    assert outcomes("defined", {**SERVICE, "owner": "cto"}, "owner") == []
    assert outcomes("defined", SERVICE, "owner") == ["missing"]


def test_truthy() -> None:
    system = {"kind": "System", "criticality": "low"}
    assert outcomes("truthy", {**system, "stateless": True}, "stateless") == []
    assert outcomes("truthy", system, "stateless") == ["false"]


def test_pattern() -> None:
    contact = {"kind": "Contact"}
    regex = r"@example\.com$"
    assert outcomes("pattern", {**contact, "email": "cto@example.com"}, "email", regex=regex) == []
    assert outcomes("pattern", {**contact, "email": "cto@gmail.com"}, "email", regex=regex) == ["mismatch"]
    assert outcomes("pattern", contact, "email", regex=regex) == []  # absence is another rule's job


def test_enum_is_case_insensitive_for_strings() -> None:
    system = {"kind": "System", "criticality": "low", "backups": []}
    backup = {"name": "b", "frequency": "1d", "location": {"provider": "aws"}}
    passed = {**system, "backups": [{**backup, "last_restore_test": {"date": "2026-01-01", "result": "pass"}}]}
    failed = {**system, "backups": [{**backup, "last_restore_test": {"date": "2026-01-01", "result": "fail"}}]}
    field = "backups[*].last_restore_test.result"
    assert outcomes("enum", passed, field, values=["PASS"]) == []
    assert outcomes("enum", failed, field, values=["pass"]) == ["other"]


@pytest.mark.parametrize(
    ("reviewed", "expected"),
    [("2026-01-10", []), ("2025-11-23", []), ("2025-11-22", ["stale"]), (None, ["missing"])],
)
def test_max_age(reviewed: str | None, expected: list[str]) -> None:
    plan = {**PLAN, "reviewed": {"on": reviewed}} if reviewed else PLAN
    assert outcomes("max_age", plan, "reviewed.on", days=365) == expected


def test_count_min() -> None:
    primary = {"name": "chat", "type": "chat", "provider": "slack", "priority": "primary"}
    secondary = {"name": "phone", "type": "phone", "provider": "carrier", "priority": "secondary"}
    field, where = "communication.internal", {"priority": "secondary"}
    both = {**PLAN, "communication": {"internal": [primary, secondary]}}
    only_primary = {**PLAN, "communication": {"internal": [primary]}}
    assert outcomes("count_min", both, field, min=1, where=where) == []
    assert outcomes("count_min", only_primary, field, min=1, where=where) == ["too_few"]
    assert outcomes("count_min", PLAN, field, min=1, where=where) == ["too_few"]


def test_duration_max() -> None:
    assert outcomes("duration_max", {**SERVICE, "rto": "2h"}, "rto", max="4h") == []
    assert outcomes("duration_max", {**SERVICE, "rto": "PT4H"}, "rto", max="4h") == []
    assert outcomes("duration_max", {**SERVICE, "rto": "8h"}, "rto", max="4h") == ["too_long"]


def test_every_field_check_is_tested_here() -> None:
    """Each check of bcplint/checks/fields.py has a test above named after it (test_<name>...)."""
    field_checks = {name for name, check in CHECKS.items() if check.function.__module__.endswith(".fields")}
    tests = [name for name, value in globals().items() if name.startswith("test_") and callable(value)]
    untested = {c for c in field_checks if not any(t == f"test_{c}" or t.startswith(f"test_{c}_") for t in tests)}
    assert len(field_checks) >= 7 and untested == set()


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("owner", ("owner",)),
        ("reviewed.on", ("reviewed", "on")),
        ("backups[*].last_restore_test.date", ("backups", None, "last_restore_test", "date")),
        ("communication.internal[0].provider", ("communication", "internal", 0, "provider")),
    ],
)
def test_parse_field(text: str, parts: tuple[Any, ...]) -> None:
    assert parse_field(text) == parts


@pytest.mark.parametrize("text", ["", ".owner", "owner.", "a..b", "a[x]", "a[*", "a b", "__class__.x y"])
def test_parse_field_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="invalid field path"):
        parse_field(text)


def test_lookup_reports_missing_leaf_under_missing_parent() -> None:
    model = make_doc(PLAN).model
    assert [(f.path, f.value) for f in lookup(model, "reviewed.on")] == [(("reviewed", "on"), None)]


def test_lookup_wildcard_over_absent_list_yields_nothing() -> None:
    model = make_doc({"kind": "System", "criticality": "high"}).model
    assert lookup(model, "backups[*].frequency") == []


def test_where_filters() -> None:
    model = make_doc({**SERVICE, "rto": "4h"}).model
    assert matches(model, {"criticality": ["critical", "high"]})
    assert matches(model, {"criticality": "CRITICAL"})
    assert not matches(model, {"criticality": {"not_in": ["critical"]}})
    assert matches(model, {"rto": {"defined": True}, "rpo": {"defined": False}})
    assert not matches(model, {"criticality": {"equals": "high"}})
    assert matches(model, {"criticality": {"not": "high"}})


@pytest.mark.parametrize(
    "where",
    [{"a..b": 1}, {"criticality": {"in": "critical"}}, {"rto": {"defined": "yes"}}, {"x": {"like": 1}}],
)
def test_invalid_where_is_rejected(where: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        check_where(where)
