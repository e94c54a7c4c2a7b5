"""``bcplint verify``: run the example documents a pack carries for each of its rules.

A passing example must give no finding of its rule; a failing example at least one. This is
how an organisation tests its own policies like code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bcplint.engine.run import Run, check
from bcplint.findings import Finding
from bcplint.load.parse import load_file
from bcplint.packs import Rule
from bcplint.workspace.documents import build_workspace


@dataclass(frozen=True, kw_only=True)
class ExampleResult:
    rule: Rule
    expect: str  # "pass" or "fail"
    number: int  # 1-based position among the rule's examples of that kind
    ok: bool
    text: str
    messages: tuple[str, ...]  # the findings of the rule on the example, as "line:col: message"
    findings: tuple[Finding, ...] = ()  # the same findings, whole (path: the example's file name)

    @property
    def detail(self) -> str:
        if self.messages:
            return "; ".join(self.messages)
        return "no finding, as expected" if self.ok else "expected a finding, got none"

    @property
    def name(self) -> str:
        kind = "passing" if self.expect == "pass" else "failing"
        return f"{self.rule.id} {self.rule.name}: {kind} example {self.number}"


def verify_rules(rules: list[Rule], today: dt.date, *, alongside: list[Rule] | None = None) -> list[ExampleResult]:
    """Run every example of every rule; results in rule order, passing examples first.

    Each example is checked with all of ``alongside`` (default: ``rules``), as a real run
    would, and judged on the findings of its own rule: waiver rules need the rules they waive.
    """
    everything = tuple(alongside if alongside is not None else rules)
    results = []
    for rule in rules:
        examples = rule.examples
        if examples is None:
            continue
        when = examples.today or today
        for expect, texts in (("pass", examples.passing), ("fail", examples.failing)):
            for number, text in enumerate(texts, start=1):
                path = f"{rule.id}-{expect}-{number}.yaml"
                loaded = [load_file(path, text.encode("utf-8"), explicit=True)]
                result = check(Run(rules=everything, today=when), build_workspace(loaded, when))
                found = tuple(f for f in result.findings if f.rule_id == rule.id)
                messages = tuple(f"{f.line}:{f.column}: {f.message}" for f in found)
                ok = not messages if expect == "pass" else bool(messages)
                results.append(
                    ExampleResult(
                        rule=rule, expect=expect, number=number, ok=ok, text=text, messages=messages, findings=found
                    )
                )
    return results


def rules_without_examples(rules: list[Rule]) -> list[Rule]:
    return [r for r in rules if r.examples is None or not (r.examples.passing and r.examples.failing)]
