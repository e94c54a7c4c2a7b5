"""One result from the results of several workspaces (paths given in several of them)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path

from bcplint.findings import CheckedSubject, Finding, LintResult
from bcplint.load.discover import display_path


def merge(results: Sequence[LintResult]) -> LintResult:
    """The results as one, paths relative to the bases' common directory; each workspace
    keeps its own fail_on threshold (:attr:`LintResult.thresholds`)."""
    if len(results) == 1:
        return results[0]
    bases = [r.base for r in results if r.base is not None]
    common = Path(os.path.commonpath(bases)) if bases else None
    parts = [_rebase(r, common) for r in results]
    order = [rule.id for part in parts for rule in part.rules]
    rules = {rule.id: rule for part in reversed(parts) for rule in part.rules}
    return LintResult(
        findings=tuple(sorted((f for p in parts for f in p.findings), key=Finding.sort_key)),
        files_checked=sum(p.files_checked for p in parts),
        documents_checked=sum(p.documents_checked for p in parts),
        packs=tuple(sorted({pack for p in parts for pack in p.packs})),
        notes=tuple(note for p in parts for note in p.notes),
        rules=tuple(sorted(rules.values(), key=lambda r: order.index(r.id))),
        checks=tuple(sorted((c for p in parts for c in p.checks), key=CheckedSubject.sort_key)),
        exemptions=tuple(e for p in parts for e in p.exemptions),
        today=parts[0].today,
        maturity=tuple(m for p in parts for m in p.maturity),
        exclusions=tuple(e for p in parts for e in p.exclusions),
        base=common,
        thresholds=tuple(t for p in parts for t in p.thresholds),
    )


def _rebase(result: LintResult, base: Path | None) -> LintResult:
    if base is None or result.base is None or result.base == base:
        return result
    offset = display_path(result.base, base)

    def moved(path: str) -> str:
        return path if os.path.isabs(path) else f"{offset}/{path}"

    return dataclasses.replace(
        result,
        findings=tuple(dataclasses.replace(f, path=moved(f.path)) for f in result.findings),
        checks=tuple(dataclasses.replace(c, path=moved(c.path)) for c in result.checks),
        exemptions=tuple(dataclasses.replace(e, path=moved(e.path)) for e in result.exemptions),
        maturity=tuple(dataclasses.replace(m, path=moved(m.path)) for m in result.maturity),
        exclusions=tuple(dataclasses.replace(e, path=moved(e.path)) for e in result.exclusions),
        thresholds=tuple((moved(prefix) if prefix else offset, t) for prefix, t in result.thresholds),
        base=base,
    )
