"""Line and column of a field, found on demand.

Loading keeps only plain data. When a finding needs a position, the file is composed once
more into YAML nodes (which carry marks) and the field path is walked. Only files with
findings pay for this, and each at most once per run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bcplint.loader import Source
from bcplint.validate import FieldPath
from bcplint.yamlstream import compose_all


@dataclass
class PositionIndex:
    """Composed node trees per source, built lazily."""

    _trees: dict[tuple[str, int], list[Node]] = field(default_factory=dict)

    def locate(self, source: Source, index: int, path: FieldPath, *, key: bool = False) -> tuple[int, int]:
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

    def _documents(self, source: Source) -> list[Node]:
        cache_key = (source.path, source.line_offset)
        if cache_key not in self._trees:
            try:
                self._trees[cache_key] = compose_all(source.text)
            except (YAMLError, RecursionError):
                self._trees[cache_key] = []
        return self._trees[cache_key]


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


def _is_empty_scalar(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null" and node.value in ("", "~")


def _mark(source: Source, node: Node) -> tuple[int, int]:
    mark = node.start_mark
    return mark.line + 1 + source.line_offset, mark.column + 1
