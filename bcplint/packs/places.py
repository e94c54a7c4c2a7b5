"""Where in a pack file something is: line and column for pack errors.

Packs load as plain data; only when an error must be reported is the file composed once more
into YAML nodes, which carry marks, and the path walked (as :mod:`bcplint.load.positions` does for
plan documents).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from bcplint.load.yaml_stream import compose_all

Keys = tuple[str | int, ...]


@dataclass(frozen=True)
class Place:
    """A value in a pack file: the file and the keys and indexes leading to it from the top."""

    origin: str
    keys: Keys = ()
    at_key: bool = False  # point at the key rather than its value (a regex that is a key)

    def __truediv__(self, more: Keys) -> Place:
        return Place(self.origin, (*self.keys, *more))

    def describe(self, *, key: bool = False) -> str:
        """``path:line:column`` of the value (of its key with ``key=True``); the deepest part of
        the path that exists when the rest does not; just ``path`` when the file cannot be read."""
        try:
            text = Path(self.origin).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return self.origin
        documents = compose_all(text)
        if not documents:
            return self.origin
        node, key_node = documents[0], None
        for part in self.keys:
            found = _child(node, part)
            if found is None:
                continue  # a name pydantic adds to a union's path (CheckSpec, list[...]): skip it
            key_node, node = found
        mark = (key_node if (key or self.at_key) and key_node is not None else node).start_mark
        return f"{self.origin}:{mark.line + 1}:{mark.column + 1}"


def _child(node: Node, part: str | int) -> tuple[Node | None, Node] | None:
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == str(part):
                return key_node, value_node
    elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return None, node.value[part]
    return None
