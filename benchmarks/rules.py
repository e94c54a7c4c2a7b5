"""Time each rule on one organisation, in one process, to tell which rules grow faster than the documents.

Usage: python benchmarks/rules.py DIR [--most 15]

Loads the workspace at DIR once (without the cache), then evaluates each enabled rule on its
own, in catalog order, and prints the load time, the total over the rules and the slowest
rules with their finding counts. Memoised work (the dependency graph and what is built on it)
is paid by the first rule that needs it, as in a real run. Run it on two sizes of
benchmarks/generate.py's organisation to see how each rule scales.
"""

from __future__ import annotations

import argparse
import gc
import time
from pathlib import Path

from bcplint.api import LintOptions, enabled_rules, load_workspace
from bcplint.engine.evaluate import Evaluator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--most", type=int, default=15)
    args = parser.parse_args()
    options = LintOptions(cwd=args.directory.resolve(), cache=False)
    gc.disable()  # as a run does: the collector is paused while the workspace is built
    start = time.perf_counter()
    workspace = load_workspace(options)
    print(f"load: {time.perf_counter() - start:.2f} s ({len(workspace.docs)} documents)")
    evaluator = Evaluator.of(workspace)
    timed = []
    for rule in enabled_rules(options):
        start = time.perf_counter()
        found = len(evaluator.findings([rule]))
        timed.append((time.perf_counter() - start, rule.id, rule.name, found))
    print(f"rules: {sum(t for t, _, _, _ in timed):.2f} s")
    print(f"{'seconds':>8}  rule")
    for seconds, rule_id, name, found in sorted(timed, reverse=True)[: args.most]:
        print(f"{seconds:>8.3f}  {rule_id} {name} ({found} findings)")


if __name__ == "__main__":
    main()
