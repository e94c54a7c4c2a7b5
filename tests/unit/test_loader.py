"""Loading files into documents, and finding positions afterwards."""

from __future__ import annotations

import gc

from bcplint.load.parse import load_file
from bcplint.load.positions import PositionIndex
from bcplint.load.yaml_stream import compose_all, read_documents

CONTACT = "apiVersion: bcplint/v1\nkind: Contact\nname: cto\nemail: cto@example.com\n"


def test_files_without_the_marker_are_not_parsed() -> None:
    loaded = load_file("ci.yaml", b"key: [unclosed\n")
    assert loaded.problem is None
    assert not loaded.is_bcp


def test_named_files_are_parsed_even_without_the_marker() -> None:
    loaded = load_file("ci.yaml", b"key: [unclosed\n", explicit=True)
    assert loaded.problem is not None
    # An unclosed bracket is reported where it opens: that is what needs fixing.
    assert (loaded.problem.line, loaded.problem.column) == (1, 6)


def test_non_bcp_documents_in_a_stream_are_skipped() -> None:
    text = "kind: Deployment\n---\n" + CONTACT
    loaded = load_file("mixed.yaml", text.encode())
    assert [d.data["name"] for d in loaded.documents] == ["cto"]
    assert loaded.documents[0].index == 1


def test_documents_before_a_broken_one_are_kept() -> None:
    text = CONTACT + "---\napiVersion: bcplint/v1\nkind: Contact\nname: [oops\n"
    loaded = load_file("contacts.yaml", text.encode())
    assert [d.data["name"] for d in loaded.documents] == ["cto"]
    assert loaded.problem is not None
    assert (loaded.problem.line, loaded.problem.column) == (8, 7)


def test_utf8_bom_is_accepted() -> None:
    loaded = load_file("bom.yaml", b"\xef\xbb\xbf" + CONTACT.encode())
    assert loaded.problem is None
    assert loaded.documents[0].data["name"] == "cto"


def test_markdown_front_matter_is_a_document_with_file_line_numbers() -> None:
    text = "---\n" + CONTACT + "---\n\n# The plan\n\nkey: not yaml: here\n"
    loaded = load_file("plan.md", text.encode())
    assert loaded.problem is None
    [doc] = loaded.documents
    assert PositionIndex().locate(doc.source, doc.index, ("email",)) == (5, 8)


def test_markdown_without_front_matter_is_prose() -> None:
    assert not load_file("README.md", b"# Title\n\napiVersion: bcplint/v1\n").is_bcp


def test_markdown_front_matter_error_has_file_line() -> None:
    text = "---\napiVersion: bcplint/v1\nkind: Contact\nname: [x\n---\n"
    loaded = load_file("plan.md", text.encode())
    assert loaded.problem is not None
    assert (loaded.problem.line, loaded.problem.column) == (4, 7)


def test_unclosed_front_matter() -> None:
    loaded = load_file("plan.md", ("---\n" + CONTACT).encode())
    assert loaded.problem is not None
    assert "never closed" in loaded.problem.message


def test_positions_of_nested_fields_missing_fields_and_keys() -> None:
    text = (
        CONTACT
        + "---\napiVersion: bcplint/v1\nkind: System\nname: db\nbackups:\n  - name: nightly\n    frequency: 1d\n"
    )
    loaded = load_file("x.yaml", text.encode())
    source = loaded.documents[1].source
    index = PositionIndex()
    assert index.locate(source, 1, ("backups", 0, "frequency")) == (11, 16)
    assert index.locate(source, 1, ("backups", 0, "frequency"), key=True) == (11, 5)
    # Missing leaf under an existing parent: the parent's key.
    assert index.locate(source, 1, ("backups", 0, "last_restore_test", "date")) == (10, 5)
    # Missing top-level field: the document's first line.
    assert index.locate(source, 1, ("rto",)) == (6, 1)


def test_positions_are_the_same_when_few_composed_files_are_kept() -> None:
    """The index keeps the trees of the files used last only; a file asked for again after
    others is composed again and answers as before."""
    sources = [
        load_file(f"s{i}.yaml", f"{CONTACT}title: Person {i}\nrole: {'x' * i}\n".encode()).documents[0].source
        for i in range(4)
    ]
    fields = [("name",), ("title",), ("role",), ("missing",)]
    keeping_all = PositionIndex()
    expected = [keeping_all.locate(s, 0, f) for s in sources for f in fields]
    keeping_one = PositionIndex(keep=1)
    for _ in range(2):  # the second round finds every tree evicted
        assert [keeping_one.locate(s, 0, f) for s in sources for f in fields] == expected
    assert len(keeping_one._trees) == 1
    assert expected[4:7] == [(3, 7), (5, 8), (6, 7)]


def test_reading_and_composing_leave_nothing_for_the_garbage_collector() -> None:
    """Runs pause the garbage collector, so a reader that refers to itself would keep its C
    parser's buffers (some 28 KB a text) until the run ends: readers break their cycles."""
    text = CONTACT + "---\n" + CONTACT.replace("cto", "cfo")
    gc.collect()
    gc.disable()
    try:
        for _ in range(50):
            assert len(read_documents(text)[0]) == 2
            assert len(compose_all(text)) == 2
        assert gc.collect() == 0
    finally:
        gc.enable()
