"""Which files to check.

Inside a git repository: the tracked files plus the untracked ones git does not ignore, under
the given paths (``git ls-files`` is one fast subprocess; gitpython is kept for history work).
Elsewhere: a directory walk that skips hidden directories. A file named explicitly is always
checked, ignored or not: the user (or pre-commit) asked for it.
"""

from __future__ import annotations

import fnmatch
import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from bcplint.errors import SourceError
from bcplint.loader import MARKDOWN_SUFFIXES, YAML_SUFFIXES

SUFFIXES = YAML_SUFFIXES + MARKDOWN_SUFFIXES
SKIPPED_DIRS = frozenset({"node_modules", "__pycache__", "venv"})


@dataclass(frozen=True, order=True, kw_only=True)
class SourceFile:
    """A file to check: how reports name it, where it is, whether it was named explicitly."""

    display: str
    path: Path
    explicit: bool = False


def git_root(directory: Path) -> Path | None:
    """The top of the git work tree containing ``directory``, or None."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=directory,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:  # git is not installed: behave as outside a repository
        return None
    return Path(result.stdout.strip()) if result.returncode == 0 else None


@dataclass(frozen=True)
class Discovery:
    files: list[SourceFile]
    skipped: list[str]  # why some files were left out, for a note


def discover(
    paths: Iterable[str],
    *,
    cwd: Path,
    exclude: Iterable[str] = (),
    exclude_base: Path | None = None,
    explicit_files: bool = True,
) -> Discovery:
    """The candidate files under ``paths`` (files or directories), sorted and de-duplicated.

    A symbolic link found in a directory is not followed out of that directory (or its
    repository): a pull request must not make the linter read, and quote, files elsewhere.
    ``exclude`` patterns are relative to ``exclude_base`` (the configuration's directory).
    """
    patterns = list(exclude)
    found: dict[Path, SourceFile] = {}
    skipped: list[str] = []
    for raw in paths:
        target = (cwd / raw) if not Path(raw).is_absolute() else Path(raw)
        if os.path.lexists(target) and not target.is_dir():  # files, FIFOs, dangling links: reading says why
            file = SourceFile(display=display_path(target, cwd), path=target, explicit=explicit_files)
            found.setdefault(target.absolute(), file)
            continue
        if not target.is_dir():
            raise SourceError(f"{raw}: no such file or directory")
        root, listed = _list_directory(target)
        for file_path in listed:
            display = display_path(file_path, cwd)
            if patterns and _excluded(display_path(file_path, exclude_base or cwd), patterns):
                continue
            if file_path.is_symlink() and not _inside(file_path, root):
                skipped.append(f"{display}: symbolic link to a file outside {display_path(root, cwd)}; not followed")
                continue
            found.setdefault(file_path.absolute(), SourceFile(display=display, path=file_path))
    return Discovery(files=sorted(found.values()), skipped=skipped)


def _inside(link: Path, root: Path) -> bool:
    target = os.path.realpath(link)
    base = os.path.realpath(root)
    return target == base or target.startswith(base.rstrip(os.sep) + os.sep)


def _list_directory(directory: Path) -> tuple[Path, list[Path]]:
    """The directory's repository root (or the directory) and the candidate files in it."""
    root = git_root(directory)
    if root is not None:
        return root, _git_files(root, directory)
    return directory, _walk(directory)


def _git_files(root: Path, directory: Path) -> list[Path]:
    relative = os.path.relpath(directory.resolve(), root.resolve())
    result = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", relative],
        cwd=root,
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip()
        raise SourceError(f"{directory}: git ls-files failed: {message}")
    names = {name for name in result.stdout.decode("utf-8", "surrogateescape").split("\0") if name}
    # A file deleted from the work tree but not yet from the index is listed yet unreadable.
    return [root / name for name in sorted(names) if name.lower().endswith(SUFFIXES) and (root / name).exists()]


def _walk(directory: Path) -> list[Path]:
    files: list[Path] = []
    for current, dirs, names in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS)
        files.extend(Path(current) / n for n in sorted(names) if n.lower().endswith(SUFFIXES))
    return files


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
