"""Time the git-aware runs side by side on one synthetic organisation kept in a git repository.

Usage: python benchmarks/git_runs.py [--size 10000] [--repeat 3] [--cache DIR]

The organisation (benchmarks/generate.py) is committed to a fresh repository once; then one
file is modified and staged, as before a commit, and each of these is run in its own process:
  - full:     ``bcplint check`` of the work tree (every file read from disk);
  - staged:   ``bcplint check --staged`` (the pre-commit hook: the index read from git objects,
              the report narrowed to the staged file and what it affects);
  - rev:      ``bcplint check --rev HEAD`` (the commit read from git objects).
Every run gets an empty cache directory of its own, so these are cold runs (benchmarks/cache.py
times the warm ones). It prints the median wall time and peak resident memory of each, and
staged / full.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import git  # noqa: E402
from run import organisation, timed  # noqa: E402


def repository(cache: Path, n: int) -> Path:
    """The organisation of ``n`` documents in a git repository with one staged change."""
    repo = cache / f"git-{n}"
    if not (repo / ".git").exists():
        folder, _ = organisation(cache, n)
        shutil.copytree(folder, repo, ignore=shutil.ignore_patterns(".size"))
        for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "organisation"]):
            git(repo, *args)
    git(repo, "reset", "-q", "--hard")
    staged = sorted((repo / "systems").glob("*.yaml"))[0] if (repo / "systems").is_dir() else None
    target = staged or sorted(repo.rglob("*.yaml"))[0]
    target.write_text(target.read_text(encoding="utf-8") + "# a staged edit\n", encoding="utf-8")
    git(repo, "add", str(target))
    return repo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "bcplint-bench")
    args = parser.parse_args()
    repo = repository(args.cache, args.size)
    base = [sys.executable, "-m", "bcplint", "check", "--today", "2026-11-23", "--format", "json"]
    runs = {"full": base, "staged": [*base, "--staged"], "rev": [*base, "--rev", "HEAD"]}
    print(f"{args.size} documents in a git repository, one file staged; median of {args.repeat} runs")
    print(f"{'run':>8} {'seconds':>8} {'peak MB':>8}")
    medians = {}
    for name, command in runs.items():
        measured = [timed_in(command, repo) for _ in range(args.repeat)]
        medians[name] = statistics.median(t for t, _, _ in measured)
        print(f"{name:>8} {medians[name]:>8.2f} {max(m for _, _, m in measured):>8.0f}")
    print(f"staged / full: {medians['staged'] / medians['full']:.2f}x")


def timed_in(command: list[str], cwd: Path) -> tuple[float, float, float]:
    """:func:`run.timed` of ``command`` run in ``cwd`` with an empty cache directory."""
    here = os.getcwd()
    os.chdir(cwd)
    try:
        with tempfile.TemporaryDirectory() as caches:
            return timed(command, {**os.environ, "BCPLINT_CACHE_DIR": caches})
    finally:
        os.chdir(here)


if __name__ == "__main__":
    main()
