"""Which workspaces a run covers, and which files each of them holds.

A workspace is found from the paths given, never from the current directory (DESIGN §4): the
nearest directory at or above a path that holds ``.bcplint.yaml`` or a ``pyproject.toml``
with ``[tool.bcplint]``, searching up to the root of the git repository (outside git: up to
the file system's root); else the repository's root; else the directory given (a file's own
directory). Without paths, the current directory stands for the path.

A directory given also covers every workspace nested below it (a subdirectory with its own
configuration): each is checked on its own, with its own configuration, and its files are
never part of the workspace above it. So ``bcplint check examples/`` checks every example as
the example it is, and paths in different workspaces simply give one run per workspace,
merged into one report.

Files: inside git, the tracked files plus the untracked ones git does not ignore (the work
tree), the index (``--staged``) or a commit's tree (``--rev``); outside git, a directory walk
that skips hidden and vendored directories. A file named explicitly is always read.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal

from bcplint.errors import SourceError
from bcplint.git import trees
from bcplint.git.runner import GitError, toplevel
from bcplint.load.config import CONFIG_FILE, LoadedConfig, has_bcplint_table, load_config
from bcplint.load.parse import MARKDOWN_SUFFIXES, YAML_SUFFIXES

SUFFIXES = YAML_SUFFIXES + MARKDOWN_SUFFIXES
SKIPPED_DIRS = frozenset({"node_modules", "__pycache__", "venv"})
PYPROJECT = "pyproject.toml"

Tree = Literal["worktree", "index"] | str  # the work tree, the index, or a revision


@dataclass(frozen=True, order=True, kw_only=True)
class SourceFile:
    """A file to read: how every report names it, and where its bytes are.

    ``display`` is relative to the run's base (the repository root, else the workspace root),
    POSIX-style, so the same file has the same name from any current directory. Exactly one of
    ``path`` (the work tree) and ``blob`` (a git object: an index entry or a commit's file) is set.
    """

    display: str
    path: Path | None = None
    blob: str | None = None
    explicit: bool = False  # named on the command line: read even if it does not look like a plan


@dataclass(frozen=True, kw_only=True)
class WorkspaceSpec:
    """One workspace of a run: its root, configuration and repository, and what to report on.

    ``targets`` are absolute paths the report is narrowed to; None reports on everything.
    """

    root: Path
    config: LoadedConfig
    repository: Path | None
    targets: tuple[Path, ...] | None = None
    notes: tuple[str, ...] = ()

    @property
    def base(self) -> Path:
        """What report paths are relative to: the repository root, else the workspace root."""
        return self.repository or self.root


@dataclass(kw_only=True)
class _Gathered:
    root: Path
    config_path: Path | None
    targets: set[Path] | None = field(default_factory=set)


def find_workspaces(
    paths: Sequence[str], *, cwd: Path, config_path: Path | None = None, must_exist: bool = True
) -> list[WorkspaceSpec]:
    """The workspaces ``paths`` fall in (and those nested below directories given), sorted by root.

    Raises SourceError for a path that does not exist (unless ``must_exist`` is false: a path
    that only a commit holds, for ``--rev``), ConfigError for a broken configuration.
    With ``config_path``, that configuration makes one workspace rooted at its directory and
    every path is reported on within it.
    """
    absolute = [_absolute(p, cwd) for p in paths]
    if must_exist:
        for raw, path in zip(paths, absolute, strict=True):
            if not os.path.lexists(path):
                raise SourceError(f"{raw}: no such file or directory")
    if config_path is not None:
        given = _absolute(str(config_path), cwd)
        root = Path(os.path.dirname(given))
        loaded = load_config(given)
        targets = tuple(absolute) if absolute else None
        return [WorkspaceSpec(root=root, config=loaded, repository=_repository(root), targets=targets)]
    gathered: dict[Path, _Gathered] = {}
    starts: list[Path] = absolute or [Path(os.path.realpath(cwd))]
    for path in starts:
        start = _existing_directory(path)
        root, config_file = find_root(start)
        entry = gathered.setdefault(root, _Gathered(root=root, config_path=config_file))
        if not absolute:
            entry.targets = None
        elif entry.targets is not None:
            entry.targets.add(path)
        if path.is_dir():
            for nested in nested_roots(path, exclude=root):
                gathered[nested] = _Gathered(root=nested, config_path=config_file_in(nested), targets=None)
    specs = []
    for root, entry in sorted(gathered.items()):
        loaded = load_config(entry.config_path)
        notes = _both_configs_note(root, entry.config_path)
        targets = tuple(sorted(entry.targets)) if entry.targets is not None else None
        repository = _repository(root)
        specs.append(WorkspaceSpec(root=root, config=loaded, repository=repository, targets=targets, notes=notes))
    return specs


def find_root(start: Path) -> tuple[Path, Path | None]:
    """The workspace root for ``start`` (a directory) and its configuration file, if any."""
    top = _repository(start)
    for directory in (start, *start.parents):
        found = config_file_in(directory)
        if found is not None:
            return directory, found
        if top is not None and directory == top:
            return top, None
    return start, None


def config_file_in(directory: Path) -> Path | None:
    """``.bcplint.yaml`` in ``directory``, else its ``pyproject.toml`` if it has ``[tool.bcplint]``."""
    candidate = directory / CONFIG_FILE
    if candidate.is_file():
        return candidate
    pyproject = directory / PYPROJECT
    if pyproject.is_file() and has_bcplint_table(pyproject.read_text(encoding="utf-8", errors="replace")):
        return pyproject
    return None


def _both_configs_note(root: Path, config_path: Path | None) -> tuple[str, ...]:
    pyproject = root / PYPROJECT
    if config_path is None or config_path.name != CONFIG_FILE or not pyproject.is_file():
        return ()
    if not has_bcplint_table(pyproject.read_text(encoding="utf-8", errors="replace")):
        return ()
    return (f"{root / CONFIG_FILE} is used; [tool.bcplint] in {pyproject} is ignored (keep one of them)",)


def nested_roots(directory: Path, *, exclude: Path | None = None) -> list[Path]:
    """Workspace roots below ``directory`` (and ``directory`` itself unless it is ``exclude``)."""
    top = _repository(directory)
    if top is not None:
        under = _relative_posix(directory, top)
        names = [n for n in _list_git(top, under) if n.rsplit("/", 1)[-1] in (CONFIG_FILE, PYPROJECT)]
        candidates = sorted({(top / n).parent for n in names})
    else:
        candidates = sorted({Path(d) for d, _, files in _walk(directory) if {CONFIG_FILE, PYPROJECT} & set(files)})
    return [c for c in candidates if c != exclude and config_file_in(c) is not None]


def list_sources(
    spec: WorkspaceSpec, tree: Tree = "worktree", *, read_named: bool = True
) -> tuple[list[SourceFile], list[str]]:
    """The candidate files of a workspace, sorted, and notes about files left out.

    The configuration's ``paths`` (else the whole root) plus every target; nested workspaces,
    ``exclude`` patterns (relative to the configuration's directory) and files that cannot be
    plans (by suffix) are left out, except files named explicitly. A named file is read even
    when it does not look like a plan, unless ``read_named`` is false (the files a pre-commit
    hook passes are every staged YAML file, most of them not plans).
    """
    lister = _Lister(spec, tree, read_named=read_named)
    configured = [spec.root / p for p in spec.config.config.paths] or [spec.root]
    for directory in configured:
        lister.add_directory(directory, configured=True)
    for target in spec.targets or ():
        if not any(_within(target, d) for d in configured) or not target.is_dir():
            lister.add_target(target)
    return sorted(lister.found.values()), lister.notes


class _Lister:
    """Collects the files of one workspace from the work tree, the index or a commit."""

    def __init__(self, spec: WorkspaceSpec, tree: Tree, *, read_named: bool) -> None:
        self.spec = spec
        self.tree = tree
        self.read_named = read_named
        self.found: dict[str, SourceFile] = {}
        self.notes: list[str] = []
        self.exclude = spec.config.config.exclude
        self.exclude_base = spec.config.root or spec.root
        self.entries: dict[str, str] | None = None  # repository path -> blob, for the index or a commit

    def _git_entries(self) -> dict[str, str]:
        top = self.spec.repository
        if top is None:
            raise SourceError(f"{'--staged' if self.tree == 'index' else '--rev'} needs a git repository")
        if self.entries is None:
            try:
                listed = trees.index_entries(top) if self.tree == "index" else trees.revision_entries(top, self.tree)
            except GitError as exc:
                raise self._git_error(exc) from None
            self.entries = {e.path: e.blob for e in listed}
        return self.entries

    def add_directory(self, directory: Path, *, configured: bool = False) -> None:
        top = self.spec.repository
        if top is None:
            if self.tree != "worktree":
                self._git_entries()  # raises: a tree other than the work tree needs git
            if not directory.is_dir():
                if configured:
                    raise SourceError(f"{directory}: a directory in the configuration's paths does not exist")
                return
            files = [Path(d) / f for d, _, fs in _walk(directory) for f in fs]
            self._add_listed(files, nested_from=files)
            return
        under = _relative_posix(directory, top)
        if under.startswith("../") or under == "..":
            raise SourceError(f"{directory} is outside the repository {top}")
        if self.tree == "worktree":
            self._add_names(top, _list_git(top, under))
            return
        entries = self._git_entries()
        prefix = "" if under == "." else under + "/"
        names = [name for name in entries if name.startswith(prefix) or name == under]
        if not names and under != "." and configured:
            raise SourceError(f"{under} does not exist in {self._tree_name()}")
        self._add_names(top, names)

    def add_target(self, target: Path) -> None:
        if self.tree == "worktree":
            if target.is_dir():
                self.add_directory(target)
            else:
                display = self._display(target)
                self.found[display] = SourceFile(display=display, path=target, explicit=self.read_named)
            return
        entries = self._git_entries()
        top = self.spec.repository
        assert top is not None  # _git_entries says so otherwise
        name = _relative_posix(target, top)
        if name in entries:
            self.found[name] = SourceFile(display=name, blob=entries[name], explicit=self.read_named)
        elif any(n.startswith(name.rstrip("/") + "/") for n in entries) or name == ".":
            self.add_directory(target)
        elif self.tree == "index":
            self.notes.append(f"{name}: not in the index (untracked or deleted), so not part of the commit")
        else:
            raise SourceError(f"--rev: {name} does not exist in {self.tree}")

    def _git_error(self, exc: GitError) -> SourceError:
        return SourceError(f"--rev: {exc}" if self.tree != "index" else f"--staged: {exc}")

    def _add_listed(self, files: Iterable[Path], *, nested_from: Iterable[Path]) -> None:
        """Files found by walking a directory outside git."""
        nested = [p.parent for p in nested_from if p.name in (CONFIG_FILE, PYPROJECT) and p.parent != self.spec.root]
        nested = [n for n in set(nested) if _within(n, self.spec.root) and self._is_config_dir(n)]
        for path in files:
            if not path.name.lower().endswith(SUFFIXES):
                continue
            if any(_within(path, n) for n in nested):
                continue
            display = self._display(path)
            if self.exclude and _excluded(_display(path, self.exclude_base), self.exclude):
                continue
            if path.is_symlink() and not _inside(path, self.spec.root):
                self.notes.append(f"{display}: symbolic link to a file outside the repository; not followed")
                continue
            self.found.setdefault(display, SourceFile(display=display, path=path))

    def _add_names(self, top: Path, names: list[str]) -> None:
        """Files of the repository at ``top``, named relative to it (POSIX): those git lists in
        the work tree, or the entries of the index or a commit. Plain string operations: this
        runs once per file, on every run, and pathlib costs several times more."""
        root = _relative_posix(self.spec.root, top)
        root_prefix = "" if root == "." else root + "/"
        # Directories below the root holding a configuration: workspaces of their own ("a/b/").
        configs = {n[: n.rfind("/") + 1] for n in names if n.rpartition("/")[2] in (CONFIG_FILE, PYPROJECT)}
        nested = tuple(
            d
            for d in sorted(configs)
            if d != root_prefix and d.startswith(root_prefix) and self._is_config_dir(top / d.rstrip("/"))
        )
        same_base = self.spec.base == top  # the display name is the repository path
        entries = self._git_entries() if self.tree != "worktree" else None
        for name in names:
            if not name.lower().endswith(SUFFIXES) or (nested and name.startswith(nested)):
                continue
            display = name if same_base else self._display(top / name)
            if self.exclude and _excluded(_display(top / name, self.exclude_base), self.exclude):
                continue
            if entries is not None:
                self.found.setdefault(display, SourceFile(display=display, blob=entries[name]))
                continue
            path = top / name
            try:
                mode = os.lstat(path).st_mode
            except OSError:
                continue  # deleted but still in the index
            if stat.S_ISLNK(mode) and not _inside(path, top):
                self.notes.append(f"{display}: symbolic link to a file outside the repository; not followed")
                continue
            self.found.setdefault(display, SourceFile(display=display, path=path))

    def _is_config_dir(self, directory: Path) -> bool:
        if self.tree == "worktree":
            return config_file_in(directory) is not None
        top = self.spec.repository
        assert top is not None
        entries = self._git_entries()
        base = _relative_posix(directory, top)
        if f"{base}/{CONFIG_FILE}" in entries:
            return True
        pyproject = entries.get(f"{base}/{PYPROJECT}")
        if pyproject is None:
            return False
        content = next(trees.read_blobs(top, [pyproject], limit=1 << 20), None)
        return content is not None and has_bcplint_table(content.decode("utf-8", "replace"))

    def _display(self, path: Path) -> str:
        return _display(path, self.spec.base)

    def _tree_name(self) -> str:
        return "the index" if self.tree == "index" else f"revision {self.tree}"


def _repository(directory: Path) -> Path | None:
    return toplevel(str(directory)) if directory.is_dir() else toplevel(str(directory.parent))


def _absolute(raw: str, cwd: Path) -> Path:
    """``raw`` made absolute; its directory resolved as git resolves the repository root
    (symbolic links in the directory), the file itself left as named."""
    path = os.path.normpath(os.path.join(cwd, raw))
    if os.path.isdir(path):
        return Path(os.path.realpath(path))
    return Path(os.path.realpath(os.path.dirname(path))) / os.path.basename(path)


def _existing_directory(path: Path) -> Path:
    """``path`` if it is a directory, else the nearest existing directory above it."""
    current = path
    while not current.is_dir() and current != current.parent:
        current = current.parent
    return current


def _within(path: Path, directory: Path) -> bool:
    return path == directory or directory in path.parents


def _relative_posix(path: Path, base: Path) -> str:
    return Path(os.path.relpath(path, base)).as_posix()


def _list_git(top: Path, under: str) -> list[str]:
    try:
        return trees.worktree_files(top, under)
    except GitError as exc:
        raise SourceError(f"{top / under}: git ls-files failed: {exc}") from None


def _walk(directory: Path) -> Iterable[tuple[str, list[str], list[str]]]:
    for current, dirs, names in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS)
        yield current, dirs, sorted(names)


def _inside(link: Path, root: Path) -> bool:
    target = os.path.realpath(link)
    base = os.path.realpath(root)
    return target == base or target.startswith(base.rstrip(os.sep) + os.sep)


def _display(path: Path | str, base: Path | str) -> str:
    """Relative to ``base`` with forward slashes when below it; absolute otherwise."""
    return display_path(path, base)


def display_path(path: Path | str, cwd: Path | str) -> str:
    """Relative to ``cwd`` with forward slashes when below it; absolute otherwise.

    Plain string operations: this runs once per file, and pathlib costs ten times more.
    """
    base = os.path.normpath(cwd)
    absolute = os.path.normpath(os.path.join(base, path))
    if absolute == base:
        return "."
    prefix = base if base.endswith(os.sep) else base + os.sep
    relative = absolute[len(prefix) :] if absolute.startswith(prefix) else absolute
    return relative.replace(os.sep, "/")


def _excluded(display: str, patterns: list[str]) -> bool:
    """gitignore-like enough: a pattern matches the path or any of its leading directories."""
    parts = PurePosixPath(display).parts
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(fnmatch.fnmatch(p, pattern.rstrip("/")) for pattern in patterns for p in prefixes)
