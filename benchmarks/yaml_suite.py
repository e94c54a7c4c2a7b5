"""How much of the public YAML test suite bcplint's YAML reader accepts, with and without the
fallback to the pure-Python parser.

Usage: python benchmarks/yaml_suite.py [SUITE_DIR] [-v]

SUITE_DIR defaults to ../shared/yaml-test-suite (``in/ID_in.yaml`` inputs, ``err_ids.txt``
naming the invalid ones). A case is accepted when every document of it reads without error.
``-v`` lists the cases behind each figure. tests/test_yaml_suite.py asserts the same figures,
case by case, with the reason for each valid case still rejected.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

from bcplint.load.yaml_stream import read_documents

DEFAULT = Path(__file__).resolve().parent.parent.parent / "shared" / "yaml-test-suite"


def accepted(path: Path, *, fallback: bool) -> bool:
    text = path.read_bytes().decode("utf-8-sig")
    with warnings.catch_warnings():  # YAML 1.1 floats make ruamel warn; not a verdict
        warnings.simplefilter("ignore")
        return read_documents(text, fallback=fallback)[1] is None


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    args = [a for a in argv if a != "-v"]
    suite = Path(args[0]) if args else DEFAULT
    if not (suite / "err_ids.txt").is_file():
        print(f"no YAML test suite at {suite}", file=sys.stderr)
        return 2
    invalid = set((suite / "err_ids.txt").read_text().split())
    cases = {p.name.removesuffix("_in.yaml"): p for p in sorted((suite / "in").glob("*_in.yaml"))}
    before = {case for case, path in cases.items() if accepted(path, fallback=False)}
    after = {case for case, path in cases.items() if accepted(path, fallback=True)}
    valid = set(cases) - invalid
    c_valid, fallback_valid = len(before & valid), len(after & valid)
    c_rej, fallback_rej = len(invalid - before), len(invalid - after)
    print(f"valid cases accepted:   C parser alone {c_valid}/{len(valid)}, with fallback {fallback_valid}/{len(valid)}")
    print(f"invalid cases rejected: C parser alone {c_rej}/{len(invalid)}, with fallback {fallback_rej}/{len(invalid)}")
    print(f"invalid cases the fallback accepts that the C parser rejects: {len((after - before) & invalid)}")
    if verbose:
        print("valid, still rejected:", " ".join(sorted(valid - after)))
        print("invalid, accepted (by the C parser):", " ".join(sorted(invalid & after)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
