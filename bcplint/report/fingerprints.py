"""Fingerprints that code-scanning and code-quality services match findings by.

A finding's identity is its rule, document and field (:attr:`Finding.fingerprint`, never the
line) plus its file, so edits elsewhere in a file keep the alert and two documents sharing a
name (BCP004) are two alerts. Identities can collide — one check reporting one field twice
with different messages (a plan with neither a primary nor a secondary channel) — and the
services show findings sharing a fingerprint as one, so colliding findings add their message,
and findings identical in that too their rank (by :meth:`Finding.sort_key`).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence

from bcplint.findings import Finding


def unique_fingerprints(findings: Sequence[Finding], *, variant: Callable[[Finding], str] = lambda f: "") -> list[str]:
    """One 32-hex-digit fingerprint per finding, in order, unique among ``findings``.

    ``variant`` adds to the identity what a service must see as a different finding (GitLab:
    whether it is waived, so adding a waiver resolves the active issue).
    """
    identities = [_hash(f"{f.fingerprint}|{f.path}{variant(f)}") for f in findings]
    shared = {key for key, count in Counter(identities).items() if count > 1}
    seen: Counter[str] = Counter()
    prints = list(identities)
    for i in sorted(range(len(findings)), key=lambda i: findings[i].sort_key()):
        if identities[i] in shared:
            by_message = _hash(f"{identities[i]}|{findings[i].message}")
            seen[by_message] += 1
            prints[i] = by_message if seen[by_message] == 1 else _hash(f"{by_message}|{seen[by_message]}")
    return prints


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
