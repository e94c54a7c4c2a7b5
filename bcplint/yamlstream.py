"""YAML text -> plain Python data, fast and safe.

ruamel.yaml's C parser composes the node tree; a small converter here turns nodes into dicts,
lists and scalars. That is the safe loader's job, but its generic constructor costs more than
the parse itself, and a plan only uses the core types. Anything else (merge keys, ``!!set``,
``!!python/...``) goes to ruamel's ``SafeConstructor``, which builds the standard types and
rejects the rest. Dates stay text: the model parses them, so ``2026-02-30`` is reported at its
field instead of failing the whole file.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

from ruamel.yaml.constructor import ConstructorError, DuplicateKeyError, SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import Resolver

try:  # the C parser of ruamel.yaml.clib: several times faster than the pure-Python one
    from ruamel.yaml.cyaml import CParser  # type: ignore[attr-defined]

    HAS_C_PARSER = True
except ImportError:  # pragma: no cover - exercised only where the C extension is missing
    HAS_C_PARSER = False

MAX_DEPTH = 1000  # no plan nests anywhere near this; the C composer crashes far beyond it

_TAG = "tag:yaml.org,2002:"
_STR, _MAP, _SEQ, _NULL, _BOOL, _TIMESTAMP = (f"{_TAG}{t}" for t in ("str", "map", "seq", "null", "bool", "timestamp"))
_INT, _FLOAT, _SET, _MERGE = (f"{_TAG}{t}" for t in ("int", "float", "set", "merge"))


class NestingTooDeep(MarkedYAMLError):
    """The text nests collections deeper than MAX_DEPTH."""


class _Unusual(Exception):
    """A node the fast converter leaves to SafeConstructor."""


class _DatesAsText(SafeConstructor):
    """SafeConstructor, but timestamps stay text (see the module docstring)."""


_DatesAsText.add_constructor(_TIMESTAMP, SafeConstructor.construct_yaml_str)

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


def load_all(text: str) -> Iterator[Any]:
    """Every document of ``text``, as plain data. Raises YAMLError (or RecursionError)."""
    if not HAS_C_PARSER:  # pragma: no cover
        from ruamel.yaml import YAML

        yaml = YAML(typ="safe", pure=True)
        yaml.Constructor = _DatesAsText
        yield from yaml.load_all(text)
        return
    _check_depth(text)
    loader = _Loader(text)  # a fresh loader per text: loaders carry state
    try:
        while loader.check_node():
            node = loader.get_node()
            try:
                yield _convert(node, {}, loader)
            except _Unusual:
                yield loader.construct_document(node)
    finally:
        loader.dispose()


def load_one(text: str) -> Any:
    """The first document of ``text`` (None when empty): configuration and rule packs."""
    return next(load_all(text), None)


def compose_all(text: str) -> list[Node]:
    """The node trees (with line and column marks) of the documents in ``text``, up to the
    first that cannot be composed: positions in the documents before a broken one still count."""
    if not HAS_C_PARSER:  # pragma: no cover
        from ruamel.yaml import YAML

        return list(YAML(typ="safe", pure=True).compose_all(text))
    nodes: list[Node] = []
    try:
        _check_depth(text)
        loader = _Loader(text)
    except (YAMLError, RecursionError):
        return nodes
    try:
        while loader.check_node():
            nodes.append(loader.get_node())
    except (YAMLError, RecursionError):
        pass
    finally:
        loader.dispose()
    return nodes


def _check_depth(text: str) -> None:
    """Refuse collections nested deeper than MAX_DEPTH before the C composer sees them.

    The composer recurses in C and crashes the interpreter some 20,000 levels down. Each level
    costs an indicator (``[``, ``{``, ``-``, ``?``) or one more space of indentation per line,
    which is quadratic in size and stays far below the crash within the file size limit. So
    only texts with more indicators than MAX_DEPTH are measured, with the event parser, which
    does not recurse; counting them is four passes of ``str.count``, cheap for every file.
    """
    if text.count("-") + text.count("?") + text.count("[") + text.count("{") <= MAX_DEPTH:
        return
    parser = CParser(text)
    depth = 0
    try:
        while parser.check_event():
            event = parser.get_event()
            kind = type(event).__name__
            if kind in ("MappingStartEvent", "SequenceStartEvent"):
                depth += 1
                if depth > MAX_DEPTH:
                    raise NestingTooDeep(
                        problem=f"collections are nested more than {MAX_DEPTH} levels deep",
                        problem_mark=event.start_mark,
                    )
            elif kind in ("MappingEndEvent", "SequenceEndEvent"):
                depth -= 1
    finally:
        parser.dispose()


def _convert(node: Node, seen: dict[int, Any], loader: Any) -> Any:
    """Node -> data for the core types; aliases become shared objects, never copies."""
    ctag = node.ctag
    # A resolved tag has no handle and its suffix is the full tag: skip Tag.__str__, which
    # costs more than the rest of the conversion. Explicit tags (``!!str``) go the long way.
    tag = ctag.suffix if ctag.handle is None else str(ctag)
    if isinstance(node, ScalarNode):
        if tag in (_STR, _TIMESTAMP):
            return node.value
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
        name = key_node.value
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


__all__ = ["MAX_DEPTH", "ConstructorError", "NestingTooDeep", "load_all"]
