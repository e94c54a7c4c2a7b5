"""What every check function shares: the context it reads, the hits it yields, field lookup.

A check function is pure. It receives the workspace (through :class:`Context`), the document
it is about (for document checks) and its validated parameters, and yields :class:`Hit`s. It
never knows the rule's severity, never prints and never reads files.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from bcplint.model.validate import FieldPath
from bcplint.workspace.documents import Document, Workspace


@dataclass(frozen=True, kw_only=True)
class Context:
    """What a check reads: the workspace and the evaluation date. ``focus``: in a run narrowed to
    part of the workspace, the documents whose findings it reports (None: every document)."""

    workspace: Workspace
    today: dt.date
    focus: frozenset[Document] | None = None

    def in_focus(self, docs: Iterable[Document]) -> Iterator[Document]:
        """``docs`` that are in focus: for a workspace check whose hits on a document depend on
        nothing it finds while looking at other documents (it still reads them all freely)."""
        focus = self.focus
        return iter(docs) if focus is None else (doc for doc in docs if doc in focus)

    def focus_names(self) -> list[str] | None:
        """The names of the documents in focus, sorted; None: every document. A focus holds
        every document sharing a name with one it holds, so a name stands for all of them."""
        if self.focus is None:
            return None
        return sorted({doc.name for doc in self.focus if doc.name is not None})


@dataclass(frozen=True, kw_only=True)
class Hit:
    """One failure of a check.

    ``outcome`` picks the rule's message when it has one per outcome (``missing``, ``stale``…);
    ``values`` fill the message's ``{placeholders}``; ``detail`` is the check's own wording,
    used when the rule has no message for the outcome. ``related`` is another place the
    message points to (a document and a field in it, such as the first use of a duplicated
    name): checks never read files, so the engine finds its line and offers it to the
    message as ``{related_at}`` (``path:line``).
    """

    doc: Document | None
    field: FieldPath
    outcome: str
    detail: str
    values: Mapping[str, object] = dataclasses.field(default_factory=dict)
    at_key: bool = False
    position: tuple[str, int, int] | None = None  # (path, line, column) when there is no document
    related: tuple[Document, FieldPath] | None = None


class Params(BaseModel):
    """Base of each check function's parameters: unknown parameters are pack errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NoParams(Params):
    pass


@dataclass(frozen=True, kw_only=True)
class CheckFunction:
    """A built-in check that packs can name. ``scope`` says what it is called with."""

    name: str
    params: type[Params]
    scope: Literal["document", "workspace", "exemption"]
    function: Callable[..., Iterator[Hit]]
    # What a workspace check examines, for reports that count passing checks (JUnit):
    # kinds of document, None for every document, ("file",) for every file.
    subjects: tuple[str, ...] | None = None
    # What the check needs beyond the workspace; the engine provides it only when a rule that
    # runs needs it ("history": the last change of each file, from git).
    needs: frozenset[str] = frozenset()
    # False when a finding of the check is never a gap to accept: the fix is to delete something.
    baselinable: bool = True
    # True when it judges documents that are out of continuity scope too (the structure of every
    # file: parse errors, schema, references, names); otherwise their findings are dropped.
    judges_excluded: bool = False


# --- field paths --------------------------------------------------------------------------

_FIELD_PATH = re.compile(r"[A-Za-z_]\w*(?:\[(?:\*|\d+)\]|\.[A-Za-z_]\w*)*")
_SEGMENT = re.compile(r"([A-Za-z_]\w*)|\[(\*|\d+)\]")


@functools.lru_cache(maxsize=512)  # a pure function of its text, called for every document
def parse_field(text: str) -> tuple[str | int | None, ...]:
    """``backups[*].last_restore_test.date`` -> ``('backups', None, 'last_restore_test', 'date')``.

    ``None`` stands for "every item". Raises ValueError for anything else.
    """
    if not _FIELD_PATH.fullmatch(text):
        raise ValueError(f"invalid field path '{text}' (expected e.g. owner, reviewed.on, backups[*].frequency)")
    return tuple(name if name else (None if index == "*" else int(index)) for name, index in _SEGMENT.findall(text))


@dataclass(frozen=True)
class FieldValue:
    """A value found at ``path``; ``item`` is the name of the nearest enclosing list item."""

    path: FieldPath
    value: Any
    item: str | None = None


def lookup(root: Any, field_path: str) -> list[FieldValue]:
    """Every value at ``field_path`` (wildcards expanded). A missing leaf yields ``None``.

    A missing parent stops the walk with ``None`` at the full path, so a rule on
    ``reviewed.on`` sees "missing" whether ``reviewed`` or only ``on`` is absent. Wildcards
    over an absent or empty list yield nothing: there is nothing to check.
    """
    parts = parse_field(field_path)
    if "[" not in field_path:  # names only, the common case: kept fast, every document meets it
        node = root
        for part in parts:
            if node is None:
                break
            node = node.get(part) if type(node) is dict else getattr(node, part, None)  # type: ignore[arg-type]
        return [FieldValue(parts, node)]  # type: ignore[arg-type]
    results: list[FieldValue] = []
    _walk(root, parts, (), None, results)
    return results


def _walk(
    node: Any,
    parts: tuple[str | int | None, ...],
    path: FieldPath,
    item: str | None,
    out: list[FieldValue],
) -> None:
    if not parts:
        out.append(FieldValue(path, node, item))
        return
    head, rest = parts[0], parts[1:]
    if node is None:
        out.append(FieldValue((*path, *(p for p in parts if isinstance(p, (str, int)))), None, item))
        return
    if head is None:
        for i, child in enumerate(node if isinstance(node, list) else []):
            _walk(child, rest, (*path, i), _item_name(child, item), out)
    elif isinstance(head, int):
        child = node[head] if isinstance(node, list) and head < len(node) else None
        _walk(child, rest, (*path, head), _item_name(child, item), out)
    elif isinstance(node, Mapping):
        _walk(node.get(head), rest, (*path, head), item, out)
    else:
        _walk(getattr(node, head, None), rest, (*path, head), item, out)


def _item_name(child: Any, default: str | None) -> str | None:
    """How messages name a list item: its ``name`` (backups, channels) or ``id`` (findings)."""
    for attribute in ("name", "id"):
        value = child.get(attribute) if isinstance(child, Mapping) else getattr(child, attribute, None)
        if isinstance(value, str):
            return value
    return default


def render(value: Any) -> str:
    """How a value appears in a message."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
