"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request.

Findings the baseline accepted are not annotated one by one (unless ``show_baselined``): one
notice says how many there are.
"""

from __future__ import annotations

from typing import TextIO

from bcplint.findings import LintResult, Severity
from bcplint.report.options import ReportOptions

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def write(result: LintResult, stream: TextIO, options: ReportOptions) -> None:
    show_baselined = options.show_baselined
    for finding in result.listed(show_baselined=show_baselined):
        # A waived finding stays visible, but only as a notice: it was accepted.
        command = "notice" if finding.waived else COMMANDS[finding.severity]
        title = _property(f"{finding.rule_id} {finding.rule_name}")
        message = finding.message + (f" (waived: {finding.waiver})" if finding.waiver else "")
        stream.write(
            f"::{command} file={_property(finding.path)},line={finding.line},col={finding.column},"
            f"title={title}::{_data(message)}\n"
        )
    hidden = 0 if show_baselined else result.baselined_count
    if hidden:
        noun = "finding" if hidden == 1 else "findings"
        stream.write(
            f"::notice title={_property('bcplint baseline')}::{hidden} {noun} accepted by the baseline "
            "(not annotated; --show-baselined lists them)\n"
        )
