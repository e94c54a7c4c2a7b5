"""Rule packs -> rules ready to run.

Every entry is merged by rule id: the catalog's definition, then each enabled pack's entries
(a pack's ``extends`` first, its own entries on top), then the user's configuration. Clauses
add up, labelled with the framework of the pack that names them; other fields are replaced.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from bcplint.checks import CHECKS, CheckFunction, Params
from bcplint.checks.base import parse_field
from bcplint.checks.filters import check_where
from bcplint.errors import PackError, did_you_mean
from bcplint.findings import Severity
from bcplint.load.yaml_stream import load_one
from bcplint.model.validate import format_field
from bcplint.packs.docs import page_url
from bcplint.packs.model import Examples, Message, PackFile, RuleEntry
from bcplint.packs.places import Keys, Place

CATALOG = "catalog"
DEFAULT_PACKS = ("iso22301", "itil-itscm")


@dataclass(frozen=True, kw_only=True)
class BoundCheck:
    """A check function with its field and validated parameters."""

    function: CheckFunction
    field: str | None
    params: Params
    message: Message | None


@dataclass(frozen=True, kw_only=True)
class Rule:
    id: str
    name: str
    severity: Severity
    summary: str
    rationale: str
    fix: str
    clauses: tuple[str, ...]
    kinds: tuple[str, ...]
    where: Mapping[str, Any]
    checks: tuple[BoundCheck, ...]
    message: Message | None
    params: Mapping[str, Any]
    enforce_from: dt.date | None
    packs: tuple[str, ...]
    examples: Examples | None
    origin: str
    help_url: str | None = None  # the rule's page (bcplint.packs.docs), for reports to link
    # Outcomes whose findings have another severity than the rule's (``severities`` in a pack).
    outcome_severity: Mapping[str, Severity] = dataclasses.field(default_factory=dict)

    @property
    def needs(self) -> frozenset[str]:
        """What its checks need beyond the workspace (``history``: git history)."""
        return frozenset().union(*(b.function.needs for b in self.checks))

    @property
    def judges_exemptions(self) -> bool:
        """True for rules about waivers, suppressions and baseline entries (run after the rest)."""
        return any(b.function.scope == "exemption" for b in self.checks)

    @property
    def about_files(self) -> bool:
        """True for rules about whole files (a file that cannot be read), not documents."""
        return any(b.function.subjects == ("file",) for b in self.checks)

    @property
    def baselinable(self) -> bool:
        """False for rules whose findings a baseline must not accept (the fix is a deletion)."""
        return all(b.function.baselinable for b in self.checks)


@dataclass(frozen=True, kw_only=True)
class RuleOverride:
    """What configuration may change about a rule."""

    severity: Severity | None = None
    params: Mapping[str, Any] | None = None
    enforce_from: dt.date | None = None


def builtin_pack_dir() -> Path:
    """Shipped packs: inside the installed package, or ``rules/`` of a source checkout."""
    installed = Path(__file__).resolve().parent.parent / "_rules"
    return installed if installed.is_dir() else Path(__file__).resolve().parents[2] / "rules"


def builtin_pack_names() -> list[str]:
    return sorted(p.stem for p in builtin_pack_dir().glob("*.yaml"))


def pack_path(ref: str, base: Path) -> Path:
    """The file of a pack named by built-in name or by path (relative to ``base``).

    Raises PackError for an unknown built-in name.
    """
    if _names_a_file(ref):
        return (base / ref) if not Path(ref).is_absolute() else Path(ref)
    path = builtin_pack_dir() / f"{ref}.yaml"
    if not path.is_file():
        names = builtin_pack_names()
        raise PackError(f"unknown pack '{ref}'{did_you_mean(ref, names)}; built-in packs: {', '.join(names)}")
    return path


# The shipped packs as parsed in this process: path -> (the text parsed, the pack). Parsing the
# catalog and both framework packs took 7.7 ms of a one-file lint's 8.6 ms, and every lint (the
# language server's, each in-process test's) resolves them again. Keyed by the text itself, read
# every time (microseconds), so an edited pack file is parsed again; only shipped packs, so it
# holds a handful of entries; a pack with a problem is never kept, so its error is raised again.
_SHIPPED: dict[Path, tuple[str, PackFile]] = {}


def read_pack(ref: str, base: Path) -> tuple[PackFile, str]:
    """Load a pack by built-in name or by path (relative to ``base``); return it and its origin.

    Raises PackError naming the file (and line) for a pack that cannot be read, is not YAML or
    does not match the pack format. A shipped pack is parsed once per process while its text
    stays the same (see ``_SHIPPED``); the pack returned is frozen and shared.
    """
    path = pack_path(ref, base)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PackError(f"{path}: cannot read rule pack: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise PackError(f"{path}: rule pack is not valid YAML: {_first_line(exc)}") from None
    shipped = path.parent == builtin_pack_dir()
    if shipped and (kept := _SHIPPED.get(path)) is not None and kept[0] == text:
        return kept[1], str(path)
    pack = _parse_pack(path, text)
    if shipped:
        _SHIPPED[path] = (text, pack)
    return pack, str(path)


def _parse_pack(path: Path, text: str) -> PackFile:
    try:
        data = load_one(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise PackError(f"{path}{where}: rule pack is not valid YAML: {exc.problem}") from None
    except (YAMLError, UnicodeDecodeError, RecursionError) as exc:
        raise PackError(f"{path}: rule pack is not valid YAML: {_first_line(exc)}") from None
    try:
        return PackFile.model_validate(data)
    except ValidationError as exc:
        raise PackError(_describe_pack_error(path, data, exc)) from None


def _first_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def _describe_pack_error(path: Path, data: Any, exc: ValidationError) -> str:
    error = exc.errors(include_url=False)[0]
    loc = tuple(error["loc"])
    where = ""
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int) and isinstance(data, dict):
        rules = data.get("rules")
        if isinstance(rules, list) and loc[1] < len(rules) and isinstance(rules[loc[1]], dict):
            where = f"rule {rules[loc[1]].get('id', f'#{loc[1] + 1}')}: "
    field = format_field(loc)
    unknown = error["type"] == "extra_forbidden"
    problem = "unknown key" if unknown else error["msg"]
    extra = f" ({exc.error_count() - 1} more problem(s))" if exc.error_count() > 1 else ""
    return f"{Place(str(path), loc).describe(key=unknown)}: {where}{field}: {problem}{extra}"


def resolve_rules(
    pack_refs: list[str],
    base: Path,
    overrides: Mapping[str, RuleOverride] | None = None,
    *,
    docs_url: str | None = None,
) -> list[Rule]:
    """The rules the enabled packs turn on, merged and validated, sorted by id.

    Each rule's ``help_url`` is its page: under ``docs_url`` for the catalog's rules, under the
    ``docs_url`` of the pack that defines it for the others (None where there is none). Raises
    PackError for a pack that cannot be read or is not valid. The rules of shipped packs alone,
    without overrides, are kept per process while the pack files stay the same (_RESOLVED).
    """
    shipped_only = not overrides and not any(_names_a_file(ref) for ref in pack_refs)
    key = (str(builtin_pack_dir()), tuple(pack_refs), docs_url)
    if shipped_only and (kept := _RESOLVED.get(key)) is not None:
        read, rules = kept
        if all(read_pack(origin, base)[0] is pack for origin, pack in read):
            return list(rules)
    read = []

    def reading(ref: str, base: Path) -> tuple[PackFile, str]:
        pack, origin = read_pack(ref, base)
        read.append((origin, pack))
        return pack, origin

    rules = _resolve(pack_refs, base, overrides, docs_url, reading)
    if shipped_only and all(Path(origin).parent == builtin_pack_dir() for origin, _ in read):
        _RESOLVED[key] = (read, rules)
    return list(rules)


# Rules resolved from shipped packs alone, without overrides: (where the shipped packs are,
# pack names, docs_url) -> (each pack read, as its file and the pack read_pack returned, and
# the rules). Merging the entries took 3.8 ms of every lint once the packs themselves were
# kept (_SHIPPED); a kept answer stands while read_pack returns the very same packs (their
# files unchanged). Rules are frozen, so lints share them.
_RESOLVED: dict[tuple[str, tuple[str, ...], str | None], tuple[list[tuple[str, PackFile]], list[Rule]]] = {}


def _names_a_file(ref: str) -> bool:
    return ref.endswith((".yaml", ".yml")) or "/" in ref or "\\" in ref


def _resolve(
    pack_refs: list[str],
    base: Path,
    overrides: Mapping[str, RuleOverride] | None,
    docs_url: str | None,
    read: Callable[[str, Path], tuple[PackFile, str]],
) -> list[Rule]:
    catalog_pack, catalog_origin = read(CATALOG, base)
    merged: dict[str, dict[str, Any]] = {}
    origins: dict[str, str] = {}
    packs_of: dict[str, list[str]] = {}
    for ref in pack_refs:
        pack_name, entries, origin = _pack_entries(ref, base, (), read)
        for rule_id, entry in entries.items():
            _merge(merged.setdefault(rule_id, {}), entry)
            origins.setdefault(rule_id, origin)
            packs_of.setdefault(rule_id, []).append(pack_name)
    definitions = {definition.id: (index, definition) for index, definition in enumerate(catalog_pack.rules)}
    rules = []
    for rule_id in sorted(merged):
        full: dict[str, Any] = {}
        if rule_id in definitions:
            index, definition = definitions[rule_id]
            _merge(full, _entry_fields(definition, None, Place(catalog_origin, ("rules", index)), None))
        _merge(full, merged[rule_id])
        origin = catalog_origin if rule_id in definitions else origins[rule_id]
        override = (overrides or {}).get(rule_id)
        help_url = page_url(docs_url if rule_id in definitions else full.get(_DOCS), rule_id)
        rules.append(_build_rule(rule_id, full, tuple(packs_of[rule_id]), origin, override, help_url))
    _check_unique_names(rules, {rule.id: merged[rule.id].get(_WHERE, {}).get("name") for rule in rules})
    return rules


def _pack_entries(
    ref: str, base: Path, chain: tuple[str, ...], read: Callable[[str, Path], tuple[PackFile, str]]
) -> tuple[str, dict[str, dict[str, Any]], str]:
    pack, origin = read(ref, base)
    if origin in chain:
        route = " -> ".join(Path(o).name for o in (*chain, origin))
        raise PackError(f"{Place(origin, ('extends',)).describe()}: pack '{pack.pack}' extends itself ({route})")
    entries: dict[str, dict[str, Any]] = {}
    for index, parent in enumerate(pack.extends):
        here = Place(origin, ("extends", index))
        try:
            parent_path = pack_path(parent, Path(origin).parent)
        except PackError as exc:
            raise PackError(f"{here.describe()}: {exc}") from None
        if not parent_path.is_file():
            raise PackError(f"{here.describe()}: extends '{parent}', but there is no such file: {parent_path}")
        _, parent_entries, _ = _pack_entries(parent, Path(origin).parent, (*chain, origin), read)
        for rule_id, inherited in parent_entries.items():
            _merge(entries.setdefault(rule_id, {}), inherited)
    label = pack.framework or pack.title
    for index, entry in enumerate(pack.rules):
        fields = _entry_fields(entry, label, Place(origin, ("rules", index)), pack.docs_url)
        _merge(entries.setdefault(entry.id, {}), fields)
    return pack.pack, entries, origin


_WHERE = "__where__"  # internal key of a merged entry: where each field and parameter was set
_DOCS = "__docs_url__"  # internal key: the docs_url of the pack whose entry defines the rule


def _entry_fields(entry: RuleEntry, framework: str | None, place: Place, docs_url: str | None) -> dict[str, Any]:
    fields = entry.model_dump(exclude_unset=True, by_alias=False)
    fields.pop("id", None)
    if "examples" in fields:
        fields["examples"] = entry.examples
    if "check" in fields:
        fields["check"] = entry.check
    if "applies_to" in fields:
        fields["applies_to"] = entry.applies_to
    clauses = fields.pop("clauses", [])
    fields["clauses"] = [f"{framework} {c}".strip() if framework else c for c in clauses]
    where = {key: place / (key,) for key in fields if key != "clauses"}
    where.update({f"params.{name}": place / ("params", name) for name in entry.params})
    fields[_WHERE] = {"entry": place, **where}
    if entry.check is not None:  # an entry that defines the rule: its pack documents it
        fields[_DOCS] = docs_url
    return fields


def _merge(target: dict[str, Any], entry: Mapping[str, Any]) -> None:
    for key, value in entry.items():
        if key == "clauses":
            target["clauses"] = [*target.get("clauses", []), *(c for c in value if c not in target.get("clauses", []))]
        elif key in ("params", _WHERE):
            target[key] = {**target.get(key, {}), **value}
        else:
            target[key] = value
    if "severity" in entry and "severities" not in entry:
        target.pop("severities", None)  # a pack that sets the severity sets it for every outcome


def _build_rule(
    rule_id: str,
    full: dict[str, Any],
    packs: tuple[str, ...],
    origin: str,
    override: RuleOverride | None,
    help_url: str | None,
) -> Rule:
    where: dict[str, Place] = full.get(_WHERE, {})

    def fail(problem: str, at: Place | None = None) -> PackError:
        return PackError(f"{at.describe() if at else origin}: rule {rule_id}: {problem}")

    for required in ("name", "severity", "summary", "check"):
        if not full.get(required):
            raise fail(
                f"has no '{required}' and is not a built-in rule; define it fully or fix the id", where.get("entry")
            )
    checks_spec = full["check"] if isinstance(full["check"], list) else [full["check"]]
    selector = full.get("applies_to")
    params = dict(full.get("params", {}))
    if override and override.params:
        for key, value in override.params.items():
            if key not in params:
                known = ", ".join(sorted(params)) or "none"
                raise PackError(
                    f"rule {rule_id} has no parameter '{key}'{did_you_mean(key, params)}; its parameters: {known}"
                )
            params[key] = value
    overridden = set(override.params) if override and override.params else set()
    check_place = where.get("check")
    bound = tuple(
        _bind(
            spec,
            params,
            selector is not None,
            fail,
            _Places(
                check=check_place / (index,) if check_place and isinstance(full["check"], list) else check_place,
                params={name: place for name, place in _param_places(where).items() if name not in overridden},
                overridden=overridden,
            ),
        )
        for index, spec in enumerate(checks_spec)
    )
    if selector is not None:
        try:
            check_where(selector.where)
        except ValueError as exc:
            at = where.get("applies_to")
            raise fail(f"applies_to.where: {exc}", at / ("where",) if at else None) from None
    severity = override.severity if override and override.severity else Severity.parse(full["severity"])
    # A severity set in configuration is the severity of every finding of the rule.
    by_outcome = {} if override and override.severity else full.get("severities", {})
    return Rule(
        id=rule_id,
        name=full["name"],
        severity=severity,
        summary=full["summary"],
        rationale=full.get("rationale", ""),
        fix=full.get("fix", ""),
        clauses=tuple(full.get("clauses", [])),
        kinds=tuple(selector.kinds) if selector else (),
        where=dict(selector.where) if selector else {},
        checks=bound,
        message=full.get("message"),
        params=params,
        enforce_from=(override.enforce_from if override and override.enforce_from else full.get("enforce_from")),
        packs=packs,
        examples=full.get("examples"),
        origin=origin,
        help_url=help_url,
        outcome_severity={outcome: Severity.parse(name) for outcome, name in by_outcome.items()},
    )


@dataclass(frozen=True)
class _Places:
    """Where a check and the rule parameters it may take were written (None: not in a pack)."""

    check: Place | None
    params: Mapping[str, Place]
    overridden: set[str]

    def at(self, *keys: str | int) -> Place | None:
        return self.check / keys if self.check else None


def _param_places(where: Mapping[str, Place]) -> dict[str, Place]:
    return {key.removeprefix("params."): place for key, place in where.items() if key.startswith("params.")}


def _bind(spec: Any, params: Mapping[str, Any], has_selector: bool, fail: Any, places: _Places) -> BoundCheck:
    function = CHECKS.get(spec.function)
    if function is None:
        hint = did_you_mean(spec.function, CHECKS)
        raise fail(f"unknown check function '{spec.function}'{hint}", places.at("function"))
    if function.scope == "document":
        if not has_selector:
            raise fail(f"check '{spec.function}' needs 'applies_to' (which documents to look at)", places.at())
        if not spec.field:
            raise fail(f"check '{spec.function}' needs a 'field'", places.at())
        try:
            parse_field(spec.field)
        except ValueError as exc:
            raise fail(str(exc), places.at("field")) from None
    values = {}
    sources: dict[str, Place | None] = {}
    for key, given in spec.params.items():
        sources[key] = places.at("params", key)
        if isinstance(given, str) and given.startswith("$"):
            if given[1:] not in params:
                raise fail(
                    f"check '{spec.function}' uses '{given}', but the rule has no parameter '{given[1:]}'",
                    sources[key],
                )
            values[key] = params[given[1:]]
            # The value comes from the rule's parameters: point there, or nowhere when the
            # configuration set it (the caller then names the configuration file).
            sources[key] = None if given[1:] in places.overridden else places.params.get(given[1:], sources[key])
        else:
            values[key] = given
    try:
        bound_params = function.params.model_validate(values)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        loc = tuple(error["loc"])
        name = format_field(loc) or "params"
        problem = "unknown parameter" if error["type"] == "extra_forbidden" else error["msg"]
        problem = problem.removeprefix("Value error, ")  # pydantic's prefix for a validator's own message
        given = str(loc[0]) if loc else ""
        source = sources.get(given)
        cause = error.get("ctx", {}).get("error")
        inner: Keys = getattr(cause, "at", ())  # a place inside a schema fragment
        if source is not None:
            at = Place(source.origin, (*source.keys, *loc[1:], *inner), getattr(cause, "at_key", False))
        elif given in sources:
            at = None  # set by the configuration, which the caller names
        else:
            at = places.at("params") if spec.params else places.at()  # a parameter that is missing
        raise fail(f"check '{spec.function}': parameter '{name}': {problem}", at) from None
    return BoundCheck(function=function, field=spec.field, params=bound_params, message=spec.message)


def _check_unique_names(rules: list[Rule], places: Mapping[str, Place | None]) -> None:
    seen: dict[str, str] = {}
    for rule in rules:
        if rule.name in seen:
            place = places.get(rule.id)
            where = place.describe() if place else rule.origin
            raise PackError(f"{where}: rule {rule.id}: name '{rule.name}' is already used by {seen[rule.name]}")
        seen[rule.name] = rule.id
