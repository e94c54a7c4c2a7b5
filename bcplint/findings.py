"""Severity, Finding and LintResult: the one result type every formatter reads."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal


class Severity(enum.IntEnum):
    """Ordered so that ``a >= b`` means "a is at least as severe as b"."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.upper()]


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One gap in the plan, at a place in a file. Reports sort by :meth:`sort_key`."""

    path: str
    line: int
    column: int
    rule_id: str
    rule_name: str
    severity: Severity
    message: str
    kind: str | None = None
    document: str | None = None
    field: str | None = None
    clauses: tuple[str, ...] = ()
    waiver: str | None = None
    waiver_kind: Literal["waiver", "inline", "baseline"] | None = None  # where the exception lives

    @property
    def waived(self) -> bool:
        return self.waiver is not None

    @property
    def baselined(self) -> bool:
        """Accepted by the baseline (rather than by a Waiver or an inline suppression)."""
        return self.waiver_kind == "baseline"

    def sort_key(self) -> tuple[str, int, int, str, str, str, str, str]:
        """Path, line, column, rule, then the rest: total, so output never depends on set order."""
        return (
            self.path,
            self.line,
            self.column,
            self.rule_id,
            self.kind or "",
            self.document or "",
            self.field or "",
            self.message,
        )

    @property
    def fingerprint(self) -> str:
        """Stable identity across edits elsewhere in the file: rule, document and field, never the line.

        Findings without a document (parse errors) fall back to the path and message.
        """
        if self.document is not None:
            key = f"{self.rule_id}|{self.kind}|{self.document}|{self.field or ''}"
        else:
            key = f"{self.rule_id}|{self.path}|{self.message}"
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True, kw_only=True)
class RuleInfo:
    """A rule as reports describe it; decoupled from the pack machinery."""

    id: str
    name: str
    severity: Severity
    summary: str
    rationale: str
    fix: str
    clauses: tuple[str, ...]
    pack: str
    about_files: bool = False  # about whole files that cannot be read (JUnit: errors, not failures)
    judges_exemptions: bool = False  # about waivers, suppressions and baseline entries
    baselinable: bool = True  # a baseline may accept its findings
    help_url: str | None = None  # absolute URL of the rule's page (SARIF helpUri); None: it has none


@dataclass(frozen=True, kw_only=True)
class CheckedSubject:
    """One (rule, document) pair that was checked, passing or not; a file for parse checks."""

    rule_id: str
    path: str
    kind: str | None = None
    document: str | None = None
    index: int = 0  # position of the document in its file, to tell same-named documents apart

    def sort_key(self) -> tuple[str, str, str, str, int]:
        return (self.rule_id, self.path, self.kind or "", self.document or "", self.index)


def plural(count: int, noun: str) -> str:
    """``1 error``, ``2 errors``, ``0 documents``: a count with its noun (plural by adding -s)."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def clause_text(clauses: tuple[str, ...]) -> str:
    """``('ISO 22301:2019 8.6', 'ISO 22301:2019 9.3', 'ITIL 4 SCM review')`` ->
    ``ISO 22301:2019 8.6, 9.3; ITIL 4 SCM review`` (consecutive clauses of one framework merged)."""
    groups: list[tuple[str, list[str]]] = []
    for clause in clauses:
        framework, _, number = clause.rpartition(" ")
        if framework and groups and groups[-1][0] == framework:
            groups[-1][1].append(number)
        else:
            groups.append((framework, [number]) if framework else (clause, []))
    return "; ".join(f"{framework} {', '.join(numbers)}" if numbers else framework for framework, numbers in groups)


ExemptionStatus = Literal["active", "expired", "invalid", "unused"]


@dataclass(frozen=True, kw_only=True)
class Exemption:
    """A Waiver document, an inline suppression or a baseline entry, as the register shows it."""

    kind: Literal["waiver", "inline", "baseline"]
    name: str
    rule: str
    target: str | None
    reason: str
    approved_by: str | None
    expires: dt.date | None
    path: str
    review_by: dt.date | None = None  # a standing risk acceptance: due for review from this date
    line: int
    column: int = 1
    status: ExemptionStatus = "active"
    problems: tuple[str, ...] = ()
    field: str = "rule"  # for Waiver documents: the field a problem is about
    matched: int = 0  # findings it hid in this run
    hint: str = ""  # for an unused one: why it hid nothing and where it would have to stand

    def days_left(self, today: dt.date) -> int | None:
        return (self.expires - today).days if self.expires else None


@dataclass(frozen=True, kw_only=True)
class Exclusion:
    """A document declared out of continuity scope (``out_of_scope``): rules do not judge it,
    and reports list it with its reason (ISO 22301:2019 4.3.2: exclusions are documented and
    explained)."""

    kind: str
    name: str
    reason: str
    approved_by: str | None
    path: str
    line: int


@dataclass(frozen=True, kw_only=True)
class LintResult:
    """Everything one run found, plus what it looked at."""

    findings: tuple[Finding, ...]
    files_checked: int
    documents_checked: int
    packs: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())
    rules: tuple[RuleInfo, ...] = ()  # what formatters need to describe each rule (SARIF, JUnit)
    checks: tuple[CheckedSubject, ...] = ()  # filled only when a report needs passing checks
    exemptions: tuple[Exemption, ...] = ()
    today: dt.date | None = None
    maturity: tuple[Any, ...] = ()  # bcplint.insights.maturity.Maturity per Service
    exclusions: tuple[Exclusion, ...] = ()  # documents out of continuity scope, by path and line
    # What finding paths are relative to: the repository root (else the workspace root).
    base: Path | None = None
    # (workspace root relative to ``base``, its fail_on): a run over several workspaces fails
    # each finding by its own workspace's threshold. "" is the base itself.
    thresholds: tuple[tuple[str, str], ...] = (("", "error"),)

    @property
    def waived_count(self) -> int:
        """Findings waived in any way: Waiver, inline suppression or baseline."""
        return sum(1 for f in self.findings if f.waived)

    @property
    def baselined_count(self) -> int:
        return sum(1 for f in self.findings if f.baselined)

    def listed(self, *, show_baselined: bool = False) -> tuple[Finding, ...]:
        """The findings a human-facing report lists: all but those the baseline accepted,
        which such reports only count (they were accepted all at once, knowingly, and listing
        them on every run buries what is new)."""
        if show_baselined:
            return self.findings
        return tuple(f for f in self.findings if not f.baselined)

    def active(self) -> tuple[Finding, ...]:
        """Findings that are not waived."""
        return tuple(f for f in self.findings if not f.waived)

    def counts(self) -> Counter[Severity]:
        return Counter(f.severity for f in self.active())

    def worst(self) -> Severity | None:
        active = self.active()
        return max((f.severity for f in active), default=None)

    def fail_on(self, path: str) -> str:
        """The fail_on threshold (error, warning, info or never) for a finding at ``path``:
        that of the workspace whose root is the longest prefix of it."""
        best, threshold = -1, self.thresholds[0][1]
        for prefix, value in self.thresholds:
            if (not prefix or path == prefix or path.startswith(prefix + "/")) and len(prefix) > best:
                best, threshold = len(prefix), value
        return threshold

    def failing(self) -> tuple[Finding, ...]:
        """Active findings at or above their workspace's fail_on: what makes the exit code 1."""
        return tuple(f for f in self.active() if fails(f.severity, self.fail_on(f.path)))

    @property
    def uniform_fail_on(self) -> str | None:
        """The one threshold of the run, or None when its workspaces set different ones."""
        values = {value for _, value in self.thresholds}
        return values.pop() if len(values) == 1 else None


def fails(severity: Severity, fail_on: str) -> bool:
    """True when a finding of ``severity`` fails a run with ``--fail-on fail_on``."""
    return fail_on != "never" and severity >= Severity.parse(fail_on)
