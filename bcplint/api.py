"""The public library API: ``lint(...) -> LintResult``.

Example::

    from bcplint.api import lint, LintOptions
    result = lint(LintOptions(paths=["bcp/"]))
    for finding in result.findings:
        print(finding.path, finding.line, finding.rule_id, finding.message)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bcplint.engine import run as engine
from bcplint.engine.history import HistorySource, file_history
from bcplint.engine.scope import Scope, affected_by, narrow, under_paths
from bcplint.errors import ConfigError, PackError, SourceError, did_you_mean, shown
from bcplint.exemptions.baseline import Baseline
from bcplint.exemptions.baseline import load as load_baseline
from bcplint.findings import CheckedSubject, Finding, LintResult, RuleInfo, Severity
from bcplint.git.history import changed_paths, has_commits, merge_base
from bcplint.git.trees import read_blobs
from bcplint.insights import maturity
from bcplint.load.config import LoadedConfig, load_config
from bcplint.load.discover import (
    SUFFIXES,
    SourceFile,
    WorkspaceSpec,
    display_path,
    find_root,
    find_workspaces,
    list_sources,
)
from bcplint.load.parse import LoadedFile, load_file
from bcplint.load.read import MAX_FILE_BYTES, read_files
from bcplint.packs import DEFAULT_PACKS, Rule, RuleOverride, resolve_rules
from bcplint.workspace.documents import Workspace, build_workspace


@dataclass(frozen=True, kw_only=True)
class LintOptions:
    """What to check and how. ``None`` means: take it from the configuration file.

    ``paths`` narrow what is reported, never what the rules see: each path's whole workspace
    is loaded (see :mod:`bcplint.load.discover`). ``staged`` lints the index (what ``git commit``
    records) and reports on staged documents and what depends on or covers them.
    """

    paths: Sequence[str] = ()
    packs: Sequence[str] | None = None
    select: Sequence[str] | None = None
    ignore: Sequence[str] | None = None
    today: dt.date | None = None
    config_path: Path | None = None
    cwd: Path = field(default_factory=Path.cwd)
    fail_on: str | None = None  # overrides every workspace's configured fail_on
    record_checks: bool = False  # list passing checks too (JUnit needs them; it costs time)
    assess_maturity: bool = False  # maturity levels per Service (JSON and the report show them)
    baseline: Path | None = None  # accept the findings listed in this baseline file
    ignore_baseline: bool = False  # not even the configured one (when writing a new baseline)
    rev: str | None = None  # lint the tree of this commit, read from git objects
    staged: bool = False  # lint the index, read from git objects
    changed_since: str | None = None  # report only on what changed since the merge base with this ref
    read_named_files: bool = True  # parse files named in ``paths`` even when they do not look like plans
    # Unsaved editor buffers: absolute path -> content, read instead of the file on disk (the
    # language server judges a buffer against the whole workspace while the user types).
    overlays: Mapping[Path, bytes] = field(default_factory=dict)


def today_utc() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def configuration(options: LintOptions) -> LoadedConfig:
    """The configuration of the workspace the current directory is in (``rules``, ``explain``)."""
    if options.config_path is not None:
        return load_config(options.config_path)
    return load_config(find_root(Path(os.path.realpath(options.cwd)))[1])


def load_rules(options: LintOptions, loaded: LoadedConfig) -> list[Rule]:
    """The enabled packs' rules, with configuration overrides, narrowed by select/ignore."""
    return select_rules(options, loaded)[0]


def select_rules(options: LintOptions, loaded: LoadedConfig) -> tuple[list[Rule], dict[str, str]]:
    """The rules to run, and every known rule id and name mapped to its id (for waivers)."""
    config = loaded.config
    base = loaded.root or options.cwd
    packs = list(options.packs) if options.packs else list(config.packs or DEFAULT_PACKS)
    pack_base = options.cwd if options.packs else base
    all_rules = resolve_rules(packs, pack_base)
    by_key = _rule_keys(all_rules)
    overrides: dict[str, RuleOverride] = {}
    for key, rule_config in config.rules.items():
        rule = _lookup(key, by_key, "rules", loaded.path)
        overrides[rule.id] = RuleOverride(
            severity=Severity.parse(rule_config.severity) if rule_config.severity else None,
            params=rule_config.params or None,
            enforce_from=rule_config.enforce_from,
        )
    try:
        rules = resolve_rules(packs, pack_base, overrides) if overrides else all_rules
    except PackError as exc:  # a bad override is the configuration's fault, not the pack's
        where = f"{shown(loaded.path)}: " if loaded.path else ""
        problem = re.sub(r"^\S+\.ya?ml: ", "", str(exc))  # the pack file is not where the mistake is
        raise ConfigError(f"{where}in 'rules': {problem}") from None
    # A mistake is blamed on where the list came from: the command line or the configuration.
    select, select_from = (options.select, None) if options.select is not None else (config.select, loaded.path)
    ignore, ignore_from = (options.ignore, None) if options.ignore is not None else (config.ignore, loaded.path)
    selected_ids = {r.id for key in select for r in _matching(key, rules, by_key, "select", select_from)}
    ignored_ids = {r.id for key in ignore for r in _matching(key, rules, by_key, "ignore", ignore_from)}
    chosen = [r for r in rules if (not select or r.id in selected_ids) and r.id not in ignored_ids]
    return chosen, {key: rule.id for key, rule in by_key.items()}


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


def _matching(key: str, rules: list[Rule], by_key: dict[str, Rule], option: str, source: Path | None) -> list[Rule]:
    """A rule id, a rule name, or an id prefix such as ``BCP2`` (like ruff's selectors)."""
    prefix = key.upper()
    if key not in by_key and prefix not in by_key and len(prefix) >= 3:
        matched = [r for r in rules if r.id.startswith(prefix)]
        if matched:
            return matched
    rule = _lookup(key, by_key, option, source)
    return [r for r in rules if r.id == rule.id]


def rule_info(rule: Rule) -> RuleInfo:
    return RuleInfo(
        id=rule.id,
        name=rule.name,
        severity=rule.severity,
        summary=rule.summary,
        rationale=rule.rationale.strip(),
        fix=rule.fix.strip(),
        clauses=rule.clauses,
        pack=rule.packs[0],
    )


def check_workspace(
    workspace: Workspace,
    rules: list[Rule],
    today: dt.date,
    notes: tuple[str, ...] = (),
    *,
    record_checks: bool = False,
    assess_maturity: bool = False,
    known_rules: dict[str, str] | None = None,
    baseline: Baseline | None = None,
    history: HistorySource | None = None,
) -> LintResult:
    """Run ``rules`` over a whole workspace and collect everything they found: the core of :func:`lint`.

    With ``history`` (the repository and revision), rules that read git history get it.
    Nothing is narrowed here: :func:`bcplint.engine.scope.narrow` does that afterwards.
    """
    if history is not None and any(b.function.name == "changed_after_review" for r in rules for b in r.checks):
        workspace.history, note = file_history(workspace, history.repository, history.rev)
        notes = (*notes, note) if note else notes
    outcome = engine.run(rules, workspace, known_rules=known_rules, baseline=baseline)
    checks = tuple(engine.checked_subjects(rules, workspace)) if record_checks else ()
    levels = tuple(maturity.assess(workspace, outcome.findings, [r.id for r in rules])) if assess_maturity else ()
    return LintResult(
        findings=tuple(outcome.findings),
        exemptions=tuple(outcome.exemptions),
        today=today,
        files_checked=sum(1 for f in workspace.files if f.is_bcp),
        documents_checked=len(workspace.docs),
        packs=tuple(sorted({p for r in rules for p in r.packs})),
        notes=notes,
        rules=tuple(rule_info(r) for r in rules),
        checks=checks,
        maturity=levels,
    )


def check_files(files: list[LoadedFile], rules: list[Rule], today: dt.date, **options: Any) -> LintResult:
    """Run ``rules`` over already loaded files (``verify`` checks its examples this way)."""
    return check_workspace(build_workspace(files, today), rules, today, **options)


def lint(options: LintOptions) -> LintResult:
    """Check every workspace the paths fall in; one result, narrowed to what the options ask.

    Raises BcplintError (ConfigError, PackError, SourceError) for usage problems; problems in
    the plan documents are findings, never exceptions.
    """
    specs = workspaces(options)
    return merge([_lint_one(spec, options)[0] for spec in specs])


def lint_each(options: LintOptions) -> list[tuple[WorkspaceSpec, LintResult]]:
    """:func:`lint`, one result per workspace (``bcplint baseline`` writes one file each)."""
    return [(spec, _lint_one(spec, options)[0]) for spec in workspaces(options)]


def lint_workspace(options: LintOptions) -> tuple[LintResult, Workspace]:
    """:func:`lint` for a run that covers one workspace, and the workspace (for reports that
    draw it). ConfigError when the paths fall in several workspaces."""
    return _lint_one(_single(workspaces(options), "report"), options)


def load_workspace(options: LintOptions, *, why: str = "graph") -> Workspace:
    """The documents of the one workspace the paths fall in (or at ``options.rev``), unchecked."""
    spec = _single(workspaces(options), why)
    files, _ = _load(spec, options)
    return build_workspace(files, options.today or today_utc())


def workspaces(options: LintOptions) -> list[WorkspaceSpec]:
    """The workspaces a run covers (see :mod:`bcplint.load.discover`)."""
    if options.staged and options.rev:
        raise ConfigError("--staged and --rev cannot be combined: one lints the index, the other a commit")
    return find_workspaces(
        options.paths, cwd=options.cwd, config_path=options.config_path, must_exist=options.rev is None
    )


def _single(specs: list[WorkspaceSpec], why: str) -> WorkspaceSpec:
    if len(specs) != 1:
        roots = ", ".join(str(s.root) for s in specs)
        raise ConfigError(f"`bcplint {why}` draws one workspace at a time; the paths cover several ({roots})")
    return specs[0]


def _lint_one(spec: WorkspaceSpec, options: LintOptions) -> tuple[LintResult, Workspace]:
    rules, known_rules = select_rules(options, spec.config)
    baseline = _baseline(options, spec)
    changes = _changes(spec, options)
    today = options.today or today_utc()
    if changes is not None and not _may_matter(changes, spec, options):
        # Nothing a plan is made of changed: no need to read the workspace at all (the hook
        # runs on every commit, and most commits touch code, not plans).
        empty = build_workspace([], today)
        result = LintResult(
            findings=(), files_checked=0, documents_checked=0, today=today, notes=(_nothing_note(options),)
        )
        return _stamped(result, spec, options), empty
    files, notes = _load(spec, options)
    workspace = build_workspace(files, today)
    history = HistorySource(repository=spec.repository, rev=options.rev or "HEAD")
    result = check_workspace(
        workspace,
        rules,
        today,
        (*spec.notes, *notes),
        record_checks=options.record_checks,
        assess_maturity=options.assess_maturity,
        known_rules=known_rules,
        baseline=baseline,
        history=history,
    )
    scope = Scope()
    if spec.targets is not None:
        scope = scope & under_paths(display_path(t, spec.base) for t in spec.targets)
    if changes is not None and not changes.paths & _configuration_files(spec, options):
        assert spec.repository is not None
        removed = _names_at(spec.repository, changes.base, changes.paths)
        scope = scope & affected_by(workspace, changes.paths, removed)
    narrowed = narrow(result, scope, workspace)
    if changes is not None and not narrowed.documents_checked and not narrowed.files_checked:
        narrowed = dataclasses.replace(narrowed, notes=(*narrowed.notes, _nothing_note(options)))
    return _stamped(narrowed, spec, options), workspace


def _stamped(result: LintResult, spec: WorkspaceSpec, options: LintOptions) -> LintResult:
    """The result with what its paths are relative to and its workspace's fail_on threshold."""
    threshold = options.fail_on or spec.config.config.fail_on
    prefix = display_path(spec.root, spec.base) if spec.root != spec.base else ""
    return dataclasses.replace(result, base=spec.base, thresholds=((prefix, threshold),))


def _nothing_note(options: LintOptions) -> str:
    what = f"changed since {options.changed_since}" if options.changed_since else "staged"
    return f"nothing {what} is a plan document or affects one; there was nothing to report on"


@dataclass(frozen=True)
class _Changes:
    """Repository paths changed (deletions included) since ``base`` (None: no commit yet)."""

    paths: set[str]
    base: str | None


def _changes(spec: WorkspaceSpec, options: LintOptions) -> _Changes | None:
    """What ``--staged`` or ``--changed-since`` start from; None when neither is given.

    ``--staged`` with nothing staged at all is not inside a commit (``pre-commit run
    --all-files``, a CI job): the whole index is reported on, so such a run never passes by
    checking nothing.
    """
    if not (options.changed_since or options.staged):
        return None
    repository = spec.repository
    if repository is None:
        option = "--changed-since" if options.changed_since else "--staged"
        raise SourceError(f"{option} needs a git repository, and {spec.root} is not inside one")
    target = "index" if options.staged else (options.rev or "worktree")
    if options.changed_since:
        base: str | None = merge_base(repository, options.changed_since, options.rev or "HEAD")
    else:
        base = "HEAD" if has_commits(repository) else None
    paths = changed_paths(repository, base, target=target)
    if options.staged and not options.changed_since and not paths:
        return None
    return _Changes(paths=paths, base=base)


def _may_matter(changes: _Changes, spec: WorkspaceSpec, options: LintOptions) -> bool:
    """True when a changed path could hold a plan document or configure the workspace."""
    return any(p.lower().endswith(SUFFIXES) for p in changes.paths) or bool(
        changes.paths & _configuration_files(spec, options)
    )


def _configuration_files(spec: WorkspaceSpec, options: LintOptions) -> set[str]:
    """Repository paths of what configures the workspace: its configuration file, the pack
    files it names and its baseline. A change to any of them can change every finding."""
    loaded = spec.config
    files: list[Path] = []
    if loaded.path is not None:
        files.append(loaded.path)
        packs = options.packs or loaded.config.packs or ()
        files.extend(loaded.path.parent / p for p in packs if p.lower().endswith((".yaml", ".yml")))
        if loaded.config.baseline:
            files.append(loaded.path.parent / loaded.config.baseline)
    if options.baseline is not None:
        files.append(options.cwd / options.baseline)
    return {display_path(os.path.normpath(f), spec.base) for f in files}


def _names_at(repository: Path, base: str | None, paths: set[str]) -> set[str]:
    """Names the documents in ``paths`` had at commit ``base``: what a deletion or rename removed."""
    if base is None:
        return set()
    candidates = sorted(p for p in paths if p.lower().endswith(SUFFIXES))
    contents = read_blobs(repository, [f"{base}:{p}" for p in candidates], limit=MAX_FILE_BYTES)
    names: set[str] = set()
    for path, content in zip(candidates, contents, strict=True):
        if content is not None:
            held = (d.data.get("name") for d in load_file(path, content).documents)
            names.update(name for name in held if isinstance(name, str))
    return names


def _load(spec: WorkspaceSpec, options: LintOptions) -> tuple[list[LoadedFile], tuple[str, ...]]:
    """The workspace's files (work tree, index or commit ``rev``) and notes about them."""
    tree = "index" if options.staged else (options.rev or "worktree")
    sources, skipped = list_sources(spec, tree, read_named=options.read_named_files)
    if options.overlays and tree == "worktree":
        files, sources = _with_overlays(spec, sources, options.overlays)
    else:
        files = read_files(sources, repository=spec.repository)
    notes = (
        *skipped,
        *(note for f in files for note in f.notes),
        *(
            f"{f.path}: holds no bcplint/v1 document"
            for f, s in zip(files, sources, strict=True)
            if s.explicit and not f.is_bcp and not f.notes
        ),
    )
    return files, notes


def _with_overlays(
    spec: WorkspaceSpec, sources: list[SourceFile], overlays: Mapping[Path, bytes]
) -> tuple[list[LoadedFile], list[SourceFile]]:
    """The workspace's files with unsaved buffers read in place of (or beside) files on disk.

    A buffer counts when it lies in the workspace root and could be a plan by its name.
    """
    buffers = {
        display_path(path, spec.base): content
        for path, content in overlays.items()
        if spec.root in Path(path).parents and str(path).lower().endswith(SUFFIXES)
    }
    on_disk = [s for s in sources if s.display not in buffers]
    read = dict(zip((s.display for s in on_disk), read_files(on_disk, repository=spec.repository), strict=True))
    known = {s.display: s for s in sources}
    merged = sorted({*known, *buffers})
    ordered_sources = [known.get(d) or SourceFile(display=d, path=spec.base / d, explicit=True) for d in merged]
    files = [
        load_file(d, buffers[d], explicit=known[d].explicit if d in known else True) if d in buffers else read[d]
        for d in merged
    ]
    return files, ordered_sources


def _baseline(options: LintOptions, spec: WorkspaceSpec) -> Baseline | None:
    """The baseline named on the command line, else in the configuration (relative to it)."""
    if options.ignore_baseline:
        return None
    loaded = spec.config
    if options.baseline is not None:
        path = options.baseline if options.baseline.is_absolute() else options.cwd / options.baseline
    elif loaded.config.baseline and loaded.root is not None:
        path = loaded.root / loaded.config.baseline
    else:
        return None
    return load_baseline(path, display_path(path, spec.base))


def merge(results: Sequence[LintResult]) -> LintResult:
    """One result from the results of several workspaces, paths relative to their common base."""
    if len(results) == 1:
        return results[0]
    bases = [r.base for r in results if r.base is not None]
    common = Path(os.path.commonpath(bases)) if bases else None
    parts = [_rebase(r, common) for r in results]
    rules = {rule.id: rule for part in reversed(parts) for rule in part.rules}
    return LintResult(
        findings=tuple(sorted((f for p in parts for f in p.findings), key=Finding.sort_key)),
        files_checked=sum(p.files_checked for p in parts),
        documents_checked=sum(p.documents_checked for p in parts),
        packs=tuple(sorted({pack for p in parts for pack in p.packs})),
        notes=tuple(note for p in parts for note in p.notes),
        rules=tuple(sorted(rules.values(), key=lambda r: [x.id for p in parts for x in p.rules].index(r.id))),
        checks=tuple(sorted((c for p in parts for c in p.checks), key=CheckedSubject.sort_key)),
        exemptions=tuple(e for p in parts for e in p.exemptions),
        today=parts[0].today,
        maturity=tuple(m for p in parts for m in p.maturity),
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
        thresholds=tuple((moved(prefix) if prefix else offset, t) for prefix, t in result.thresholds),
        base=base,
    )
