"""Where an inline suppression must stand to cover a finding.

A ``# bcplint: ignore[RULE] ...`` comment covers a finding of RULE in the same file when it is
on one of these lines:

- the line the finding is reported at;
- the line of any key on the finding's field path, or of a sequence item on it: a comment on
  ``backups:`` or on ``- name: nightly`` covers a finding at ``backups[0].last_restore_test.date``;
- the document's ``name:`` line, or its first line;
- a comment or blank line directly above the document, up to and including its ``---``.

Positions come from :class:`~bcplint.load.positions.PositionIndex`; only files that hold
suppressions, and only findings of the rules they name, are looked at.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

from bcplint.findings import Finding
from bcplint.load.comments import line_starts
from bcplint.load.parse import YamlText
from bcplint.load.positions import PositionIndex
from bcplint.workspace.documents import Document, Workspace

ADVICE = "put the comment on that line, a key above it, the name: line or the document's first line"


class Placement:
    """Covering lines of findings, and the document a comment line belongs to, for the files
    in ``paths``. Results are cached per document and per finding."""

    def __init__(self, workspace: Workspace, positions: PositionIndex, paths: Iterable[str]) -> None:
        wanted = set(paths)
        self._positions = positions
        self._docs: dict[tuple[str, str | None, str | None], list[Document]] = {}
        self._in_file: dict[str, list[Document]] = {}
        for doc in workspace.docs:
            if doc.path in wanted:
                self._docs.setdefault((doc.path, doc.kind, doc.name), []).append(doc)
                self._in_file.setdefault(doc.path, []).append(doc)
        self._heads: dict[int, frozenset[int]] = {}
        self._lines: dict[tuple[str, int], list[str]] = {}
        self._covering: dict[Finding, frozenset[int]] = {}

    def covering(self, finding: Finding) -> frozenset[int]:
        """Every line on which a suppression of ``finding``'s rule covers it."""
        if finding not in self._covering:
            lines = {finding.line}
            for doc in self._docs.get((finding.path, finding.kind, finding.document), []):
                if finding.document is None:
                    continue  # a nameless document cannot be told apart from its neighbours
                source, index = doc.raw.source, doc.raw.index
                lines |= self.head(doc)
                lines.add(self._positions.locate(source, index, ("name",), key=True)[0])
                lines.update(self._positions.key_lines(source, index, finding.field or ""))
            self._covering[finding] = frozenset(lines)
        return self._covering[finding]

    def head(self, doc: Document) -> frozenset[int]:
        """The document's first line, and the comment and blank lines directly above it up to
        and including its ``---`` line."""
        if id(doc) not in self._heads:
            source = doc.raw.source
            first = self._positions.locate(source, doc.raw.index, ())[0]
            lines = {first}
            texts = self._text_lines(source)
            line = first - 1
            while line > source.line_offset:
                text = texts[line - 1 - source.line_offset].strip(" \t")
                if text and not text.startswith("#"):
                    if text.startswith("---"):
                        lines.add(line)
                    break
                lines.add(line)
                line -= 1
            self._heads[id(doc)] = frozenset(lines)
        return self._heads[id(doc)]

    def document_at(self, path: str, line: int) -> Document | None:
        """The document a comment on ``line`` of ``path`` belongs to: the one it stands in, or
        the next one when it stands in that one's head (see :meth:`head`)."""
        docs = sorted(self._in_file.get(path, []), key=lambda d: d.raw.index)
        if not docs:
            return None
        firsts = self._positions.document_lines(docs[0].raw.source)
        starts = [firsts[d.raw.index] if d.raw.index < len(firsts) else 0 for d in docs]
        at = bisect.bisect_right(starts, line) - 1
        if at + 1 < len(docs) and line in self.head(docs[at + 1]):
            return docs[at + 1]
        return docs[at] if at >= 0 else None

    def _text_lines(self, source: YamlText) -> list[str]:
        key = (source.path, source.line_offset)
        if key not in self._lines:
            text = source.text
            starts = line_starts(text)
            ends = [*starts[1:], len(text)]
            self._lines[key] = [text[a:b].rstrip("\r\n\x85\u2028\u2029") for a, b in zip(starts, ends, strict=True)]
        return self._lines[key]


def unused_detail(placement: Placement, path: str, line: int, rule_ids: Iterable[str], findings: list[Finding]) -> str:
    """Why a suppression on ``line`` of ``path`` hid nothing, and where it would have to go.

    ``findings`` are all findings of the run before exemptions were applied. For each rule:
    where its first finding on the comment's document is reported, or that there is none.
    """
    doc = placement.document_at(path, line)
    label = doc.label if doc is not None else f"file {path}"
    parts, misplaced = [], False
    for rule_id in sorted(rule_ids):
        own = sorted(
            (
                f
                for f in findings
                if f.rule_id == rule_id
                and f.path == path
                and (doc is None or (f.document == doc.name and f.kind == doc.kind))
            ),
            key=Finding.sort_key,
        )
        if own:
            first = own[0]
            field = f"field {first.field}" if first.field else "the document"
            where = f"{label}" if doc is not None else f"{first.kind or 'file'} '{first.document or path}'"
            parts.append(f"{rule_id} on {where} is reported at line {first.line} ({field})")
            misplaced = True
        else:
            parts.append(f"{label} has no {rule_id} finding")
    if misplaced:
        return f"matches no finding; {', and '.join(parts)}: {ADVICE}"
    return f"matches no finding: {', and '.join(parts)}; remove it"
