"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request."""

from __future__ import annotations

from typing import TextIO

from bcplint.findings import LintResult, Severity

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def write(result: LintResult, stream: TextIO) -> None:
    for finding in result.findings:
        # A waived finding stays visible, but only as a notice: it was accepted.
        command = "notice" if finding.waived else COMMANDS[finding.severity]
        title = _property(f"{finding.rule_id} {finding.rule_name}")
        message = finding.message + (f" (waived: {finding.waiver})" if finding.waiver else "")
        stream.write(
            f"::{command} file={_property(finding.path)},line={finding.line},col={finding.column},"
            f"title={title}::{_data(message)}\n"
        )
