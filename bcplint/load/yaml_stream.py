"""YAML text -> plain Python data, fast and safe.

ruamel.yaml's C parser composes the node tree; a small converter here turns nodes into dicts,
lists and scalars. That is the safe loader's job, but its generic constructor costs more than
the parse itself, and a plan only uses the core types. Anything else (merge keys, ``!!set``,
``!!python/...``) goes to ruamel's ``SafeConstructor``, which builds the standard types and
rejects the rest. Dates stay text: the model parses them, so ``2026-02-30`` is reported at its
field instead of failing the whole file.

The C parser is libyaml, which implements YAML 1.1: it rejects some valid YAML 1.2 (a URL
as a plain value in a flow mapping, a tab starting a line of a block scalar, ``{ "a":b }``,
a reserved directive, a document without ``---`` after ``...``). A text it rejects is read
again by ruamel's pure-Python parser, the YAML 1.2 one, with the same converter, duplicate-key
check and depth limit; only if that fails too is the text an error: the pure parser's error
if it is about content (a duplicate key, too deep a nesting) or lies further into the text,
else the C parser's (its messages are the clearer).
Each parser has gaps of its own (ruamel's pure one refuses ``key:<tab>value``, which libyaml
reads), so a text that needs both is still refused. The fast path costs nothing more: only
texts the C parser rejects pay for a second, slower read. Texts over ``PURE_MAX_CHARS`` are
not read again (the C parser's error stands): past that size the slower parser would take
seconds, and no plan file is anywhere near it. Both readers produce the same nodes for a text both accept, so
:func:`compose_all` (line numbers) makes the same choice and positions stay right.
"""

from __future__ import annotations

import re
import sys
import warnings
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from ruamel.yaml import YAML
from ruamel.yaml.constructor import ConstructorError, DuplicateKeyError, SafeConstructor
from ruamel.yaml.error import FileMark, MarkedYAMLError, YAMLError
from ruamel.yaml.events import Event, MappingEndEvent, MappingStartEvent, SequenceEndEvent, SequenceStartEvent
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.resolver import Resolver

try:  # the C parser of ruamel.yaml.clib: several times faster than the pure-Python one
    from ruamel.yaml.cyaml import CParser  # type: ignore[attr-defined]

    HAS_C_PARSER = True
except ImportError:  # pragma: no cover - exercised only where the C extension is missing
    HAS_C_PARSER = False

MAX_DEPTH = 1000  # no plan nests anywhere near this; the C composer crashes far beyond it
# Characters. ruamel's pure parser reads about 170 KB a second (measured on plan documents),
# so this bounds the second read to about a second and a half; plan files are a few KB.
PURE_MAX_CHARS = 256 * 2**10

_BRACKETS = re.compile(r"[\[\]{}]")
_TAG = "tag:yaml.org,2002:"
_STR, _MAP, _SEQ, _NULL, _BOOL, _TIMESTAMP = (f"{_TAG}{t}" for t in ("str", "map", "seq", "null", "bool", "timestamp"))
_INT, _FLOAT, _SET, _MERGE = (f"{_TAG}{t}" for t in ("int", "float", "set", "merge"))

# Keys and text values up to this length are interned: names of fields, kinds, criticalities,
# providers, dates repeat in every document, and a 100,000-document workspace holds one copy
# of each instead of millions (a fifth of its parsed data).
INTERN_MAX = 40

# What reading a text raises: a YAML error, or RecursionError from composing or converting
# nesting too deep for Python's stack but within MAX_DEPTH.
ReadError = YAMLError | RecursionError


class NestingTooDeep(MarkedYAMLError):
    """The text nests collections deeper than MAX_DEPTH."""


class _Unusual(Exception):
    """A node the fast converter leaves to SafeConstructor."""


class _DatesAsText(SafeConstructor):
    """SafeConstructor, but timestamps stay text (see the module docstring)."""


_DatesAsText.add_constructor(_TIMESTAMP, SafeConstructor.construct_yaml_str)


class _Reader(Protocol):
    """One parser over one text: its events, its node trees, and a constructor for the rest."""

    constructor: Any

    def events(self) -> Iterator[Event]: ...
    def nodes(self) -> Iterator[Node]: ...
    def dispose(self) -> None: ...


class _PureReader:
    """ruamel.yaml's pure-Python parser (YAML 1.2), with the same constructor as the C path."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._yaml = self._new()
        self.constructor = self._yaml.constructor

    @staticmethod
    def _new() -> YAML:
        yaml = YAML(typ="safe", pure=True)
        yaml.Constructor = _DatesAsText
        yaml.allow_duplicate_keys = False
        yaml.max_depth = MAX_DEPTH  # ruamel's own guard; Python's recursion limit usually comes first
        yaml.composer.warn_double_anchors = False  # YAML 1.2 allows an anchor to be defined again
        return yaml

    def events(self) -> Iterator[Event]:
        return self._new().parse(self._text)  # type: ignore[no-any-return]

    def nodes(self) -> Iterator[Node]:
        return self._yaml.compose_all(self._text)  # type: ignore[no-any-return]

    def dispose(self) -> None:
        pass  # compose_all disposes of its parser when its generator ends or is collected


if HAS_C_PARSER:

    class _Loader(CParser, _DatesAsText, Resolver):  # type: ignore[misc]
        """C parser + safe constructor + YAML 1.2 resolver, assembled once.

        ``YAML(typ="safe")`` builds such a class on every load, and its versioned resolver
        checks for ``%YAML`` directives on every node; both cost more than the parse.
        """

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            self._parser = self._composer = self
            _DatesAsText.__init__(self, loader=self)
            Resolver.__init__(self, loadumper=self)
            self.allow_duplicate_keys = False
            self._text = stream

        @property
        def constructor(self) -> Any:
            return self

        def events(self) -> Iterator[Event]:
            parser = CParser(self._text)  # a separate parser: this one is for the nodes
            try:
                while parser.check_event():
                    yield parser.get_event()
            finally:
                parser.dispose()

        def nodes(self) -> Iterator[Node]:
            while self.check_node():
                yield self.get_node()

        def dispose(self) -> None:
            CParser.dispose(self)
            # The loader is its own parser, composer and constructor's loader: a cycle only the
            # garbage collector frees, and runs pause it (engine/lint.py), so each text read
            # or composed kept its C parser's buffers, some 28 KB (200 MB when the positions
            # of findings in 10,000 files were looked up). Without the references it goes now.
            self.__dict__.clear()

    _READERS: tuple[Callable[[str], _Reader], ...] = (_Loader, _PureReader)
else:  # pragma: no cover
    _READERS = (_PureReader,)


def read_documents(text: str, *, fallback: bool = True) -> tuple[list[Any], ReadError | None]:
    """Every document of ``text`` as plain data, and the error that stopped the reading.

    On an error, the documents before the broken one are still returned, so one bad document
    does not hide the others. Never raises for bad text. ``fallback=False`` reads with the C
    parser alone (for measuring what the fallback adds: benchmarks/yaml_suite.py).
    """
    if not fallback:
        return _attempt(_READERS[0], text, _documents)
    return _with_fallback(text, _documents)


def load_all(text: str) -> Iterator[Any]:
    """Every document of ``text``, as plain data; then, if one is broken, raise its YAMLError
    (or RecursionError) after yielding the documents before it."""
    documents, error = read_documents(text)
    yield from documents
    if error is not None:
        raise error


def load_one(text: str) -> Any:
    """The first document of ``text`` (None when empty): configuration and rule packs."""
    documents, error = read_documents(text)
    if documents:
        return documents[0]
    if error is not None:
        raise error
    return None


def compose_all(text: str) -> list[Node]:
    """The node trees (with line and column marks) of the documents in ``text``, up to the
    first that cannot be composed: positions in the documents before a broken one still count.
    The parser is chosen as in :func:`read_documents`, so positions match what was loaded."""
    return _with_fallback(text, _nodes)[0]


def _with_fallback(text: str, read: Callable[[_Reader], Iterator[Any]]) -> tuple[list[Any], ReadError | None]:
    """``read`` with the C parser and, if it rejects the text's syntax, with the pure one."""
    results, error = _attempt(_READERS[0], text, read)
    if error is None or len(_READERS) == 1 or not _parser_rejected(error) or len(text) > PURE_MAX_CHARS:
        return results, error
    too_deep = _too_deep_to_read_again(text)
    if too_deep is not None:
        return results, too_deep
    second, second_error = _attempt(_READERS[1], text, read)
    # Which of two errors to believe: a content error (a duplicate key, nesting too deep) is
    # real whichever parser finds it; of two syntax errors, the one further into the text,
    # since the parser that got there read the other's spot without complaint.
    if second_error is None or not _parser_rejected(second_error) or _where(second_error) > _where(error):
        return second, second_error
    return results, error


def _too_deep_to_read_again(text: str) -> NestingTooDeep | None:
    """Flow collections (``[[[...``) nested deeper than MAX_DEPTH, where the pure parser must
    not go: its scanner is quadratic in that depth. Brackets are counted alone, quotes ignored:
    a text would need more than MAX_DEPTH unmatched brackets in quotes to be misjudged, which
    no plan holds."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return None
    depth = 0
    for bracket in _BRACKETS.finditer(text):
        depth = depth + 1 if bracket.group() in "[{" else max(depth - 1, 0)
        if depth > MAX_DEPTH:
            offset = bracket.start()
            line = text.count("\n", 0, offset)
            column = offset - (text.rfind("\n", 0, offset) + 1)
            return NestingTooDeep(
                problem=f"collections are nested more than {MAX_DEPTH} levels deep",
                problem_mark=FileMark("<unicode string>", offset, line, column),
            )
    return None


def _attempt(
    make: Callable[[str], _Reader], text: str, read: Callable[[_Reader], Iterator[Any]]
) -> tuple[list[Any], ReadError | None]:
    """What ``read`` collected from a fresh reader over ``text``, and the error that stopped it."""
    collected: list[Any] = []
    reader = make(text)  # a fresh reader per text: readers carry state
    try:
        _check_depth(reader, text)
        collected.extend(read(reader))  # extend keeps what was read before an error
    except (YAMLError, RecursionError) as exc:
        return collected, exc
    except AssertionError as exc:  # ruamel's pure parser asserts on a %YAML 1.3 directive
        return collected, YAMLError(f"unsupported YAML directive: {exc}")
    finally:
        reader.dispose()
    return collected, None


def _documents(reader: _Reader) -> Iterator[Any]:
    constructor = reader.constructor
    for node in reader.nodes():
        try:
            yield _convert(node, {}, constructor)
        except _Unusual:
            yield constructor.construct_document(node)


def _nodes(reader: _Reader) -> Iterator[Node]:
    return reader.nodes()


def _parser_rejected(error: ReadError) -> bool:
    """True for what another parser may read: syntax. Not for content errors (duplicate keys,
    tags, collection keys, nesting, characters YAML never allows), which any parser reports."""
    return isinstance(error, YAMLError) and not isinstance(error, ConstructorError | NestingTooDeep | ReaderError)


def _where(error: ReadError) -> tuple[int, int]:
    """(line, column) where ``error`` stopped the reading; before the text when unknown."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    return (mark.line, mark.column) if mark is not None else (-1, -1)


def _check_depth(reader: _Reader, text: str) -> None:
    """Refuse collections nested deeper than MAX_DEPTH before a composer sees them.

    The C composer recurses in C and crashes the interpreter some 20,000 levels down; the pure
    one recurses in Python. Each level costs an indicator (``[``, ``{``, ``-``, ``?``) or one
    more space of indentation per line, which is quadratic in size and stays far below the
    crash within the file size limit. So only texts with more indicators than MAX_DEPTH are
    measured, with the event parser, which does not recurse; counting them is four passes of
    ``str.count``, cheap for every file.
    """
    if text.count("-") + text.count("?") + text.count("[") + text.count("{") <= MAX_DEPTH:
        return
    depth = 0
    for event in reader.events():
        if isinstance(event, MappingStartEvent | SequenceStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise NestingTooDeep(
                    problem=f"collections are nested more than {MAX_DEPTH} levels deep",
                    problem_mark=event.start_mark,
                )
        elif isinstance(event, MappingEndEvent | SequenceEndEvent):
            depth -= 1


def _convert(node: Node, seen: dict[int, Any], loader: Any) -> Any:
    """Node -> data for the core types; aliases become shared objects, never copies."""
    ctag = node.ctag
    # A resolved tag has no handle and its suffix is the full tag: skip Tag.__str__, which
    # costs more than the rest of the conversion. Explicit tags (``!!str``) go the long way.
    tag = ctag.suffix if ctag.handle is None else str(ctag)
    if isinstance(node, ScalarNode):
        if tag in (_STR, _TIMESTAMP):
            text: str = node.value
            return sys.intern(text) if len(text) <= INTERN_MAX else text
        if tag == _NULL:
            return None
        if tag in (_INT, _BOOL):
            return loader.construct_object(node)  # rare in plans; ruamel knows every notation
        if tag == _FLOAT:
            with warnings.catch_warnings():  # YAML 1.1 spellings (1e5) warn on stderr otherwise
                warnings.simplefilter("ignore")
                return loader.construct_object(node)
        raise _Unusual
    key = id(node)
    if key in seen:
        return seen[key]
    if isinstance(node, MappingNode) and tag in (_MAP, _SET):
        return _mapping(node, seen, loader, as_set=tag == _SET)
    if isinstance(node, SequenceNode) and tag == _SEQ:
        items: list[Any] = []
        seen[key] = items
        items.extend(_convert(item, seen, loader) for item in node.value)
        return items
    raise _Unusual


def _mapping(node: MappingNode, seen: dict[int, Any], loader: Any, *, as_set: bool) -> Any:
    """A mapping with text keys (``1:``, ``true:`` are names here, not numbers), merge keys
    applied once per merged mapping (so a ``<<`` bomb stays linear), or a ``!!set`` as a list."""
    mapping: dict[str, Any] = {}
    seen[id(node)] = mapping
    merges: list[Any] = []
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            raise ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                "found a collection used as a key; keys must be plain names",
                key_node.start_mark,
            )
        if key_node.ctag.suffix == _MERGE:
            merges.append(_convert(value_node, seen, loader))
            continue
        name = sys.intern(key_node.value) if len(key_node.value) <= INTERN_MAX else key_node.value
        if name in mapping:
            raise DuplicateKeyError(
                "while constructing a mapping", node.start_mark, f'found duplicate key "{name}"', key_node.start_mark
            )
        mapping[name] = _convert(value_node, seen, loader)
    for merged in merges:
        for source in merged if isinstance(merged, list) else [merged]:
            if not isinstance(source, dict):
                raise ConstructorError(
                    "while constructing a mapping", node.start_mark, "a merge key (<<) needs a mapping", None
                )
            for name, value in source.items():
                mapping.setdefault(name, value)
    if as_set:
        items = list(mapping)  # document order: a Python set's order would vary from run to run
        seen[id(node)] = items
        return items
    return mapping


__all__ = [
    "MAX_DEPTH",
    "PURE_MAX_CHARS",
    "NestingTooDeep",
    "compose_all",
    "load_all",
    "read_documents",
]


def scan_tokens(text: str) -> Iterator[Any]:
    """The scanner's tokens of ``text``, each with 0-based ``start_mark`` and ``end_mark``:
    libyaml's scanner where ruamel.yaml.clib is installed, else ruamel's pure one. Raises
    YAMLError where the text stops being YAML."""
    if HAS_C_PARSER:
        parser: Any = CParser(text)
        try:
            while parser.check_token():
                yield parser.get_token()
        finally:
            parser.dispose()
        return
    yield from YAML(typ="safe", pure=True).scan(text)
