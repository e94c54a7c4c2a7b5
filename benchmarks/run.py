"""Time bcplint against a bare parse of the same files, and report memory.

Usage: python benchmarks/run.py [--sizes 1000,10000,20000] [--repeat 3] [--cache DIR]

For each size, a synthetic organisation is generated once (benchmarks/generate.py, cached),
then, in separate processes so both include interpreter start-up:
  - bare:    read every file and parse it with ruamel.yaml's C loader (CSafeLoader);
  - bcplint: ``python -m bcplint check DIR --format json`` with all shipped rules.
It prints the median wall time of each, their ratio, documents per second, and the peak
resident memory of the bcplint process.
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


def timed(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one child process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise SystemExit(f"{command[:4]} failed: {process.stderr.read().decode() if process.stderr else ''}")
    return elapsed, usage.ru_maxrss / 1024


def organisation(cache: Path, n: int) -> tuple[Path, float]:
    folder = cache / f"org-{n}"
    marker = folder / ".size"
    if not marker.exists():
        size = generate(n, folder)
        marker.write_text(str(size), encoding="utf-8")
    return folder, int(marker.read_text(encoding="utf-8")) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,20000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "bcplint-bench")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{'documents':>9} {'MB':>6} {'bare s':>7} {'bcplint s':>9} {'ratio':>6} {'docs/s':>8} {'peak MB':>8}")
    times: dict[int, float] = {}
    for n in sizes:
        folder, megabytes = organisation(args.cache, n)
        bare = [timed([sys.executable, "-c", BARE_PARSE, str(folder)])[0] for _ in range(args.repeat)]
        runs = [
            timed([sys.executable, "-m", "bcplint", "check", str(folder), "--today", "2026-11-23", "--format", "json"])
            for _ in range(args.repeat)
        ]
        bare_s = statistics.median(bare)
        ours_s = statistics.median(t for t, _ in runs)
        peak = max(m for _, m in runs)
        times[n] = ours_s
        print(f"{n:>9} {megabytes:>6.1f} {bare_s:>7.2f} {ours_s:>9.2f} {ours_s / bare_s:>6.2f} {n / ours_s:>8.0f} {peak:>8.0f}")
    if 10000 in times and 20000 in times:
        print(f"20,000 / 10,000 documents: {times[20000] / times[10000]:.2f}x the time")


if __name__ == "__main__":
    main()
