"""The built-in check functions rule packs can name, and only these: a pack cannot run code."""

from __future__ import annotations

from bcplint.checks import fields, structure
from bcplint.checks.base import CheckFunction, Context, Hit, NoParams, Params

CHECKS: dict[str, CheckFunction] = {
    check.name: check
    for check in (
        CheckFunction(name="defined", params=NoParams, scope="document", function=fields.defined),
        CheckFunction(name="truthy", params=NoParams, scope="document", function=fields.truthy),
        CheckFunction(name="pattern", params=fields.PatternParams, scope="document", function=fields.pattern),
        CheckFunction(name="enum", params=fields.EnumParams, scope="document", function=fields.enum),
        CheckFunction(name="max_age", params=fields.MaxAgeParams, scope="document", function=fields.max_age),
        CheckFunction(name="count_min", params=fields.CountParams, scope="document", function=fields.count_min),
        CheckFunction(
            name="duration_max", params=fields.DurationMaxParams, scope="document", function=fields.duration_max
        ),
        CheckFunction(name="parse_error", params=NoParams, scope="workspace", function=structure.parse_error),
        CheckFunction(name="schema_violation", params=NoParams, scope="workspace", function=structure.schema_violation),
        CheckFunction(
            name="unknown_reference", params=NoParams, scope="workspace", function=structure.unknown_reference
        ),
        CheckFunction(name="duplicate_name", params=NoParams, scope="workspace", function=structure.duplicate_name),
        CheckFunction(name="dependency_cycle", params=NoParams, scope="workspace", function=structure.dependency_cycle),
    )
}

__all__ = ["CHECKS", "CheckFunction", "Context", "Hit", "Params"]
