"""Time bcplint against a bare parse of the same files, and report memory.

Usage: python benchmarks/run.py [--sizes 1000,10000,20000] [--repeat 3] [--cache DIR]
                                [--rich] [--rev REV] [--select RULES] [--no-cache]

For each size, a synthetic organisation is generated once (benchmarks/generate.py, cached;
``--rich`` in the fuller format of issue 14), then, in separate processes so both include
interpreter start-up:
  - bare:    read every file and parse it with ruamel.yaml's C loader (CSafeLoader);
  - bcplint: ``python -m bcplint check DIR --format json`` with all shipped rules (``--select``:
             only those), as bcplint is now or, with ``--rev``, as it was at that revision
             (git archive of it, run from a temporary directory).
Every bcplint run gets an empty cache directory of its own, so none reuses another's work and
the user's cache is left alone; ``--no-cache`` passes ``--no-cache`` (for revisions that know
it), to time the checks without the writing of the cache.
It prints the median wall time and CPU time of each, their ratio, documents per second, and
the peak resident memory of the bcplint process, with the machine's load before and after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import checkout, load  # noqa: E402
from generate import generate  # noqa: E402

BARE_PARSE = """
import os, sys
from ruamel.yaml.cyaml import CSafeLoader
count = 0
for root, _, names in os.walk(sys.argv[1]):
    for name in names:
        with open(os.path.join(root, name), encoding="utf-8") as handle:
            loader = CSafeLoader(handle.read())
        try:
            while loader.check_data():
                loader.get_data()
                count += 1
        finally:
            loader.dispose()
print(count)
"""


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (its worker processes included) and peak resident MB of one
    child process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise SystemExit(f"{command[:4]} failed: {process.stderr.read().decode() if process.stderr else ''}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def organisation(cache: Path, n: int, rich: bool = False) -> tuple[Path, float]:
    folder = cache / (f"org-rich-{n}" if rich else f"org-{n}")
    marker = folder / ".size"
    if not marker.exists():
        size = generate(n, folder, rich=rich)
        marker.write_text(str(size), encoding="utf-8")
    return folder, int(marker.read_text(encoding="utf-8")) / 1e6


def bcplint_run(folder: Path, args: argparse.Namespace, pythonpath: Path | None) -> tuple[float, float, float]:
    """One check of ``folder`` with an empty cache directory of its own."""
    command = [sys.executable, "-m", "bcplint", "check", str(folder), "--today", "2026-11-23", "--format", "json"]
    command += ["--select", args.select] if args.select else []
    command += ["--no-cache"] if args.no_cache else []
    with tempfile.TemporaryDirectory() as caches:
        env = {**os.environ, "BCPLINT_CACHE_DIR": caches}
        if pythonpath is not None:
            env["PYTHONPATH"] = str(pythonpath)
        return timed(command, env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,20000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "bcplint-bench")
    parser.add_argument("--rich", action="store_true", help="the organisation in the format of issue 14")
    parser.add_argument("--rev", help="time bcplint as it was at this revision")
    parser.add_argument("--select", help="only these rules (comma-separated ids or names)")
    parser.add_argument("--no-cache", action="store_true", help="pass --no-cache to bcplint")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    pythonpath = checkout(args.rev, args.cache) if args.rev else None
    what = f"bcplint at {args.rev}" if args.rev else "bcplint now"
    print(f"{what}, {'rich' if args.rich else 'plain'} organisation, load average {load()} ({os.cpu_count()} CPUs)")
    print(
        f"{'documents':>9} {'MB':>6} {'bare s':>7} {'bcplint s':>9} {'CPU s':>6} {'ratio':>6} {'docs/s':>8} "
        f"{'peak MB':>8}"
    )
    times: dict[int, float] = {}
    for n in sizes:
        folder, megabytes = organisation(args.cache, n, args.rich)
        bare = [timed([sys.executable, "-c", BARE_PARSE, str(folder)])[0] for _ in range(args.repeat)]
        runs = [bcplint_run(folder, args, pythonpath) for _ in range(args.repeat)]
        bare_s = statistics.median(bare)
        ours_s = statistics.median(t for t, _, _ in runs)
        cpu_s = statistics.median(c for _, c, _ in runs)
        peak = max(m for _, _, m in runs)
        times[n] = ours_s
        print(
            f"{n:>9} {megabytes:>6.1f} {bare_s:>7.2f} {ours_s:>9.2f} {cpu_s:>6.2f} {ours_s / bare_s:>6.2f} "
            f"{n / ours_s:>8.0f} {peak:>8.0f}"
        )
    if 10000 in times and 20000 in times:
        print(f"20,000 / 10,000 documents: {times[20000] / times[10000]:.2f}x the time")
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
