"""Baselines: accept today's findings, fail only on new ones, and watch the list shrink.

Entries are keyed by rule, document and field, never by line, so edits elsewhere in a file
do not break them. Findings without a document (parse errors) are keyed by path and message.
An entry that matches nothing any more is reported (BCP802), so a baseline only shrinks.

The file is JSON with one entry per line, so a finding about an entry can point at its line
and a diff of the baseline reads like a list of accepted gaps.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Iterable, Set
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bcplint.errors import ConfigError
from bcplint.findings import Exemption, Finding

BASELINE_VERSION = 1
DEFAULT_BASELINE = ".bcplint-baseline.json"
_FIRST_ENTRY_LINE = 4  # see write(): two header lines, then "entries": [

Key = tuple[str, str, str, str]


def key_of(finding: Finding) -> Key:
    if finding.document is not None:
        return (finding.rule_id, finding.kind or "", finding.document, finding.field or "")
    return (finding.rule_id, "", finding.path, finding.message)


def _entry(finding: Finding) -> dict[str, str]:
    entry = {"rule": finding.rule_id}
    if finding.document is not None:
        entry.update(kind=finding.kind or "", document=finding.document, field=finding.field or "")
    else:
        entry.update(path=finding.path)
    entry["message"] = finding.message
    return entry


def write(findings: Iterable[Finding], stream: TextIO, *, baselinable: Set[str]) -> int:
    """Write the baseline of ``findings`` of the rules in ``baselinable`` (waived ones and
    findings of rules whose fix is a deletion, such as an unused exemption, are left out);
    return the number of entries."""
    kept = (f for f in findings if not f.waived and f.rule_id in baselinable)
    entries = sorted((_entry(f) for f in kept), key=lambda e: json.dumps(e, sort_keys=True))
    stream.write(f'{{\n  "version": {BASELINE_VERSION},\n  "entries": [\n')
    for i, entry in enumerate(entries):
        comma = "," if i < len(entries) - 1 else ""
        stream.write(f"    {json.dumps(entry, ensure_ascii=False)}{comma}\n")
    stream.write("  ]\n}\n")
    return len(entries)


@dataclass(frozen=True)
class _Entry:
    key: Key
    line: int
    rule: str
    message: str


@dataclass(frozen=True)
class Baseline:
    path: str  # as reports show it
    entries: tuple[_Entry, ...]

    @property
    def rules(self) -> set[str]:
        """The rule ids its entries name."""
        return {entry.rule for entry in self.entries}

    def apply(self, findings: list[Finding], rules: Set[str]) -> tuple[list[Finding], list[Exemption]]:
        """Mark the findings that the entries of ``rules`` accept; return them and those of the
        entries that matched nothing.

        The entries of rules about exemptions are applied in a pass of their own, once those
        findings exist (:mod:`bcplint.exemptions.apply`).
        """
        entries = [e for e in self.entries if e.rule in rules]
        available = Counter(entry.key for entry in entries)
        result = []
        for finding in findings:
            key = key_of(finding)
            if not finding.waived and available[key] > 0:
                available[key] -= 1
                result.append(dataclasses.replace(finding, waiver=f"baseline {self.path}", waiver_kind="baseline"))
            else:
                result.append(finding)
        unused = []
        for entry in reversed(entries):  # the last copies of a key are the unused ones
            if available[entry.key] > 0:
                available[entry.key] -= 1
                unused.append(
                    Exemption(
                        kind="baseline",
                        name=f"{self.path}:{entry.line}",
                        rule=entry.rule,
                        target=entry.key[2] or None,
                        reason=entry.message,
                        approved_by=None,
                        expires=None,
                        path=self.path,
                        line=entry.line,
                        column=5,
                        status="unused",
                    )
                )
        return result, sorted(unused, key=lambda e: e.line)


def load_baseline(path: Path, display: str) -> Baseline:
    """Read a baseline written by ``bcplint baseline``; a broken one is a configuration error."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{display}: no such baseline; create it with `bcplint baseline`") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{display}: not a readable bcplint baseline ({exc}); {_RECREATE}") from None
    if not isinstance(data, dict) or data.get("version") != BASELINE_VERSION:
        raise ConfigError(f"{display}: not a version {BASELINE_VERSION} bcplint baseline; {_RECREATE}")
    if not isinstance(data.get("entries"), list):
        raise ConfigError(f"{display}: the baseline has no list of entries; {_RECREATE}")
    entries = []
    for i, item in enumerate(data["entries"]):
        if not isinstance(item, dict) or not isinstance(item.get("rule"), str):
            raise ConfigError(f"{display}: entry {i + 1} has no rule; {_RECREATE}")
        message = str(item.get("message", ""))
        if "document" in item:
            key: Key = (item["rule"], str(item.get("kind", "")), str(item["document"]), str(item.get("field", "")))
        else:
            key = (item["rule"], "", str(item.get("path", "")), message)
        entries.append(_Entry(key=key, line=_FIRST_ENTRY_LINE + i, rule=item["rule"], message=message))
    return Baseline(path=display, entries=tuple(entries))


_RECREATE = "recreate it with `bcplint baseline`"
