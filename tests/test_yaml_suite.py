"""Issue 11, "valid YAML is never a parse error": the public YAML test suite through bcplint's loader.

libyaml (the fast C parser) implements YAML 1.1 and rejects some valid YAML 1.2; what it
rejects is read again by ruamel's pure-Python parser (bcplint/load/yaml_stream.py). These tests pin
the result case by case: the valid cases still rejected, each with its reason, and the invalid
cases accepted (all of them libyaml's leniencies, none the fallback's). A change that accepts
or rejects one more case fails here and must update the tables with a reason.
``python benchmarks/yaml_suite.py`` prints the figures (C parser alone against the fallback).
"""

from __future__ import annotations

import time
import warnings

import pytest

from bcplint.load.parse import load_file
from bcplint.load.positions import PositionIndex
from bcplint.load.yaml_stream import MAX_DEPTH, PURE_MAX_CHARS, read_documents
from tests.conftest import REPO_ROOT

SUITE = REPO_ROOT.parent / "shared" / "yaml-test-suite"

# (why it is rejected, a fragment of the message bcplint gives)
TAG = ("by design: an application tag (!foo, tag:example.com,...); documents are plain data", "tags that build objects")
COLLECTION_KEY = ("by design: a collection used as a mapping key; keys are field names", "keys must be plain names")
EMPTY_KEYS = ("by design: two empty keys in one mapping are the same key twice", "duplicate key")
TABS = ("limitation: a tab that libyaml and ruamel's pure parser both refuse", "tab")
FLOW = ("limitation: a flow form that neither parser reads (multi-line or empty implicit keys)", "while parsing a flow")
BARE = ("limitation: a stream of only '...' markers, or bare documents after '...'", "did not find expected")
YAML_1_3 = ("limitation: a %YAML 1.3 directive (a YAML 1.2 parser should read it with a warning)", "incompatible YAML")
VALID_REJECTED: dict[str, tuple[str, str]] = {
    **dict.fromkeys(
        ["5TYM", "6CK3", "6WLZ", "7FWL", "9WXW", "C4HZ", "CC74", "CUP7", "M5C3", "P76L", "UGM3", "Z67P", "Z9M4"], TAG
    ),
    **dict.fromkeys(
        ["4FJ6", "6BFJ", "6PBE", "9MMW", "KK5P", "LX3P", "M2N8_01", "M5DY", "Q9WF", "RZP5", "SBG9", "V9D5", "X38W"],
        COLLECTION_KEY,
    ),
    **dict.fromkeys(["XW4D", "M2N8_00"], COLLECTION_KEY),
    "2JQS": EMPTY_KEYS,
    **dict.fromkeys(["6BCT", "6CA3", "A2M4", "DK95_00", "DK95_03", "DK95_04", "Q5MG", "R4YG", "Y79Y_010"], TABS),
    **dict.fromkeys(
        ["4MUZ_00", "4MUZ_01", "4MUZ_02", "5MUD", "9SA2", "CFD4", "K3WX", "NJ66", "UT92", "VJP3_01", "WZ62"], FLOW
    ),
    **dict.fromkeys(["HWV9", "QT73", "M7A3"], BARE),
    "BEC7": YAML_1_3,
}

# Invalid cases libyaml reads anyway (the fallback never runs for them). Each reading is what
# the author evidently meant; refusing them would take a second, slow parse of every file.
INVALID_ACCEPTED: dict[str, str] = {
    "9C9N": "flow sequence lines less indented than their key",
    "QB6E": "quoted scalar lines less indented than their key",
    "DK95_01": "a tab indenting the continuation of a quoted scalar",
    "Y79Y_003": "a tab indenting an entry of a flow sequence",
    "9JBA": "a comment not separated by a space (after ']')",
    "CVW2": "a comment not separated by a space (after ',')",
    "SU5Z": "a comment not separated by a space (after a quoted scalar)",
    "X4QW": "a comment not separated by a space (after '>')",
    "MUS6_00": "a comment not separated by a space (after a %YAML directive)",
    "EB22": "a directive after a document not ended by '...'",
    "RHX7": "a directive after a document not ended by '...'",
    "MUS6_01": "a second %YAML directive after a document not ended by '...'",
    "G5U8": "'-' as a plain scalar in a flow sequence",
    "YJV2": "'-' as a plain scalar in a flow sequence",
    "S98Z": "a block scalar whose leading blank lines are indented more than its first line",
}


def suite_cases() -> tuple[set[str], dict[str, bytes]]:
    if not (SUITE / "err_ids.txt").is_file():
        pytest.skip(f"the YAML test suite is not at {SUITE} (it lives in the shared folder beside the checkout)")
    invalid = set((SUITE / "err_ids.txt").read_text().split())
    cases = {p.name.removesuffix("_in.yaml"): p.read_bytes() for p in sorted((SUITE / "in").glob("*_in.yaml"))}
    return invalid, cases


def problems() -> tuple[set[str], dict[str, str | None]]:
    """Each case's BCP001 message through the whole loader (None: read without a problem)."""
    invalid, cases = suite_cases()
    with warnings.catch_warnings():  # ruamel warns on YAML 1.1 floats; test_hostile covers that leak
        warnings.simplefilter("ignore")
        loaded = {case: load_file("case.yaml", content, explicit=True) for case, content in cases.items()}
    return invalid, {case: f.problem.message if f.problem else None for case, f in loaded.items()}


def test_valid_cases_still_rejected_are_exactly_the_documented_ones() -> None:
    invalid, messages = problems()
    rejected = {case: message for case, message in messages.items() if case not in invalid and message is not None}
    assert sorted(rejected) == sorted(VALID_REJECTED)
    for case, message in rejected.items():
        assert VALID_REJECTED[case][1] in message, (case, message)
    valid = len(messages) - len(invalid)
    assert (valid, valid - len(rejected)) == (308, 255)  # libyaml alone accepts 225


def test_no_invalid_case_is_accepted_unless_listed() -> None:
    invalid, messages = problems()
    accepted = {case for case in invalid if messages[case] is None}
    assert sorted(accepted) == sorted(INVALID_ACCEPTED)
    assert (len(invalid), len(invalid) - len(accepted)) == (94, 79)


def test_the_fallback_accepts_no_invalid_case_the_c_parser_rejects() -> None:
    invalid, cases = suite_cases()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for case in sorted(invalid):
            text = cases[case].decode("utf-8-sig")
            c_error = read_documents(text, fallback=False)[1]
            if c_error is not None:
                assert read_documents(text)[1] is not None, case


# --- the fallback in plan files -------------------------------------------------------------

# libyaml rejects a URL as a plain value in a flow mapping (YAML 1.2 allows it), and a tab
# at the start of a block scalar's line; both are things people write.
ONLY_PURE = """\
apiVersion: bcplint/v1
kind: Service
name: shop
criticality: critical
recovery: { procedure: https://wiki.example.com/shop }
depends_on: [db]
---
apiVersion: bcplint/v1
kind: System
name: db
criticality: critical
title: |-
 \tDatabase
rto: 5x
"""


def test_a_plan_only_the_pure_parser_reads_is_loaded_with_right_positions() -> None:
    assert read_documents(ONLY_PURE, fallback=False)[1] is not None  # libyaml alone: a parse error
    loaded = load_file("bcp/shop.yaml", ONLY_PURE.encode())
    assert loaded.problem is None
    assert [d.data["name"] for d in loaded.documents] == ["shop", "db"]
    assert loaded.documents[0].data["recovery"] == {"procedure": "https://wiki.example.com/shop"}
    assert loaded.documents[1].data["title"] == "\tDatabase"
    positions = PositionIndex()
    source = loaded.documents[0].source
    assert positions.locate(source, 0, ("recovery", "procedure")) == (5, 24)
    assert positions.locate(source, 0, ("depends_on", 0)) == (6, 14)
    assert positions.locate(source, 1, ("rto",)) == (14, 6)
    assert positions.locate(source, 1, ("criticality",), key=True) == (11, 1)


def test_an_error_both_parsers_see_is_reported_where_the_c_parser_saw_it() -> None:
    text = "apiVersion: bcplint/v1\nkind: Service\nname: a\nowner: [unclosed\n"
    loaded = load_file("bcp/a.yaml", text.encode())
    assert loaded.problem is not None
    assert (loaded.problem.line, loaded.problem.column) == (4, 8)
    assert "while parsing a flow sequence" in loaded.problem.message


def test_the_error_further_into_the_text_wins() -> None:
    """libyaml stops at the flow mapping (line 8); the pure parser reads past it and stops at
    the duplicate key (line 13): that is the problem to fix, and documents before it are kept."""
    text = (
        "apiVersion: bcplint/v1\nkind: Contact\nname: a\n---\n"
        "apiVersion: bcplint/v1\nkind: Contact\nname: b\nemail: {to: mailto:b@example.com}\n---\n"
        "apiVersion: bcplint/v1\nkind: Contact\nname: c\nname: d\n"
    )
    loaded = load_file("bcp/c.yaml", text.encode())
    assert loaded.problem is not None
    assert (loaded.problem.line, loaded.problem.column) == (13, 1)
    assert "duplicate key" in loaded.problem.message
    assert [d.data["name"] for d in loaded.documents] == ["a", "b"]


# libyaml stops at the URL on line 4, so these reach the pure parser, whose composer recurses
# in Python and whose scanner is quadratic in the depth of flow collections.
PURE_PATH_HEAD = "apiVersion: bcplint/v1\nkind: Plan\nname: x\nowner: {u: http://x.org}\n"


@pytest.mark.parametrize(
    ("body", "position"),
    [
        ("scope: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), (5, 8 + MAX_DEPTH)),
        ("scope: " + "[" * 120_000 + "]" * 120_000, (5, 8 + MAX_DEPTH)),
        ("scope:\n" + "- " * (MAX_DEPTH + 1) + "x", (6, 2 * MAX_DEPTH - 1)),
        ("scope:\n" + "- " * 100_000 + "x", (6, 2 * MAX_DEPTH - 1)),
    ],
    ids=["flow", "flow-120000", "block", "block-100000"],
)
def test_depth_guard_holds_on_the_pure_path(body: str, position: tuple[int, int]) -> None:
    text = PURE_PATH_HEAD + body + "\n"
    assert read_documents(text, fallback=False)[1] is not None  # libyaml alone: a parse error
    start = time.monotonic()
    loaded = load_file("bcp/deep.yaml", text.encode())
    assert time.monotonic() - start < 5
    assert loaded.problem is not None
    assert loaded.problem.message.startswith(f"collections are nested more than {MAX_DEPTH} levels deep")
    assert (loaded.problem.line, loaded.problem.column) == position


def test_nesting_too_deep_for_python_on_the_pure_path_is_a_clear_problem() -> None:
    """Within the guard but beyond what the recursive composer can hold: as on the C path."""
    depth = MAX_DEPTH // 2
    loaded = load_file("bcp/deep.yaml", (PURE_PATH_HEAD + "scope: " + "[" * depth + "]" * depth + "\n").encode())
    assert loaded.problem is not None
    assert loaded.problem.message == "structure is nested too deeply to be a bcplint document"
    same_on_the_c_path = load_file(
        "bcp/deep.yaml", ("scope: " + "[" * depth + "]" * depth + "\n").encode(), explicit=True
    )
    assert same_on_the_c_path.problem is not None
    assert same_on_the_c_path.problem.message == loaded.problem.message


@pytest.mark.slow
def test_texts_over_the_limit_are_not_read_twice() -> None:
    """The pure parser reads about 170 KB a second: a large text the C parser rejects keeps the
    C parser's error rather than costing many seconds; just under the limit, it is read."""
    contact = "apiVersion: bcplint/v1\nkind: Contact\nname: c{i}\nemail: c@example.com\n---\n"
    tail = "apiVersion: bcplint/v1\nkind: Contact\nname: last\nemail: {to: mailto:x@example.com}\n"
    body = "".join(contact.format(i=i) for i in range(PURE_MAX_CHARS // len(contact) + 10))
    start = time.monotonic()
    over = load_file("bcp/many.yaml", (body + tail).encode())
    assert time.monotonic() - start < 5
    assert over.problem is not None and "while scanning a plain scalar" in over.problem.message
    under_text = body[: PURE_MAX_CHARS - len(tail) - 100].rpartition("---\n")[0] + "---\n" + tail
    assert len(under_text) <= PURE_MAX_CHARS
    under = load_file("bcp/many.yaml", under_text.encode())
    assert under.problem is None
    assert under.documents[-1].data["email"] == {"to": "mailto:x@example.com"}
