"""Lines, columns and tokens of an editor buffer, as YAML and as the Language Server Protocol count them.

bcplint reports 1-based lines and columns in characters (code points), counting lines as the
YAML scanner does: ``\\r\\n``, ``\\r``, ``\\n`` and the rarer NEL, LS and PS all end a line.
LSP positions are 0-based, lines end only at ``\\r\\n``, ``\\r`` and ``\\n``, and a column
counts code units of the negotiated encoding (UTF-16 unless the client offers another).
:class:`LineMap` translates one into the other; :func:`token_span` finds what a finding's
position points at, so a diagnostic underlines a whole name rather than one character.
"""

from __future__ import annotations

import bisect
import re

_LSP_BREAK = re.compile(r"\r\n|\r|\n")
_YAML_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_RARE_BREAKS = ("\x85", "\u2028", "\u2029")
_WORD = re.compile(r"[A-Za-z0-9_-]+")


def code_units(text: str, encoding: str) -> int:
    """Length of ``text`` in code units of ``encoding`` (``utf-8``, ``utf-16`` or ``utf-32``)."""
    if encoding == "utf-32" or text.isascii():
        return len(text)
    if encoding == "utf-8":
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def column_from_units(line: str, units: int, encoding: str) -> int:
    """The code-point index in ``line`` at ``units`` code units (clamped to the line's end)."""
    if encoding == "utf-32" or line.isascii():
        return max(0, min(units, len(line)))
    counted = 0
    for index, char in enumerate(line):
        if counted >= units:
            return index
        counted += code_units(char, encoding)
    return len(line)


class LineMap:
    """The lines of one buffer, for moving between YAML's and LSP's idea of a position."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0, *(m.end() for m in _LSP_BREAK.finditer(text))]
        rare = any(mark in text for mark in _RARE_BREAKS)
        self.yaml_starts = [0, *(m.end() for m in _YAML_BREAK.finditer(text))] if rare else self.starts

    def line(self, number: int) -> str:
        """LSP line ``number`` (0-based) without its line break; "" past the end."""
        if not 0 <= number < len(self.starts):
            return ""
        end = self.starts[number + 1] if number + 1 < len(self.starts) else len(self.text)
        return self.text[self.starts[number] : end].rstrip("\r\n")

    def lines(self) -> list[str]:
        return [self.line(n) for n in range(len(self.starts))]

    def from_yaml(self, line: int, column: int) -> tuple[int, int]:
        """1-based YAML (line, column) -> 0-based LSP (line, code-point column), clamped to the text."""
        row = max(0, min(line - 1, len(self.yaml_starts) - 1))
        offset = self.yaml_starts[row] + max(0, column - 1)
        lsp_line = max(0, bisect.bisect_right(self.starts, min(offset, len(self.text))) - 1)
        return lsp_line, min(offset - self.starts[lsp_line], len(self.line(lsp_line)))

    def to_yaml_line(self, lsp_line: int) -> int:
        """0-based LSP line -> the 1-based line YAML (and so bcplint) gives it."""
        offset = self.starts[max(0, min(lsp_line, len(self.starts) - 1))]
        return bisect.bisect_right(self.yaml_starts, offset)


def token_span(line: str, column: int) -> tuple[int, int]:
    """The code-point span ``[start, end)`` of the YAML token that starts at ``column`` of ``line``.

    A quoted scalar up to its closing quote; a flow collection up to its closing bracket; a
    plain scalar up to a comment, to ``: `` (so a key is just the key) or, inside ``[...]`` or
    ``{...}``, to the next ``,`` or bracket. Trailing white space is left out. A position past
    the end of the line gives an empty span there.
    """
    if column >= len(line):
        return len(line), len(line)
    first = line[column]
    if first in "'\"":
        end = _closing_quote(line, column)
    elif first in "[{":
        end = _closing_bracket(line, column)
    else:
        end = _plain_end(line, column, in_flow=_in_flow(line, column))
    return column, max(column, len(line[:end].rstrip(" \t")))


def word_at(line: str, column: int) -> tuple[int, int, str] | None:
    """The word (letters, digits, ``_`` and ``-``) at or just before ``column``, with its span."""
    for match in _WORD.finditer(line):
        if match.start() <= column <= match.end():
            return match.start(), match.end(), match.group()
    return None


def comment_start(line: str) -> int | None:
    """Where the comment of ``line`` starts: the first ``#`` after white space (or at the start)
    outside quotes, or None. Quotes are followed the way YAML scalars use them on one line."""
    quote: str | None = None
    index = 0
    while index < len(line):
        char = line[index]
        if quote == "'":
            if char == "'":
                if line.startswith("''", index):
                    index += 1
                else:
                    quote = None
        elif quote == '"':
            if char == "\\":
                index += 1
            elif char == '"':
                quote = None
        elif char == "#" and (index == 0 or line[index - 1] in " \t"):
            return index
        elif char in "'\"" and (index == 0 or line[index - 1] in " \t[{,:-?"):
            quote = char
        index += 1
    return None


def _closing_quote(line: str, start: int) -> int:
    quote = line[start]
    index = start + 1
    while index < len(line):
        char = line[index]
        if quote == '"' and char == "\\":
            index += 2
            continue
        if char == quote:
            if quote == "'" and line.startswith("''", index):
                index += 2
                continue
            return index + 1
        index += 1
    return _before_comment(line, start)


def _closing_bracket(line: str, start: int) -> int:
    depth = 0
    for index in range(start, len(line)):
        char = line[index]
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return index + 1
    return _before_comment(line, start)


def _plain_end(line: str, start: int, *, in_flow: bool) -> int:
    index = start
    while index < len(line):
        char = line[index]
        if char == "#" and index > start and line[index - 1] in " \t":
            break
        if char == ":" and (
            index + 1 == len(line) or line[index + 1] in " \t" or (in_flow and line[index + 1] in ",]}")
        ):
            break
        if in_flow and char in ",[]{}":
            break
        index += 1
    return index


def _before_comment(line: str, start: int) -> int:
    hash_at = comment_start(line[start:])
    return start + hash_at if hash_at is not None else len(line)


def _in_flow(line: str, column: int) -> bool:
    """True when ``column`` lies inside a ``[...]`` or ``{...}`` opened earlier on the line."""
    depth = 0
    quote: str | None = None
    for index, char in enumerate(line[:column]):
        if quote is not None:
            quote = None if char == quote else quote
        elif char in "'\"" and (index == 0 or line[index - 1] in " \t[{,:"):
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth = max(0, depth - 1)
    return depth > 0
