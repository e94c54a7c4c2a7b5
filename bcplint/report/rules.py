"""The rule catalog as text, JSON or Markdown (``bcplint rules``), and one rule explained."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from bcplint.findings import clause_text
from bcplint.packs import Rule
from bcplint.report.markdown_summary import table_cell
from bcplint.report.options import ReportOptions


def rule_dict(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "severity": rule.severity.label,
        "summary": rule.summary,
        "clauses": list(rule.clauses),
        "packs": list(rule.packs),
        "params": dict(rule.params),
        "rationale": rule.rationale.strip(),
        "fix": rule.fix.strip(),
        "help_url": rule.help_url,
    }


def write_text(rules: Sequence[Rule], stream: TextIO, options: ReportOptions) -> None:
    width = max((len(r.name) for r in rules), default=0)
    for rule in rules:
        stream.write(f"{rule.id}  {rule.name:<{width}}  {rule.severity.label:<7}  {rule.summary}\n")
        if rule.clauses:
            stream.write(f"{'':8}{'':<{width}}  {'':7}  [{clause_text(rule.clauses)}]\n")


def write_json(rules: Sequence[Rule], stream: TextIO, options: ReportOptions) -> None:
    json.dump({"version": 1, "rules": [rule_dict(r) for r in rules]}, stream, indent=2, ensure_ascii=False)
    stream.write("\n")


def write_markdown(rules: Sequence[Rule], stream: TextIO, options: ReportOptions) -> None:
    stream.write("| id | name | severity | checks | clauses |\n|---|---|---|---|---|\n")
    for rule in rules:
        stream.write(
            f"| {rule.id} | {rule.name} | {rule.severity.label} | {table_cell(rule.summary)} "
            f"| {clause_text(rule.clauses)} |\n"
        )


def _indent(text: str, prefix: str = "    ") -> str:
    return "".join(prefix + line if line.strip() else line for line in text.splitlines(keepends=True))


@dataclass(frozen=True, kw_only=True)
class Explanation:
    """One rule and its examples: (heading, YAML text, messages bcplint gives on it)."""

    rule: Rule
    examples: Sequence[tuple[str, str, list[str]]]


def write_explanation(explanation: Explanation, stream: TextIO, options: ReportOptions) -> None:
    """``bcplint explain``: why the rule matters, clauses, where it applies, examples, the fix,
    and the rule's page when it has one."""
    rule, examples = explanation.rule, explanation.examples
    stream.write(f"{rule.id} {rule.name} ({rule.severity.label})\n\n{rule.summary}\n\n")
    if rule.rationale:
        stream.write(f"Why it matters:\n{_indent(rule.rationale.strip())}\n\n")
    if rule.clauses:
        stream.write(f"Clauses: {clause_text(rule.clauses)}\n")
    if rule.kinds:
        stream.write(f"Applies to: {applies_to(rule)}\n")
    if rule.params:
        stream.write(f"Parameters: {', '.join(f'{k} = {param_value(v)}' for k, v in rule.params.items())}\n")
    for heading, text, messages in examples:
        stream.write(f"\n{heading}:\n{_indent(text)}")
        for message in messages:
            stream.write(f"  -> {message}\n")
    if rule.fix:
        stream.write(f"\nHow to fix:\n{_indent(rule.fix.strip())}\n")
    if rule.help_url:
        stream.write(f"\nMore: {rule.help_url}\n")


def applies_to(rule: Rule) -> str:
    """The documents a rule selects, as the catalog writes them: ``Service, System where
    criticality in [critical, high]``; empty for a rule without ``applies_to``."""
    if not rule.kinds:
        return ""
    where = ", ".join(f"{k} {_condition(v)}" for k, v in rule.where.items())
    return f"{', '.join(rule.kinds)}{f' where {where}' if where else ''}"


def _condition(value: Any) -> str:
    if isinstance(value, dict):
        operator, operand = next(iter(value.items()))
        return f"{operator} {param_value(operand)}"
    if isinstance(value, list):
        listed = [v for v in value if v is not None]
        unset = " or not set" if None in value else ""
        return f"in {param_value(listed)}{unset}"
    return "not set" if value is None else f"= {param_value(value)}"


def param_value(value: Any) -> str:
    """A rule parameter as the catalog shows it: ``[a, b]``, ``true``, ``4h``."""
    if isinstance(value, list):
        return "[" + ", ".join(param_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
