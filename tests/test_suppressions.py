"""Inline suppressions read from real YAML comments: what is one, where it must stand, what an
unused one says. Evaluation date: TODAY (2026-11-23).

Each workspace holds two Contacts and one plan document whose only gap the test chooses, so the
findings of a run can be asserted exactly.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bcplint.load import comments, yaml_stream
from bcplint.load.parse import YamlText
from tests.conftest import CONTACTS, TODAY, Run, write

Bcplint = Callable[..., Run]


# One gap: the owner names no Contact (BCP003, reported at line 5, column 8, field owner).
SERVICE = """\
apiVersion: bcplint/v1
kind: Service
name: storefront
criticality: low
owner: ops-b{comment}
"""

# One gap: the nightly backup's restore test is stale (BCP402 at line 15, field
# backups[0].last_restore_test.date). The weekly one is fine.
SYSTEM = """\
apiVersion: bcplint/v1
kind: System
name: orders-db
owner: cto
criticality: high
rto: 4h
rpo: 1d
hosting: {provider: aws, region: us-east-1}
failover: {strategy: warm-standby, target: {provider: aws, region: us-west-2}}
backups:
  - name: nightly
    frequency: 1d
    location: {provider: gcp, region: eu-west-1}
    last_restore_test:
      date: 2020-01-01
      result: pass
  - name: weekly
    frequency: 1w
    location: {provider: gcp, region: eu-west-1}
    last_restore_test:
      date: 2026-10-01
      result: pass
"""

DIRECTIVE = "# bcplint: ignore[{rule}] until=2027-06-30 -- being onboarded"


def lint(bcplint: Bcplint, root: Path, plan: str, name: str = "plan.yaml") -> tuple[int, list[dict[str, Any]]]:
    write(root, "contacts.yaml", CONTACTS)
    write(root, name, plan)
    run = bcplint("check", ".", "--today", TODAY, "--format", "json", cwd=root)
    assert run.code in (0, 1), run.err
    assert run.err == ""  # a comment bcplint cannot read is a finding (BCP803), never a note
    return run.code, json.loads(run.out)["findings"]


def summary(findings: list[dict[str, Any]]) -> list[tuple[str, int, bool]]:
    """(rule, line, waived) of each finding."""
    return [(f["rule_id"], f["line"], f["waiver"] is not None) for f in findings]


def with_comment(text: str, line: int, comment: str) -> str:
    """``text`` with ``comment`` appended to its 1-based ``line``."""
    lines = text.splitlines(keepends=True)
    lines[line - 1] = lines[line - 1].rstrip("\n") + "  " + comment + "\n"
    return "".join(lines)


# --- Comments come from the scanner --------------------------------------------------------------


def test_an_apostrophe_earlier_on_the_line_does_not_hide_the_suppression(bcplint: Bcplint, tmp_path: Path) -> None:
    comment = "  # vendor's team # bcplint: ignore[BCP003] until=2027-06-30 -- being onboarded"
    code, findings = lint(bcplint, tmp_path, SERVICE.format(comment=comment))
    assert summary(findings) == [("BCP003", 5, True)]
    assert "being onboarded" in findings[0]["waiver"] and "2027-06-30" in findings[0]["waiver"]
    assert code == 0


@pytest.mark.parametrize(
    "value",
    [
        pytest.param('"x # bcplint: ignore[BCP003] -- not a comment"', id="double-quoted"),
        pytest.param("'it''s # bcplint: ignore[BCP003] -- not a comment'", id="single-quoted-with-apostrophe"),
        pytest.param('"line one\n  # bcplint: ignore[BCP003] -- not a comment"', id="multi-line-quoted"),
    ],
)
def test_a_hash_inside_a_quoted_value_is_no_comment(bcplint: Bcplint, tmp_path: Path, value: str) -> None:
    code, findings = lint(bcplint, tmp_path, SERVICE.format(comment="") + f"title: {value}\n")
    assert summary(findings) == [("BCP003", 5, False)]  # no suppression, no BCP802/BCP803 about one
    assert code == 1


def test_a_block_scalar_holding_a_directive_is_text(bcplint: Bcplint, tmp_path: Path) -> None:
    body = "title: |\n  # bcplint: ignore[BCP003] -- not a comment\n  # bcplint: Ignore[nonsense\n"
    code, findings = lint(bcplint, tmp_path, SERVICE.format(comment="") + body)
    assert summary(findings) == [("BCP003", 5, False)]
    assert code == 1


def test_a_block_scalar_header_holds_a_real_comment(bcplint: Bcplint, tmp_path: Path) -> None:
    # The comment after `|` is a comment on the `title` line; the finding is elsewhere, so the
    # suppression is reported unused, at the place it was written.
    body = "title: |  " + DIRECTIVE.format(rule="BCP003") + "\n  text\n"
    _, findings = lint(bcplint, tmp_path, SERVICE.format(comment="") + body)
    assert summary(findings) == [("BCP003", 5, False), ("BCP802", 6, False)]
    assert findings[1]["column"] == len("title: |  ") + 1


@pytest.mark.parametrize(
    ("owner", "line"),
    [
        pytest.param("{name: x, # bcplint: ignore[BCP003] -- in a flow mapping\n  y: z}", 5, id="inside-flow-mapping"),
        pytest.param("[a, b]  # bcplint: ignore[BCP003] -- after a flow sequence", 5, id="after-flow-sequence"),
        pytest.param("[a#b, 'c # bcplint: ignore[BCP003] -- d']", None, id="hash-without-space-in-flow"),
    ],
)
def test_comments_in_flow_collections(bcplint: Bcplint, tmp_path: Path, owner: str, line: int | None) -> None:
    text = SERVICE.format(comment="").replace("owner: ops-b\n", f"annotations: {owner}\n")
    _, findings = lint(bcplint, tmp_path, text)
    rules = [(f["rule_id"], f["line"]) for f in findings if f["rule_id"].startswith("BCP80")]
    # The first two are real comments (unused here: nothing to hide); the last holds none.
    assert rules == ([("BCP802", line)] if line else [])


def test_crlf_line_endings(bcplint: Bcplint, tmp_path: Path) -> None:
    comment = "  # vendor's team # bcplint: ignore[BCP003] until=2027-06-30 -- being onboarded"
    text = SERVICE.format(comment=comment).replace("\n", "\r\n")
    code, findings = lint(bcplint, tmp_path, text)
    assert summary(findings) == [("BCP003", 5, True)]
    assert code == 0
    broken = text.replace("ignore[", "Ignore[")
    code, findings = lint(bcplint, tmp_path, broken)
    assert [(f["rule_id"], f["line"], f["column"]) for f in findings] == [("BCP003", 5, 8), ("BCP803", 5, 31)]
    assert code == 1


def test_markdown_front_matter_counts_lines_from_the_top_of_the_file(bcplint: Bcplint, tmp_path: Path) -> None:
    front = SERVICE.format(comment="  " + DIRECTIVE.format(rule="BCP003"))
    prose = "\n# bcplint: ignore[BCP003] -- a heading in the prose, not YAML\n\nThe storefront plan.\n"
    code, findings = lint(bcplint, tmp_path, f"---\n{front}---\n{prose}", name="storefront.md")
    assert summary(findings) == [("BCP003", 6, True)]
    assert code == 0
    code, findings = lint(bcplint, tmp_path, f"---\n{front.replace('ignore[', 'ignore [x')}---\n", name="storefront.md")
    assert [(f["rule_id"], f["line"]) for f in findings] == [("BCP003", 6), ("BCP803", 6)]


def test_the_pure_scanner_finds_the_same_comments(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [
        SERVICE.format(comment="  # vendor's team # bcplint: ignore[BCP003] -- x"),
        "a: 'q # bcplint: x'\nb: |  # bcplint: head\n  # bcplint: body\n\n"
        "# bcplint: after\nc: [1, # bcplint: flow\n 2]\n",
        "a: 1\r\n# bcplint: crlf\r\nb: {c: 'd # bcplint: no'}  # BCPLINT: yes\r\n",
    ]
    sources = [YamlText(path="a.yaml", text=text) for text in texts]
    with_c = [comments.directive_comments(source) for source in sources]
    monkeypatch.setattr(yaml_stream, "HAS_C_PARSER", False)
    assert [comments.directive_comments(source) for source in sources] == with_c
    assert [[(c.line, c.column) for c in found] for found in with_c] == [
        [(5, 31)],
        [(2, 7), (5, 1), (6, 8)],
        [(2, 1), (3, 28)],
    ]


# --- What is an attempt at a directive -----------------------------------------------------------


@pytest.mark.parametrize(
    ("comment", "problem"),
    [
        pytest.param("# bcplint: Ignore[BCP003] -- r", "write 'ignore' in lower case", id="mis-cased-verb"),
        pytest.param("# BCPLINT: ignore[BCP003] -- r", "write 'bcplint:' in lower case", id="mis-cased-tool"),
        pytest.param("#bcplint:ignore BCP003", "the rules go in brackets", id="no-brackets"),
        pytest.param("# bcplint: ignore[BCP003] until=2027-13-01 -- r", "invalid date until=2027-13-01", id="bad-date"),
        pytest.param("# bcplint: ignore[BCP003] until=2027-06-30", "gives no reason", id="no-reason"),
        pytest.param("# bcplint: ignore[BCP003] --   ", "gives no reason", id="blank-reason"),
        pytest.param("# bcplint: disable[BCP003] -- r", "'disable' is no directive", id="unknown-verb"),
        pytest.param("# bcplint:", "says nothing after 'bcplint:'", id="empty"),
        pytest.param("# bcplint: ignore[] -- r", "names no rule", id="no-rule"),
        pytest.param("# bcplint: ignore[BCP999] -- r", "names no known rule 'BCP999'", id="unknown-rule"),
        pytest.param("# todo bcplint: ignore[BCP003] -- r", "'todo' between '#' and 'bcplint:'", id="prose-first"),
        pytest.param(
            "# bcplint: ignore[BCP003] until 2027-06-30 -- r", "is not `# bcplint: ignore[", id="until-no-equals"
        ),
    ],
)
def test_a_mistyped_directive_is_invalid_never_silent(
    bcplint: Bcplint, tmp_path: Path, comment: str, problem: str
) -> None:
    code, findings = lint(bcplint, tmp_path, SERVICE.format(comment="  " + comment))
    assert summary(findings) == [("BCP003", 5, False), ("BCP803", 5, False)]
    invalid = findings[1]
    assert (invalid["column"], invalid["severity"]) == (len("owner: ops-b  ") + 1, "error")
    assert problem in invalid["message"], invalid["message"]
    assert code == 1


def test_a_comment_that_does_not_address_bcplint_is_left_alone(bcplint: Bcplint, tmp_path: Path) -> None:
    text = SERVICE.format(comment="  # bcplint-compatible, see bcplint/v1 and bcplint docs")
    _, findings = lint(bcplint, tmp_path, text)
    assert summary(findings) == [("BCP003", 5, False)]


# --- Where a suppression covers a finding ------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "covers"),
    [
        pytest.param(15, True, id="the-field-line"),
        pytest.param(14, True, id="key-last_restore_test"),
        pytest.param(11, True, id="sequence-item"),
        pytest.param(10, True, id="key-backups"),
        pytest.param(3, True, id="name-line"),
        pytest.param(1, True, id="first-line"),
        pytest.param(16, False, id="sibling-key-result"),
        pytest.param(13, False, id="sibling-key-location"),
        pytest.param(17, False, id="the-other-backup"),
        pytest.param(8, False, id="unrelated-key"),
    ],
)
def test_a_suppression_covers_the_field_path_and_the_document_head(
    bcplint: Bcplint, tmp_path: Path, line: int, covers: bool
) -> None:
    code, findings = lint(bcplint, tmp_path, with_comment(SYSTEM, line, DIRECTIVE.format(rule="BCP402")))
    [stale] = [f for f in findings if f["rule_id"] == "BCP402"]
    assert stale["field"] == "backups[0].last_restore_test.date"
    if covers:
        assert summary(findings) == [("BCP402", 15, True)]
        assert code == 0
    else:
        assert sorted(summary(findings)) == sorted([("BCP402", 15, False), ("BCP802", line, False)])
        assert code == 1


@pytest.mark.parametrize(
    ("above", "covers"),
    [
        pytest.param(DIRECTIVE.format(rule="BCP402") + "\n", True, id="own-line-above"),
        pytest.param(DIRECTIVE.format(rule="BCP402") + "\n# The orders database.\n\n", True, id="comment-block-above"),
        pytest.param("--- " + DIRECTIVE.format(rule="BCP402") + "\n", True, id="on-the-document-marker"),
    ],
)
def test_a_suppression_above_the_document(bcplint: Bcplint, tmp_path: Path, above: str, covers: bool) -> None:
    text = SERVICE.format(comment="") + "---\n" + above + SYSTEM
    if above.startswith("---"):
        text = SERVICE.format(comment="") + above + SYSTEM
    _, findings = lint(bcplint, tmp_path, text.replace("owner: ops-b", "owner: cto"))
    assert [(f["rule_id"], f["waiver"] is not None) for f in findings] == [("BCP402", covers)]


def test_a_suppression_above_the_separator_belongs_to_the_document_before(bcplint: Bcplint, tmp_path: Path) -> None:
    text = SERVICE.format(comment="").replace("owner: ops-b", "owner: cto")
    text += DIRECTIVE.format(rule="BCP402") + "\n---\n" + SYSTEM
    _, findings = lint(bcplint, tmp_path, text)
    assert summary(findings) == [("BCP802", 6, False), ("BCP402", 22, False)]
    unused = findings[0]
    assert "Service 'storefront' has no BCP402 finding; remove it" in unused["message"]


# --- What an unused suppression says ------------------------------------------------------------


def test_an_unused_suppression_says_where_the_finding_is(bcplint: Bcplint, tmp_path: Path) -> None:
    text = SERVICE.format(comment="") + "title: Storefront  " + DIRECTIVE.format(rule="BCP003") + "\n"
    code, findings = lint(bcplint, tmp_path, text)
    assert summary(findings) == [("BCP003", 5, False), ("BCP802", 6, False)]
    assert findings[1]["message"] == (
        "suppression at plan.yaml:6 for BCP003 matches no finding; BCP003 on Service 'storefront' is reported "
        "at line 5 (field owner): put the comment on that line, a key above it, the name: line or the "
        "document's first line"
    )
    assert code == 1


def test_an_unused_suppression_says_when_the_document_has_no_such_finding(bcplint: Bcplint, tmp_path: Path) -> None:
    text = SERVICE.format(comment="  " + DIRECTIVE.format(rule="BCP201"))
    _, findings = lint(bcplint, tmp_path, text)
    assert summary(findings) == [("BCP003", 5, False), ("BCP802", 5, False)]
    assert findings[1]["message"].endswith(
        "for BCP201 matches no finding: Service 'storefront' has no BCP201 finding; remove it"
    )


def test_an_unused_waiver_names_its_target(bcplint: Bcplint, tmp_path: Path) -> None:
    waiver = (
        "apiVersion: bcplint/v1\nkind: Waiver\nname: storefront-rto\nrule: BCP201\ntarget: storefront\n"
        "reason: Agreed later.\napproved_by: coo\nexpires: 2027-06-30\n"
    )
    write(tmp_path, "waivers.yaml", waiver)
    _, findings = lint(bcplint, tmp_path, SERVICE.format(comment="").replace("ops-b", "cto"))
    [unused] = [f for f in findings if f["rule_id"] == "BCP802"]
    assert unused["message"] == (
        "Waiver 'storefront-rto' for BCP201 matches no finding: Service 'storefront' has no BCP201 "
        "finding any more; remove it"
    )


def test_letters_that_change_length_when_lower_cased_keep_columns_right() -> None:
    # "İ".lower() is two characters: offsets found in a lower-cased copy would drift.
    text = "title: İİİİ  # bcplint: ignore[BCP003] -- x\n"
    [found] = comments.directive_comments(YamlText(path="a.yaml", text=text))
    assert (found.line, found.column, found.text) == (1, 14, "# bcplint: ignore[BCP003] -- x")
