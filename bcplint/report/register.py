"""The exception register (``bcplint waivers``): every waiver and inline suppression, by expiry."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, TextIO

from bcplint.exemptions.register import Register, ends
from bcplint.findings import Exemption, plural
from bcplint.report.markdown_summary import table_cell
from bcplint.report.options import ReportOptions
from bcplint.report.text import one_line


def _row(exemption: Exemption, today: dt.date) -> dict[str, Any]:
    return {
        "kind": exemption.kind,
        "name": exemption.name,
        "rule": exemption.rule,
        "target": exemption.target,
        "approved_by": exemption.approved_by,
        "expires": exemption.expires.isoformat() if exemption.expires else None,
        "review_by": exemption.review_by.isoformat() if exemption.review_by else None,
        "days_left": exemption.days_left(today),
        "status": exemption.status,
        "hides": exemption.matched,
        "reason": exemption.reason,
        "path": exemption.path,
        "line": exemption.line,
        "problems": list(exemption.problems),
    }


def write_json(register: Register, stream: TextIO, options: ReportOptions) -> None:
    today = register.today
    rows = [_row(e, today) for e in register.exemptions]
    json.dump({"version": 1, "today": today.isoformat(), "exemptions": rows}, stream, indent=2, ensure_ascii=False)
    stream.write("\n")


def write_text(register: Register, stream: TextIO, options: ReportOptions) -> None:
    today, exemptions = register.today, register.exemptions
    for e in exemptions:
        left = e.days_left(today)
        when = f"{e.expires.isoformat()} ({left} days left)" if e.expires and left is not None else ends(e)
        if left is not None and left < 0:
            when = f"{e.expires.isoformat()} (expired {-left} days ago)" if e.expires else when
        who = f", approved by {e.approved_by}" if e.approved_by else ""
        target = f" on {e.target}" if e.target else ""
        stream.write(f"{e.path}:{e.line}: {e.status:<8} {e.rule}{target} until {when}{who}: {one_line(e.reason)}\n")
    stream.write(f"\n{plural(len(exemptions), 'exemption')}.\n")


def write_markdown(register: Register, stream: TextIO, options: ReportOptions) -> None:
    stream.write("| expires | days left | status | rule | target | approved by | reason | where |\n")
    stream.write("|---|---:|---|---|---|---|---|---|\n")
    for e in register.exemptions:
        left = e.days_left(register.today)
        stream.write(
            f"| {ends(e)} | {'' if left is None else left} | {e.status} "
            f"| {table_cell(e.rule)} | {table_cell(e.target or '')} | {table_cell(e.approved_by or '')} "
            f"| {table_cell(e.reason)} | `{table_cell(e.path)}:{e.line}` |\n"
        )
