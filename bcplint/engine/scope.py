"""What a run reports on: the one place where paths, ``--staged`` and ``--changed-since``
narrow a result. Rules always see the whole workspace; a scope only decides which of their
findings, passing checks, counts and maturity levels are shown, the same way for every report.

A narrowed run need not judge what it will not show: :func:`focus` says which documents and
files must be judged so that the narrowed result is exactly the full result narrowed (the
engine evaluates document checks on those alone, and turns only their hits into findings).
That is more than the scope: what an exemption in scope could hide (a waiver's target), every
document sharing a name with one judged (waivers match, and baselines count, findings by
document name), and for maturity levels what a Service's level depends on.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from bcplint.exemptions.baseline import Baseline
from bcplint.findings import LintResult
from bcplint.model.kinds import Waiver
from bcplint.workspace.documents import Document, Workspace
from bcplint.workspace.graph import relied_on
from bcplint.workspace.impact import affected

DocumentKey = tuple[str, str | None]  # (path, name): how findings and checks name a document


@dataclass(frozen=True, kw_only=True)
class Scope:
    """What is in scope: files under ``prefixes``, and of those the ``documents`` (by path and
    name) and ``files`` listed. None on any side means no limit there.

    A finding about a document is in scope when its document is; a finding about a file alone
    (a parse error, an unused baseline entry) when its file is.
    """

    prefixes: tuple[str, ...] | None = None  # report paths; "" or "." is everything
    documents: frozenset[DocumentKey] | None = None
    files: frozenset[str] | None = None

    @property
    def everything(self) -> bool:
        return self.prefixes is None and self.documents is None and self.files is None

    def has_document(self, path: str, name: str | None) -> bool:
        if name is None:
            return self.has_file(path)
        return self._under(path) and (self.documents is None or (path, name) in self.documents)

    def has_file(self, path: str) -> bool:
        return self._under(path) and (self.files is None or path in self.files)

    def _under(self, path: str) -> bool:
        if self.prefixes is None:
            return True
        return any(p in ("", ".", path) or path.startswith(p + "/") for p in self.prefixes)

    def __and__(self, other: Scope) -> Scope:
        prefixes = other.prefixes if self.prefixes is None else self.prefixes
        if self.prefixes is not None and other.prefixes is not None:
            raise ValueError("one scope by paths at a time")  # paths are given once per run
        return Scope(
            prefixes=prefixes,
            documents=_meet(self.documents, other.documents),
            files=_meet(self.files, other.files),
        )


def _meet(a: frozenset[Any] | None, b: frozenset[Any] | None) -> frozenset[Any] | None:
    if a is None:
        return b
    if b is None:
        return a
    return a & b


def under_paths(targets: Iterable[str]) -> Scope:
    """Everything at or below ``targets`` (paths as reports name them)."""
    return Scope(prefixes=tuple(t.rstrip("/") for t in targets))


def affected_by(
    workspace: Workspace, changed: Collection[str], removed: Collection[str] = (), referred_before: Collection[str] = ()
) -> Scope:
    """What a change touches (:func:`bcplint.workspace.impact.affected`), and the changed files."""
    touched = affected(workspace, changed, removed, referred_before)
    documents = frozenset((d.path, d.name) for d in touched)
    return Scope(documents=documents, files=frozenset(changed) | {d.path for d in touched})


def narrow(result: LintResult, scope: Scope, workspace: Workspace) -> LintResult:
    """``result`` as seen through ``scope``: findings, passing checks, exemptions, maturity and
    the document and file counts all narrowed alike."""
    if scope.everything:
        return result
    docs = [d for d in workspace.docs if scope.has_document(d.path, d.name)]
    broken = {f.path for f in workspace.files if f.problem is not None and scope.has_file(f.path)}
    files = {d.path for d in docs} | broken
    return dataclasses.replace(
        result,
        findings=tuple(f for f in result.findings if scope.has_document(f.path, f.document)),
        checks=tuple(c for c in result.checks if scope.has_document(c.path, c.document)),
        exemptions=tuple(e for e in result.exemptions if scope.has_file(e.path)),
        maturity=tuple(m for m in result.maturity if scope.has_document(m.path, m.service)),
        exclusions=tuple(e for e in result.exclusions if scope.has_document(e.path, e.name)),
        documents_checked=len(docs),
        files_checked=len(files),
    )


@dataclass(frozen=True, kw_only=True)
class Focus:
    """What a narrowed run judges: findings about ``documents``, and findings about ``files``
    themselves (a file that cannot be read, an inline suppression). See :func:`focus`."""

    documents: frozenset[Document]
    files: frozenset[str]

    def wants(self, doc: Document | None, path: str | None) -> bool:
        """True for a finding on ``doc``, or on the file at ``path`` when it is about no document."""
        if doc is not None:
            return doc in self.documents
        return path is None or path in self.files


def focus(
    scope: Scope, workspace: Workspace, *, baseline: Baseline | None = None, maturity: bool = False
) -> Focus | None:
    """The documents and files a run narrowed to ``scope`` must judge so that its narrowed result
    is the full result narrowed (see the module docstring); None when that is everything.

    ``baseline``: the run's baseline, whose unused entries are reported at the baseline file:
    when that file is in scope, every finding counts. ``maturity``: the run assesses maturity
    levels, each of which depends on the findings of the Service, of what it depends on
    (transitively) and of the Plans and Exercises that name it.
    """
    if scope.everything or (baseline is not None and scope.has_file(baseline.path)):
        return None
    files = frozenset(f.path for f in workspace.files if scope.has_file(f.path))
    chosen = {d for d in workspace.docs if d.path in files or scope.has_document(d.path, d.name)}
    names = {d.name for d in chosen if d.name is not None}
    if maturity:
        names |= _maturity_inputs(scope, workspace)
    by_name: dict[str, list[Document]] = {}
    for doc in workspace.docs:
        if doc.name is not None:
            by_name.setdefault(doc.name, []).append(doc)
    waivers = list(workspace.valid(("Waiver",)))
    added = set(names)
    while added:
        chosen.update(d for name in added for d in by_name.get(name, ()))
        targets = {w.model.target for w in waivers if w in chosen and isinstance(w.model, Waiver)}
        added = targets - names
        names |= added
    if len(chosen) == len(workspace.docs) and len(files) == len(workspace.files):
        return None
    return Focus(documents=frozenset(chosen), files=files)


def _maturity_inputs(scope: Scope, workspace: Workspace) -> set[str]:
    """Names whose findings decide the maturity of the Services in scope."""
    services = [d.name for d in workspace.valid(("Service",)) if d.name and scope.has_document(d.path, d.name)]
    names = {d.name for d in relied_on(workspace, services) if d.name is not None}
    for kind, field in (("Plan", "covers"), ("Exercise", "scope")):
        related = workspace.referrers(kind, field)
        names.update(d.name for service in services for d in related.get(service, []) if d.name is not None)
    return names | set(services)
