"""Bytes of one file -> the bcplint documents it holds, or the reason it cannot be read.

Parsing uses ruamel.yaml's safe loader (the C parser when ``ruamel.yaml.clib`` is installed,
the pure-Python one for what it rejects, see :mod:`bcplint.load.yaml_stream`): it is several times
faster than a round-trip parse and never builds arbitrary objects. Positions are not computed
here; :mod:`bcplint.load.positions` finds them later, and only for the files that have findings.

Nothing that could be a plan document is dropped without a word (DESIGN §8).
:func:`could_hold_plan` decides, from the bytes alone and cheaply, which files are parsed at
all; for the work tree and ``--rev`` alike. A parsed file's documents then fall in four groups:

- ``apiVersion: bcplint/...`` (not a pack or maturity file): a plan document, validated.
- no ``apiVersion`` key but a ``kind`` that is a bcplint kind, written exactly (``Service``)
  and with a ``name``: a plan document missing its apiVersion. Validation reports it as a
  finding (BCP002), since nothing else writes that shape. The same for any casing of the kind
  (``kind: contact``) or a missing name, when the file also holds a plan document: the author
  is writing a plan.
- no ``apiVersion``, a kind that is a bcplint kind only when case is ignored or without a
  name, and no plan document beside it: a *note* (:attr:`LoadedFile.notes`), not a finding.
  Such a shape may be another tool's, so it must not fail a build; the note says how to make
  it a plan document if it is one. The same note, instead of BCP001, when such a file (one
  that the marker did not let in) is not valid YAML at all.
- a YAML list whose items are plan documents (``- apiVersion: bcplint/v1``): one finding
  (BCP002) at the list, saying to write each document on its own, separated by ``---``.

Everything else (another ``apiVersion``, such as a Kubernetes ``Service``'s ``v1``; scalars;
mappings without a bcplint kind) is someone else's and stays silent.

Text encodings: UTF-8 (with or without a BOM), and UTF-16 or UTF-32 marked by a BOM, which is
what YAML allows and what some Windows editors write. Anything else is BCP001.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.reader import ReaderError

from bcplint.load.yaml_stream import NestingTooDeep, read_documents
from bcplint.model import KINDS
from bcplint.model.validate import DocumentList

# The cheapest sign of a bcplint document: its apiVersion. Most files lacking it are not parsed.
MARKER = b"bcplint/"
MARKDOWN_SUFFIXES = (".md", ".markdown")
YAML_SUFFIXES = (".yaml", ".yml")
_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)
# Characters YAML does not allow in a stream (ruamel's reader rejects them).
_NON_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Errors about something opened and never closed: the opener is what the user must fix.
_UNCLOSED_CONTEXTS = ("while parsing a flow", "while scanning a quoted scalar", "while scanning a block scalar")
_BOM = b"\xef\xbb\xbf"
# YAML's byte order marks (YAML 1.2 §5.2), UTF-32 first: its little-endian BOM starts like UTF-16's.
_WIDE_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
    (b"\xfe\xff", "utf-16-be", "UTF-16"),
    (b"\xff\xfe", "utf-16-le", "UTF-16"),
)
_KINDS_FOLDED = {kind.casefold(): kind for kind in KINDS}
# A top-level ``kind:`` line naming a bcplint kind in any case (a document's keys start at column 0).
_KIND_LINE = re.compile(
    rb"^([\"']?)kind\1[ \t]*:[ \t]*([\"']?)(?i:%b)\2[ \t]*(?:#[^\n]*)?\r?$" % b"|".join(k.encode() for k in KINDS),
    re.MULTILINE,
)
_API_VERSION_LINE = re.compile(rb"^([\"']?)apiVersion\1[ \t]*:", re.MULTILINE)
_DUPLICATE_KEY = re.compile(r'found duplicate key ("[^"]*"|\S+)')


class TextStore(Protocol):
    """Where the texts of files read from the cache of parsed files are (see :class:`YamlText`)."""

    def read_texts(self, tokens: Sequence[Any]) -> list[str]:
        """The text of each token, in order. SourceError when one cannot be had."""
        ...


class YamlText:
    """The YAML text of one file, and where it starts within the file (front matter).

    A file made from the cache of parsed files has its documents at once and its text on
    demand (``store`` and ``token``): a run needs the text only of the files it reports a
    finding in or reads the comments of, and reading every text besides the documents was a
    third of what a warm run spent reading the cache. :func:`read_texts` reads many at once.
    Immutable; equal when path, line offset and text are (so comparing reads a text still in
    its store). SourceError from ``text`` when a text on demand cannot be had (see the store).
    """

    __slots__ = ("_text", "_token", "line_offset", "path", "store")

    path: str
    line_offset: int
    store: TextStore | None
    _text: str | None
    _token: Any

    def __init__(
        self,
        *,
        path: str,
        text: str | None = None,
        line_offset: int = 0,
        store: TextStore | None = None,
        token: Any = None,
    ) -> None:
        if (text is None) == (store is None):
            raise TypeError("a YamlText holds its text or the store it comes from, not both")
        for name, value in (("path", path), ("line_offset", line_offset), ("_text", text), ("store", store)):
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_token", token)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"YamlText is immutable ({name})")

    @property
    def text(self) -> str:
        if self._text is None:
            read_texts([self])
        assert self._text is not None
        return self._text

    @property
    def pending(self) -> bool:
        """True while the text is still in its store."""
        return self._text is None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, YamlText):
            return NotImplemented
        return (self.path, self.line_offset, self.text) == (other.path, other.line_offset, other.text)

    def __hash__(self) -> int:
        return hash((self.path, self.line_offset))

    def __repr__(self) -> str:
        text = "(in its store)" if self._text is None else repr(self._text[:40])
        return f"YamlText(path={self.path!r}, line_offset={self.line_offset}, text={text})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_yaml_text, (self.path, self.text, self.line_offset))


def _yaml_text(path: str, text: str, line_offset: int) -> YamlText:
    return YamlText(path=path, text=text, line_offset=line_offset)


def read_texts(sources: Iterable[YamlText | None]) -> None:
    """Read the texts of ``sources`` still in their stores, one batch per store (a query, not
    one per file). SourceError when one cannot be had."""
    waiting: dict[int, tuple[TextStore, list[YamlText]]] = {}
    for source in sources:
        if source is not None and source._text is None and source.store is not None:
            waiting.setdefault(id(source.store), (source.store, []))[1].append(source)
    for store, pending in waiting.values():
        unique = list({id(source): source for source in pending}.values())
        for source, text in zip(unique, store.read_texts([s._token for s in unique]), strict=True):
            object.__setattr__(source, "_text", text)
            object.__setattr__(source, "store", None)
            object.__setattr__(source, "_token", None)


@dataclass(frozen=True, kw_only=True)
class ParsedDocument:
    """One bcplint document as parsed, before validation.

    ``validated`` holds what validating ``data`` gave, once something has
    (:func:`bcplint.workspace.documents.build_workspace`): a document kept between runs, by the
    daemon or the language server, is validated once. Never part of equality.
    """

    source: YamlText
    index: int
    data: dict[str, Any]
    validated: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, kw_only=True)
class LoadProblem:
    """Why (part of) a file could not be read as YAML. Lines and columns are 1-based."""

    path: str
    line: int
    column: int
    message: str


@dataclass(kw_only=True)
class LoadedFile:
    """One file as loaded: its documents, or the problem that stopped the reading (BCP001),
    and notes on what looked like a plan document but was not read as one (see the module
    docstring for which is which)."""

    path: str
    source: YamlText | None = None
    documents: list[ParsedDocument] = field(default_factory=list)
    problem: LoadProblem | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def is_bcp(self) -> bool:
        return bool(self.documents) or self.problem is not None


# bcplint's own configuration files, which are not plan documents.
_NOT_PLANS = ("bcplint/pack/", "bcplint/maturity/", "bcplint/readiness/")


def is_bcp_document(data: object) -> bool:
    """True for a mapping that declares a plan apiVersion: ``bcplint/v1``, or another (a typo, a
    future version), to be rejected with a clear message. Rule packs and maturity levels
    (``bcplint/pack/v1``...) are bcplint's own configuration, not plan documents."""
    if not isinstance(data, dict):
        return False
    api = data.get("apiVersion")
    return isinstance(api, str) and api.startswith("bcplint/") and not api.startswith(_NOT_PLANS)


def could_hold_plan(content: bytes) -> bool:
    """True when the bytes of a file may hold a plan document, so the file must be parsed.

    The one test, from the bytes alone, that decides which files of a workspace (the work tree,
    ``--rev``, ``--staged``) are read as YAML; whatever it lets through is then reported on if
    it is not a plan after all (see the module docstring). It must stay cheap: it runs on every
    YAML and Markdown file of a repository, most of them not ours. True when the text (UTF-8,
    or UTF-16/32 with a BOM) holds ``bcplint/`` (the apiVersion), or a top-level ``kind:``
    line naming a bcplint kind (any case) in a document with no top-level ``apiVersion`` line.
    """
    return _admitted_by(content) is not None


def _admitted_by(content: bytes) -> str | None:
    """Why :func:`could_hold_plan` lets ``content`` in: "marker", "kind", or None."""
    if MARKER in content:
        return "marker"
    wide = _wide_encoding(content)
    if wide is not None:
        content = content.decode(wide[0], errors="replace").encode("utf-8")
        if MARKER in content:
            return "marker"
    content = content.removeprefix(_BOM)  # so that a first line starting with 'kind:' is seen
    # A document has at most one top-level kind and one apiVersion (keys are unique), so when
    # top-level apiVersion lines are at least as many as kind lines, each kind most likely has
    # its own apiVersion (a Kubernetes manifest): byte counts, cheaper than any regex.
    kinds = _top_level_lines(content, b"kind")
    if not kinds or kinds <= _top_level_lines(content, b"apiVersion"):
        return None
    for match in _KIND_LINE.finditer(content):
        # The document around the line: from the '---' before it to the '---' after it.
        start, end = content.rfind(b"\n---", 0, match.start()) + 1, content.find(b"\n---", match.end())
        if not _API_VERSION_LINE.search(content, start, end if end >= 0 else len(content)):
            return "kind"
    return None


def _top_level_lines(content: bytes, key: bytes) -> int:
    """How many lines start with ``key``, bare or quoted (at least; an over-count is harmless)."""
    count = content.count(b"\n" + key) + content.startswith(key)
    for quote in (b'"', b"'"):
        quoted = quote + key + quote
        if quoted in content:
            count += content.count(b"\n" + quoted) + content.startswith(quoted)
    return count


def _wide_encoding(content: bytes) -> tuple[str, str] | None:
    """(codec, name) of a UTF-16 or UTF-32 text that starts with its byte order mark."""
    for bom, codec, name in _WIDE_BOMS:
        if content.startswith(bom):
            return codec, name
    return None


def load_file(path: str, content: bytes, *, explicit: bool = False) -> LoadedFile:
    """Read one file's documents. Never raises for bad content: problems are returned.

    Files that :func:`could_hold_plan` rejects are skipped unparsed unless ``explicit`` (named
    on the command line), so broken YAML that is not ours (templates, fixtures) is not
    reported. Nor is it when only a ``kind:`` line let the file in: then a note says why it
    was not read.
    """
    loaded = LoadedFile(path=path)
    admitted = "explicit" if explicit else _admitted_by(content)
    if admitted is None:
        return loaded
    text = _decode(path, content)
    if isinstance(text, LoadProblem):
        _report(loaded, text, admitted)
        return loaded
    source = _yaml_source(path, text)
    if source is None:
        return loaded
    if isinstance(source, LoadProblem):
        _report(loaded, source, admitted)
        return loaded
    loaded.source = source
    _parse_into(loaded, source, admitted)
    return loaded


def _report(loaded: LoadedFile, problem: LoadProblem, admitted: str) -> None:
    """A problem is BCP001 for a file known to be ours, a note for one only a kind line let in."""
    if admitted != "kind":
        loaded.problem = problem
        return
    loaded.notes.append(
        f"{problem.path}:{problem.line}:{problem.column}: not read as a plan: {problem.message} "
        "(it has a top-level 'kind:' line naming a bcplint kind, but no apiVersion: bcplint/v1)"
    )


def _decode(path: str, content: bytes) -> str | LoadProblem:
    """The text of ``content``: UTF-8 (BOM or not), or UTF-16/32 announced by a BOM."""
    wide = _wide_encoding(content)
    codec, name = wide if wide is not None else ("utf-8-sig", "UTF-8")
    try:
        text = content.decode(codec)
    except UnicodeDecodeError as exc:
        if wide is None:
            # utf-8-sig reports offsets after the BOM it consumed.
            offset = exc.start + (len(_BOM) if content.startswith(_BOM) else 0)
            line, column = _byte_position(content, offset)
            detail = f"byte 0x{content[offset]:02x}"
        else:
            before = content[: exc.start].decode(codec, errors="replace").removeprefix("\ufeff")
            line, column = _char_position(before, len(before))
            detail = f"bytes {content[exc.start : exc.end].hex(' ')}"
        return LoadProblem(
            path=path, line=line, column=column, message=f"file is not valid {name} ({detail}); save it as UTF-8"
        )
    # The BOM is not part of the text (utf-8-sig drops its own); lines and columns start after it.
    return text[1:] if wide is not None and text.startswith("\ufeff") else text


def _yaml_source(path: str, text: str) -> YamlText | LoadProblem | None:
    """The YAML part of a file: the whole of a YAML file, the front matter of a Markdown file."""
    if not path.lower().endswith(MARKDOWN_SUFFIXES):
        return YamlText(path=path, text=text)
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
    return YamlText(path=path, text=rest[: end.start()], line_offset=1)


def _parse_into(loaded: LoadedFile, source: YamlText, admitted: str) -> None:
    documents, error = read_documents(source.text)
    ours = any(is_bcp_document(data) for data in documents)
    for index, data in enumerate(documents):
        if is_bcp_document(data) or _unversioned_plan(data, strict=not ours):
            loaded.documents.append(ParsedDocument(source=source, index=index, data=data))
        elif isinstance(data, list) and any(is_bcp_document(d) or _unversioned_plan(d, strict=True) for d in data):
            loaded.documents.append(ParsedDocument(source=source, index=index, data=DocumentList(len(data))))
        elif _unversioned_plan(data, strict=False):
            loaded.notes.append(
                f"{source.path}: document {index + 1} (kind: {data['kind']}) has no apiVersion, so it is not read "
                "as a plan; if it is one, add 'apiVersion: bcplint/v1' and write its kind as "
                f"{_KINDS_FOLDED[data['kind'].casefold()]}"
            )
    if error is not None:
        _report(loaded, _problem_from(error, source), admitted)


def _unversioned_plan(data: object, *, strict: bool) -> bool:
    """A mapping with no apiVersion whose kind is a bcplint kind: written exactly and with a
    name when ``strict``, in any case and with or without a name otherwise."""
    if not isinstance(data, dict) or "apiVersion" in data:
        return False
    kind = data.get("kind")
    if not isinstance(kind, str):
        return False
    if strict:
        return kind in KINDS and "name" in data
    return kind.casefold() in _KINDS_FOLDED


def _problem_from(exc: BaseException, source: YamlText) -> LoadProblem:
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
