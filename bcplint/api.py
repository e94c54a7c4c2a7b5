"""The public library API: ``lint(...) -> LintResult``.

Example::

    from bcplint.api import lint, LintOptions
    result = lint(LintOptions(paths=["bcp/"]))
    for finding in result.findings:
        print(finding.path, finding.line, finding.rule_id, finding.message)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bcplint import engine, gitrun, maturity
from bcplint.baseline import Baseline
from bcplint.baseline import load as load_baseline
from bcplint.config import LoadedConfig, find_config, load_config
from bcplint.errors import ConfigError, PackError, did_you_mean
from bcplint.findings import LintResult, RuleInfo, Severity
from bcplint.loader import LoadedFile
from bcplint.packs import DEFAULT_PACKS, Rule, RuleOverride, resolve_rules
from bcplint.reading import read_files
from bcplint.sources import discover, display_path, git_root
from bcplint.workspace import Workspace, build_workspace


@dataclass(frozen=True, kw_only=True)
class LintOptions:
    """What to check and how. ``None`` means: take it from the configuration file."""

    paths: Sequence[str] = ()
    packs: Sequence[str] | None = None
    select: Sequence[str] | None = None
    ignore: Sequence[str] | None = None
    today: dt.date | None = None
    config_path: Path | None = None
    cwd: Path = field(default_factory=Path.cwd)
    record_checks: bool = False  # list passing checks too (JUnit needs them; it costs time)
    assess_maturity: bool = False  # maturity levels per Service (JSON and the report show them)
    report_only: bool = False  # load the configured workspace, report only on ``paths`` (pre-commit)
    baseline: Path | None = None  # accept the findings listed in this baseline file
    ignore_baseline: bool = False  # not even the configured one (when writing a new baseline)
    rev: str | None = None  # lint the tree of this commit, read from git objects
    changed_since: str | None = None  # report only on what changed since the merge base with this ref


def today_utc() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def configuration(options: LintOptions) -> LoadedConfig:
    path = options.config_path if options.config_path is not None else find_config(options.cwd.resolve())
    return load_config(path)


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
        rule = _lookup(key, by_key, "rules", loaded)
        overrides[rule.id] = RuleOverride(
            severity=Severity.parse(rule_config.severity) if rule_config.severity else None,
            params=rule_config.params or None,
            enforce_from=rule_config.enforce_from,
        )
    try:
        rules = resolve_rules(packs, pack_base, overrides) if overrides else all_rules
    except PackError as exc:  # a bad override is the configuration's fault, not the pack's
        where = f"{loaded.path}: " if loaded.path else ""
        problem = re.sub(r"^\S+\.ya?ml: ", "", str(exc))  # the pack file is not where the mistake is
        raise ConfigError(f"{where}in 'rules': {problem}") from None
    select = list(options.select) if options.select is not None else config.select
    ignore = list(options.ignore) if options.ignore is not None else config.ignore
    selected_ids = {r.id for key in select for r in _matching(key, rules, by_key, "select", loaded)}
    ignored_ids = {r.id for key in ignore for r in _matching(key, rules, by_key, "ignore", loaded)}
    chosen = [r for r in rules if (not select or r.id in selected_ids) and r.id not in ignored_ids]
    return chosen, {key: rule.id for key, rule in by_key.items()}


def _rule_keys(rules: Iterable[Rule]) -> dict[str, Rule]:
    keys: dict[str, Rule] = {}
    for rule in rules:
        keys[rule.id] = rule
        keys[rule.name] = rule
    return keys


def _lookup(key: str, by_key: dict[str, Rule], option: str, loaded: LoadedConfig) -> Rule:
    rule = by_key.get(key) or by_key.get(key.upper())
    if rule is None:
        where = f"{loaded.path}: " if loaded.path else ""
        raise ConfigError(f"{where}unknown rule '{key}' in '{option}'{did_you_mean(key, by_key)}")
    return rule


def _matching(key: str, rules: list[Rule], by_key: dict[str, Rule], option: str, loaded: LoadedConfig) -> list[Rule]:
    """A rule id, a rule name, or an id prefix such as ``BCP2`` (like ruff's selectors)."""
    prefix = key.upper()
    if key not in by_key and prefix not in by_key and len(prefix) >= 3:
        matched = [r for r in rules if r.id.startswith(prefix)]
        if matched:
            return matched
    rule = _lookup(key, by_key, option, loaded)
    return [r for r in rules if r.id == rule.id]


def default_paths(options: LintOptions, loaded: LoadedConfig) -> list[str]:
    """Paths given, else the configuration's, else the repository (or the current directory).

    With ``report_only`` the given paths are what is reported on, and the workspace is the
    configured one plus those paths, so references to documents elsewhere resolve.
    """
    if options.paths and not options.report_only:
        return list(options.paths)
    if options.report_only:
        return [*default_paths(replace(options, paths=(), report_only=False), loaded), *options.paths]
    root = loaded.root
    if loaded.config.paths and root is not None:
        return [str(root / p) for p in loaded.config.paths]
    return [str(git_root(options.cwd) or options.cwd)]


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
    git_cwd: Path | None = None,
    rev: str | None = None,
    changed: gitrun.BranchChanges | None = None,
) -> LintResult:
    """Run ``rules`` over a workspace: the core of :func:`lint`.

    With ``git_cwd``, rules that need history get it from the repository there (at ``rev``).
    With ``changed``, only findings on documents in those files, or depending on or covering
    them, are reported; the rules still see the whole workspace.
    """
    files = workspace.files
    if git_cwd is not None and any(b.function.name == "changed_after_review" for r in rules for b in r.checks):
        workspace.history, note = gitrun.history(workspace, git_cwd, rev)
        notes = (*notes, note) if note else notes
    outcome = engine.run(rules, workspace, known_rules=known_rules, baseline=baseline)
    findings = outcome.findings
    if changed is not None:
        touched = gitrun.affected(workspace, changed.paths, changed.names_before)
        keep = {(doc.path, doc.name) for doc in workspace.docs if id(doc) in touched}
        findings = [
            f for f in findings if (f.path, f.document) in keep or (f.document is None and f.path in changed.paths)
        ]
    checks = tuple(engine.checked_subjects(rules, workspace)) if record_checks else ()
    levels = tuple(maturity.assess(workspace, outcome.findings, [r.id for r in rules])) if assess_maturity else ()
    return LintResult(
        findings=tuple(findings),
        exemptions=tuple(outcome.exemptions),
        today=today,
        files_checked=sum(1 for f in files if f.is_bcp),
        documents_checked=len(workspace.docs),
        packs=tuple(sorted({p for r in rules for p in r.packs})),
        notes=notes,
        rules=tuple(rule_info(r) for r in rules),
        checks=checks,
        maturity=levels,
    )


def load_workspace(options: LintOptions, loaded: LoadedConfig | None = None) -> Workspace:
    """The documents under ``options.paths`` (or at ``options.rev``), without running rules."""
    loaded = loaded or configuration(options)
    files, _ = _load(options, loaded)
    return build_workspace(files, options.today or today_utc())


def check_files(files: list[LoadedFile], rules: list[Rule], today: dt.date, **options: Any) -> LintResult:
    """Run ``rules`` over already loaded files (``verify`` checks its examples this way)."""
    return check_workspace(build_workspace(files, today), rules, today, **options)


def lint(options: LintOptions, loaded: LoadedConfig | None = None) -> LintResult:
    """Check the documents under ``options.paths``; raise BcplintError for usage problems."""
    return lint_workspace(options, loaded)[0]


def lint_workspace(options: LintOptions, loaded: LoadedConfig | None = None) -> tuple[LintResult, Workspace]:
    """:func:`lint`, and the workspace it checked (for reports that draw it)."""
    loaded = loaded or configuration(options)
    rules, known_rules = select_rules(options, loaded)
    baseline = _baseline(options, loaded)
    files, notes = _load(options, loaded)
    changed = None
    if options.changed_since:
        repo, root = gitrun.repository(options.cwd, "--changed-since")
        changed = gitrun.changes_since(repo, root, options.changed_since, options.cwd)
    workspace = build_workspace(files, options.today or today_utc())
    result = check_workspace(
        workspace,
        rules,
        workspace.today,
        notes,
        record_checks=options.record_checks,
        assess_maturity=options.assess_maturity,
        known_rules=known_rules,
        baseline=baseline,
        git_cwd=options.cwd,
        rev=options.rev,
        changed=changed,
    )
    if not options.report_only or not options.paths:
        return result, workspace
    targets = [display_path(Path(p) if Path(p).is_absolute() else options.cwd / p, options.cwd) for p in options.paths]
    reported = [f for f in files if _within(f.path, targets)]
    narrowed = replace(
        result,
        findings=tuple(f for f in result.findings if _within(f.path, targets)),
        checks=tuple(c for c in result.checks if _within(c.path, targets)),
        files_checked=sum(1 for f in reported if f.is_bcp),
        documents_checked=sum(len(f.documents) for f in reported),
    )
    return narrowed, workspace


def _load(options: LintOptions, loaded: LoadedConfig) -> tuple[list[LoadedFile], tuple[str, ...]]:
    """The files to check (from the work tree, or from commit ``rev``) and notes about them."""
    paths = default_paths(options, loaded)
    if options.rev:
        repo, root = gitrun.repository(options.cwd, "--rev")
        return gitrun.revision_files(repo, root, options.rev, paths, options.cwd), ()
    discovery = discover(
        paths,
        cwd=options.cwd,
        exclude=loaded.config.exclude,
        exclude_base=loaded.root or options.cwd,
        # pre-commit passes every YAML file it stages: only ours are read as plans
        explicit_files=not options.report_only,
    )
    files = read_files(discovery.files)
    notes = tuple(discovery.skipped) + tuple(
        f"{f.path}: holds no bcplint/v1 document"
        for f, s in zip(files, discovery.files, strict=True)
        if s.explicit and not f.is_bcp
    )
    return files, notes


def _baseline(options: LintOptions, loaded: LoadedConfig) -> Baseline | None:
    """The baseline named on the command line, else in the configuration (relative to it)."""
    if options.ignore_baseline:
        return None
    if options.baseline is not None:
        path = options.baseline if options.baseline.is_absolute() else options.cwd / options.baseline
    elif loaded.config.baseline and loaded.root is not None:
        path = loaded.root / loaded.config.baseline
    else:
        return None
    return load_baseline(path, display_path(path, options.cwd))


def _within(path: str, targets: list[str]) -> bool:
    return any(t in (path, ".") or path.startswith(t.rstrip("/") + "/") for t in targets)
