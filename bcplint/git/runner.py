"""One way of running git: a read-only subprocess with the environment pre-commit would give it.

Why not gitpython: it is a wrapper over this same command line (it shells out for nearly
everything bcplint needs), its import costs a small run more than the git work itself, and
its own documentation warns that it leaks resources in long-running processes such as the
language server. Git's plumbing output (``-z`` listings, ``cat-file --batch``) is documented
and stable, so parsing it here is small and exact.

Hooks: while ``git commit`` runs a hook it exports ``GIT_INDEX_FILE`` (the index being
committed: ``.git/index``, relative to the top of the work tree, for a plain commit; an
absolute path to a locked or temporary index for ``git commit -a`` or ``git commit PATH``),
and in some set-ups ``GIT_DIR`` and ``GIT_WORK_TREE``. Like pre-commit, bcplint keeps these for
git commands on the user's repository, so ``--staged`` reads exactly what the commit records.
Git resolves a relative ``GIT_INDEX_FILE`` against the top of the work tree, which is where
bcplint runs every git command, so it is passed on as it is; a relative ``GIT_DIR`` or
``GIT_WORK_TREE`` is resolved against the directory git starts in, so those are made absolute
against the directory bcplint started in (bcplint never changes directory).
"""

from __future__ import annotations

import functools
import os
import subprocess
from pathlib import Path

from bcplint.errors import SourceError

# Variables git resolves against the directory it starts in (bcplint starts it elsewhere).
_PATH_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE")


class GitError(SourceError):
    """A git command failed; the message is git's own, or says what to do."""


def git_environment(base: dict[str, str] | None = None, cwd: str | None = None) -> dict[str, str]:
    """The environment for git: the caller's, with ``GIT_DIR`` and ``GIT_WORK_TREE`` made absolute.

    ``base`` defaults to ``os.environ``, ``cwd`` to the process's working directory.
    ``GIT_OPTIONAL_LOCKS=0`` stops read commands from refreshing (and locking) the index.
    """
    env = dict(os.environ if base is None else base)
    start = cwd or os.getcwd()
    for name in _PATH_VARIABLES:
        value = env.get(name)
        if value and not os.path.isabs(value):
            env[name] = os.path.normpath(os.path.join(start, value))
    env["GIT_OPTIONAL_LOCKS"] = "0"
    env.setdefault("GIT_TERMINAL_PROMPT", "0")  # never wait for credentials
    return env


def run(root: Path | str, *args: str, stdin: bytes | None = None) -> bytes:
    """Run ``git args`` in ``root``; its standard output. Raises GitError with git's message."""
    try:
        result = subprocess.run(
            ["git", *args], cwd=root, input=stdin, capture_output=True, env=git_environment(), check=False
        )
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror or exc}; is git installed and on PATH?") from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip()
        raise GitError(message or f"git {args[0]} failed with exit code {result.returncode}")
    return result.stdout


def text(root: Path | str, *args: str) -> str:
    """:func:`run`, decoded; file names keep undecodable bytes (surrogateescape)."""
    return run(root, *args).decode("utf-8", "surrogateescape")


def zsplit(output: str) -> list[str]:
    """NUL-separated git output -> its non-empty items."""
    return [item for item in output.split("\0") if item]


@functools.lru_cache(maxsize=256)
def toplevel(directory: str) -> Path | None:
    """The top of the work tree that holds ``directory``, or None outside git (or without git).

    Cached per directory: discovery asks once per path given, and a run never moves a repository.
    Git is not started where no ``.git`` lies above the directory (by its path as given or as
    resolved) and no ``GIT_DIR`` says where one is: it could find nothing there, and starting
    it costs a few milliseconds, for every lint of a directory outside git (a test's, say).
    """
    if not os.environ.get("GIT_DIR") and not any(
        _has_dot_git_above(d) for d in (directory, os.path.realpath(directory))
    ):
        return None
    try:
        output = run(directory, "rev-parse", "--show-toplevel")
    except SourceError:
        return None
    top = output.decode("utf-8", "surrogateescape").strip()
    return Path(top) if top else None


def _has_dot_git_above(directory: str) -> bool:
    """True when ``directory`` or a directory above it holds a ``.git`` (a directory, or the file
    of a linked work tree or submodule), or is itself a git directory (``HEAD`` and ``objects``:
    one with ``core.worktree`` set gives a work tree to the directories inside it)."""
    current = os.path.abspath(directory)
    while True:
        if os.path.lexists(os.path.join(current, ".git")) or _is_git_directory(current):
            return True
        parent = os.path.dirname(current)
        if parent == current:
            return False
        current = parent


def _is_git_directory(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "HEAD")) and os.path.isdir(os.path.join(path, "objects"))


def repository(directory: Path, why: str) -> Path:
    """The root of the repository holding ``directory``; a usage error naming ``why`` otherwise."""
    root = toplevel(str(directory))
    if root is None:
        raise GitError(f"{why} needs a git repository, and {directory} is not inside one")
    return root


def resolve(root: Path, rev: str) -> str | None:
    """The commit ``rev`` names, or None (``rev-parse --verify``: odd input is just unknown)."""
    if rev.startswith("-"):  # never let a revision be read as an option
        return None
    try:
        return text(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}").strip() or None
    except SourceError:
        return None


def is_shallow(root: Path) -> bool:
    return text(root, "rev-parse", "--is-shallow-repository").strip() == "true"
