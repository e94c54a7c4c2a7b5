"""The rule pages: ``docs/rules/<ID>.md`` for every rule bcplint ships, and ``docs/rules/README.md``,
their index. Reports link each rule to its page (:mod:`bcplint.packs.docs`).

A page says what ``bcplint explain`` says, for people who are not at a terminal: the summary,
why the rule matters, its clauses per framework (and which shipped pack maps them), where it
applies, its parameters with their defaults, the catalog's failing and passing examples with
the findings bcplint really gives on them, and the fix. The examples run through the engine as
``bcplint explain`` runs them (:func:`bcplint.engine.verify.verify_rules`), on the date an
example sets or else on :data:`PAGES_TODAY`, so a page does not change with the calendar.

The pages are generated, never edited: regenerate them after changing ``rules/*.yaml`` with

    python -m bcplint.report.rule_pages docs/rules

``tests/test_rule_pages.py`` fails when the committed pages differ from what this writes. A
developer's tool rather than a ``bcplint`` command: users read the pages, they do not make them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML

from bcplint.engine.verify import ExampleResult, verify_rules
from bcplint.findings import Finding
from bcplint.packs import CATALOG, DEFAULT_PACKS, Rule, builtin_pack_dir, builtin_pack_names, resolve_rules
from bcplint.report.markdown_summary import table_cell
from bcplint.report.rules import applies_to, param_value
from bcplint.report.text import format_finding

PAGES_TODAY = dt.date(2026, 11, 23)  # evaluation date of the examples that set none
COMMAND = "python -m bcplint.report.rule_pages docs/rules"
NOTICE = f"<!-- Generated from rules/*.yaml by `{COMMAND}`: edit those, not this file. -->\n"
INDEX = "README.md"
EXAMPLE_FILE = "example.yaml"  # what a finding on an example names as its file
PAGE_NAME = re.compile(r"[A-Z][A-Z0-9]*[0-9]{3}\.md")  # a rule's page; only these are ever removed
_CHECK_FUNCTIONS = "../writing-packs.md#built-in-check-functions"


@dataclass(frozen=True, kw_only=True)
class PackClauses:
    """One shipped framework pack that enables a rule: its name, whether it is on by default,
    and the clauses it maps the rule to (``ISO 22301:2019 8.2.2``)."""

    pack: str
    default: bool
    clauses: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class ShippedRules:
    """Every rule of the shipped packs, as a default run has it (the catalog's definition with
    the default packs on top), sorted by id, and the framework packs that enable each one."""

    rules: tuple[Rule, ...]
    packs: Mapping[str, tuple[PackClauses, ...]]


def shipped_rules() -> ShippedRules:
    """The rules of ``rules/``: the catalog, the default framework packs, and any other shipped
    pack (a rule only such a pack defines is documented as that pack has it). Raises PackError
    for a broken shipped pack."""
    directory = builtin_pack_dir()
    rules = {rule.id: rule for rule in resolve_rules([CATALOG, *DEFAULT_PACKS], directory)}
    packs: dict[str, list[PackClauses]] = {}
    for name in builtin_pack_names():
        if name == CATALOG:
            continue
        for rule in resolve_rules([name], directory):
            rules.setdefault(rule.id, rule)
            packs.setdefault(rule.id, []).append(
                PackClauses(pack=name, default=name in DEFAULT_PACKS, clauses=rule.clauses)
            )
    return ShippedRules(
        rules=tuple(rules[key] for key in sorted(rules)),
        packs={key: tuple(value) for key, value in packs.items()},
    )


def render_pages(shipped: ShippedRules | None = None) -> dict[str, str]:
    """File name -> Markdown text: one page per rule and the index. Raises ValueError when a
    rule's example does not do what it says (a failing example without a finding of its rule,
    or a passing one with), naming the rule: ``bcplint verify`` shows the same."""
    shipped = shipped or shipped_rules()
    rules = list(shipped.rules)
    results: dict[str, list[ExampleResult]] = {}
    for result in verify_rules(rules, PAGES_TODAY, alongside=rules):
        if not result.ok:
            raise ValueError(f"{result.name} ({result.rule.origin}): {result.detail}; fix the example first")
        results.setdefault(result.rule.id, []).append(result)
    pages = {f"{rule.id}.md": _page(rule, shipped.packs.get(rule.id, ()), results.get(rule.id, [])) for rule in rules}
    pages[INDEX] = _index(rules)
    return pages


def write_pages(directory: Path, shipped: ShippedRules | None = None) -> list[Path]:
    """Write :func:`render_pages` into ``directory`` (created if need be), byte for byte (UTF-8,
    ``\\n`` line ends), and delete the pages of rules that no longer exist there (files named like
    ``BCP123.md``; nothing else is touched). Returns the files written, in name order."""
    pages = render_pages(shipped)
    directory.mkdir(parents=True, exist_ok=True)
    for stale in sorted(directory.iterdir()):
        if PAGE_NAME.fullmatch(stale.name) and stale.name not in pages and stale.is_file():
            stale.unlink()
    written = []
    for name in sorted(pages):
        path = directory / name
        path.write_bytes(pages[name].encode("utf-8"))
        written.append(path)
    return written


def _page(rule: Rule, packs: Sequence[PackClauses], examples: Sequence[ExampleResult]) -> str:
    out = [NOTICE, f"# {rule.id} {rule.name}\n\n", f"{rule.summary.strip()}\n\n"]
    out.append("| | |\n|---|---|\n")
    out.append(f"| severity | {rule.severity.label} |\n")
    out.append(f"| applies to | {table_cell(_where(rule))} |\n")
    out.append(f"| checks | {table_cell(_checks(rule))} |\n")
    if rule.rationale.strip():
        out.append(f"\n## Why it matters\n\n{rule.rationale.strip()}\n")
    out.append("\n## Clauses\n\n")
    out.append(_clauses(packs))
    out.append("\n## Parameters\n\n")
    out.append(_parameters(rule))
    out.append("\n## Examples\n")
    out.append(_examples(rule, examples))
    if rule.fix.strip():
        out.append(f"\n## How to fix\n\n{rule.fix.strip()}\n")
    out.append(f"\n[All rules]({INDEX})\n")
    return "".join(out)


def _where(rule: Rule) -> str:
    """The documents a rule looks at: its ``applies_to``, else what its check functions choose."""
    selected = applies_to(rule)
    if selected:
        return selected
    subjects = []
    for bound in rule.checks:
        function = bound.function
        if function.scope == "exemption":
            subject = "Waivers, inline suppressions and baseline entries"
        elif function.subjects == ("file",):
            subject = "every file that could hold a plan"
        elif function.subjects:
            subject = f"{', '.join(function.subjects)} documents, across the workspace"
        else:
            subject = "every document in the workspace"
        subjects.append(subject)
    return "; ".join(dict.fromkeys(subjects))


def _checks(rule: Rule) -> str:
    """``defined`` on ``rto``; the check functions and fields, each once, in order."""
    calls = (f"`{b.function.name}`" + (f" on `{b.field}`" if b.field else "") for b in rule.checks)
    text = "; ".join(dict.fromkeys(calls))
    needs = " (reads git history)" if "history" in rule.needs else ""
    return f"[check functions]({_CHECK_FUNCTIONS}): {text}{needs}"


def _clauses(packs: Sequence[PackClauses]) -> str:
    if not packs:
        return "No shipped framework pack enables this rule.\n"
    lines = ["| framework | clauses | pack |\n|---|---|---|\n"]
    for mapping in packs:
        default = " (on by default)" if mapping.default else " (opt-in: `--pack " + mapping.pack + "`)"
        groups: dict[str, list[str]] = {}
        for clause in mapping.clauses:  # "ISO 22301:2019 8.2.2": the pack's framework label, then the clause
            framework, _, number = clause.rpartition(" ")
            groups.setdefault(framework, []).append(number)
        if not groups:
            lines.append(f"| | none | `{mapping.pack}`{default} |\n")
        for framework, numbers in groups.items():
            lines.append(
                f"| {table_cell(framework)} | {table_cell(', '.join(numbers))} | `{mapping.pack}`{default} |\n"
            )
    return "".join(lines)


def _parameters(rule: Rule) -> str:
    """The parameters with their defaults, and the configuration that changes them."""
    lines = []
    if rule.params:
        lines.append("| parameter | default |\n|---|---|\n")
        lines.extend(f"| `{name}` | {table_cell(param_value(value))} |\n" for name, value in rule.params.items())
        lines.append("\nChange them, or the severity, in `.bcplint.yaml` (or `[tool.bcplint]` in pyproject.toml):\n\n")
    else:
        lines.append(
            "None. Its severity can be changed in `.bcplint.yaml` (or `[tool.bcplint]` in pyproject.toml):\n\n"
        )
    snippet = f"rules:\n  {rule.id}:  # or {rule.name}\n    severity: {rule.severity.label}\n"
    if rule.params:
        snippet += "    params:\n" + _indented(_yaml(dict(rule.params)), "      ")
    lines.append(_fenced(snippet, "yaml"))
    return "".join(lines)


def _examples(rule: Rule, examples: Sequence[ExampleResult]) -> str:
    out = []
    if rule.examples is not None and rule.examples.today is not None:
        day = rule.examples.today.isoformat()
        out.append(f"\nEvaluated on {day}, as `bcplint check --today {day}` would.\n")
    for expect, heading in (("fail", "Fails"), ("pass", "Passes")):
        out.append(f"\n### {heading}\n\n")
        chosen = [e for e in examples if e.expect == expect]
        if not chosen:
            out.append(_missing(rule, expect))
        for number, example in enumerate(chosen):
            if number:
                out.append("\n")
            out.append(_fenced(example.text, "yaml"))
            if example.findings:
                found = "".join(format_finding(_as_example(f)) + "\n" for f in example.findings)
                out.append("\nbcplint reports:\n\n" + _fenced(found, "text"))
            else:
                out.append("\nbcplint reports nothing.\n")
    return "".join(out)


def _as_example(finding: Finding) -> Finding:
    """The finding as a user who saved the example as ``example.yaml`` would see it: that name in
    its place and in its message (BCP004 names where the first document with the name is)."""
    message = finding.message.replace(finding.path, EXAMPLE_FILE)
    return dataclasses.replace(finding, path=EXAMPLE_FILE, message=message)


def _missing(rule: Rule, expect: str) -> str:
    if expect == "fail" and "history" in rule.needs:
        return (
            "The catalog has no failing example: this rule's findings come from git history (what changed, "
            "and when), which one example file cannot hold.\n"
        )
    return f"The catalog has no {'failing' if expect == 'fail' else 'passing'} example for this rule.\n"


def _index(rules: Sequence[Rule]) -> str:
    out = [NOTICE, "# Rules\n\n"]
    out.append(
        "Every rule bcplint ships, one page each: why it matters, its clauses, where it applies, its "
        "parameters, a failing and a passing example with the finding bcplint gives, and the fix. "
        "`bcplint explain RULE` prints the same at a terminal; reports (SARIF, the language server, "
        "`bcplint explain`, `bcplint report`) link each rule to its page here.\n\n"
    )
    out.append("| rule | name | severity | checks |\n|---|---|---|---|\n")
    for rule in rules:
        out.append(
            f"| [{rule.id}]({rule.id}.md) | {rule.name} | {rule.severity.label} | {table_cell(rule.summary)} |\n"
        )
    return "".join(out)


def _fenced(text: str, language: str) -> str:
    """``text`` as a fenced code block, the fence longer than any run of backticks inside it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    body = text if text.endswith("\n") else text + "\n"
    return f"{fence}{language}\n{body}{fence}\n"


def _yaml(data: object) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def _indented(text: str, prefix: str) -> str:
    return "".join(prefix + line if line.strip() else line for line in text.splitlines(keepends=True))


def main(argv: Sequence[str]) -> int:
    """``python -m bcplint.report.rule_pages DIRECTORY``: write the pages there; 2 on a usage error."""
    if len(argv) != 1:
        sys.stderr.write(f"usage: {COMMAND.replace('docs/rules', 'DIRECTORY')}\n")
        return 2
    written = write_pages(Path(argv[0]))
    sys.stdout.write(f"wrote {len(written)} files to {argv[0]}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
