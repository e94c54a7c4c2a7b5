"""Repeated runs side by side: a cold check, a warm one, pre-commit runs, and ten times the documents.

Usage: python benchmarks/cache.py [--size 10000] [--large 100000] [--repeat 3] [--compare REV]
                                  [--large-repeat 3] [--without RULE] [--cache DIR]

The organisation of ``--size`` documents (benchmarks/generate.py) is committed to a fresh git
repository. Each round runs, one process each (interpreter start-up included), in this order:
  - cold:        ``bcplint check`` of the work tree with an empty cache directory;
  - warm:        the same again, with the cache the cold run left;
  - staged:      one Service file edited (a new line, new content every round) and staged, then
                 ``bcplint check --staged``: the pre-commit hook without its daemon (in CI, or
                 with --no-daemon). Its file is parsed, the rest comes from the cache, and only
                 what the change touches is judged;
  - staged-root: the same with the System at the root of the dependency graph edited: about
                 60% of the documents depend on it, so the run reports on (and judges) them;
  - staged-seen: the Service edit again, after a full check of the work tree with that edit
                 (not timed): the whole result of that check is reused and narrowed;
  - no-cache:    ``bcplint check --no-cache``, the same pipeline without a cache, for reference;
  - warm-daemon, staged-daemon: ``warm`` and ``staged`` with ``--daemon`` (staged-daemon is the
                 pre-commit hook as shipped), served by a daemon started (``bcplint daemon
                 start``, with a cache directory of its own, which cold runs do not empty) and
                 shown the workspace once before the first round;
  - today:       with ``--compare REV``, a cold check by bcplint as it was at REV (git archive
                 of that revision, run from a temporary directory).
Edits are reset after each round. Every run writes JSON (``--format json``, maturity included).
Then ``--large`` documents (0 to skip) in a repository of their own: the median of
``--large-repeat`` cold checks, each round's time shown; with
``--without RULE``, both sizes once more without that rule (``--ignore RULE``), to tell what one
rule adds to the time at scale.

It prints the median wall time and the largest peak resident memory of the main process of
each kind of run, the ratios the cache is held to, the machine's load before and after, and
checks that every run of a kind printed the same report (staged runs: the same as each other,
served or not). For served runs the CPU time and memory are the client's; the daemon's status
(runs served, peak memory) is printed before the table.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import checkout, git, load  # noqa: E402
from generate import generate  # noqa: E402

CHECK = ["-m", "bcplint", "check", "--today", "2026-11-23", "--format", "json"]  # after the interpreter


def repository(cache: Path, n: int) -> Path:
    """The organisation of ``n`` documents committed to a git repository (made once, then reused)."""
    repo = cache / f"cache-git-{n}"
    if not (repo / ".git").exists():
        shutil.rmtree(repo, ignore_errors=True)
        generate(n, repo)
        git(repo, "init", "-q", "-b", "main")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "organisation")
    git(repo, "reset", "-q", "--hard")
    return repo


Measure = tuple[float, float, float, str]


def run(command: list[str], cwd: Path, env: dict[str, str]) -> Measure:
    """Wall seconds, CPU seconds (its worker processes included), peak resident MB of the
    process, and a digest of what it printed."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            err.seek(0)
            raise SystemExit(f"{' '.join(command[1:6])} failed: {err.read().decode()[-2000:]}")
        out.seek(0)
        digest = hashlib.sha256(out.read()).hexdigest()[:12]
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, digest


def edit(repo: Path, relative: str, round_number: int) -> None:
    """A new line in one file, different every round, staged."""
    path = repo / relative
    path.write_text(path.read_text(encoding="utf-8") + f"# staged edit {round_number}\n", encoding="utf-8")
    git(repo, "add", relative)


def side_by_side(args: argparse.Namespace, repo: Path, env: dict[str, str]) -> dict[str, list[Measure]]:
    """Every kind of run, ``args.repeat`` rounds of them in turn (see the module docstring)."""
    service = sorted(p.name for p in (repo / "services").glob("*.yaml"))[5]
    root_system = sorted(p.name for p in (repo / "systems").glob("*.yaml"))[0]
    caches = Path(env["BCPLINT_CACHE_DIR"])
    kinds: dict[str, list[str]] = {
        "cold": CHECK,
        "warm": CHECK,
        "staged": [*CHECK, "--staged"],
        "staged-root": [*CHECK, "--staged"],
        "staged-seen": [*CHECK, "--staged"],
        "no-cache": [*CHECK, "--no-cache"],
        "warm-daemon": [*CHECK, "--daemon"],
        "staged-daemon": [*CHECK, "--staged", "--daemon"],
    }
    served = {**env, "BCPLINT_CACHE_DIR": str(caches.parent / "daemon")}
    start_daemon(repo, served)
    today_env = dict(env)
    if args.compare:
        today_env["PYTHONPATH"] = str(checkout(args.compare, args.cache))
        kinds["today"] = CHECK
    measured: dict[str, list[Measure]] = {kind: [] for kind in kinds}
    for round_number in range(args.repeat):
        for kind, command in kinds.items():
            git(repo, "reset", "-q", "--hard")
            if kind == "cold":
                shutil.rmtree(caches, ignore_errors=True)
            if kind in ("staged", "staged-daemon"):
                edit(repo, f"services/{service}", round_number)
            if kind == "staged-root":
                edit(repo, f"systems/{root_system}", round_number)
            if kind == "staged-seen":
                edit(repo, f"services/{service}", round_number + 1000)
                run([sys.executable, *CHECK], repo, env)
            chosen = today_env if kind == "today" else served if kind.endswith("-daemon") else env
            measured[kind].append(run([sys.executable, *command], repo, chosen))
        git(repo, "reset", "-q", "--hard")
    status = subprocess.run(
        [sys.executable, "-m", "bcplint", "daemon", "status"], env=served, capture_output=True, check=False
    )
    print(status.stdout.decode().strip())
    subprocess.run([sys.executable, "-m", "bcplint", "daemon", "stop"], env=served, capture_output=True, check=True)
    return measured


def start_daemon(repo: Path, env: dict[str, str]) -> None:
    """A daemon of its own, started and shown the workspace (a full check and a staged one)."""
    subprocess.run([sys.executable, "-m", "bcplint", "daemon", "stop"], env=env, capture_output=True, check=True)
    subprocess.run([sys.executable, "-m", "bcplint", "daemon", "start"], env=env, capture_output=True, check=True)
    run([sys.executable, *CHECK, "--daemon"], repo, env)
    run([sys.executable, *CHECK, "--staged", "--daemon"], repo, env)


def summarise(measured: dict[str, list[Measure]], size: int, repeat: int) -> tuple[float, float]:
    """Print the medians and ratios; return the cold run's median wall and CPU seconds."""
    print(f"{size} documents in git, median of {repeat} rounds (CPU: the process and its workers)")
    print(f"{'run':>13} {'seconds':>8} {'CPU s':>8} {'peak MB':>8} {'outputs':>8}")
    wall, cpu = {}, {}
    for kind, runs in measured.items():
        wall[kind] = statistics.median(m[0] for m in runs)
        cpu[kind] = statistics.median(m[1] for m in runs)
        same = "same" if len({m[3] for m in runs}) == 1 or "staged" in kind else "DIFFER"
        print(f"{kind:>13} {wall[kind]:>8.2f} {cpu[kind]:>8.2f} {max(m[2] for m in runs):>8.0f} {same:>8}")
    # A cache must never change a result: cold, warm and no-cache runs print the same report.
    # Today's is another version of bcplint, whose rules may differ: compared for information only.
    if len({measured[kind][0][3] for kind in ("cold", "warm", "no-cache", "warm-daemon") if kind in measured}) > 1:
        print("WARNING: cold, warm, no-cache and served runs printed different reports")
    if {m[3] for m in measured["staged"]} != {m[3] for m in measured["staged-daemon"]}:
        print("WARNING: staged runs printed other reports when served")
    if "today" in measured and measured["today"][0][3] != measured["cold"][0][3]:
        print("note: today's version printed another report (its rules differ)")
    # A served run's CPU and memory are the client's: the daemon's work shows in its wall time,
    # and its memory in the status line printed above the table.
    for label, values in (("wall", wall), ("CPU", cpu)):
        cold = values["cold"]
        kinds = ("warm", "staged", "staged-root", "staged-seen")
        kinds += ("warm-daemon", "staged-daemon") if label == "wall" else ()
        ratios = "   ".join(f"{kind} / cold: {values[kind] / cold:.2f}x" for kind in kinds)
        today = f"   cold / today: {cold / values['today']:.2f}x" if "today" in values else ""
        print(f"{label:>4}: {ratios}{today}")
    return wall["cold"], cpu["cold"]


def at_scale(args: argparse.Namespace, repo: Path, env: dict[str, str], cold: tuple[float, float]) -> None:
    """Cold checks of ``args.large`` documents (the median of ``--large-repeat``: one round
    moves by a second or more with the machine's load); with ``--without``, both sizes without
    that rule."""
    large = repository(args.cache, args.large)
    caches = Path(env["BCPLINT_CACHE_DIR"])
    rounds = []
    for _ in range(args.large_repeat):
        shutil.rmtree(caches, ignore_errors=True)
        rounds.append(run([sys.executable, *CHECK], large, env))
    seconds = statistics.median(r[0] for r in rounds)
    cpu_seconds = statistics.median(r[1] for r in rounds)
    peak = max(r[2] for r in rounds)
    each = ", ".join(f"{r[0]:.1f}" for r in rounds)
    print(
        f"{args.large} documents in git, cold, median of {len(rounds)} ({each} s): {seconds:.2f} s "
        f"({seconds / cold[0]:.1f}x), CPU {cpu_seconds:.2f} s ({cpu_seconds / cold[1]:.1f}x), peak {peak:.0f} MB"
    )
    if not args.without:
        return
    timed = {}
    for n, where in ((args.size, repo), (args.large, large)):
        shutil.rmtree(caches, ignore_errors=True)
        timed[n] = run([sys.executable, *CHECK, "--ignore", args.without], where, env)
    (small_s, small_cpu, _, _), (large_s, large_cpu, large_peak, _) = timed[args.size], timed[args.large]
    print(
        f"without {args.without}: {args.size}: {small_s:.2f} s, CPU {small_cpu:.2f} s; "
        f"{args.large}: {large_s:.2f} s ({large_s / small_s:.1f}x), "
        f"CPU {large_cpu:.2f} s ({large_cpu / small_cpu:.1f}x), peak {large_peak:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--large", type=int, default=100000)
    parser.add_argument("--large-repeat", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--compare", metavar="REV", help="also time a cold check by bcplint at this revision")
    parser.add_argument("--without", metavar="RULE", help="also time both sizes cold without this rule")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "bcplint-bench")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    repo = repository(args.cache, args.size)
    env = {**os.environ, "BCPLINT_CACHE_DIR": str(args.cache / "cache-dirs" / "runs")}
    # Modules run from their compiled bytecode, as a pip-installed bcplint does (pip compiles
    # on install): with PYTHONDONTWRITEBYTECODE set (some CI images do), every run would
    # compile every module again, about 50 ms that no installed copy pays.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    print(f"load average before: {load()} ({os.cpu_count()} CPUs)")
    cold = summarise(side_by_side(args, repo, env), args.size, args.repeat)
    if args.large:
        at_scale(args, repo, env, cold)
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
