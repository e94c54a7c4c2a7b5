"""Human-readable output: one line per finding, then a summary."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TextIO

from bcplint.findings import Finding, LintResult, Severity, clause_text

_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def _paint(text: str, code: str, color: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if color else text


def terminal_path(path: str, base: Path | None, cwd: Path | None) -> str:
    """A report path (relative to ``base``) as a terminal shows it: relative to ``cwd`` when
    below it, so it can be opened from there; absolute otherwise."""
    if base is None or cwd is None or os.path.isabs(path):
        return path
    absolute = os.path.normpath(os.path.join(base, path))
    relative = os.path.relpath(absolute, cwd)
    return absolute if relative.startswith("..") else relative.replace(os.sep, "/")


def format_finding(finding: Finding, *, color: bool = False, path: str | None = None) -> str:
    """``path:line:col: severity ID name: message [clauses]`` (plus the waiver when waived)."""
    where = _paint(f"{path or finding.path}:{finding.line}:{finding.column}:", "1", color)
    severity = _paint(finding.severity.label, _COLORS[finding.severity], color)
    rule = (
        _paint(f"{finding.rule_id} {finding.rule_name}", "2", color)
        if color
        else f"{finding.rule_id} {finding.rule_name}"
    )
    clauses = f" [{clause_text(finding.clauses)}]" if finding.clauses else ""
    waived = f" (waived: {finding.waiver})" if finding.waiver else ""
    return f"{where} {severity} {rule}: {finding.message}{clauses}{waived}"


def summary(result: LintResult) -> str:
    """Counts, then what decided the exit code when anything was found."""
    counts = result.counts()
    parts = [_plural(counts[s], s.label) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO) if counts[s]]
    waived = result.waived_count
    found = ", ".join(parts) if parts else "No problems"
    extra = f" ({waived} waived)" if waived else ""
    docs = _plural(result.documents_checked, "document")
    files = _plural(result.files_checked, "file")
    line = f"{found}{extra} in {docs} across {files}."
    if not parts:
        return line
    fail_on = result.uniform_fail_on
    threshold = f"at or above {fail_on}" if fail_on else "at or above its workspace's fail_on"
    if fail_on == "never":
        return f"{line} Not failing: --fail-on is never."
    failing = len(result.failing())
    if failing:
        return f"{line} Failing: {_plural(failing, 'finding')} {threshold}."
    return f"{line} Not failing: nothing {threshold}."


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def write(
    result: LintResult, stream: TextIO, *, color: bool = False, quiet: bool = False, cwd: Path | None = None
) -> None:
    """One line per finding, paths relative to ``cwd`` (the terminal's directory), then the summary."""
    for finding in result.findings:
        path = terminal_path(finding.path, result.base, cwd)
        stream.write(format_finding(finding, color=color, path=path) + "\n")
    if not quiet:
        if result.findings:
            stream.write("\n")
        stream.write(summary(result) + "\n")
