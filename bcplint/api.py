"""The public library API: everything a program (or bcplint's own command line) needs.

Example::

    from bcplint.api import LintOptions, lint
    result = lint(LintOptions(paths=["bcp/"]))
    for finding in result.findings:
        print(finding.path, finding.line, finding.rule_id, finding.message)

- :func:`lint` checks every workspace the paths fall in and returns one :class:`LintResult`
  (findings with 1-based line and column, paths relative to ``result.base``: the repository
  root, else the workspace root; passing checks and maturity levels when asked for).
- :func:`lint_workspaces` does the same workspace by workspace, with each whole workspace (for
  commands that write one file per workspace or draw one).
- :func:`load_workspace` reads the documents of one workspace without checking them.
- :func:`enabled_rules` lists the rules the configuration of the current directory enables.

Every function raises :class:`bcplint.errors.BcplintError` (ConfigError, PackError,
SourceError) for usage problems — a bad option, configuration or pack, a path that does not
exist, a git failure; problems in the plan documents are findings, never exceptions. Dates
are calendar dates (the evaluation date is UTC today unless ``LintOptions.today`` is given);
durations inside the model are seconds (:class:`bcplint.model.types.Duration`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bcplint.engine import lint as engine
from bcplint.engine.merge import merge
from bcplint.engine.options import LintOptions, today_utc
from bcplint.findings import CheckedSubject, Exemption, Finding, LintResult, RuleInfo, Severity
from bcplint.load.config import load_config
from bcplint.load.discover import WorkspaceSpec, find_root
from bcplint.packs import Rule
from bcplint.packs.selection import select_rules
from bcplint.workspace.documents import Workspace


@dataclass(frozen=True, kw_only=True)
class WorkspaceResult:
    """One workspace of a run: where it is and how it is configured, the narrowed result, and
    the whole workspace the rules judged."""

    spec: WorkspaceSpec
    result: LintResult
    workspace: Workspace


def lint(options: LintOptions) -> LintResult:
    """Check every workspace the paths fall in; one result, narrowed to what the options ask."""
    return merge([one.result for one in lint_workspaces(options)])


def lint_workspaces(options: LintOptions, *, command: str | None = None) -> list[WorkspaceResult]:
    """:func:`lint`, one result per workspace, in root order. With ``command`` (a command that
    draws one workspace, such as ``report``), ConfigError unless the paths cover exactly one.

    Files that came from the cache read their YAML text when first asked for; a caller that
    keeps a workspace while its files may change reads them first
    (:func:`bcplint.load.parse.read_texts`), or asks for no cache."""
    specs = engine.workspaces(options)
    if command is not None:
        specs = [engine.single(specs, command)]
    results = []
    for spec in specs:
        result, workspace = engine.lint_workspace(spec, options)
        results.append(WorkspaceResult(spec=spec, result=result, workspace=workspace))
    return results


def load_workspace(options: LintOptions, *, command: str = "graph") -> Workspace:
    """The documents of the one workspace the paths fall in (or at ``options.rev``), unchecked.
    Texts of files from the cache are read on demand, as :func:`lint_workspaces` says."""
    spec = engine.single(engine.workspaces(options), command)
    return engine.load(spec, options)[0]


def enabled_rules(options: LintOptions) -> list[Rule]:
    """The rules the configuration of the current directory's workspace (or ``config_path``)
    enables, its overrides applied, narrowed by ``select`` and ``ignore``."""
    if options.config_path is not None:
        loaded = load_config(options.config_path)
    else:
        loaded = load_config(find_root(Path(os.path.realpath(options.cwd)))[1])
    selection = select_rules(loaded, packs=options.packs, select=options.select, ignore=options.ignore, cwd=options.cwd)
    return list(selection.rules)


__all__ = [
    "CheckedSubject",
    "Exemption",
    "Finding",
    "LintOptions",
    "LintResult",
    "Rule",
    "RuleInfo",
    "Severity",
    "Workspace",
    "WorkspaceResult",
    "WorkspaceSpec",
    "enabled_rules",
    "lint",
    "lint_workspaces",
    "load_workspace",
    "today_utc",
]
