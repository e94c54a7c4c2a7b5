"""Bytes of one file -> the bcplint documents it holds, or the reason it cannot be read.

Parsing uses ruamel.yaml's safe loader (the C parser when ``ruamel.yaml.clib`` is installed):
it is several times faster than a round-trip parse and never builds arbitrary objects.
Positions are not computed here; :mod:`bcplint.positions` finds them later, and only for
the files that have findings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError

from bcplint.yamlstream import NestingTooDeep, load_all

# A file that does not contain this marker cannot hold a bcplint document, so it is not parsed.
MARKER = b"bcplint/"
MARKDOWN_SUFFIXES = (".md", ".markdown")
YAML_SUFFIXES = (".yaml", ".yml")
_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)
# Characters YAML does not allow in a stream (ruamel's reader rejects them).
_NON_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Errors about something opened and never closed: the opener is what the user must fix.
_UNCLOSED_CONTEXTS = ("while parsing a flow", "while scanning a quoted scalar", "while scanning a block scalar")
_BOM = b"\xef\xbb\xbf"
_DUPLICATE_KEY = re.compile(r'found duplicate key ("[^"]*"|\S+)')


@dataclass(frozen=True, kw_only=True)
class Source:
    """The YAML text of one file, and where it starts within the file (front matter)."""

    path: str
    text: str
    line_offset: int = 0


@dataclass(frozen=True, kw_only=True)
class RawDocument:
    """One bcplint document as parsed, before validation."""

    source: Source
    index: int
    data: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class LoadProblem:
    """Why (part of) a file could not be read as YAML. Lines and columns are 1-based."""

    path: str
    line: int
    column: int
    message: str


@dataclass(kw_only=True)
class LoadedFile:
    path: str
    source: Source | None = None
    documents: list[RawDocument] = field(default_factory=list)
    problem: LoadProblem | None = None

    @property
    def is_bcp(self) -> bool:
        return bool(self.documents) or self.problem is not None


# bcplint's own configuration files, which are not plan documents.
_NOT_PLANS = ("bcplint/pack/", "bcplint/maturity/")


def is_bcp_document(data: object) -> bool:
    """True for a mapping that declares a plan apiVersion: ``bcplint/v1``, or another (a typo, a
    future version), to be rejected with a clear message. Rule packs and maturity levels
    (``bcplint/pack/v1``...) are bcplint's own configuration, not plan documents."""
    if not isinstance(data, dict):
        return False
    api = data.get("apiVersion")
    return isinstance(api, str) and api.startswith("bcplint/") and not api.startswith(_NOT_PLANS)


def load_file(path: str, content: bytes, *, explicit: bool = False) -> LoadedFile:
    """Read one file's documents. Never raises for bad content: problems are returned.

    Files that do not mention ``bcplint/`` are skipped unparsed unless ``explicit`` (named on
    the command line), so broken YAML that is not ours (templates, fixtures) is not reported.
    """
    loaded = LoadedFile(path=path)
    if MARKER not in content and not explicit:
        return loaded
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # utf-8-sig reports offsets after the BOM it consumed.
        offset = exc.start + (len(_BOM) if content.startswith(_BOM) else 0)
        line, column = _byte_position(content, offset)
        loaded.problem = LoadProblem(
            path=path,
            line=line,
            column=column,
            message=f"file is not valid UTF-8 (byte 0x{content[offset]:02x}); save it as UTF-8",
        )
        return loaded
    source = _yaml_source(path, text)
    if source is None:
        return loaded
    if isinstance(source, LoadProblem):
        loaded.problem = source
        return loaded
    loaded.source = source
    _parse_into(loaded, source)
    return loaded


def _yaml_source(path: str, text: str) -> Source | LoadProblem | None:
    """The YAML part of a file: the whole of a YAML file, the front matter of a Markdown file."""
    if not path.lower().endswith(MARKDOWN_SUFFIXES):
        return Source(path=path, text=text)
    first, _, rest = text.partition("\n")
    if first.rstrip() != "---":
        return None
    end = _FRONT_MATTER_END.search(rest)
    if end is None:
        if "bcplint/" not in rest:
            return None
        return LoadProblem(
            path=path, line=1, column=1, message="front matter opened with '---' is never closed; add a '---' line"
        )
    return Source(path=path, text=rest[: end.start()], line_offset=1)


def _parse_into(loaded: LoadedFile, source: Source) -> None:
    try:
        for index, data in enumerate(load_all(source.text)):
            if is_bcp_document(data):
                loaded.documents.append(RawDocument(source=source, index=index, data=data))
    except (YAMLError, RecursionError) as exc:
        loaded.problem = _problem_from(exc, source)


def _problem_from(exc: BaseException, source: Source) -> LoadProblem:
    line, column, message = 1, 1, str(exc)
    if isinstance(exc, MarkedYAMLError):
        unclosed = (exc.context or "").startswith(_UNCLOSED_CONTEXTS) and exc.context_mark is not None
        mark = exc.context_mark if unclosed else (exc.problem_mark or exc.context_mark)
        if mark is not None:
            line, column = mark.line + 1, mark.column + 1
        parts = [exc.context or "", exc.problem or ""]
        message = ": ".join(p for p in parts if p) or "invalid YAML"
        if isinstance(exc, NestingTooDeep):
            message = f"{exc.problem}; that is too deeply nested to be a bcplint document"
        elif exc.problem and "found character that cannot start any token" in exc.problem:
            if _char_at(source.text, line, column) == "\t":
                message = "tab character used for indentation; YAML needs spaces"
        elif exc.problem and (duplicate := _DUPLICATE_KEY.match(exc.problem)):
            message = f"duplicate key {duplicate.group(1)}; each key may appear only once in a mapping"
        elif "could not determine a constructor for the tag" in message:
            message = f"{exc.problem}; tags that build objects are not allowed in bcplint documents"
    elif isinstance(exc, ReaderError):
        # The C reader counts bytes, the pure one characters: find the character ourselves.
        bad = _NON_PRINTABLE.search(source.text)
        line, column = _char_position(source.text, bad.start() if bad else 0)
        code = ord(exc.character) if isinstance(exc.character, str) else int(exc.character)
        message = f"unacceptable character #x{code:04x}: {exc.reason}"
    elif isinstance(exc, RecursionError):
        message = "structure is nested too deeply to be a bcplint document"
    return LoadProblem(path=source.path, line=line + source.line_offset, column=column, message=message)


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n", line)
    if line - 1 < len(lines) and column - 1 < len(lines[line - 1]):
        return lines[line - 1][column - 1]
    return ""


def _char_position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _byte_position(content: bytes, offset: int) -> tuple[int, int]:
    line = content.count(b"\n", 0, offset) + 1
    line_start = content.rfind(b"\n", 0, offset) + 1
    # Column in characters: decode what precedes the bad byte on its line, leniently.
    return line, len(content[line_start:offset].decode("utf-8", errors="replace")) + 1
