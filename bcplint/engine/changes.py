"""What ``--staged`` and ``--changed-since`` start from: the files a change touched, and the
names its deletions and renames took away."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bcplint.engine.options import LintOptions
from bcplint.errors import SourceError
from bcplint.git.history import changed_paths, has_commits, merge_base
from bcplint.git.trees import read_blobs
from bcplint.load.discover import SUFFIXES, WorkspaceSpec, display_path
from bcplint.load.parse import load_file
from bcplint.load.read import MAX_FILE_BYTES
from bcplint.model.validate import validate
from bcplint.workspace.documents import dependency_names


@dataclass(frozen=True)
class Changes:
    """Repository paths changed (deletions included) since commit ``base`` (None: no commit yet)."""

    paths: set[str]
    base: str | None

    def may_matter(self, configuration: set[str]) -> bool:
        """True when a changed path could hold a plan document or is one of ``configuration``."""
        return any(p.lower().endswith(SUFFIXES) for p in self.paths) or bool(self.paths & configuration)


def changes(spec: WorkspaceSpec, options: LintOptions) -> Changes | None:
    """What a narrowed run starts from; None when neither ``--staged`` nor ``--changed-since``.

    ``--staged`` with nothing staged at all is not inside a commit (``pre-commit run
    --all-files``, a CI job): then the whole index is reported on (None), so such a run never
    passes by checking nothing. SourceError outside git.
    """
    if not (options.changed_since or options.staged):
        return None
    repository = spec.repository
    if repository is None:
        option = "--changed-since" if options.changed_since else "--staged"
        raise SourceError(f"{option} needs a git repository, and {spec.root} is not inside one")
    if options.changed_since:
        base: str | None = merge_base(repository, options.changed_since, options.rev or "HEAD")
    else:
        base = "HEAD" if has_commits(repository) else None
    paths = changed_paths(repository, base, target=options.tree)
    if options.staged and not options.changed_since and not paths:
        return None
    return Changes(paths=paths, base=base)


def configuration_files(spec: WorkspaceSpec, options: LintOptions) -> set[str]:
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


@dataclass(frozen=True)
class Before:
    """What the changed files held at the base: the names of their documents (what a deletion or
    rename may have taken away; the workspace tells which are really gone) and what those
    documents depended on (a dependency dropped or retyped stops passing an objective down)."""

    names: set[str]
    referred: set[str]


def before_change(repository: Path, changed: Changes) -> Before:
    """The changed files' plan documents as they were at ``changed.base`` (empty without one)."""
    names: set[str] = set()
    referred: set[str] = set()
    if changed.base is None:
        return Before(names, referred)
    candidates = sorted(p for p in changed.paths if p.lower().endswith(SUFFIXES))
    contents = read_blobs(repository, [f"{changed.base}:{p}" for p in candidates], limit=MAX_FILE_BYTES)
    for path, content in zip(candidates, contents, strict=True):
        if content is None:
            continue
        for document in load_file(path, content).documents:
            name = document.data.get("name")
            if isinstance(name, str):
                names.add(name)
            model, _ = validate(document.data)
            if model is not None:
                referred.update(dependency_names(model))
    return Before(names, referred)
