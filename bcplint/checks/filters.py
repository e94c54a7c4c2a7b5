"""``where`` filters: which documents (or list items) a rule or a count looks at.

A filter maps field paths to conditions, all of which must hold::

    where:
      criticality: [critical, high]     # value is one of these
      stateless: false                  # value equals this
      hosting.provider: {not_in: [on-prem]}
      rto: {defined: true}

Operators: ``in``, ``not_in``, ``equals``, ``not`` (not equal), ``defined`` (true/false).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bcplint.checks.base import lookup, parse_field

OPERATORS = ("in", "not_in", "equals", "not", "defined")


def check_where(where: Mapping[str, Any]) -> None:
    """Raise ValueError naming the problem if ``where`` is not a valid filter."""
    for path, condition in where.items():
        parse_field(path)
        if isinstance(condition, Mapping):
            if len(condition) != 1 or next(iter(condition)) not in OPERATORS:
                raise ValueError(f"condition on '{path}' must be a value, a list, or one of {{{', '.join(OPERATORS)}}}")
            operator, operand = next(iter(condition.items()))
            if operator in ("in", "not_in") and not isinstance(operand, list):
                raise ValueError(f"'{operator}' on '{path}' needs a list")
            if operator == "defined" and not isinstance(operand, bool):
                raise ValueError(f"'defined' on '{path}' needs true or false")


def matches(subject: Any, where: Mapping[str, Any]) -> bool:
    """True if every condition holds for ``subject`` (a model or a list item)."""
    for path, condition in where.items():
        values = [found.value for found in lookup(subject, path)] or [None]
        if not any(_holds(value, condition) for value in values):
            return False
    return True


def _holds(value: Any, condition: Any) -> bool:
    if isinstance(condition, Mapping):
        operator, operand = next(iter(condition.items()))
        if operator == "defined":
            return (value is not None) is bool(operand)
        if operator == "in":
            return _one_of(value, operand)
        if operator == "not_in":
            return not _one_of(value, operand)
        if operator == "equals":
            return bool(_plain(value) == _plain(operand))
        return bool(_plain(value) != _plain(operand))
    if isinstance(condition, list):
        return _one_of(value, condition)
    return bool(_plain(value) == _plain(condition))


def _one_of(value: Any, options: list[Any]) -> bool:
    plain = _plain(value)
    return any(plain == _plain(option) for option in options)


def _plain(value: Any) -> Any:
    """Compare strings case-insensitively; everything else as is (``False != 'false'``)."""
    return value.lower() if isinstance(value, str) else value
