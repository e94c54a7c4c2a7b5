"""All documents of a run, names resolved, and the dependency graph."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ForwardRef, Literal, TypeVar, get_args, get_origin

from pydantic import BaseModel

from bcplint.load.parse import LoadedFile, ParsedDocument
from bcplint.model import KINDS, BaseDocument
from bcplint.model.types import Ref
from bcplint.model.validate import FieldPath, SchemaProblem, validate

T = TypeVar("T")


@dataclass(eq=False, kw_only=True)
class Document:
    """One bcplint document: its raw data, its model when valid, and where it came from."""

    raw: ParsedDocument
    kind: str | None
    name: str | None
    model: BaseDocument | None
    problems: list[SchemaProblem]

    @property
    def path(self) -> str:
        return self.raw.source.path

    @property
    def label(self) -> str:
        """``Service 'helpdesk'`` — how messages name this document."""
        kind = self.kind if self.kind in KINDS else "document"
        if not self.name:
            return kind
        name = self.name if len(self.name) <= 80 else self.name[:77] + "..."  # a 2 MB name stays out of messages
        return f"{kind} '{name}'"


@dataclass(frozen=True, kw_only=True)
class Reference:
    """A field of ``source`` that names another document."""

    source: Document
    field: FieldPath
    target: str
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class DependencyLink:
    """One ``depends_on`` entry: its position, the name it holds and its dependency type."""

    index: int
    name: str
    type: str


_DEFAULT_DEPENDENCY_TYPES = {"Site": "facility", "Contact": "people", "Team": "people"}


def default_dependency_type(kind: str | None) -> str:
    """The type of a ``depends_on`` entry that names none: a Site is a facility, a Contact or
    Team people, anything else (or a name no document holds) runtime, the format's first meaning."""
    return _DEFAULT_DEPENDENCY_TYPES.get(kind or "", "runtime")


@dataclass(eq=False, kw_only=True)
class Workspace:
    files: list[LoadedFile]
    docs: list[Document]
    today: dt.date
    by_name: dict[str, Document] = field(default_factory=dict)
    duplicates: list[tuple[Document, Document]] = field(default_factory=list)
    by_kind: dict[str, list[Document]] = field(default_factory=dict)  # valid documents only
    _memo: dict[object, Any] = field(default_factory=dict, repr=False)
    # Git facts for BCP304: display path -> last change (sha, date, subject); None when unknown.
    history: Mapping[str, Any] | None = None

    def valid(self, kinds: tuple[str, ...] | None = None) -> Iterator[Document]:
        """Documents that passed the schema, optionally of some kinds, in load order."""
        if kinds is None:
            yield from (doc for doc in self.docs if doc.model is not None)
        elif len(kinds) == 1:
            yield from self.by_kind.get(kinds[0], [])
        else:
            wanted = set(kinds)
            yield from (doc for doc in self.docs if doc.model is not None and doc.kind in wanted)

    def memo(self, key: object, compute: Callable[[], T]) -> T:
        """``compute()`` once per workspace: indexes that checks share across documents."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[no-any-return]

    def referrers(self, kind: str, field: str) -> dict[str, list[Document]]:
        """name -> valid documents of ``kind`` whose list ``field`` names it (built once per run).
        Documents out of continuity scope are left out: an excluded exercise is no evidence, an
        excluded plan covers nothing."""

        def build() -> dict[str, list[Document]]:
            index: dict[str, list[Document]] = {}
            for doc in self.by_kind.get(kind, []):
                if self.excluded(doc):
                    continue
                for name in getattr(doc.model, field, None) or []:
                    index.setdefault(name, []).append(doc)
            return index

        return self.memo(("referrers", kind, field), build)

    def get(self, name: str, kinds: tuple[str, ...] | None = None) -> Document | None:
        doc = self.by_name.get(name)
        if doc is None or doc.model is None or (kinds is not None and doc.kind not in kinds):
            return None
        return doc

    def dependencies(self, doc: Document) -> list[str]:
        """The names ``doc`` depends on, every type, in the order written."""
        return dependency_names(doc.model)

    def dependency_links(self, doc: Document) -> list[DependencyLink]:
        """What ``doc`` depends on, each with its position in ``depends_on`` and its type (the one
        written, else the default for the kind it names: see :func:`default_dependency_type`)."""
        links = []
        for index, entry in enumerate(getattr(doc.model, "depends_on", ())):
            name = entry if isinstance(entry, str) else entry.name
            written = None if isinstance(entry, str) else entry.type
            target = self.by_name.get(name)
            links.append(
                DependencyLink(index, name, written or default_dependency_type(target.kind if target else None))
            )
        return links

    def excluded(self, doc: Document) -> bool:
        """True when ``doc`` is declared out of continuity scope (``out_of_scope``)."""
        return getattr(doc.model, "out_of_scope", None) is not None


def build_workspace(files: list[LoadedFile], today: dt.date) -> Workspace:
    docs: list[Document] = []
    for loaded in files:
        for raw in loaded.documents:
            model, problems = validated(raw)
            name = raw.data.get("name")
            kind = raw.data.get("kind")
            docs.append(
                Document(
                    raw=raw,
                    kind=kind if isinstance(kind, str) else None,
                    name=name if isinstance(name, str) and name else None,
                    model=model,
                    problems=problems,
                )
            )
    workspace = Workspace(files=files, docs=docs, today=today)
    for doc in docs:
        if doc.model is not None and doc.kind is not None:
            workspace.by_kind.setdefault(doc.kind, []).append(doc)
    for doc in docs:
        if doc.name is None:
            continue
        first = workspace.by_name.setdefault(doc.name, doc)
        if first is not doc:
            workspace.duplicates.append((doc, first))
    return workspace


def validated(raw: ParsedDocument) -> tuple[BaseDocument | None, list[SchemaProblem]]:
    """:func:`~bcplint.model.validate.validate` of the document's data, computed once per parsed
    document and kept on it: the data never changes, and models are frozen, so runs that share
    parsed files (the daemon's, the language server's) share what validating them gave."""
    if raw.validated is None:
        object.__setattr__(raw, "validated", validate(raw.data))
    return raw.validated  # type: ignore[no-any-return]


def referred_names(doc: Document) -> list[str]:
    """The name each reference of a valid document holds, in field order: the targets of
    :func:`references`, gathered without field paths or generators, for indexes over every
    document (a narrowed run builds one to find what refers to what changed)."""
    found: list[str] = []
    if doc.model is not None:
        _gather_names(doc.model, found)
    return found


def references(doc: Document) -> Iterator[Reference]:
    """Every reference a valid document makes, with its field path, in field order."""
    if doc.model is not None:
        for field, target, kinds in _walk_refs(doc.model, ()):
            yield Reference(source=doc, field=field, target=target, kinds=kinds)


def dependency_names(model: BaseModel | None) -> list[str]:
    """The names a validated document's ``depends_on`` holds, every type, in the order written."""
    return [entry if isinstance(entry, str) else entry.name for entry in getattr(model, "depends_on", ())]


@functools.cache  # a pure function of a model class: computed once per class
def _ref_fields(model: type[BaseModel]) -> tuple[tuple[str, Ref | None], ...]:
    """Each field of ``model`` that can hold a reference, with the Ref marker on it or on its
    list items, if any. A field with no marker whose type cannot hold a model (a string, a
    number, a date, a list of them) never holds one, and is left out: walking every document's
    references is most of what a narrowed run spends finding what a change touches."""
    fields = (
        (name, next((m for m in info.metadata if isinstance(m, Ref)), None) or _item_ref(info.annotation), info)
        for name, info in model.model_fields.items()
    )
    return tuple((name, ref) for name, ref, info in fields if ref is not None or _may_hold_model(info.annotation))


def _may_hold_model(annotation: Any) -> bool:
    """False when a value of type ``annotation`` can hold no pydantic model: anything but a
    model, ``Any``/``object`` and the generics (list, union, Annotated...) of either."""
    if annotation is Any or annotation is object or isinstance(annotation, (str, ForwardRef, TypeVar)):
        return True  # unknown: kept
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    if get_origin(annotation) is Literal:
        return False
    return any(_may_hold_model(arg) for arg in get_args(annotation) if not isinstance(arg, (str, int, bool)))


def _walk_refs(model: BaseModel, prefix: FieldPath) -> Iterator[tuple[FieldPath, str, tuple[str, ...]]]:
    """(field path, name referred to, kinds it may be) for every reference in ``model``."""
    for name, ref in _ref_fields(type(model)):
        value = getattr(model, name)
        if value is None or (ref is None and isinstance(value, str)):
            continue
        path = (*prefix, name)
        if isinstance(value, BaseModel):
            yield from _walk_refs(value, path)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from _walk_refs(item, (*path, i))
                elif ref is not None and isinstance(item, str):
                    yield (*path, i), item, ref.kinds
        elif ref is not None and isinstance(value, str):
            yield path, value, ref.kinds


def _gather_names(model: BaseModel, found: list[str]) -> None:
    """Append to ``found`` the name of every reference in ``model``, in :func:`_walk_refs`'s order."""
    for name, ref in _ref_fields(type(model)):
        value = getattr(model, name)
        if isinstance(value, str):
            if ref is not None:
                found.append(value)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, str):
                    if ref is not None:
                        found.append(item)
                elif isinstance(item, BaseModel):
                    _gather_names(item, found)
        elif isinstance(value, BaseModel):
            _gather_names(value, found)


def _item_ref(annotation: Any) -> Ref | None:
    """The Ref marker on the items of ``list[Annotated[str, Ref(...)]]``, also where the items
    may be a name or an object (``list[Annotated[str, Ref(...)] | ServiceDependency]``)."""
    for arg in getattr(annotation, "__args__", ()):
        for meta in getattr(arg, "__metadata__", ()):
            if isinstance(meta, Ref):
                return meta
        if getattr(arg, "__metadata__", None) is None:
            inner = _item_ref(arg)
            if inner is not None:
                return inner
    return None
