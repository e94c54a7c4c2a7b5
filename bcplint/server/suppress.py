"""The quick fix that accepts a finding: an inline suppression with an expiry and a reason to fill in.

The README's "Exceptions, auditable" syntax: ``# bcplint: ignore[RULE] until=YYYY-MM-DD -- reason``,
on the field's line (where the finding is), on the document's first line, or on its own line
just above the document. The fix writes it on the finding's line:

- a line without a comment gets ``  # bcplint: ignore[BCP402] until=... -- TODO: ...`` appended;
- a line whose comment already holds a suppression gets the rule added to its list
  (``ignore[BCP702, BCP402]``), keeping that suppression's expiry and reason;
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
from dataclasses import dataclass
from typing import Any

from bcplint.loader import load_file
from bcplint.positions import PositionIndex
from bcplint.server.text import LineMap, comment_start

DEFAULT_DAYS = 90
PLACEHOLDER = "TODO: say why this is acceptable and who agreed"
_DIRECTIVE = re.compile(r"#\s*bcplint:\s*ignore\[(?P<rules>[^\]]*)\]")


@dataclass(frozen=True, kw_only=True)
class Suppression:
    """Text to insert at a code-point position of an LSP line, and what it does, in words."""

    title: str
    row: int
    column: int
    text: str


def default_expiry(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=DEFAULT_DAYS)


def suppression(text: str, display: str, row: int, rule_id: str, until: dt.date) -> Suppression | None:
    """The edit that suppresses ``rule_id`` for the finding on LSP line ``row`` of ``text``.

    None when the buffer does not parse (a suppression cannot be read from a broken file), or
    when the line's suppression already names the rule (it is expired or invalid: the
    diagnostic about the suppression says what to fix).
    """
    before = _parsed(display, text)
    if before is None:
        return None
    lines = LineMap(text)
    directive = f"# bcplint: ignore[{rule_id}] until={until.isoformat()} -- {PLACEHOLDER}"
    on_line = _on_line(lines.line(row), row, rule_id, directive)
    if on_line is None:
        return None
    if _parsed(display, _apply(text, lines, on_line)) == before:
        return on_line
    above = _above_document(text, display, lines, row, rule_id, directive)
    if above is not None and _parsed(display, _apply(text, lines, above)) == before:
        return above
    return None


def _on_line(line: str, row: int, rule_id: str, directive: str) -> Suppression | None:
    comment = comment_start(line)
    existing = _DIRECTIVE.search(line, comment) if comment is not None else None
    if existing is not None:
        return _extend(existing, row, rule_id)
    spacing = "" if line.endswith((" ", "\t")) else (" " if comment is not None else "  ")
    if not line.strip():
        spacing = ""
    return Suppression(title=f"Suppress {rule_id} on this line", row=row, column=len(line), text=spacing + directive)


def _extend(existing: re.Match[str], row: int, rule_id: str) -> Suppression | None:
    names = [name.strip() for name in existing.group("rules").split(",") if name.strip()]
    if rule_id.upper() in (name.upper() for name in names):
        return None
    addition = f", {rule_id}" if names else rule_id
    end = existing.end("rules")
    column = end - (len(existing.group("rules")) - len(existing.group("rules").rstrip()))
    return Suppression(title=f"Add {rule_id} to the suppression on this line", row=row, column=column, text=addition)


def _above_document(
    text: str, display: str, lines: LineMap, row: int, rule_id: str, directive: str
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
    existing = _DIRECTIVE.search(previous)
    if existing is not None and not previous[: comment_start(previous) or 0].strip():
        return _extend(existing, start_row - 1, rule_id)
    first = lines.line(start_row)
    indent = first[: len(first) - len(first.lstrip(" "))]
    newline = "\r\n" if "\r\n" in text else "\n"
    return Suppression(
        title=f"Suppress {rule_id} for this document",
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
