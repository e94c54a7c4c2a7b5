"""References under the cursor, where the documents they name are defined, and what those are.

The cursor side is read from the buffer as it is now (one file, parsed on demand), so a
reference just typed is found before the next lint; the names are looked up in the workspace
of the last lint. A reference is a field the format marks as naming another document
(``owner``, ``deputy``, ``depends_on``, ``covers``, ``scope``, a Waiver's ``target``...), as
:func:`bcplint.workspace.documents.references` lists them; so references are known in documents that
match the format, and not in a document with a schema error until that is fixed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from bcplint.load.parse import YamlText, load_file
from bcplint.load.positions import PositionIndex
from bcplint.server.lint import Snapshot
from bcplint.server.text import LineMap, code_units, token_span
from bcplint.workspace.documents import Document, Reference, build_workspace, references

# Scalar facts worth seeing at a glance, in this order, with their labels.
_FACTS = (
    ("criticality", "criticality"),
    ("rto", "RTO"),
    ("rpo", "RPO"),
    ("mtpd", "MTPD"),
    ("owner", "owner"),
    ("deputy", "deputy"),
    ("role", "role"),
    ("email", "email"),
    ("phone", "phone"),
    ("sla", "SLA"),
    ("type", "type"),
    ("date", "date"),
    ("result", "result"),
    ("expires", "expires"),
)
_LISTS = (("depends_on", "depends on"), ("covers", "covers"), ("provides", "provides"))
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


@dataclass(frozen=True, kw_only=True)
class ReferenceAt:
    """A reference under the cursor: what it names and its span on the cursor's LSP line."""

    reference: Reference
    row: int
    start: int  # code points
    end: int


@dataclass(frozen=True, kw_only=True)
class Definition:
    """Where a document is defined: its file and the LSP range of its ``name`` value."""

    path: Path
    row: int
    start: int  # in client code units
    end: int


def reference_at(text: str, display: str, row: int, column: int, today: dt.date) -> ReferenceAt | None:
    """The reference whose value spans code-point ``column`` of LSP line ``row`` of ``text``."""
    loaded = load_file(display, text.encode("utf-8", "surrogatepass"), explicit=True)
    if not loaded.documents:
        return None
    lines = LineMap(text)
    wanted = lines.to_yaml_line(row)
    positions = PositionIndex()
    for doc in build_workspace([loaded], today).docs:
        for reference in references(doc):
            line, col = positions.locate(doc.raw.source, doc.raw.index, reference.field)
            if line != wanted:
                continue
            at_row, at_column = lines.from_yaml(line, col)
            start, end = token_span(lines.line(at_row), at_column)
            if at_row == row and start <= column <= end:
                return ReferenceAt(reference=reference, row=at_row, start=start, end=end)
    return None


def definitions(snapshot: Snapshot, name: str, encoding: str) -> list[Definition]:
    """Every document of the workspace named ``name`` (more than one is BCP004), in load order."""
    positions = PositionIndex()
    found = []
    for doc in _named(snapshot, name):
        source = doc.raw.source
        line, column = positions.locate(source, doc.raw.index, ("name",))
        row, start, end, text = _span_in_source(source, line, column)
        found.append(
            Definition(
                path=snapshot.path_of(doc.path),
                row=row,
                start=code_units(text[:start], encoding),
                end=code_units(text[:end], encoding),
            )
        )
    return found


def reference_markdown(snapshot: Snapshot, reference: Reference) -> str:
    """What the reference names: kind, name, title, key facts and the file and line."""
    docs = _named(snapshot, reference.target)
    expected = " or ".join(reference.kinds)
    if not docs:
        return f"`{_code(reference.target)}`: no document in this workspace has this name (expected a {expected})."
    positions = PositionIndex()
    parts = []
    for doc in docs:
        data = doc.raw.data
        title = data.get("title")
        heading = f"**{_escape(doc.kind or 'document')}** `{_code(reference.target)}`"
        if isinstance(title, str) and title.strip():
            heading += f": {_escape(title.strip())}"
        lines = [heading]
        if doc.kind not in reference.kinds:
            lines.append(f"*Not a {expected}, which this field needs.*")
        facts = [f"{label} {_escape(str(data[key]))}" for key, label in _FACTS if _is_scalar(data.get(key))]
        facts += [f"{label} {_escape(_listed(data[key]))}" for key, label in _LISTS if isinstance(data.get(key), list)]
        if facts:
            lines.append(" · ".join(facts))
        line, _ = positions.locate(doc.raw.source, doc.raw.index, ("name",))
        lines.append(f"Defined in `{_code(doc.path)}` line {line}")
        parts.append("\n\n".join(lines))
    return "\n\n---\n\n".join(parts)


def _named(snapshot: Snapshot, name: str) -> list[Document]:
    return [doc for doc in snapshot.workspace.docs if doc.name == name]


def _span_in_source(source: YamlText, line: int, column: int) -> tuple[int, int, int, str]:
    """LSP row, token start and end (code points) and the row's text, for a 1-based position
    in a file's YAML (front matter starts ``line_offset`` lines into its file)."""
    lines = LineMap(source.text)
    row, at = lines.from_yaml(line - source.line_offset, column)
    text = lines.line(row)
    start, end = token_span(text, at)
    return row + source.line_offset, start, end, text


def _is_scalar(value: object) -> bool:
    return isinstance(value, str | int | float | dt.date) and not isinstance(value, bool) and str(value) != ""


def _listed(values: list[object], limit: int = 5) -> str:
    shown = ", ".join(str(v) if not isinstance(v, dict) else str(v.get("name", "?")) for v in values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def _escape(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text.replace("\n", " "))


def _code(text: str) -> str:
    return text.replace("`", "'")
