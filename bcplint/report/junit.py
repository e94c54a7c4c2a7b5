"""JUnit XML for test dashboards (GitLab, Jenkins, Azure DevOps), built with junit-xml.

One testsuite per pack; one testcase per (rule, document) that was checked, so passing checks
count too. Each rule's checks go to the first enabled pack that has it, so no check is counted
twice. Testcase names are unique and stable: GitLab merges testcases with equal names.

The dashboard agrees with the exit code (DESIGN §7). A testcase fails only for a finding at or
above ``--fail-on`` (an error element for a parse error, a failure otherwise). A testcase whose
findings are all below the threshold passes, and lists them in its ``system-out``
(``warning (below --fail-on error): ...``), so they are visible without turning the dashboard
red. A testcase whose findings are all waived is skipped, with the waiver and its expiry.
Attribute values (names, messages) are kept to one line: XML readers turn a line break in an
attribute into a space anyway.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, TextIO

from bcplint.findings import CheckedSubject, Finding, LintResult, RuleInfo, fails
from bcplint.report.options import ReportOptions
from bcplint.report.text import one_line

Key = tuple[str, str, str | None, str | None]


def _case_name(rule: RuleInfo, subject: CheckedSubject) -> str:
    target = f"{subject.kind} '{subject.document}' in {subject.path}" if subject.document else subject.path
    return one_line(f"{rule.id} {rule.name}: {target}")


def write(result: LintResult, stream: TextIO, options: ReportOptions) -> None:
    from junit_xml import TestCase, TestSuite, to_xml_report_string  # noqa: PLC0415 - 10 ms: only when asked for

    findings: dict[Key, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        findings[(finding.rule_id, finding.path, finding.kind, finding.document)].append(finding)
    subjects: dict[str, list[CheckedSubject]] = defaultdict(list)
    for subject in result.checks:
        subjects[subject.rule_id].append(subject)
    # A finding whose subject was not recorded still gets a testcase.
    recorded = {(s.rule_id, s.path, s.kind, s.document) for s in result.checks}
    for key in sorted(set(findings) - recorded, key=lambda k: tuple(part or "" for part in k)):
        subjects[key[0]].append(CheckedSubject(rule_id=key[0], path=key[1], kind=key[2], document=key[3]))

    suites: dict[str, list[TestCase]] = {}
    for rule in result.rules:
        cases = suites.setdefault(rule.pack, [])
        seen: set[str] = set()
        for subject in sorted(subjects.get(rule.id, []), key=CheckedSubject.sort_key):
            name = _case_name(rule, subject)
            if name in seen:  # documents sharing a name in one file (BCP004): keep names unique
                name = f"{name} #{subject.index + 1}"
            seen.add(name)
            case = TestCase(name=name, classname=f"bcplint.{rule.pack}.{rule.id}", file=subject.path)
            found = findings.get((rule.id, subject.path, subject.kind, subject.document), [])
            _record(case, found, result, unreadable=rule.about_files)
            cases.append(case)
    xml = to_xml_report_string(
        [TestSuite(name=f"bcplint {pack}", test_cases=cases) for pack, cases in suites.items() if cases],
        prettyprint=True,
    )
    stream.write(xml if xml.endswith("\n") else xml + "\n")


def _record(case: Any, found: list[Finding], result: LintResult, *, unreadable: bool) -> None:
    """Mark a testcase failed (errored for parse errors), passed with its findings below the
    fail-on threshold of its workspace in ``system-out``, or skipped (waived)."""
    active = [f for f in found if not f.waived]
    failing = [f for f in active if fails(f.severity, result.fail_on(f.path))]
    waived = [f for f in found if f.waived]
    if failing:
        case.line = failing[0].line
        output = "\n".join(f"{f.path}:{f.line}:{f.column}: {f.severity.label}: {f.message}" for f in active)
        message = one_line(failing[0].message)
        if unreadable:  # a file that cannot be read is an error of the run, not a failed check
            case.add_error_info(message=message, output=output, error_type="parse-error")
        else:
            case.add_failure_info(message=message, output=output, failure_type=failing[0].severity.label)
    elif active:
        case.line = active[0].line
        fail_on = result.fail_on(active[0].path)
        below = f"below --fail-on {fail_on}" if fail_on != "never" else "--fail-on is never"
        case.stdout = "\n".join(
            f"{f.path}:{f.line}:{f.column}: {f.severity.label} ({below}): {f.message}" for f in active
        )
    elif waived:
        case.line = waived[0].line
        reasons = "\n".join(f"{f.message} (waived: {f.waiver})" for f in waived)
        case.add_skipped_info(message=one_line(f"waived: {waived[0].waiver}"), output=reasons)
