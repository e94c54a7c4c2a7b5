"""Hostile input (DESIGN §8): never a crash, a hang, a traceback or unbounded memory.

Every hostile file is put next to a valid plan file (``bcp/helpdesk.yaml``, whose critical
service has no RTO), so each test also proves that the rest of the workspace is still checked.
Inputs that could kill or hang the interpreter run in a real ``python -m bcplint`` subprocess
with a timeout (and, for alias bombs, an address-space limit and a peak-memory assertion).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from bcplint.git.runner import toplevel
from tests.conftest import REPO_ROOT, TODAY, Run, git, write

COMPANION = "bcp/helpdesk.yaml"
COMPANION_TEXT = """\
apiVersion: bcplint/v1
kind: Service
name: helpdesk
owner: cto
criticality: critical
---
apiVersion: bcplint/v1
kind: Contact
name: cto
"""
COMPANION_DOCUMENTS = 2
HEAD = "apiVersion: bcplint/v1\nkind: Service\nname: {name}\ncriticality: low\n"  # 4 lines
MAX_MESSAGE = 1000  # characters; a message quotes values, it must not quote megabytes
GIB = 2**30


def workspace(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """The companion plan plus the hostile ``files`` (paths relative to ``root``), in a
    workspace rooted at ``root`` by an empty configuration file (reports name files from there)."""
    write(root, ".bcplint.yaml", "")
    write(root, COMPANION, COMPANION_TEXT)
    for relative, content in files.items():
        write(root, relative, content)
    return root


# --- running --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str
    max_rss_bytes: int = 0
    in_process: bool = False

    @property
    def report(self) -> dict[str, Any]:
        return json.loads(self.out)  # type: ignore[no-any-return]


def check_in_process(bcplint: Callable[..., Run], root: Path, *paths: str) -> Result:
    run = bcplint("check", *(paths or (".",)), "--today", TODAY, "--format", "json", "--no-color", cwd=root)
    return Result(run.code, run.out, run.err, in_process=True)


_LIMITED = (
    "import resource, runpy, sys; limit = int(sys.argv.pop(1)); "
    "resource.setrlimit(resource.RLIMIT_AS, (limit, limit)); sys.argv[0] = 'bcplint'; "
    "runpy.run_module('bcplint', run_name='__main__', alter_sys=True)"
)


def check_subprocess(
    root: Path, *paths: str, timeout: float = 20, memory_limit: int | None = None, output_format: str = "json"
) -> Result:
    """``python -m bcplint check`` in a child process; fail the test if it outlives ``timeout``.

    The child is reaped with ``os.wait4`` to read its peak resident memory.
    """

    command = ["check", *(paths or (".",)), "--today", TODAY, "--format", output_format]
    return run_subprocess(root, command, timeout=timeout, memory_limit=memory_limit)


def run_subprocess(root: Path, command: list[str], *, timeout: float = 20, memory_limit: int | None = None) -> Result:
    """``python -m bcplint COMMAND`` in ``root``; fail the test if it outlives ``timeout``."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "NO_COLOR": "1"}
    # The limit is set in the child itself (no preexec_fn: that is unsafe with threads).
    launcher = ["-m", "bcplint"] if memory_limit is None else ["-c", _LIMITED, str(memory_limit)]
    args = [sys.executable, *launcher, *command]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(args, cwd=root, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                proc.returncode = -9
                pytest.fail(f"bcplint did not finish within {timeout} s: {' '.join(command)}")
            time.sleep(0.02)
        code = os.waitstatus_to_exitcode(status)
        proc.returncode = code
        out.seek(0)
        err.seek(0)
        return Result(
            code,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            usage.ru_maxrss * 1024,  # kilobytes on Linux
        )


# --- assertions -----------------------------------------------------------------------------


def assert_clean_run(result: Result) -> None:
    """Exit 0 or 1 (never 2, never a signal), and nothing on standard error but bcplint's notes:
    no traceback, no warning of a library, no log line of RE2's.

    In a child process a traceback would land on standard error; in-process an exception would
    propagate and fail the test by itself, so there the notes-only check is what can still fail.
    """
    assert result.code in (0, 1), f"exit code {result.code}\nstdout: {result.out[-2000:]}\nstderr: {result.err[-2000:]}"
    stray = [line for line in result.err.splitlines() if not line.startswith("bcplint: note: ")]
    assert stray == [], f"standard error holds more than bcplint's notes:\n{result.err[-2000:]}"
    if not result.in_process:
        assert "Traceback" not in result.out


def assert_companion_checked(result: Result, extra_documents: int = 0) -> dict[str, Any]:
    report = result.report
    assert {"rule_id": "BCP201", "path": COMPANION, "line": 1, "column": 1} in [
        {k: f[k] for k in ("rule_id", "path", "line", "column")} for f in report["findings"]
    ], "the valid plan next to the hostile file must still be checked"
    assert report["summary"]["documents"] == COMPANION_DOCUMENTS + extra_documents
    assert result.code == 1  # the companion's BCP201 is an error
    return report


def findings_in(result: Result, path: str) -> list[dict[str, Any]]:
    return [f for f in result.report["findings"] if f["path"] == path]


def only_finding(result: Result, path: str, rule: str) -> dict[str, Any]:
    found = findings_in(result, path)
    assert [f["rule_id"] for f in found] == [rule], found
    return found[0]


def assert_bounded_messages(result: Result) -> None:
    for finding in result.report["findings"]:
        assert len(finding["message"]) < MAX_MESSAGE, finding["message"][:300] + "..."


# --- encodings and bytes --------------------------------------------------------------------


def test_invalid_utf8_is_a_parse_error_at_the_bad_byte(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    root = workspace(tmp_path, {"bcp/latin1.yaml": b"apiVersion: bcplint/v1\nkind: Contact\nname: caf\xe9\n"})
    result = check_in_process(bcplint, root)
    assert_clean_run(result)
    assert_companion_checked(result)
    finding = only_finding(result, "bcp/latin1.yaml", "BCP001")
    assert (finding["line"], finding["column"]) == (3, 10)
    assert "not valid UTF-8" in finding["message"] and "0xe9" in finding["message"]


def test_invalid_utf8_column_counts_characters_not_bytes(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    # A BOM and a two-byte character before the bad byte: the column is in characters.
    content = b"\xef\xbb\xbfapiVersion: bcplint/v1\nname: \xc3\xa9t\xe9\n"
    root = workspace(tmp_path, {"bcp/mixed.yaml": content})
    result = check_in_process(bcplint, root)
    assert_clean_run(result)
    finding = only_finding(result, "bcp/mixed.yaml", "BCP001")
    assert (finding["line"], finding["column"]) == (2, 9)


def test_binary_file_is_one_clear_finding(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + b"bcplint/" + bytes(range(256))
    root = workspace(tmp_path, {"bcp/diagram.yaml": png, "bcp/other-image.yaml": png.replace(b"bcplint/", b"")})
    result = check_in_process(bcplint, root)
    assert_clean_run(result)
    assert_companion_checked(result)
    finding = only_finding(result, "bcp/diagram.yaml", "BCP001")
    assert finding["line"] == 1 and finding["column"] == 1
    assert "UTF-8" in finding["message"] or "binary" in finding["message"]
    # Without the marker the binary file cannot be ours: silence.
    assert findings_in(result, "bcp/other-image.yaml") == []


def test_nul_bytes(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    content = "apiVersion: bcplint/v1\nkind: Contact\nname: é\x00b\n".encode()
    root = workspace(tmp_path, {"bcp/nul.yaml": content})
    result = check_in_process(bcplint, root)
    assert_clean_run(result)
    assert_companion_checked(result)
    finding = only_finding(result, "bcp/nul.yaml", "BCP001")
    assert (finding["line"], finding["column"]) == (3, 8)
    assert "#x0000" in finding["message"]


def test_wide_encodings_with_garbage_are_one_clear_finding(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    """A UTF-16/32 BOM followed by bytes that are not text in that encoding: one BCP001 at the
    place, naming the encoding; without a marker in the decoded text, silence."""
    utf16 = b"\xff\xfe" + "apiVersion: bcplint/v1\nname: x\n".encode("utf-16-le") + b"\x00\xdc" + bytes(range(256))
    utf32 = b"\x00\x00\xfe\xff" + "apiVersion: bcplint/v1\n".encode("utf-32-be") + b"\x7f\xff\xff\xff"
    root = workspace(
        tmp_path,
        {"bcp/u16.yaml": utf16, "bcp/u32.yaml": utf32, "bcp/noise.yaml": b"\xff\xfe" + bytes(range(256)) * 4},
    )
    result = check_in_process(bcplint, root)
    assert_clean_run(result)
    assert_companion_checked(result)
    u16 = only_finding(result, "bcp/u16.yaml", "BCP001")
    assert (u16["line"], u16["column"]) == (3, 1)
    assert u16["message"] == "file is not valid UTF-16 (bytes 00 dc); save it as UTF-8"
    u32 = only_finding(result, "bcp/u32.yaml", "BCP001")
    assert (u32["line"], u32["column"]) == (2, 1)
    assert "not valid UTF-32" in u32["message"]
    assert findings_in(result, "bcp/noise.yaml") == []


@pytest.mark.slow
def test_huge_utf16_file_and_huge_list_are_quick(tmp_path: Path) -> None:
    """Decoding a wide encoding and spotting a list of plans cost no more than reading UTF-8."""
    contact = "- apiVersion: bcplint/v1\n  kind: Contact\n  name: c{i}\n  email: c{i}@example.com\n"
    listed = "".join(contact.format(i=i) for i in range(60_000))  # about 4 MB
    wide = "apiVersion: bcplint/v1\nkind: Contact\nname: wide\ntitle: " + "w" * (2 * 2**20) + "\n"
    root = workspace(tmp_path, {"bcp/list.yaml": listed, "bcp/wide.yaml": b"\xff\xfe" + wide.encode("utf-16-le")})
    result = check_subprocess(root, timeout=30)
    assert_clean_run(result)
    assert_companion_checked(result, extra_documents=2)
    assert only_finding(result, "bcp/list.yaml", "BCP002")["line"] == 1
    assert_bounded_messages(result)


@pytest.mark.parametrize(
    "content",
    [b"", b"\n\n", b"   \n  \n", b"---\n", b"---\n...\n", b"# only a comment\n", b"\xef\xbb\xbf"],
    ids=["empty", "newlines", "blank", "document-marker", "end-marker", "comment", "bom-only"],
)
def test_empty_and_blank_files_are_silent(bcplint: Callable[..., Run], tmp_path: Path, content: bytes) -> None:
    root = workspace(tmp_path, {"bcp/empty.yaml": content, "bcp/empty.md": content})
    result = check_in_process(bcplint, root)
    assert_clean_run(result)
    assert_companion_checked(result)
    assert findings_in(result, "bcp/empty.yaml") == findings_in(result, "bcp/empty.md") == []
    assert result.report["summary"]["files"] == 1
    # Named explicitly, the empty file is parsed, yields nothing, and earns a note, not a finding.
    named = check_in_process(bcplint, root, "bcp/empty.yaml", COMPANION)
    assert_clean_run(named)
    assert_companion_checked(named)
    assert findings_in(named, "bcp/empty.yaml") == []
    assert "bcp/empty.yaml: holds no bcplint/v1 document" in named.err


def test_utf8_bom_does_not_shift_columns(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    bom = b"\xef\xbb\xbf"
    root = workspace(
        tmp_path,
        {
            "bcp/bom.yaml": bom + b"apiVersion: bcplint/v1\nkind: Service\nname: bom\ncriticality: urgent\n",
            "bcp/bom-v2.yaml": bom + b"apiVersion: bcplint/v2\nkind: Contact\nname: bom2\n",
            "bcp/bom.md": bom + b"---\napiVersion: bcplint/v1\nkind: Contact\nname: bom3\n---\n# prose\n",
        },
    )
    result = check_in_process(bcplint, root)
    assert_clean_run(result)
    assert_companion_checked(result, extra_documents=3)
    service = only_finding(result, "bcp/bom.yaml", "BCP002")
    assert (service["line"], service["column"]) == (4, 14)
    v2 = only_finding(result, "bcp/bom-v2.yaml", "BCP002")
    assert (v2["line"], v2["column"]) == (1, 13)
    assert findings_in(result, "bcp/bom.md") == []


# --- YAML structure -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "line", "column", "key"),
    [
        ("email: a@example.com\nemail: b@example.com\n", 6, 1, "email"),
        ("recovery:\n  steps: [a]\n  steps: [b]\n", 7, 3, "steps"),
        ("hosting: {provider: aws, provider: gcp}\n", 5, 26, "provider"),
    ],
    ids=["top-level", "nested", "flow"],
)
def test_duplicate_keys(
    bcplint: Callable[..., Run], tmp_path: Path, body: str, line: int, column: int, key: str
) -> None:
    root = workspace(tmp_path, {"bcp/dup.yaml": HEAD.format(name="dup").replace("Service", "System") + body})
    result = check_in_process(bcplint, root)
    assert_clean_run(result)
    assert_companion_checked(result)
    finding = only_finding(result, "bcp/dup.yaml", "BCP001")
    assert (finding["line"], finding["column"]) == (line, column)
    assert "duplicate key" in finding["message"] and key in finding["message"]


def test_python_tags_are_never_executed(tmp_path: Path) -> None:
    """Tags that would import a module or run a command are refused, not constructed.

    In a subprocess whose working directory (on ``sys.path`` with ``python -m``) holds a module
    that leaves a marker file when imported.
    """
    marker_import = tmp_path / "IMPORTED"
    marker_system = tmp_path / "SYSTEM-RAN"
    write(tmp_path, "hostile_payload.py", f"open({str(marker_import)!r}, 'w').close()\nvalue = 1\n")
    tags = {
        "apply": f'!!python/object/apply:os.system ["touch {marker_system}"]',
        "name": "!!python/name:hostile_payload.value",
        "module": "!!python/module:hostile_payload",
        "new": "!!python/object/new:hostile_payload.value",
        "object": "!!python/object:hostile_payload.value {}",
    }
    files = {
        f"bcp/{key}.yaml": f"apiVersion: bcplint/v1\nkind: Contact\nname: {key}\ntitle: {tag}\n"
        for key, tag in tags.items()
    }
    root = workspace(tmp_path, files)
    result = check_subprocess(root, timeout=20)
    assert not marker_system.exists(), "a !!python/object/apply tag ran a command"
    assert not marker_import.exists(), "a !!python tag imported a module"
    assert_clean_run(result)
    assert_companion_checked(result)
    for key in tags:
        finding = only_finding(result, f"bcp/{key}.yaml", "BCP001")
        assert (finding["line"], finding["column"]) == (4, 8), key
        assert "tags that build objects are not allowed" in finding["message"], key


def billion_laughs(levels: int = 9, width: int = 9) -> list[str]:
    """Lines of a block sequence ``&lol0 .. &lolN``, each alias repeated ``width`` times."""
    lines = ['  - &lol0 "lol"']
    for i in range(1, levels + 1):
        lines.append(f"  - &lol{i} [{', '.join([f'*lol{i - 1}'] * width)}]")
    return lines


def merge_bomb(levels: int = 9, width: int = 9) -> list[str]:
    """The same, with mappings merged (``<<``) into each other instead of sequences."""
    lines = ["  - &m0 {a: lol}"]
    for i in range(1, levels + 1):
        lines.append(f"  - &m{i} {{<<: [{', '.join([f'*m{i - 1}'] * width)}], k{i}: v}}")
    return lines


ALIAS_BOMBS = {
    # 9 levels of 9 references: 387,420,489 strings if expanded.
    "in-a-field": "\n".join([HEAD.format(name="bomb") + "x-anchors:", *billion_laughs(), "recovery: {steps: *lol9}"]),
    "under-unknown-keys": "\n".join([HEAD.format(name="bomb") + "lol:", *billion_laughs(), "boom: *lol9"]),
    "merge-keys": "\n".join([HEAD.format(name="bomb") + "x-anchors:", *merge_bomb(), "recovery: {<<: *m9}"]),
    "not-a-bcplint-document": "\n".join(
        ["# mentions bcplint/ but declares no apiVersion", "lol:", *billion_laughs(), "boom: *lol9"]
    ),
}


# A child interpreter each: the everyday loop keeps a sequence bomb and a merge-key bomb.
EVERYDAY_BOMBS = ("in-a-field", "merge-keys")


@pytest.mark.parametrize(
    "bomb", [pytest.param(b, marks=[] if b in EVERYDAY_BOMBS else [pytest.mark.slow]) for b in sorted(ALIAS_BOMBS)]
)
def test_alias_bomb_is_quick_and_bounded(tmp_path: Path, bomb: str) -> None:
    root = workspace(tmp_path, {"bcp/bomb.yaml": ALIAS_BOMBS[bomb] + "\n"})
    result = check_subprocess(root, timeout=10, memory_limit=GIB)
    assert_clean_run(result)
    assert result.max_rss_bytes < 500 * 2**20, f"peak memory {result.max_rss_bytes / 2**20:.0f} MB"
    assert_bounded_messages(result)
    found = findings_in(result, "bcp/bomb.yaml")
    if bomb == "not-a-bcplint-document":
        assert_companion_checked(result)
        assert found == []
        return
    assert_companion_checked(result, extra_documents=1)
    assert found, "the bomb document breaks the schema: it must be reported"
    assert {f["rule_id"] for f in found} <= {"BCP001", "BCP002"}
    assert all(1 <= f["line"] <= 16 for f in found)
    if bomb == "in-a-field":
        # The alias sits on line 16; its items are defined on lines 14 and 15.
        steps = [f for f in found if (f["field"] or "").startswith("recovery.steps")]
        assert steps and all(14 <= f["line"] <= 16 for f in steps)
    if bomb == "under-unknown-keys":
        unknown = {(f["line"], f["column"], f["message"].split(": ", 1)[1]) for f in found}
        assert unknown == {(5, 1, "unknown field 'lol'"), (16, 1, "unknown field 'boom'")}


# Documents nesting 50,000 levels deep: each opens its structure on line 5.
DEEP = 50_000
DEEP_NESTING = {
    "flow-sequences": HEAD.format(name="deep") + "depends_on: " + "[" * DEEP + "]" * DEEP + "\n",
    "flow-mappings": HEAD.format(name="deep") + "recovery: " + "{a: " * DEEP + "x" + "}" * DEEP + "\n",
    "unclosed-flow": HEAD.format(name="deep") + "depends_on: " + "[" * DEEP + "\n",
    # Compact block collections nest without brackets or indentation: `- - - x`, `? ? ? x`.
    "block-sequences": HEAD.format(name="deep") + "depends_on:\n  " + "- " * DEEP + "x\n",
    "complex-keys": HEAD.format(name="deep") + "recovery:\n  " + "? " * DEEP + "x\n",
}


# A child interpreter each. The flow shapes are refused before composing, so the everyday loop
# checks them in-process (below) and runs only the block shapes here; CI runs all five.
@pytest.mark.parametrize(
    "shape",
    [
        pytest.param(s, marks=[pytest.mark.slow] if s.startswith(("flow", "unclosed")) else [])
        for s in sorted(DEEP_NESTING)
    ],
)
def test_deep_nesting_never_crashes(tmp_path: Path, shape: str) -> None:
    root = workspace(tmp_path, {"bcp/deep.yaml": DEEP_NESTING[shape]})
    result = check_subprocess(root, timeout=20)
    assert result.code >= 0, f"bcplint was killed by signal {-result.code}"
    assert_clean_run(result)
    assert_companion_checked(result)
    finding = only_finding(result, "bcp/deep.yaml", "BCP001")
    assert "nested" in finding["message"] or shape == "unclosed-flow"


@pytest.mark.parametrize("shape", ["flow-sequences", "flow-mappings", "unclosed-flow"])
def test_deep_nesting_is_reported_on_its_line(bcplint: Callable[..., Run], tmp_path: Path, shape: str) -> None:
    """Flow nesting is refused before composing, so this is safe in-process."""
    root = workspace(tmp_path, {"bcp/deep.yaml": DEEP_NESTING[shape]})
    result = check_in_process(bcplint, root)
    assert_clean_run(result)
    finding = only_finding(result, "bcp/deep.yaml", "BCP001")
    assert finding["line"] == 5, "the structure that nests too deeply starts on line 5, not at the top of the file"


# --- size -----------------------------------------------------------------------------------

LONG = 2_000_000


def test_two_megabyte_value(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    text = HEAD.format(name="long") + f"title: {'x' * LONG}\nrtoo: 4h\n"
    root = workspace(tmp_path, {"bcp/long.yaml": text})
    result = check_in_process(bcplint, root)
    assert_clean_run(result)
    assert_companion_checked(result, extra_documents=1)
    finding = [f for f in findings_in(result, "bcp/long.yaml") if f["rule_id"] == "BCP002"]
    assert [(f["line"], f["column"]) for f in finding] == [(6, 1)]
    assert_bounded_messages(result)


def test_two_megabyte_key(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    text = HEAD.format(name="longkey") + f"{'k' * LONG}: 1\n"
    root = workspace(tmp_path, {"bcp/long.yaml": text})
    result = check_in_process(bcplint, root)
    assert_clean_run(result)
    found = [f for f in findings_in(result, "bcp/long.yaml") if f["rule_id"] in ("BCP001", "BCP002")]
    assert len(found) == 1
    assert_companion_checked(result, extra_documents=0 if found[0]["rule_id"] == "BCP001" else 1)
    assert found[0]["line"] == 5
    assert_bounded_messages(result)
    assert len(result.out) < 20_000, "the key must not be copied into the report"


def test_two_megabyte_name_is_not_copied_into_messages(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    text = HEAD.format(name="n" * LONG) + "rtoo: 4h\n"
    root = workspace(tmp_path, {"bcp/long.yaml": text})
    result = check_in_process(bcplint, root)
    assert_clean_run(result)
    assert_companion_checked(result, extra_documents=1)
    # The over-long name itself (3:7) and the unknown field after it (5:1).
    assert [(f["line"], f["column"]) for f in findings_in(result, "bcp/long.yaml") if f["rule_id"] == "BCP002"] == [
        (3, 7),
        (5, 1),
    ]
    assert_bounded_messages(result)


@pytest.mark.slow
def test_fifty_megabyte_file(tmp_path: Path) -> None:
    """About 180,000 small, valid Contact documents in one file: checked, and in time."""
    title = "Keeps the runbooks current and joins the incident bridge within fifteen minutes of a page"
    documents, size, parts = 0, 0, []
    while size < 50 * 2**20:
        part = (
            f"apiVersion: bcplint/v1\nkind: Contact\nname: person-{documents:06d}\ntitle: {title}\n"
            f"role: on-call engineer for the storefront and its suppliers\n"
            f"email: person-{documents:06d}@example.com\nphone: '+1-555-{documents % 10000:04d}'\n"
        )
        parts.append(part)
        size += len(part) + 4
        documents += 1
    root = workspace(tmp_path, {"bcp/contacts.yaml": "---\n".join(parts)})
    assert (root / "bcp/contacts.yaml").stat().st_size >= 50 * 2**20
    result = check_subprocess(root, timeout=60)
    assert_clean_run(result)
    assert_companion_checked(result, extra_documents=documents)
    assert findings_in(result, "bcp/contacts.yaml") == []
    assert result.report["summary"]["files"] == 2


# --- syntax a user gets wrong ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "line"),
    [("\ttitle: x\n", 5), ("recovery:\n\tsteps: [a]\n", 6), ("recovery:\n  steps:\n\t- a\n", 7)],
    ids=["top-level", "nested", "sequence"],
)
def test_tabs_for_indentation(bcplint: Callable[..., Run], tmp_path: Path, body: str, line: int) -> None:
    root = workspace(tmp_path, {"bcp/tabs.yaml": HEAD.format(name="tabs") + body})
    result = check_in_process(bcplint, root)
    assert_clean_run(result)
    assert_companion_checked(result)
    finding = only_finding(result, "bcp/tabs.yaml", "BCP001")
    assert (finding["line"], finding["column"]) == (line, 1)
    assert "tab" in finding["message"]


def test_tabs_inside_values_are_fine(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    root = workspace(tmp_path, {"bcp/tabs.yaml": HEAD.format(name="tabs") + "title:\ta\tb\n"})
    result = check_in_process(bcplint, root)
    assert_clean_run(result)
    assert_companion_checked(result, extra_documents=1)
    assert "BCP001" not in {f["rule_id"] for f in findings_in(result, "bcp/tabs.yaml")}


def test_blank_line_holding_a_tab_is_reported_clearly(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    """Editor residue: YAML 1.2 allows a tab on a blank line, but libyaml (the C parser under
    ruamel.yaml) rejects it. bcplint cannot parse past it, so it says exactly where it is."""
    text = "apiVersion: bcplint/v1\nkind: Service\n\t\nname: residue\ncriticality: urgent\n"
    root = workspace(tmp_path, {"bcp/residue.yaml": text})
    result = check_in_process(bcplint, root)
    assert_clean_run(result)
    assert_companion_checked(result, extra_documents=0)
    finding = only_finding(result, "bcp/residue.yaml", "BCP001")
    assert (finding["line"], finding["column"]) == (3, 1)
    assert "tab character" in finding["message"]


def test_unsupported_api_version(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    root = workspace(tmp_path, {"bcp/v2.yaml": "apiVersion: bcplint/v2\nkind: Contact\nname: future\n"})
    result = check_in_process(bcplint, root)
    assert_clean_run(result)
    assert_companion_checked(result, extra_documents=1)
    finding = only_finding(result, "bcp/v2.yaml", "BCP002")
    assert (finding["line"], finding["column"]) == (1, 13)
    assert "unsupported apiVersion 'bcplint/v2'" in finding["message"] and "bcplint/v1" in finding["message"]


def test_top_level_list_of_documents_is_one_finding_at_the_list(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    """Issue 11: a list of plan documents was skipped without a word. Now one BCP002 at the
    list (counted as one broken document), naming the fix; a list of other things stays silent."""
    text = "# the whole plan\n- apiVersion: bcplint/v1\n  kind: Contact\n  name: listed\n- kind: Service\n  name: x\n"
    root = workspace(tmp_path, {"bcp/list.yaml": text, "bcp/other-list.yaml": "- bcplint/v1\n- {kind: Deployment}\n"})
    result = check_in_process(bcplint, root)
    assert_clean_run(result)
    assert_companion_checked(result, extra_documents=1)
    finding = only_finding(result, "bcp/list.yaml", "BCP002")
    assert (finding["line"], finding["column"]) == (2, 1)
    assert "a YAML list of 2 item(s) holding plan documents is not read" in finding["message"]
    assert "separated by '---' lines" in finding["message"]
    assert findings_in(result, "bcp/other-list.yaml") == []


def test_bare_scalar_documents_are_not_ours(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    text = "--- bcplint/v1\n--- 42\n---\napiVersion: bcplint/v1\nkind: Service\nname: after\ncriticality: urgent\n"
    root = workspace(tmp_path, {"bcp/scalar.yaml": text, "bcp/only-scalar.yaml": "just text about bcplint/v1\n"})
    result = check_in_process(bcplint, root)
    assert_clean_run(result)
    assert_companion_checked(result, extra_documents=1)
    finding = only_finding(result, "bcp/scalar.yaml", "BCP002")
    assert (finding["line"], finding["column"]) == (7, 14)
    assert findings_in(result, "bcp/only-scalar.yaml") == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("1: x\n", [(5, "1")]),
        ("true: y\n", [(5, "true")]),
        ("null: z\n", [(5, "null")]),
        ("1: x\ntrue: y\nnull: z\n", [(5, "1"), (6, "true"), (7, "null")]),
    ],
    ids=["int", "bool", "null", "all-three"],
)
def test_non_string_keys(
    bcplint: Callable[..., Run], tmp_path: Path, body: str, expected: list[tuple[int, str]]
) -> None:
    """Keys are names as written: ``1``, ``true`` and ``null`` are unknown fields at that key.

    ``1`` and ``true`` are different keys as written, so together they are not duplicates.
    """
    root = workspace(tmp_path, {"bcp/keys.yaml": HEAD.format(name="keys") + body})
    result = check_in_process(bcplint, root)
    assert_clean_run(result)
    found = findings_in(result, "bcp/keys.yaml")
    assert "BCP001" not in {f["rule_id"] for f in found}, found
    assert_companion_checked(result, extra_documents=1)
    problems = sorted((f["line"], f["column"], f["message"]) for f in found if f["rule_id"] == "BCP002")
    assert [(line, column) for line, column, _ in problems] == [(line, 1) for line, _ in expected]
    for (_, _, message), (_, written) in zip(problems, expected, strict=True):
        assert f"unknown field '{written}'" in message, message


def test_a_collection_used_as_a_key(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    root = workspace(tmp_path, {"bcp/keys.yaml": HEAD.format(name="keys") + "[a, b]: x\n"})
    result = check_in_process(bcplint, root)
    assert_clean_run(result)
    assert_companion_checked(result, extra_documents=0)
    finding = only_finding(result, "bcp/keys.yaml", "BCP001")
    assert (finding["line"], finding["column"]) == (5, 1)
    assert "keys must be plain names" in finding["message"]


@pytest.mark.parametrize("output_format", ["text", "json", "junit", "sarif", "github", "markdown"])
def test_documents_without_kind_or_name_in_every_format(
    bcplint: Callable[..., Run], tmp_path: Path, output_format: str
) -> None:
    """A document missing ``kind`` (or ``name``) beside complete ones, in one file, in every report."""
    text = (
        "apiVersion: bcplint/v1\nname: no-kind\n---\n"
        "apiVersion: bcplint/v1\nkind: Contact\n---\n"
        "apiVersion: bcplint/v1\nkind: Contact\nname: complete\n"
    )
    root = workspace(tmp_path, {"bcp/partial.yaml": text})
    run = bcplint("check", ".", "--today", TODAY, "--format", output_format, "--no-color", cwd=root)
    assert_clean_run(Result(run.code, run.out, run.err, in_process=True))
    assert run.code == 1
    assert "bcp/partial.yaml" in run.out and COMPANION in run.out


def test_yaml_1_1_floats_do_not_leak_parser_warnings(tmp_path: Path) -> None:
    """``1e5`` is a float without a dot: ruamel warns about YAML 1.1; the user must see a finding only."""
    root = workspace(tmp_path, {"bcp/float.yaml": "apiVersion: bcplint/v1\nkind: Contact\nname: f\ntitle: 1e5\n"})
    result = check_subprocess(root, timeout=20)
    assert_clean_run(result)
    assert_companion_checked(result, extra_documents=1)
    finding = only_finding(result, "bcp/float.yaml", "BCP002")
    assert (finding["line"], finding["column"]) == (4, 8)
    assert "Warning" not in result.err and "ruamel" not in result.err, result.err


def test_mixed_valid_and_broken_documents(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    text = (
        "apiVersion: bcplint/v1\nkind: Service\nname: first\ncriticality: urgent\n"  # 1-4: checked
        "---\napiVersion: bcplint/v1\nkind: Contact\nname: second\n"  # 5-8: valid
        "---\napiVersion: bcplint/v1\nkind: Contact\nname: [broken\n"  # 9-12: broken at 12:7
        "---\napiVersion: bcplint/v1\nkind: Contact\nname: after\n"
    )
    root = workspace(tmp_path, {"bcp/mixed.yaml": text})
    result = check_in_process(bcplint, root)
    assert_clean_run(result)
    assert_companion_checked(result, extra_documents=2)
    found = {(f["rule_id"], f["line"], f["column"]) for f in findings_in(result, "bcp/mixed.yaml")}
    assert ("BCP002", 4, 14) in found  # the first document was validated
    assert ("BCP001", 12, 7) in found  # the break is reported where the bracket opens


def test_markdown_front_matter_never_closed(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    ours = "---\napiVersion: bcplint/v1\nkind: Contact\nname: md\n\n# Recovery\n\nProse.\n"
    not_ours = "---\ntitle: A blog post\n\n# Heading\n"
    root = workspace(tmp_path, {"bcp/open.md": ours, "bcp/blog.md": not_ours})
    result = check_in_process(bcplint, root)
    assert_clean_run(result)
    assert_companion_checked(result)
    finding = only_finding(result, "bcp/open.md", "BCP001")
    assert (finding["line"], finding["column"]) == (1, 1)
    assert "never closed" in finding["message"]
    assert findings_in(result, "bcp/blog.md") == []


def test_crlf_line_endings(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    def crlf(text: str) -> str:
        return text.replace("\n", "\r\n")

    root = workspace(
        tmp_path,
        {
            "bcp/crlf.yaml": crlf(HEAD.format(name="crlf").replace("low", "urgent")),
            "bcp/crlf-broken.yaml": crlf("apiVersion: bcplint/v1\nkind: Contact\nname: [x\n"),
            "bcp/crlf.md": crlf(
                "---\napiVersion: bcplint/v1\nkind: Service\nname: crlf-md\ncriticality: urgent\n---\n\n# Prose\n"
            ),
        },
    )
    result = check_in_process(bcplint, root)
    assert_clean_run(result)
    assert_companion_checked(result, extra_documents=2)
    assert [(f["line"], f["column"]) for f in findings_in(result, "bcp/crlf.yaml")] == [(4, 14)]
    broken = only_finding(result, "bcp/crlf-broken.yaml", "BCP001")
    assert (broken["line"], broken["column"]) == (3, 7)
    assert [(f["line"], f["column"]) for f in findings_in(result, "bcp/crlf.md")] == [(5, 14)]
    assert all("\r" not in f["message"] for f in result.report["findings"])


# --- files that are not plain files ---------------------------------------------------------


def test_symlink_out_of_the_repository_is_not_followed(git_repo: Path) -> None:
    outside = git_repo.parent / "outside"
    secret = "TOPSECRET-7f3a9c"
    write(
        outside,
        "secret.yaml",
        f"apiVersion: bcplint/v1\nkind: Service\nname: leak\ncriticality: urgent\ntitle: {secret}\n",
    )
    workspace(git_repo, {})
    (git_repo / "bcp" / "leak.yaml").symlink_to(outside / "secret.yaml")
    git(git_repo, "add", "-A")
    for output_format in ("json", "text"):
        result = check_subprocess(git_repo, timeout=20, output_format=output_format)
        assert_clean_run(result)
        assert secret not in result.out
        assert "leak" not in result.out
        assert "bcp/leak.yaml" in result.err and "not followed" in result.err
        if output_format == "json":
            assert_companion_checked(result)
            assert result.report["summary"]["files"] == 1


def test_symlink_inside_the_repository_is_checked(bcplint: Callable[..., Run], git_repo: Path) -> None:
    workspace(git_repo, {"docs/service.txt": HEAD.format(name="linked").replace("low", "urgent")})
    (git_repo / "bcp" / "linked.yaml").symlink_to(Path("..") / "docs" / "service.txt")
    git(git_repo, "add", "-A")
    result = check_in_process(bcplint, git_repo)
    assert_clean_run(result)
    assert_companion_checked(result, extra_documents=1)
    finding = only_finding(result, "bcp/linked.yaml", "BCP002")
    assert (finding["line"], finding["column"]) == (4, 14)


def test_directory_where_a_tracked_file_was(bcplint: Callable[..., Run], git_repo: Path) -> None:
    """``plan.yaml`` is in the index but a directory in the work tree (root can read chmod 000)."""
    workspace(git_repo, {"bcp/plan.yaml": "apiVersion: bcplint/v1\nkind: Contact\nname: plan\n"})
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "plan")
    (git_repo / "bcp" / "plan.yaml").unlink()
    write(git_repo, "bcp/plan.yaml/notes.txt", "a directory now\n")
    result = check_in_process(bcplint, git_repo)
    assert_clean_run(result)
    assert_companion_checked(result)
    finding = only_finding(result, "bcp/plan.yaml", "BCP001")
    assert (finding["line"], finding["column"]) == (1, 1)
    assert "not a regular file" in finding["message"]


def test_repository_without_commits(bcplint: Callable[..., Run], git_repo: Path) -> None:
    """``git init``, write the plan, run bcplint before the first commit: no history is no crash."""
    plan = 'apiVersion: bcplint/v1\nkind: Plan\nname: bcp\nowner: cto\nreviewed: {by: cto, "on": 2026-06-01}\n'
    workspace(git_repo, {"bcp/plan.yaml": plan})
    git(git_repo, "add", "-A")
    result = check_in_process(bcplint, git_repo)
    assert_clean_run(result)
    assert_companion_checked(result, extra_documents=1)


def not_in_git(directory: Path) -> None:
    if toplevel(str(directory)) is not None:
        pytest.skip(f"{directory} is inside a git repository; this test needs a plain directory walk")


def test_fifo_in_a_directory_walk_does_not_hang(tmp_path: Path) -> None:
    not_in_git(tmp_path)
    root = workspace(tmp_path, {})
    os.mkfifo(root / "bcp" / "fifo.yaml")
    result = check_subprocess(root, timeout=15)
    assert_clean_run(result)
    assert_companion_checked(result)
    for finding in findings_in(result, "bcp/fifo.yaml"):
        assert finding["rule_id"] == "BCP001" and (finding["line"], finding["column"]) == (1, 1)


def test_fifo_named_on_the_command_line(tmp_path: Path) -> None:
    """Named explicitly (as pre-commit or a shell glob does), a FIFO exists: it is no usage error."""
    not_in_git(tmp_path)
    root = workspace(tmp_path, {})
    os.mkfifo(root / "bcp" / "fifo.yaml")
    result = check_subprocess(root, "bcp/fifo.yaml", COMPANION, timeout=15)
    assert "no such file" not in result.err, "the FIFO exists; the message must not say otherwise"
    assert_clean_run(result)
    assert_companion_checked(result)
    finding = only_finding(result, "bcp/fifo.yaml", "BCP001")
    assert "not a regular file" in finding["message"]


def test_dangling_symlink(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    root = workspace(tmp_path, {})
    (root / "bcp" / "gone.yaml").symlink_to("missing.yaml")
    result = check_in_process(bcplint, root)
    assert_clean_run(result)
    assert_companion_checked(result)
    for finding in findings_in(result, "bcp/gone.yaml"):
        assert finding["rule_id"] == "BCP001" and (finding["line"], finding["column"]) == (1, 1)


# --- rule packs: bounded in time, offline ---------------------------------------------------

PACK_HEAD = """\
apiVersion: bcplint/pack/v1
pack: hostile
title: Hostile policy
rules:
  - id: HOST001
    name: hostile-title
    severity: error
    summary: Titles follow a shape.
    applies_to: {kinds: [Service]}
"""  # the check starts on line 10
REDOS_TITLE_LENGTH = 5000
# Classic catastrophic-backtracking shapes: nested and overlapping repetition. Each is matched
# against a long run of what it repeats, ended by a character that makes the match fail.
REDOS = {
    "nested-plus": ("^(a+)+$", "a"),
    "alternation-overlap": ("^(a|a)*$", "a"),
    "alternation-prefix": ("^(a|aa)+$", "a"),
    "words-and-spaces": ("^(\\w+\\s?)*$", "ab "),
    "dot-star-repeated": ("^(.*a){12}$", "a"),
    "email-like": (
        "^([a-zA-Z0-9])(([-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$",
        "a",
    ),
}


EXERCISE_WITH_KEY = """\
apiVersion: bcplint/v1
kind: Exercise
name: drill
type: technical-drill
date: 2026-04-04
scope: [helpdesk]
result: pass
recovery_times:
  ? '{key}'
  : 2h
"""  # an explicit key: a plain one may not be longer than 1024 characters


# The three places a pack regex can be: (the kind the rule applies to, its check with the regex
# in that place, and where the finding lands: the companion's title, or the drill's long key).
REDOS_PLACES = {
    "pattern-check": (
        "Service",
        "{{function: pattern, field: title, params: {{regex: '{r}'}}}}",
        COMPANION,
        6,
    ),
    "schema-pattern": (
        "Service",
        "{{function: schema, field: title, params: {{schema: {{pattern: '{r}'}}}}}}",
        COMPANION,
        6,
    ),
    "schema-pattern-properties": (  # the long text is a key, matched against the regex
        "Exercise",
        "{{function: schema, field: recovery_times, params: {{schema: "
        "{{type: object, patternProperties: {{'{r}': true}}, additionalProperties: false}}}}}}",
        "bcp/drill.yaml",
        9,
    ),
}
# One child interpreter per shape, a rule for each place in its pack: the everyday loop keeps the
# classic nested repetition; CI runs every shape.
REDOS_SHAPES = [pytest.param(s, marks=[] if s == "nested-plus" else [pytest.mark.slow]) for s in sorted(REDOS)]


def redos_pack(regex: str) -> str:
    """A pack with one rule per place, HOST001 to HOST003 in the order of REDOS_PLACES."""
    quoted = regex.replace("'", "''")
    rules = [
        f"  - id: HOST00{number}\n    name: hostile-{where}\n    severity: error\n    summary: Values follow a shape.\n"
        f"    applies_to: {{kinds: [{kind}]}}\n    check: {check.format(r=quoted)}\n"
        for number, (where, (kind, check, _, _)) in enumerate(REDOS_PLACES.items(), start=1)
    ]
    return "apiVersion: bcplint/pack/v1\npack: hostile\ntitle: Hostile policy\nrules:\n" + "".join(rules)


@pytest.mark.parametrize("shape", REDOS_SHAPES)
def test_pathological_pack_regexes_run_in_linear_time(tmp_path: Path, shape: str) -> None:
    """Python's re takes minutes to ages on these; RE2 answers at once, with the right verdict,
    wherever in a pack the regex is."""
    regex, fill = REDOS[shape]
    text = (fill * REDOS_TITLE_LENGTH)[:REDOS_TITLE_LENGTH] + "!"
    write(tmp_path, "policies/hostile.yaml", redos_pack(regex))
    companion = COMPANION_TEXT.replace("criticality: critical\n", f"criticality: critical\ntitle: '{text}'\n", 1)
    root = workspace(tmp_path, {"bcp/drill.yaml": EXERCISE_WITH_KEY.format(key=text)})
    write(root, COMPANION, companion)
    result = check_subprocess(root, ".", "--pack", "policies/hostile.yaml", timeout=20)
    assert_clean_run(result)
    assert "re2.cc" not in result.err, "RE2 must not print its own log lines"
    assert_bounded_messages(result)
    host = sorted((f["rule_id"], f["path"], f["line"]) for f in result.report["findings"] if f["rule_id"][:4] == "HOST")
    expected = [(f"HOST00{n}", path, line) for n, (*_, path, line) in enumerate(REDOS_PLACES.values(), start=1)]
    assert host == expected, host


class _Recorder(BaseHTTPRequestHandler):
    """An HTTP server on the loopback interface that records every request it gets."""

    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.requests.append(self.path)
        body = b'{"type": "string"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


@pytest.fixture
def loopback_server() -> Iterator[tuple[str, list[str]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.requests = []
    # shutdown() waits for the loop to poll: 0.5 s by default, per test.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


REF_OUTSIDE = (
    "points outside the fragment; a fragment may only refer to itself (for example '#/$defs/name'): "
    "bcplint never fetches or reads a schema"
)


@pytest.mark.parametrize("kind", ["http", "file-uri", "relative-file", "absolute-path"])
@pytest.mark.parametrize("command", ["check", "verify"])
def test_pack_schema_references_are_never_fetched_or_read(
    bcplint: Callable[..., Run], tmp_path: Path, loopback_server: tuple[str, list[str]], kind: str, command: str
) -> None:
    """In-process: the server answers at once, so a fetch could not hang the run, and any
    request would be recorded all the same."""
    base, requests = loopback_server
    secret = "SECRET-5c1e"
    outside = write(tmp_path, "outside/s.json", f'{{"type": "string", "description": "{secret}"}}')
    ref = {
        "http": f"{base}/s.json",
        "file-uri": outside.as_uri(),
        "relative-file": "../outside/s.json",
        "absolute-path": str(outside),
    }[kind]
    check = (
        f"    check:\n      function: schema\n      field: title\n      params:\n        schema: {{$ref: '{ref}'}}\n"
    )
    root = tmp_path / "repo"
    write(root, "policies/hostile.yaml", PACK_HEAD + check)
    workspace(root, {})
    args = ("--pack", "policies/hostile.yaml") if command == "check" else ("policies/hostile.yaml",)
    result = bcplint(command, *args, cwd=root)
    assert result.code == 2, result.out + result.err
    pack = root / "policies/hostile.yaml"
    assert result.err == (
        f"bcplint: error: {pack}:14:24: rule HOST001: check 'schema': parameter 'schema': "
        f"reference '{ref}' {REF_OUTSIDE}\n"
    )
    assert requests == [], "bcplint sent a request for a pack's $ref"
    assert secret not in result.out + result.err
