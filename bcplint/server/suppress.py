"""The quick fix that accepts a finding: an inline suppression with an expiry and a reason to fill in.

The README's "Exceptions, auditable" syntax: ``# bcplint: ignore[RULE] until=YYYY-MM-DD -- reason``,
on the field's line (where the finding is), on the document's first line, or on its own line
just above the document. The fix writes it on the finding's line:

- a line without a comment gets ``  # bcplint: ignore[BCP402] until=... -- TODO: ...`` appended;
- a line whose comment already holds a suppression in force gets the rule added to its list
  (``ignore[BCP702, BCP402]``), keeping that suppression's expiry and reason (an expired or
  invalid one would not hide the new rule either, so the fix goes above the document then);
- a line with another comment gets the suppression appended after it (a comment may say
  anything before ``# bcplint:``).

The edit is checked before it is offered: the buffer with the comment must parse to the same
data as without it. Where it would not (the line is inside a multi-line scalar), the
suppression goes on its own line just above the document instead, which covers the rule for
that whole document. The expiry defaults to :data:`DEFAULT_DAYS` after the evaluation date: an
exception should be looked at again, and a quarter is the usual review rhythm; the reason is
a placeholder that says it must be replaced.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bcplint.load.parse import load_file
from bcplint.load.positions import PositionIndex
from bcplint.server.text import LineMap, comment_start

DEFAULT_DAYS = 90
PLACEHOLDER = "TODO: say why this is acceptable and who agreed"
_DIRECTIVE = re.compile(r"#\s*bcplint:\s*ignore\[(?P<rules>[^\]]*)\]")
_UNTIL = re.compile(r"\s+until=(\S+)")


@dataclass(frozen=True, kw_only=True)
class Suppression:
    """Text to insert at a code-point position of an LSP line, and what it does, in words."""

    title: str
    row: int
    column: int
    text: str


def default_expiry(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=DEFAULT_DAYS)


def suppression(text: str, display: str, row: int, rule: Sequence[str], today: dt.date) -> Suppression | None:
    """The edit that suppresses a rule for the finding on LSP line ``row`` of ``text``.

    ``rule`` is the rule's id, then any other name it goes by (its kebab-case name); the
    suppression names it by id. The expiry is :func:`default_expiry` of ``today``. None when the
    buffer does not parse (a suppression cannot be read from a broken file), or when the
    line's suppression already names the rule (then it is expired or invalid, and the
    diagnostic about it says what to fix).
    """
    before = _parsed(display, text)
    if before is None:
        return None
    lines = LineMap(text)
    rule_id = rule[0]
    directive = f"# bcplint: ignore[{rule_id}] until={default_expiry(today).isoformat()} -- {PLACEHOLDER}"
    line = lines.line(row)
    existing = _directive_in(line)
    if existing is not None and _names(existing) & {name.upper() for name in rule}:
        return None
    if existing is None or _usable(line, existing, today):
        on_line = _extend(existing, row, rule_id) if existing is not None else _append(line, row, rule_id, directive)
        if _parsed(display, _apply(text, lines, on_line)) == before:
            return on_line
    above = _above_document(text, display, lines, row, rule, directive, today)
    if above is not None and _parsed(display, _apply(text, lines, above)) == before:
        return above
    return None


def _directive_in(line: str) -> re.Match[str] | None:
    """The ``# bcplint: ignore[...]`` in the comment of ``line``, if it has one."""
    comment = comment_start(line)
    return _DIRECTIVE.search(line, comment) if comment is not None else None


def _names(existing: re.Match[str]) -> set[str]:
    return {name.strip().upper() for name in existing.group("rules").split(",") if name.strip()}


def _usable(line: str, existing: re.Match[str], today: dt.date) -> bool:
    """True when the suppression on ``line`` is in force, so a rule added to it is too: it gives a
    reason and has not expired (an unreadable date is left for BCP803 to report)."""
    rest = line[existing.end() :]
    until = _UNTIL.match(rest)
    reason = rest.split("--", 1)[1].strip() if "--" in rest else ""
    if until is not None:
        try:
            if dt.date.fromisoformat(until.group(1)) < today:
                return False
        except ValueError:
            return False
    return bool(reason)


def _append(line: str, row: int, rule_id: str, directive: str) -> Suppression:
    has_comment = comment_start(line) is not None
    spacing = "" if not line.strip() or line.endswith((" ", "\t")) else (" " if has_comment else "  ")
    return Suppression(title=f"Suppress {rule_id} on this line", row=row, column=len(line), text=spacing + directive)


def _extend(existing: re.Match[str], row: int, rule_id: str) -> Suppression:
    listed = existing.group("rules")
    addition = f", {rule_id}" if listed.strip() else rule_id
    column = existing.end("rules") - (len(listed) - len(listed.rstrip()))
    return Suppression(title=f"Add {rule_id} to the suppression on this line", row=row, column=column, text=addition)


def _above_document(
    text: str, display: str, lines: LineMap, row: int, rule: Sequence[str], directive: str, today: dt.date
) -> Suppression | None:
    """The suppression on its own line just above the document that holds LSP line ``row``."""
    loaded = load_file(display, text.encode("utf-8", "surrogatepass"), explicit=True)
    positions = PositionIndex()
    wanted = lines.to_yaml_line(row)
    starts = [positions.locate(raw.source, raw.index, ())[0] for raw in loaded.documents]
    held = [start for start in starts if start <= wanted]
    if not held:
        return None
    start_row, _ = lines.from_yaml(max(held), 1)
    previous = lines.line(start_row - 1) if start_row > 0 else ""
    existing = _directive_in(previous)
    if existing is not None and not previous[: comment_start(previous) or 0].strip():
        if _names(existing) & {name.upper() for name in rule}:
            return None
        if _usable(previous, existing, today):
            return _extend(existing, start_row - 1, rule[0])
    first = lines.line(start_row)
    indent = first[: len(first) - len(first.lstrip(" "))]
    newline = "\r\n" if "\r\n" in text else "\n"
    return Suppression(
        title=f"Suppress {rule[0]} for this document",
        row=start_row,
        column=0,
        text=f"{indent}{directive}{newline}",
    )


def _apply(text: str, lines: LineMap, edit: Suppression) -> str:
    offset = lines.starts[edit.row] + edit.column
    return text[:offset] + edit.text + text[offset:]


def _parsed(display: str, text: str) -> list[dict[str, Any]] | None:
    """The documents' data, or None when the text does not parse."""
    loaded = load_file(display, text.encode("utf-8", "surrogatepass"), explicit=True)
    if loaded.problem is not None:
        return None
    return [raw.data for raw in loaded.documents]
