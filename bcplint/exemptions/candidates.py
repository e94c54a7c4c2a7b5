"""Every exemption as written: Waiver documents and inline suppressions, with the problems
that keep one from taking effect (unknown rule, no reason, approved by the owner of what it
waives, a date that is no date).

A waiver hides the findings it matches until it expires; every waived finding stays in every
report, marked. An expired waiver hides nothing, one that matches nothing is reported, and one
that cannot take effect is reported and ignored (the rules about exemptions: BCP801-803 in the
shipped catalog).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Literal

from bcplint.exemptions.inline import parse_directive
from bcplint.findings import Exemption
from bcplint.load.comments import DirectiveComment, directive_comments
from bcplint.load.parse import read_texts
from bcplint.model.kinds import Waiver
from bcplint.workspace.documents import Document, Workspace


@dataclass(frozen=True, kw_only=True)
class Candidate:
    """An exemption as written, before it is checked, with what it hides."""

    exemption: Exemption
    rule_ids: frozenset[str]
    target: str | None = None  # Waiver documents: the document name
    doc: Document | None = None
    path: str | None = None  # inline comments: the file and line they sit on
    line: int = 0


def collect(
    workspace: Workspace, rule_keys: Mapping[str, str], today: dt.date, files: Collection[str] | None = None
) -> list[Candidate]:
    """Every Waiver document and inline suppression, with problems that make one invalid.

    ``rule_keys`` maps every rule id and name (of all known rules) to its id. Inline
    suppressions come from the comments the YAML scanner finds (:mod:`bcplint.load.comments`); any
    comment that says ``bcplint:`` (in any case) is an attempt at one, and is either a valid
    suppression or reported invalid (BCP803), never ignored. ``files``: only the inline
    suppressions of these files (None: of every file). A suppression hides findings in its own
    file only, so a narrowed run reads the comments of the files it judges and no others.
    """
    candidates = [_from_waiver(doc, rule_keys, workspace, today) for doc in workspace.valid(("Waiver",))]
    sources = [f.source for f in workspace.files if f.source is not None and (files is None or f.path in files)]
    read_texts(sources)  # in one batch, not a query per file
    for source in sources:
        for comment in directive_comments(source):
            candidates.append(_inline(source.path, comment, rule_keys, today))
    return candidates


def _from_waiver(doc: Document, rule_keys: Mapping[str, str], workspace: Workspace, today: dt.date) -> Candidate:
    waiver = doc.model
    assert isinstance(waiver, Waiver)
    problems: list[tuple[str, str]] = []  # (field, problem)
    rule_id = rule_keys.get(waiver.rule) or rule_keys.get(waiver.rule.upper())
    if rule_id is None:
        problems.append(("rule", f"names no known rule '{waiver.rule}'"))
    target = workspace.get(waiver.target)
    if target is None:
        problems.append(("target", f"waives '{waiver.target}', which is no document"))
    if workspace.get(waiver.approved_by, ("Contact",)) is None:
        problems.append(("approved_by", f"is approved by '{waiver.approved_by}', who is not a known Contact"))
    owner = getattr(target.model, "owner", None) if target else None
    if waiver.approved_by in (owner, waiver.target):
        problems.append(
            ("approved_by", f"is approved by '{waiver.approved_by}', who owns what it waives; ask someone independent")
        )
    exemption = Exemption(
        kind="waiver",
        name=waiver.name,
        rule=waiver.rule,
        target=waiver.target,
        reason=waiver.reason,
        approved_by=waiver.approved_by,
        expires=waiver.expires,
        review_by=waiver.review_by,
        path=doc.path,
        line=0,
        status=_status([p for _, p in problems], waiver.expires, today),
        problems=tuple(p for _, p in problems),
        field=problems[0][0] if problems else "rule",
    )
    rules = frozenset({rule_id}) if rule_id else frozenset()
    return Candidate(exemption=exemption, rule_ids=rules, target=waiver.target, doc=doc)


def _inline(path: str, comment: DirectiveComment, rule_keys: Mapping[str, str], today: dt.date) -> Candidate:
    names, until, reason, problems = parse_directive(comment.text)
    rule_ids = {rule_keys.get(n) or rule_keys.get(n.upper()) for n in names}
    unknown = [n for n in names if not (rule_keys.get(n) or rule_keys.get(n.upper()))]
    if unknown:
        problems.append(f"names no known rule {', '.join(repr(n) for n in unknown)}")
    expires = None
    if until:
        try:
            expires = dt.date.fromisoformat(until)
        except ValueError:
            problems.append(f"has an invalid date until={until} (use YYYY-MM-DD)")
    exemption = Exemption(
        kind="inline",
        name=f"{path}:{comment.line}",
        rule=", ".join(names),
        target=None,
        reason=reason or "",
        approved_by=None,
        expires=expires,
        path=path,
        line=comment.line,
        column=comment.column,
        status=_status(problems, expires, today),
        problems=tuple(problems),
    )
    return Candidate(exemption=exemption, rule_ids=frozenset(r for r in rule_ids if r), path=path, line=comment.line)


def _status(problems: list[str], expires: dt.date | None, today: dt.date) -> Literal["active", "expired", "invalid"]:
    if problems:
        return "invalid"
    return "expired" if expires is not None and expires < today else "active"
