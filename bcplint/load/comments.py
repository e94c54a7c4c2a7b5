"""Comments that address bcplint (``# bcplint: ...``), found by the YAML scanner.

Comments are not part of YAML's data, so the loader drops them. A ``#`` is a comment only where
the YAML scanner says so: not inside a quoted value, not in the body of a block scalar, and
anywhere after an earlier ``#`` on the same line (``owner: x  # vendor's team # bcplint: ...``).
Counting quotes on the line cannot tell these apart; the scanner can. Between its tokens there is
only white space and comments, so the first ``#`` on a line that lies outside every token (and
follows white space or starts the line) starts the line's comment.

What counts as an attempt at a directive: a comment in which the word ``bcplint``, in any case,
is followed by a colon (``# bcplint: ...``, ``#BCPLINT:...``, ``# see bcplint: ...``). Each is
either a valid suppression or reported invalid (BCP803) by :mod:`bcplint.exemptions.inline`, so a mistyped
directive is never silently nothing. Mentions without the colon (``bcplint/v1``, ``# bcplint
docs``) are not attempts. The directive runs from the ``#`` before ``bcplint`` to the end of the
line, so a comment holds one directive, which may name several rules.

The scanner is libyaml's (the same that parsed the file) when ``ruamel.yaml.clib`` is installed,
else ruamel.yaml's pure-Python one. Only files that mention ``bcplint`` other than in
``bcplint/`` are scanned, and only up to the last line that holds an attempt, so plans without
suppressions pay one lower-casing of their text.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass

from ruamel.yaml.error import YAMLError

from bcplint.load.parse import YamlText
from bcplint.load.yaml_stream import scan_tokens

# What counts as an attempt at a directive: the word bcplint, in any case, then a colon.
ATTEMPT = re.compile(r"\bbcplint\s*:", re.IGNORECASE)
_ATTEMPT_LOWER = re.compile(r"\bbcplint\s*:")
# Line breaks as YAML scanners (libyaml and ruamel) count lines.
_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_RARE_BREAKS = ("\r", "\x85", "\u2028", "\u2029")
_BLOCK_STYLES = ("|", ">")
_INFINITY = 1 << 62


@dataclass(frozen=True, kw_only=True)
class DirectiveComment:
    """A comment that contains a ``bcplint:`` attempt. Lines are 1-based in the file (front
    matter offset applied); ``column`` is the 1-based column of the ``#`` that opens the
    directive (the last ``#`` before ``bcplint``, so ``# note # bcplint: ...`` points at the
    second); ``text`` runs from that ``#`` to the end of the line."""

    line: int
    column: int
    text: str


def directive_comments(source: YamlText) -> list[DirectiveComment]:
    """Every comment of ``source`` that holds a ``bcplint:`` attempt, in line order.

    Text after a point where the file stops being valid YAML is not examined: such a file is
    reported as a parse error (BCP001), and none of its documents after that point exist.
    """
    text = source.text
    lowered = text.lower()
    if lowered.count("bcplint") == lowered.count("bcplint/"):
        return []  # the common case: nothing but `apiVersion: bcplint/v1`
    # Lower-casing keeps offsets but for a few letters (İ): search the original text then.
    haystack, pattern = (lowered, _ATTEMPT_LOWER) if len(lowered) == len(text) else (text, ATTEMPT)
    starts = line_starts(text)
    attempts: dict[int, list[int]] = {}  # 0-based line -> offsets of its attempts
    for match in pattern.finditer(haystack):
        attempts.setdefault(bisect.bisect_right(starts, match.start()) - 1, []).append(match.start())
    if not attempts:
        return []
    covered = _covered_columns(text, sorted(attempts))
    found = []
    for line, offsets in sorted(attempts.items()):
        if line not in covered:  # the scanner stopped before this line
            continue
        start, end = starts[line], _line_end(text, starts, line)
        comment = _comment_column(text[start:end], covered[line])
        inside = [offset for offset in offsets if comment is not None and offset > start + comment]
        if comment is None or not inside:
            continue
        opener = text.rfind("#", start + comment, inside[0])
        found.append(
            DirectiveComment(
                line=line + 1 + source.line_offset,
                column=opener - start + 1,
                text=text[opener:end],
            )
        )
    return found


def line_starts(text: str) -> list[int]:
    """Offsets at which each line of ``text`` starts, lines counted as YAML scanners count them."""
    if not any(mark in text for mark in _RARE_BREAKS):
        return [0, *itertools.accumulate(len(line) + 1 for line in text.split("\n")[:-1])]
    return [0, *(match.end() for match in _BREAK.finditer(text))]


def _line_end(text: str, starts: list[int], line: int) -> int:
    if line + 1 >= len(starts):
        return len(text)
    end = starts[line + 1]
    return end - 2 if text.startswith("\r\n", end - 2) else end - 1


def _comment_column(line_text: str, spans: list[tuple[int, int]]) -> int | None:
    """0-based column where the line's comment starts: its first ``#`` outside every token."""
    spans.sort()
    span_starts = [start for start, _ in spans]
    column = line_text.find("#")
    while column != -1:
        if column == 0 or line_text[column - 1] in " \t":
            i = bisect.bisect_right(span_starts, column) - 1
            if i < 0 or not spans[i][0] <= column < spans[i][1]:
                return column
        column = line_text.find("#", column + 1)
    return None


def _covered_columns(text: str, lines: list[int]) -> dict[int, list[tuple[int, int]]]:
    """For each of ``lines`` (0-based, sorted) the scanner reached: the column ranges its tokens
    cover on that line. A block scalar covers only its indicator on its first line: what follows
    there is its header, where a comment may stand."""
    covered: dict[int, list[tuple[int, int]]] = {line: [] for line in lines}
    reached, i, count = -1, 0, len(lines)
    try:
        for token in scan_tokens(text):
            start, end = token.start_mark, token.end_mark
            l0, l1 = start.line, end.line
            reached = l1
            while i < count and lines[i] < l0:  # tokens come in order: lines behind are done
                i += 1
            if i == count:
                break  # past the last line of interest: the rest of the file cannot matter
            if lines[i] > l1 or (l0 == l1 and start.column == end.column):
                continue
            c0, c1 = start.column, end.column
            if getattr(token, "style", None) in _BLOCK_STYLES:
                if l0 in covered:
                    covered[l0].append((c0, c0 + 1))
                l0, c0 = l0 + 1, 0
            for line in lines[i : bisect.bisect_right(lines, l1, lo=i)]:
                if line >= l0:
                    covered[line].append((c0 if line == l0 else 0, c1 if line == l1 else _INFINITY))
        reached = _INFINITY
    except YAMLError:
        pass  # a parse error, reported as BCP001: lines from the last token on stay unexamined
    return {line: spans for line, spans in covered.items() if line < reached}
