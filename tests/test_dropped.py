"""Issue 11, "never silently wrong": a file that could hold a plan document yields documents, a
finding or a note, never nothing (DESIGN §8). Each case failed on the old loader, where a
UTF-16 file, a list of documents or a document without apiVersion vanished without a word
(the only symptom being a BCP003 elsewhere). Every case runs in the work tree and under
``--rev`` (files read from git objects, the work tree emptied), which must agree.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from bcplint.load.parse import could_hold_plan, load_file
from tests.conftest import TODAY, Run, git, write

# A Service that depends on 'db' and its owner: if db.yaml is dropped, BCP003 appears here.
SHOP = """\
apiVersion: bcplint/v1
kind: Service
name: shop
owner: cto
criticality: low
depends_on: [db]
---
apiVersion: bcplint/v1
kind: Contact
name: cto
email: cto@example.com
phone: "+1-555-0100"
"""
DB = """\
# the database
apiVersion: bcplint/v1
kind: System
name: db
owner: cto
criticality: low
rpo: 1x
"""
DB_FINDING = ("BCP002", "bcp/db.yaml", 7, 6, "System 'db': 'rpo': '1x' is not a duration")
MISSING_API = "missing apiVersion; add 'apiVersion: bcplint/v1' to the document"
DANGLING = ("BCP003", "bcp/shop.yaml", 6, 14, "refers to 'db', but no document has that name")

Files = dict[str, str | bytes]
Expected = list[tuple[str, str, int, int, str]]


def wide(text: str, codec: str, bom: bytes) -> bytes:
    return bom + text.encode(codec)


CASES: dict[str, tuple[Files, Expected]] = {
    # What Windows editors write: YAML allows UTF-16 and UTF-32 with a byte order mark.
    "utf-16-le": ({"bcp/db.yaml": wide(DB, "utf-16-le", b"\xff\xfe")}, [DB_FINDING]),
    "utf-16-be": ({"bcp/db.yaml": wide(DB, "utf-16-be", b"\xfe\xff")}, [DB_FINDING]),
    "utf-32-le": ({"bcp/db.yaml": wide(DB, "utf-32-le", b"\xff\xfe\x00\x00")}, [DB_FINDING]),
    "utf-32-be": ({"bcp/db.yaml": wide(DB, "utf-32-be", b"\x00\x00\xfe\xff")}, [DB_FINDING]),
    "utf-16-crlf": ({"bcp/db.yaml": wide(DB.replace("\n", "\r\n"), "utf-16-le", b"\xff\xfe")}, [DB_FINDING]),
    "utf-16-broken": (
        {"bcp/db.yaml": wide(DB, "utf-16-le", b"\xff\xfe") + b"\x00\xd8"},  # a lone high surrogate at the end
        [("BCP001", "bcp/db.yaml", 8, 1, "file is not valid UTF-16 (bytes 00 d8); save it as UTF-8"), DANGLING],
    ),
    "latin-1": (
        {"bcp/db.yaml": DB.replace("the database", "caf\xe9").encode("latin-1")},
        [("BCP001", "bcp/db.yaml", 1, 6, "file is not valid UTF-8 (byte 0xe9); save it as UTF-8"), DANGLING],
    ),
    "list": (
        {"bcp/db.yaml": "- apiVersion: bcplint/v1\n  kind: System\n  name: db\n  criticality: low\n"},
        [
            ("BCP002", "bcp/db.yaml", 1, 1, "a YAML list of 1 item(s) holding plan documents is not read"),
            DANGLING,  # true: as read, no document is called db
        ],
    ),
    "no-api-version": (
        {"bcp/db.yaml": "kind: System\nname: db\nowner: cto\ncriticality: low\n"},
        [("BCP002", "bcp/db.yaml", 1, 1, f"System 'db': {MISSING_API}")],  # and no BCP003 at shop
    ),
    "no-api-version-quoted": (
        {"bcp/db.yaml": "# db\n'kind': \"System\"   # the database\n'name': db\n"},
        [("BCP002", "bcp/db.yaml", 2, 1, f"System 'db': {MISSING_API}")],
    ),
    "markdown-no-api-version": (
        {"bcp/db.md": "---\nkind: System\nname: db\ncriticality: low\n---\n# Database\n\nRestore from backups.\n"},
        [("BCP002", "bcp/db.md", 2, 1, f"System 'db': {MISSING_API}")],
    ),
    "miscased-beside-plans": (
        {"bcp/db.yaml": DB.replace("rpo: 1x", "rpo: 1h") + "---\nkind: contact\nname: dba\n"},
        [("BCP002", "bcp/db.yaml", 9, 1, f"document 'dba': {MISSING_API}")],
    ),
    "someone-elses": (
        {
            "bcp/db.yaml": DB.replace("rpo: 1x", "rpo: 1h"),
            "k8s/service.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: shop}\n---\n"
            "kind: Service\nname: web\napiVersion: v1\n",
            "catalog-info.yaml": "apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: db\n",
            "templates/svc.yaml": "apiVersion: {{ .Values.api }}\nkind: Service\nname: {{ x }\n",
            "docs/kinds.md": "---\ntitle: Kinds\n---\nkind: Service\n",
        },
        [],
    ),
}


def findings(run: Run) -> list[tuple[str, str, int, int, str]]:
    return [(f["rule_id"], f["path"], f["line"], f["column"], f["message"]) for f in json.loads(run.out)["findings"]]


@pytest.mark.parametrize("where", ["work-tree", "rev"])
@pytest.mark.parametrize("case", list(CASES))
def test_nothing_is_dropped_silently(bcplint: Callable[..., Run], git_repo: Path, case: str, where: str) -> None:
    files, expected = CASES[case]
    write(git_repo, "bcp/shop.yaml", SHOP)
    for relative, content in files.items():
        write(git_repo, relative, content)
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", case)
    args = ["check", "--today", TODAY, "--format", "json", "--select", "BCP001,BCP002,BCP003"]
    if where == "rev":
        for relative in [*files, "bcp/shop.yaml"]:
            (git_repo / relative).unlink()  # only the commit holds the files now
        args += ["--rev", "HEAD"]
    run = bcplint(*args, cwd=git_repo)
    found = findings(run)
    assert [f[:4] for f in found] == [e[:4] for e in expected], found
    for got, wanted in zip(found, expected, strict=True):
        assert wanted[4] in got[4], got
    assert run.code == (1 if expected else 0)


def test_wide_encodings_count_as_files_and_documents(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    """The old summary said 'No problems in 0 documents across 0 files' for a UTF-16 plan."""
    write(tmp_path, "bcp/db.yaml", wide(DB.replace("rpo: 1x", "rpo: 1h"), "utf-16-le", b"\xff\xfe"))
    run = bcplint("check", "bcp", "--today", TODAY, "--format", "json", "--select", "BCP002", cwd=tmp_path)
    summary = json.loads(run.out)["summary"]
    assert (summary["documents"], summary["files"], run.code) == (1, 1, 0)


# --- the pre-filter and the notes, one file at a time -----------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"apiVersion: bcplint/v1\nkind: Service\n", True),
        (b"# mentions bcplint/ only in a comment\n", True),  # parsed, then silent: nothing in it is a plan
        ("apiVersion: bcplint/v1\n".encode("utf-16"), True),
        (b"\xff\xfe\x00\x00" + "apiVersion: bcplint/v1\n".encode("utf-32-le"), True),
        (b"kind: Service\nname: shop\n", True),
        (b"\xef\xbb\xbfkind: Service\nname: shop\n", True),
        ("kind: Service\nname: shop\n".encode("utf-16"), True),
        ("apiVersion: v1\nkind: Service\n".encode("utf-16"), False),
        (b"kind: contact\r\nname: cto\r\n", True),
        (b"---\nkind: Service\n---\napiVersion: v1\nkind: Service\n", True),  # the first document has none
        (b"apiVersion: v1\nkind: Service\nmetadata: {name: shop}\n", False),
        (b"kind: Service\nmetadata: {name: shop}\napiVersion: v1\n", False),
        (b"apiVersion: apps/v1\nkind: Deployment\n---\napiVersion: v1\nkind: Service\n", False),
        (b"spec:\n  kind: Service\n", False),  # not at the top level of a document
        (b"kind: Services\n", False),
        (b"kind: pipeline\nname: default\n", False),  # Drone CI
        ("kind: Service\n".encode("utf-16-be"), False),  # no BOM: not YAML's UTF-16, and not UTF-8 either
        (b"", False),
    ],
)
def test_could_hold_plan(content: bytes, expected: bool) -> None:
    assert could_hold_plan(content) is expected


def test_a_miscased_kind_alone_is_a_note_not_a_finding() -> None:
    """``kind: contact`` without apiVersion and nothing of bcplint's beside it may be another
    tool's format: it must not fail a build, but it is not silent either."""
    loaded = load_file("bcp/dba.yaml", b"kind: contact\nname: dba\n")
    assert (loaded.documents, loaded.problem) == ([], None)
    assert loaded.notes == [
        "bcp/dba.yaml: document 1 (kind: contact) has no apiVersion, so it is not read as a plan; "
        "if it is one, add 'apiVersion: bcplint/v1' and write its kind as Contact"
    ]


def test_an_exact_kind_without_a_name_alone_is_a_note() -> None:
    loaded = load_file("bcp/x.yaml", b"kind: Service\nowner: cto\n")
    assert (loaded.documents, loaded.problem) == ([], None)
    assert [n.split(" (kind")[0] for n in loaded.notes] == ["bcp/x.yaml: document 1"]


def test_broken_yaml_let_in_only_by_a_kind_line_is_a_note_not_bcp001() -> None:
    """A template that is not ours must not fail the build; the note still says why it was skipped."""
    loaded = load_file("deploy/svc.yaml", b"kind: Service\nname: {{ name }\n")
    assert loaded.problem is None and loaded.documents == []
    [note] = loaded.notes
    assert note.startswith("deploy/svc.yaml:2:7: not read as a plan: ")
    assert "but no apiVersion: bcplint/v1" in note
    named = load_file("deploy/svc.yaml", b"kind: Service\nname: {{ name }\n", explicit=True)
    assert named.problem is not None and named.notes == []  # named on the command line: BCP001


def test_wide_text_positions_count_characters_after_the_bom() -> None:
    text = "apiVersion: bcplint/v1\nkind: Contact\nname: ünïcödé\nemail: x\n"
    loaded = load_file("c.yaml", b"\xff\xfe" + text.encode("utf-16-le"))
    assert loaded.problem is None
    assert loaded.source is not None and loaded.source.text == text
    assert [d.data["name"] for d in loaded.documents] == ["ünïcödé"]
