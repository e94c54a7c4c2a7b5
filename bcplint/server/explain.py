"""Hover text for a rule: what ``bcplint explain`` says, as Markdown for an editor's hover.

Taken from the rules the workspace actually runs (its packs, its configuration's severities
and parameters), so a rule tuned in ``.bcplint.yaml`` is explained as tuned.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bcplint.findings import clause_text
from bcplint.packs import Rule
from bcplint.report.rules import param_value

_RULE_ID = re.compile(r"[A-Za-z]+\d{3}")


def rule_lookup(rules: Iterable[Rule]) -> dict[str, Rule]:
    """Rule id (upper case) and rule name -> rule."""
    table: dict[str, Rule] = {}
    for rule in rules:
        table[rule.id.upper()] = rule
        table[rule.name] = rule
    return table


def find_rule(word: str, table: dict[str, Rule], *, names: bool) -> Rule | None:
    """The rule ``word`` names: an id in any case, or (with ``names``) a rule name."""
    if _RULE_ID.fullmatch(word) and word.upper() in table:
        return table[word.upper()]
    if names and word in table and not _RULE_ID.fullmatch(word):
        return table[word]
    return None


def rule_markdown(rule: Rule) -> str:
    """``bcplint explain`` in short: summary, why it matters, the fix, clauses and parameters."""
    parts = [f"**{rule.id}** `{rule.name}` ({rule.severity.label})", rule.summary.strip()]
    if rule.rationale.strip():
        parts.append(f"**Why it matters.** {rule.rationale.strip()}")
    if rule.fix.strip():
        parts.append(f"**How to fix.** {rule.fix.strip()}")
    if rule.clauses:
        parts.append(f"**Clauses:** {clause_text(rule.clauses)}")
    if rule.params:
        shown = ", ".join(f"`{key}` = {param_value(value)}" for key, value in rule.params.items())
        parts.append(f"**Parameters:** {shown}")
    if rule.help_url:
        # Parentheses and spaces would end a Markdown link early: percent-encoded, they do not.
        url = rule.help_url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
        parts.append(f"[The rule's page]({url})")
    parts.append(f"`bcplint explain {rule.id}` shows failing and passing examples.")
    return "\n\n".join(parts)
