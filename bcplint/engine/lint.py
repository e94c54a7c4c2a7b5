"""A whole lint, workspace by workspace: find them, load each, check it, narrow the result.

Rules see the whole workspace; paths, ``--staged`` and ``--changed-since`` narrow only what is
reported, in one step (:mod:`bcplint.engine.scope`). The scope is known before the check, so
a narrowed run judges only what it will report (and what that depends on): work in
proportion to the change, with the same result.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
from collections.abc import Iterator

from bcplint.engine.changes import Changes, before_change, changes, configuration_files
from bcplint.engine.history import HistorySource
from bcplint.engine.options import LintOptions, today_utc
from bcplint.engine.run import Run, check
from bcplint.engine.scope import Scope, affected_by, focus, narrow, under_paths
from bcplint.errors import ConfigError
from bcplint.exemptions.baseline import Baseline, load_baseline
from bcplint.findings import LintResult
from bcplint.load.cache import Cache
from bcplint.load.discover import WorkspaceSpec, display_path, find_workspaces
from bcplint.load.files import load_files
from bcplint.load.memory import file_memory
from bcplint.load.read import ReadStats
from bcplint.packs.selection import select_rules
from bcplint.workspace.documents import Workspace, build_workspace


def workspaces(options: LintOptions) -> list[WorkspaceSpec]:
    """The workspaces a run covers (see :mod:`bcplint.load.discover`). ConfigError for
    options that cannot go together; SourceError for a path that does not exist."""
    if options.staged and options.rev:
        raise ConfigError("--staged and --rev cannot be combined: one lints the index, the other a commit")
    return find_workspaces(
        options.paths, cwd=options.cwd, config_path=options.config_path, must_exist=options.rev is None
    )


def single(specs: list[WorkspaceSpec], command: str) -> WorkspaceSpec:
    """The one workspace of a command that draws one; ConfigError naming them otherwise."""
    if len(specs) != 1:
        roots = ", ".join(str(s.root) for s in specs)
        raise ConfigError(f"`bcplint {command}` draws one workspace at a time; the paths cover several ({roots})")
    return specs[0]


def lint_workspace(spec: WorkspaceSpec, options: LintOptions) -> tuple[LintResult, Workspace]:
    """The narrowed result of one workspace, and the whole workspace it judged."""
    with collector_paused():
        return _lint_workspace(spec, options)


def _lint_workspace(spec: WorkspaceSpec, options: LintOptions) -> tuple[LintResult, Workspace]:
    selection = select_rules(
        spec.config, packs=options.packs, select=options.select, ignore=options.ignore, cwd=options.cwd
    )
    run = Run(
        rules=selection.rules,
        today=options.today or today_utc(),
        known_rules=selection.known,
        baseline=baseline_of(spec, options),
        history=HistorySource(repository=spec.repository, rev=options.rev or "HEAD"),
        record_checks=options.record_checks,
        assess_maturity=options.assess_maturity,
    )
    changed = changes(spec, options)
    configuration = configuration_files(spec, options)
    if changed is not None and not changed.may_matter(configuration):
        # Nothing a plan is made of changed: the workspace need not be read at all (the hook
        # runs on every commit, and most commits touch code, not plans).
        empty = LintResult(
            findings=(), files_checked=0, documents_checked=0, today=run.today, notes=(_nothing(options),)
        )
        return _stamped(empty, spec, options), build_workspace([], run.today)
    cache, read = _cache(options), ReadStats()
    workspace, notes = load(spec, options, cache=cache, stats=read)
    scope = _scope(spec, workspace, changed, configuration)
    judged = focus(scope, workspace, baseline=run.baseline, maturity=run.assess_maturity)
    # A narrowed run keeps no whole result, and can find one only for content judged whole
    # before, all of whose files the cache would then hold: after an edit there is none to seek.
    results_cache = cache if judged is None or not read.parsed else None
    result = check(run, workspace, (*spec.notes, *notes), focus=judged, cache=results_cache, entries=read.keys)
    narrowed = narrow(result, scope, workspace)
    if changed is not None and not narrowed.documents_checked and not narrowed.files_checked:
        narrowed = dataclasses.replace(narrowed, notes=(*narrowed.notes, _nothing(options)))
    return _stamped(narrowed, spec, options), workspace


def load(
    spec: WorkspaceSpec, options: LintOptions, *, cache: Cache | None = None, stats: ReadStats | None = None
) -> tuple[Workspace, tuple[str, ...]]:
    """The workspace of ``spec`` as the options read it (work tree, index or commit), and
    notes about files left out or read as no plan. Parsed files come from ``cache`` (default:
    the user's cache, unless the options say not to use one); ``stats`` counts the reading."""
    with collector_paused():
        cache = cache if cache is not None else _cache(options)
        memory, reader = file_memory(), None
        if memory is not None and cache is not None:  # a process serving many runs (the daemon)
            reader = memory.reader(spec.root, spec.repository, cache, stats or ReadStats())
        files, notes = load_files(
            spec,
            options.tree,
            read_named=options.read_named_files,
            overlays=options.overlays,
            reader=reader,
            cache=cache,
            stats=stats,
            texts_on_demand=True,  # the run ends before anything it read can change
        )
        return build_workspace(files, options.today or today_utc()), notes


def _cache(options: LintOptions) -> Cache | None:
    return Cache.default() if options.cache else None


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a workspace is loaded and checked.

    A run allocates hundreds of thousands of objects that all live until it ends, and the
    collector, triggered by the allocations, walks them again and again and finds almost
    nothing to free: a third of a library call's time on the 10,000-document benchmark. The
    command line and the language server pause it already; this does the same for every
    other caller of :mod:`bcplint.api`. The collector is on again afterwards (if it was on).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _scope(spec: WorkspaceSpec, workspace: Workspace, changed: Changes | None, configuration: set[str]) -> Scope:
    scope = Scope()
    if spec.targets is not None:
        scope = scope & under_paths(display_path(t, spec.base) for t in spec.targets)
    if changed is not None and not changed.paths & configuration:
        assert spec.repository is not None  # changes() insists on a repository
        before = before_change(spec.repository, changed)
        scope = scope & affected_by(workspace, changed.paths, before.names, before.referred)
    return scope


def baseline_of(spec: WorkspaceSpec, options: LintOptions) -> Baseline | None:
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


def _stamped(result: LintResult, spec: WorkspaceSpec, options: LintOptions) -> LintResult:
    """The result with what its paths are relative to and its workspace's fail_on threshold."""
    threshold = options.fail_on or spec.config.config.fail_on
    prefix = display_path(spec.root, spec.base) if spec.root != spec.base else ""
    return dataclasses.replace(result, base=spec.base, thresholds=((prefix, threshold),))


def _nothing(options: LintOptions) -> str:
    what = f"changed since {options.changed_since}" if options.changed_since else "staged"
    return f"nothing {what} is a plan document or affects one; there was nothing to report on"
