"""Line and column of a field, found on demand.

Loading keeps only plain data. When a finding needs a position, the file is composed once
more into YAML nodes (which carry marks) and the field path is walked. Only files with
findings pay for this. The trees of the files used last are kept (``keep``), not all of them:
a tree takes some 20 KB for a contact's 160 bytes, and a run on 100,000 documents with
findings in 10,000 files kept 200 MB of them. The engine asks for the positions of a file's
findings together, so a file is composed about once.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bcplint.load.parse import YamlText
from bcplint.load.yaml_stream import compose_all
from bcplint.model.validate import FieldPath

_ITEM = re.compile(r"\[(\d+)\]")


@dataclass
class PositionIndex:
    """Composed node trees per source, built lazily; those of the ``keep`` sources used last
    are kept."""

    keep: int = 64
    _trees: OrderedDict[tuple[str, int], list[Node]] = field(default_factory=OrderedDict)

    def locate(self, source: YamlText, index: int, path: FieldPath, *, key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of ``path`` in document ``index`` of ``source``.

        The value's position when the whole path exists (its key's with ``key=True``), the
        key of the deepest existing parent when only part of it exists, and the document's
        first line when none of it does.
        """
        nodes = self._documents(source)
        if index >= len(nodes):
            return 1 + source.line_offset, 1
        node: Node = nodes[index]
        key_node: Node | None = None
        for depth, part in enumerate(path):
            child = _child(node, part)
            if child is None:
                break
            key_node, node = child
            # An empty value (`owner:`) has no text to point at: point at its key.
            if depth == len(path) - 1 and not key and not _is_empty_scalar(node):
                key_node = None
        return _mark(source, key_node if key_node is not None else node)

    def key_lines(self, source: YamlText, index: int, field: str) -> list[int]:
        """1-based lines of each key along ``field`` (as ``format_field`` writes it, e.g.
        ``backups[0].last_restore_test.date``) in document ``index``: the line of every key on the
        way and of every sequence item entered, as far as the path exists in the document."""
        nodes = self._documents(source)
        if index >= len(nodes) or not field:
            return []
        return _key_lines(nodes[index], field, source) or []

    def document_lines(self, source: YamlText) -> list[int]:
        """1-based first line of each document of ``source`` (of its root node), in order."""
        return [_mark(source, node)[0] for node in self._documents(source)]

    def _documents(self, source: YamlText) -> list[Node]:
        cache_key = (source.path, source.line_offset)
        trees = self._trees
        if cache_key in trees:
            trees.move_to_end(cache_key)
            return trees[cache_key]
        try:
            composed = compose_all(source.text)
        except (YAMLError, RecursionError):
            composed = []
        trees[cache_key] = composed
        if len(trees) > self.keep:
            trees.popitem(last=False)
        return composed


def _child(node: Node, part: str | int) -> tuple[Node | None, Node] | None:
    if isinstance(node, MappingNode):
        # Keys that are numbers or booleans in YAML arrive as such in field paths.
        wanted = part if isinstance(part, str) else str(part)
        for key_node, value_node in node.value:
            if key_node.value == wanted:
                return key_node, value_node
    elif isinstance(node, SequenceNode) and isinstance(part, int):
        items: Sequence[Node] = node.value
        if 0 <= part < len(items):
            return None, items[part]
    return None


def _key_lines(node: Node, rest: str, source: YamlText) -> list[int] | None:
    """Match ``rest`` against the keys below ``node``; None when nothing matches at all.

    Keys are compared as ``format_field`` writes them, so a key that contains a dot or a
    bracket is still found: each candidate key is tried, the longest match wins.
    """
    if not rest:
        return []
    if isinstance(node, SequenceNode) and (item := _ITEM.match(rest)):
        position = int(item.group(1))
        if position >= len(node.value):
            return []
        child = node.value[position]
        deeper = _key_lines(child, rest[item.end() :].removeprefix("."), source)
        return [_mark(source, child)[0], *(deeper or [])]
    if not isinstance(node, MappingNode):
        return None
    best: list[int] | None = None
    for key_node, value_node in node.value:
        name = _formatted(key_node)
        if name is None or not rest.startswith(name) or rest[len(name) : len(name) + 1] not in ("", ".", "["):
            continue
        deeper = _key_lines(value_node, rest[len(name) :].removeprefix("."), source)
        lines = [_mark(source, key_node)[0], *(deeper or [])]
        if best is None or len(lines) > len(best):
            best = lines
    return best


def _formatted(key_node: Node) -> str | None:
    if not isinstance(key_node, ScalarNode):
        return None
    name = str(key_node.value)
    return name if len(name) <= 80 else name[:77] + "..."  # as format_field shortens it


def _is_empty_scalar(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null" and node.value in ("", "~")


def _mark(source: YamlText, node: Node) -> tuple[int, int]:
    mark = node.start_mark
    return mark.line + 1 + source.line_offset, mark.column + 1
