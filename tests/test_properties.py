"""Property-based tests: whatever the bytes, loading never raises; whatever the mutation of a
valid plan, the whole pipeline (load, validate, rules, every formatter) never raises and every
finding points at a real place in a real file.

Reproducible in CI: ``derandomize=True`` and no example database. The two costliest properties
run twice: a quick variant in the everyday loop (``-m "not slow"``), every example in CI.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from bcplint.engine.run import Run, check
from bcplint.findings import LintResult
from bcplint.load.config import LoadedConfig
from bcplint.load.parse import LoadedFile, load_file
from bcplint.load.yaml_stream import load_all
from bcplint.model.validate import validate
from bcplint.packs.selection import select_rules
from bcplint.report import FORMATTERS, ReportOptions
from bcplint.workspace.documents import build_workspace
from tests.conftest import EXAMPLES, REPO_ROOT, TODAY

COMMON = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

# --- (a) load_file never raises -------------------------------------------------------------

YAML_TOKENS = [
    "apiVersion: bcplint/v1\n", "apiVersion: bcplint/v2\n", "kind: Service\n", "kind: ", "name: ", "x", "cto",
    "criticality: critical\n", "rto: 4h\n", "depends_on: ", "- ", "  ", "    ", "\t", "\n", "\r\n", "\r", ": ",
    "[", "]", "{", "}", ", ", "'", '"', "\\", "|", "|-\n", ">", "? ", "&a ", "*a", "*b ", "<<: ", "!!str ",
    "!!python/object/apply:os.system ", "!!set ", "!!binary ", "!local ", "%YAML 1.1\n", "%TAG ! tag:x,2000:\n",
    "---\n", "...\n", "--- ", "# comment\n", "\x00", "\ufeff", "\x85", "\u2028", "é", "😀", "1: ",
    "true: ", "null: ", "~", "2026-02-30", "1e999", "0x1F", ".nan",
]  # fmt: skip

yamlish_text = st.lists(st.one_of(st.sampled_from(YAML_TOKENS), st.text(max_size=5)), max_size=60).map("".join)
paths = st.sampled_from(["plan.yaml", "plan.yml", "PLAN.YAML", "runbook.md", "notes.markdown"])


@contextmanager
def parser_warnings_ignored() -> Iterator[None]:
    """ruamel warns about some floats (``1e5``); that leak has its own test in test_hostile.py.

    Here it must not count as "raising" under pytest's ``filterwarnings = error``.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def assert_loaded_sanely(loaded: LoadedFile, content: bytes) -> None:
    assert isinstance(loaded, LoadedFile)
    for document in loaded.documents:
        assert isinstance(document.data, dict)
    if loaded.problem is not None:
        assert loaded.problem.line >= 1 and loaded.problem.column >= 1
        text = content.decode("utf-8", "replace")
        assert loaded.problem.line <= len(text.splitlines()) + 1, (loaded.problem, content[:200])
        assert loaded.problem.message


def load_yamlish(text: str, path: str, explicit: bool) -> None:
    content = text.encode("utf-8", "surrogatepass")
    with parser_warnings_ignored():
        loaded = load_file(path, content, explicit=explicit)
    assert_loaded_sanely(loaded, content)


@settings(COMMON, max_examples=100)
@given(text=yamlish_text, path=paths, explicit=st.booleans())
def test_yamlish_text_never_makes_load_file_raise(text: str, path: str, explicit: bool) -> None:
    load_yamlish(text, path, explicit)


@pytest.mark.slow
@settings(COMMON, max_examples=800)
@given(text=yamlish_text, path=paths, explicit=st.booleans())
def test_yamlish_text_never_makes_load_file_raise_exhaustively(text: str, path: str, explicit: bool) -> None:
    load_yamlish(text, path, explicit)


@settings(COMMON, max_examples=300)
@given(content=st.binary(max_size=400), path=paths, explicit=st.booleans(), prefix=st.booleans())
def test_random_bytes_never_make_load_file_raise(content: bytes, path: str, explicit: bool, prefix: bool) -> None:
    if prefix:  # make sure the bytes are parsed, not skipped for want of the marker
        content = b"apiVersion: bcplint/v1\n" + content
    with parser_warnings_ignored():
        loaded = load_file(path, content, explicit=explicit)
    assert_loaded_sanely(loaded, content)


WIDE = [(b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe\x00\x00", "utf-32-le")]


def outcome(loaded: LoadedFile) -> tuple[Any, ...]:
    problem = loaded.problem
    return (
        [(d.index, d.data) for d in loaded.documents],
        (problem.line, problem.column, problem.message) if problem else None,
        loaded.notes,
    )


@settings(COMMON, max_examples=300)
@given(text=yamlish_text.filter(lambda t: not any(0xD800 <= ord(c) <= 0xDFFF for c in t)), path=paths)
def test_utf16_and_utf32_read_exactly_like_utf8(text: str, path: str) -> None:
    """The same text saved as UTF-16 or UTF-32 with a BOM (YAML allows both) gives the same
    documents, the same problem at the same line and column, the same notes, as UTF-8."""
    with parser_warnings_ignored():
        for explicit in (False, True):
            expected = outcome(load_file(path, b"\xef\xbb\xbf" + text.encode("utf-8"), explicit=explicit))
            for bom, codec in WIDE:
                if codec == "utf-16-le" and text.startswith("\x00"):
                    continue  # FF FE 00 00 is UTF-32's BOM (YAML 1.2 §5.2): NUL is no YAML text anyway
                assert outcome(load_file(path, bom + text.encode(codec), explicit=explicit)) == expected, codec


@settings(COMMON, max_examples=200)
@given(content=st.binary(max_size=300), bom=st.sampled_from([bom for bom, _ in WIDE]), explicit=st.booleans())
def test_random_bytes_after_a_wide_bom_never_make_load_file_raise(content: bytes, bom: bytes, explicit: bool) -> None:
    with parser_warnings_ignored():
        loaded = load_file("plan.yaml", bom + content, explicit=explicit)
    assert isinstance(loaded, LoadedFile)
    if loaded.problem is not None:
        assert loaded.problem.line >= 1 and loaded.problem.column >= 1 and loaded.problem.message


@settings(COMMON, max_examples=100)
@given(names=st.lists(st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True), min_size=1, max_size=20))
def test_a_list_of_plan_documents_is_one_problem_at_the_list(names: list[str]) -> None:
    """However many documents a YAML list holds, it is one document with one schema problem."""
    text = "".join(f"- apiVersion: bcplint/v1\n  kind: Contact\n  name: {name}\n" for name in names)
    loaded = load_file("bcp/list.yaml", text.encode())
    assert loaded.problem is None
    [document] = loaded.documents
    model, problems = validate(document.data)
    assert model is None
    assert [p.field for p in problems] == [()]
    assert f"a YAML list of {len(names)} item(s) holding plan documents" in problems[0].message


# --- (b) mutated plans through the whole pipeline --------------------------------------------

WORKSPACE = EXAMPLES / "complete"
ORIGINALS: dict[str, bytes] = {
    p.relative_to(WORKSPACE).as_posix(): p.read_bytes() for p in sorted((WORKSPACE / "bcp").rglob("*.yaml"))
}
LOADED = {path: load_file(path, content) for path, content in ORIGINALS.items()}
RULES = select_rules(LoadedConfig(), cwd=REPO_ROOT).rules
DAY = dt.date.fromisoformat(TODAY)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(),
    st.text(max_size=20),
    st.sampled_from(["4h", "PT4H", "1mo", "critical", "cto", "aws", "2026-01-01", "2026-13-45", "", "-", "*"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=8), st.integers(-3, 3), st.booleans()), inner, max_size=4),
    ),
    max_leaves=12,
)
inserted = st.text(alphabet=st.sampled_from(list(":-[]{}#&*!|>'\"%@`, \t\n\r\\?~\x00\ufeffaé")), min_size=1, max_size=8)
_KEY_LINE = re.compile(r"^[ \t-]*[\w\"']+[\w\"' -]*:", re.MULTILINE)


def nodes(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths to every value in ``data`` (mappings by key, sequences by index)."""
    found = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            found += nodes(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += nodes(value, (*path, i))
    return found


def at(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def dump(documents: list[Any]) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    stream = io.StringIO()
    yaml.dump_all(documents, stream)
    return stream.getvalue()


@st.composite
def mutated_workspace(draw: st.DrawFn) -> tuple[str, bytes]:
    """One example file, mutated once: (its path, its new content)."""
    path = draw(st.sampled_from(sorted(ORIGINALS)))
    text = ORIGINALS[path].decode("utf-8")
    operation = draw(st.sampled_from(["delete", "change", "rename", "duplicate", "truncate", "insert", "change-twice"]))
    if operation in ("delete", "change", "rename", "change-twice"):
        documents = list(load_all(text))
        for _ in range(2 if operation == "change-twice" else 1):
            doc_index = draw(st.integers(0, len(documents) - 1))
            data = documents[doc_index]
            if operation in {"change", "change-twice"}:
                target = draw(st.sampled_from(nodes(data)))
                if target:
                    at(data, target[:-1])[target[-1]] = draw(values)
                else:
                    documents[doc_index] = draw(values)
                continue
            mappings = [p for p in nodes(data) if isinstance(at(data, p), dict) and at(data, p)]
            if not mappings:
                continue
            mapping = at(data, draw(st.sampled_from(mappings)))
            key = draw(st.sampled_from(list(mapping)))
            value = mapping.pop(key)
            if operation == "rename":
                new_key = draw(st.one_of(st.text(max_size=10), st.sampled_from([f"{key}x", str(key)[:-1], "rtoo"])))
                mapping[new_key] = value
        return path, dump(documents).encode("utf-8")
    if operation == "duplicate":
        lines = [m.start() for m in _KEY_LINE.finditer(text)]
        start = draw(st.sampled_from(lines))
        end = text.find("\n", start) + 1 or len(text)
        return path, (text[:end] + text[start:end] + text[end:]).encode("utf-8")
    cut = draw(st.integers(0, len(text)))
    if operation == "truncate":
        return path, text[:cut].encode("utf-8")
    return path, (text[:cut] + draw(inserted) + text[cut:]).encode("utf-8")


def run_pipeline(files: list[LoadedFile]) -> LintResult:
    result = check(Run(rules=RULES, today=DAY, record_checks=True, assess_maturity=True), build_workspace(files, DAY))
    for name, formatter in FORMATTERS.items():
        stream = io.StringIO()
        formatter(result, stream, ReportOptions())
        # GitHub annotations are the one format that is empty when there is nothing to say.
        assert stream.getvalue() or (name == "github" and not result.findings), f"the {name} formatter wrote nothing"
    return result


def test_unmutated_example_is_clean() -> None:
    """The baseline the mutations start from: the complete example has no active finding,
    only the two waived ones its README explains."""
    result = run_pipeline(list(LOADED.values()))
    assert result.active() == ()
    assert [(f.rule_id, f.document, f.waiver_kind) for f in result.findings] == [
        ("BCP603", "checkout-failover-2026-09", "waiver"),
        ("BCP405", "orders-db", "waiver"),
    ]
    assert result.documents_checked >= 10


def check_mutation(mutation: tuple[str, bytes]) -> None:
    """The whole pipeline on the example with one file mutated: no exception, and every finding
    at a real line of a real file."""
    mutated_path, content = mutation
    with parser_warnings_ignored():
        files = [load_file(path, content) if path == mutated_path else loaded for path, loaded in LOADED.items()]
        result = run_pipeline(files)
    line_counts = {
        path: len((content if path == mutated_path else ORIGINALS[path]).decode("utf-8", "replace").splitlines())
        for path in ORIGINALS
    }
    for finding in result.findings:
        assert finding.path in line_counts, finding
        assert finding.line >= 1 and finding.column >= 1, finding
        assert finding.line <= line_counts[finding.path] + 1, finding
    assert result.files_checked <= len(ORIGINALS)


@settings(COMMON, max_examples=30)
@given(mutation=mutated_workspace())
def test_mutated_plans_never_break_the_pipeline(mutation: tuple[str, bytes]) -> None:
    check_mutation(mutation)


@pytest.mark.slow
@settings(COMMON, max_examples=300)
@given(mutation=mutated_workspace())
def test_mutated_plans_never_break_the_pipeline_exhaustively(mutation: tuple[str, bytes]) -> None:
    check_mutation(mutation)


def test_examples_exist() -> None:
    assert len(ORIGINALS) >= 8, f"expected the complete example under {WORKSPACE}"
    assert all(Path(WORKSPACE, p).is_file() for p in ORIGINALS)
