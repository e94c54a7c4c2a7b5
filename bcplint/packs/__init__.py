"""Rule packs: rules declared as data in YAML, resolved into :class:`Rule` objects."""

from __future__ import annotations

from bcplint.packs.load import (
    CATALOG,
    DEFAULT_PACKS,
    BoundCheck,
    Rule,
    builtin_pack_dir,
    builtin_pack_names,
    resolve_rules,
)

__all__ = [
    "CATALOG",
    "DEFAULT_PACKS",
    "BoundCheck",
    "Rule",
    "builtin_pack_dir",
    "builtin_pack_names",
    "resolve_rules",
]
