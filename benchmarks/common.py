"""What the benchmark scripts share: git run without the user's configuration, bcplint as it
was at a revision, and the machine's load (figures mean little on a busy machine)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Commits made by the benchmarks name a fixed author and ignore the user's git configuration.
GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def git(repo: Path, *args: str) -> None:
    """Run ``git args`` in ``repo``; raises CalledProcessError when git fails."""
    subprocess.run(["git", *args], cwd=repo, env=GIT_ENV, check=True, capture_output=True)


def checkout(rev: str, into: Path) -> Path:
    """bcplint as it was at ``rev``, extracted from this repository's history into ``into``
    (once; later calls reuse it). Put the returned folder on PYTHONPATH to run that version."""
    target = into / f"bcplint-{rev}"
    if not target.exists():
        target.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", rev], cwd=ROOT, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def load() -> str:
    """The 1, 5 and 15-minute load averages, as printed beside every set of figures."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())
