"""What a run reports on: the one place where paths, ``--staged`` and ``--changed-since``
narrow a result. Rules always see the whole workspace; a scope only decides which of their
findings, passing checks, counts and maturity levels are shown, the same way for every report.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from bcplint.findings import LintResult
from bcplint.workspace.documents import Workspace
from bcplint.workspace.graph import affected

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


def affected_by(workspace: Workspace, changed: Collection[str], removed: Collection[str] = ()) -> Scope:
    """What a change touches (:func:`bcplint.workspace.graph.affected`), and the changed files."""
    touched = affected(workspace, changed, removed)
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
