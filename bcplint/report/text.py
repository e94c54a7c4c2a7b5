"""Human-readable output: one line per finding, then a summary.

Findings the baseline accepted are counted in the summary, not listed, unless
``show_baselined``. Each finding stays on one line whatever its text holds: line breaks in a
message or a waiver's reason become spaces, and other control characters are shown escaped
(``\\x1b``), so they can neither break the format nor drive the terminal.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TextIO

from bcplint.findings import Finding, LintResult, Severity, clause_text, plural
from bcplint.report.options import ReportOptions

_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}
_LINE_BREAKS = re.compile("(?:[ \t]*(?:\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]))+[ \t]*")
_BREAK_CHARACTERS = " \t\r\n\x0b\x0c\x85\u2028\u2029"
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def one_line(text: str) -> str:
    """``text`` on one line: line breaks inside become a space (at either end they go),
    control characters ``\\xNN``."""
    flat = _LINE_BREAKS.sub(" ", text.strip(_BREAK_CHARACTERS))
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", flat)


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
    where = _paint(f"{one_line(path or finding.path)}:{finding.line}:{finding.column}:", "1", color)
    severity = _paint(finding.severity.label, _COLORS[finding.severity], color)
    rule = (
        _paint(f"{finding.rule_id} {finding.rule_name}", "2", color)
        if color
        else f"{finding.rule_id} {finding.rule_name}"
    )
    clauses = f" [{clause_text(finding.clauses)}]" if finding.clauses else ""
    waived = f" (waived: {one_line(finding.waiver)})" if finding.waiver else ""
    return f"{where} {severity} {rule}: {one_line(finding.message)}{clauses}{waived}"


def summary(result: LintResult, *, show_baselined: bool = False) -> str:
    """Counts, then what decided the exit code when anything was found."""
    counts = result.counts()
    parts = [plural(counts[s], s.label) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO) if counts[s]]
    found = ", ".join(parts) if parts else "No problems"
    line = f"{found}{_waived(result, show_baselined)} in {plural(result.documents_checked, 'document')} across "
    line += f"{plural(result.files_checked, 'file')}."
    if not parts:
        return line
    fail_on = result.uniform_fail_on
    threshold = f"at or above {fail_on}" if fail_on else "at or above its workspace's fail_on"
    if fail_on == "never":
        return f"{line} Not failing: --fail-on is never."
    failing = len(result.failing())
    if failing:
        return f"{line} Failing: {plural(failing, 'finding')} {threshold}."
    return f"{line} Not failing: nothing {threshold}."


def _waived(result: LintResult, show_baselined: bool) -> str:
    waived, baselined = result.waived_count, result.baselined_count
    if not waived:
        return ""
    if show_baselined or not baselined:
        return f" ({waived} waived)"
    other = f"{waived - baselined} waived, " if waived > baselined else ""
    return f" ({other}{baselined} accepted by the baseline and not listed: --show-baselined lists them)"


def write(result: LintResult, stream: TextIO, options: ReportOptions) -> None:
    """One line per finding, paths relative to ``options.cwd`` (the terminal's directory), then
    the summary (unless ``options.quiet``)."""
    listed = result.listed(show_baselined=options.show_baselined)
    for finding in listed:
        path = terminal_path(finding.path, result.base, options.cwd)
        stream.write(format_finding(finding, color=options.color, path=path) + "\n")
    if not options.quiet:
        if listed:
            stream.write("\n")
        stream.write(summary(result, show_baselined=options.show_baselined) + "\n")
