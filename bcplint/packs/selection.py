"""Which rules run: the enabled packs, the configuration's overrides, then select and ignore.

Selectors are rule ids, rule names or id prefixes such as ``BCP2`` (like ruff's). A mistake is
blamed on where it was made: the command line, or the configuration file with its path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bcplint.errors import ConfigError, PackError, did_you_mean, shown
from bcplint.findings import Severity
from bcplint.load.config import LoadedConfig
from bcplint.packs.docs import default_docs_url
from bcplint.packs.load import DEFAULT_PACKS, Rule, RuleOverride, resolve_rules

# "policies/acme.yaml: " or "policies/acme.yaml:12:5: " at the start of a pack's error.
_PACK_PLACE = re.compile(r"^\S+?\.ya?ml(?::\d+){0,2}: ")


@dataclass(frozen=True, kw_only=True)
class Selection:
    """The rules to run, in catalog order, and every known rule's id and name mapped to its id
    (enabled or not: a waiver of a rule left out of this run is no typo)."""

    rules: tuple[Rule, ...]
    known: dict[str, str]


def select_rules(
    loaded: LoadedConfig,
    *,
    packs: Sequence[str] | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    cwd: Path,
) -> Selection:
    """The rules of ``packs`` (None: the configuration's, else the defaults) with the
    configuration's overrides, narrowed by ``select`` and ``ignore`` (None: the configuration's).

    Pack paths on the command line are relative to ``cwd``, those in the configuration to its
    file. The built-in rules link to their pages under the configuration's ``docs_url``, else
    the installed package's documentation (:mod:`bcplint.packs.docs`). Raises ConfigError for
    an unknown rule or a bad override, PackError for a bad pack.
    """
    config = loaded.config
    pack_refs = list(packs) if packs else list(config.packs or DEFAULT_PACKS)
    pack_base = cwd if packs else (loaded.root or cwd)
    docs_url = config.docs_url or default_docs_url()
    every_rule = resolve_rules(pack_refs, pack_base, docs_url=docs_url)
    by_key = _rule_keys(every_rule)
    overrides: dict[str, RuleOverride] = {}
    for key, rule_config in config.rules.items():
        rule = _lookup(key, by_key, "rules", loaded.path)
        overrides[rule.id] = RuleOverride(
            severity=Severity.parse(rule_config.severity) if rule_config.severity else None,
            params=rule_config.params or None,
            enforce_from=rule_config.enforce_from,
        )
    try:
        rules = resolve_rules(pack_refs, pack_base, overrides, docs_url=docs_url) if overrides else every_rule
    except PackError as exc:  # a bad override is the configuration's fault, not the pack's
        where = f"{shown(loaded.path)}: " if loaded.path else ""
        raise ConfigError(f"{where}in 'rules': {_PACK_PLACE.sub('', str(exc))}") from None
    chosen_select, select_from = (select, None) if select is not None else (config.select, loaded.path)
    chosen_ignore, ignore_from = (ignore, None) if ignore is not None else (config.ignore, loaded.path)
    selected = {r.id for key in chosen_select for r in _matching(key, rules, by_key, "select", select_from)}
    ignored = {r.id for key in chosen_ignore for r in _matching(key, rules, by_key, "ignore", ignore_from)}
    kept = tuple(r for r in rules if (not chosen_select or r.id in selected) and r.id not in ignored)
    return Selection(rules=kept, known={key: rule.id for key, rule in by_key.items()})


def _rule_keys(rules: Iterable[Rule]) -> dict[str, Rule]:
    keys: dict[str, Rule] = {}
    for rule in rules:
        keys[rule.id] = rule
        keys[rule.name] = rule
    return keys


def _lookup(key: str, by_key: dict[str, Rule], option: str, source: Path | None) -> Rule:
    rule = by_key.get(key) or by_key.get(key.upper())
    if rule is None:
        where = f"{shown(source)}: " if source else ""
        raise ConfigError(f"{where}unknown rule '{key}' in '{option}'{did_you_mean(key, by_key)}")
    return rule


def _matching(key: str, rules: Sequence[Rule], by_key: dict[str, Rule], option: str, source: Path | None) -> list[Rule]:
    """A rule id, a rule name, or an id prefix such as ``BCP2`` (like ruff's selectors)."""
    prefix = key.upper()
    if key not in by_key and prefix not in by_key and len(prefix) >= 3:
        matched = [r for r in rules if r.id.startswith(prefix)]
        if matched:
            return matched
    rule = _lookup(key, by_key, option, source)
    return [r for r in rules if r.id == rule.id]
