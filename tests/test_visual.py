"""Pictures of the plan: the Mermaid/DOT graph, maturity levels and the readiness report,
checked by parsing what we emit and by opening the HTML in a real headless Chromium."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from bcplint.api import LintOptions, load_workspace
from bcplint.workspace.graph import edges
from tests.conftest import EXAMPLES, TODAY, Run, without_links, write
from tests.test_rule_pages import RULE_PAGES

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--enable-logging=stderr", "--v=0",
]  # fmt: skip
NODE = re.compile(r'^  (n\d+)\["([^"]*)"\]:::(\w+)$', re.MULTILINE)
EDGE = re.compile(r"^  (n\d+) -\.?->(\|[^|]*\|)? (n\d+)$", re.MULTILINE)
LINK_STYLE = re.compile(r"^  linkStyle (\d+) stroke:(#[0-9a-f]{6})", re.MULTILINE)

INVERTED = """\
apiVersion: bcplint/v1
kind: Service
name: shop
criticality: critical
rto: 1h
depends_on: [db, "quote\\"d"]
---
apiVersion: bcplint/v1
kind: System
name: db
criticality: high
rto: 8h
depends_on: [cache]
---
apiVersion: bcplint/v1
kind: System
name: cache
criticality: low
depends_on: [db]
---
apiVersion: bcplint/v1
kind: Supplier
name: quote"d
criticality: medium
---
apiVersion: bcplint/v1
kind: System
name: printer
criticality: low
"""


def mermaid_structure(text: str) -> tuple[dict[str, tuple[str, str]], list[tuple[str, str, str]], dict[int, str]]:
    """Parse our Mermaid: node id -> (name, class), edges (source, target, label), link colours."""
    assert text.startswith("flowchart LR\n")
    nodes = {node: (label.split(" (")[0].replace("#quot;", '"'), cls) for node, label, cls in NODE.findall(text)}
    links = [(nodes[a][0], nodes[b][0], label) for a, label, b in EDGE.findall(text)]
    styles = {int(index): colour for index, colour in LINK_STYLE.findall(text)}
    statements = [line for line in text.splitlines()[1:] if not line.startswith("  classDef")]
    assert len(statements) == len(nodes) + len(links) + len(styles), "every line is a node, edge or style"
    return nodes, links, styles


@pytest.mark.parametrize("example", ["jitbit", "eververse", "testpoint", "cloudgov", "complete"])
def test_mermaid_of_every_example_has_every_node_and_edge(bcplint: Callable[..., Run], example: str) -> None:
    run = bcplint("graph", str(EXAMPLES / example))
    assert run.code == 0
    nodes, links, _ = mermaid_structure(run.out)
    workspace = load_workspace(LintOptions(paths=[str(EXAMPLES / example)]))
    graph = edges(workspace)
    assert sorted(name for name, _ in nodes.values()) == sorted(graph)
    assert sorted((a, b) for a, b, _ in links) == sorted((a, b) for a in graph for b in graph[a])
    # Each node is drawn in the colour of its document's criticality ("unassessed" when a real
    # plan leaves it out because nobody assessed it).
    assert {name: cls for name, cls in nodes.values()} == {
        name: "excluded"
        if workspace.excluded(workspace.by_name[name])
        else "resource"
        if workspace.by_name[name].kind in ("Site", "Team", "Contact")
        else getattr(workspace.by_name[name].model, "criticality", None) or "unassessed"
        for name in graph
    }


def test_inversions_and_cycles_are_highlighted(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    write(tmp_path, "bcp/all.yaml", INVERTED)
    nodes, links, styles = mermaid_structure(bcplint("graph", "bcp", cwd=tmp_path).out)
    assert ("shop", "db", "|RTO inversion|") in links
    colours = {(links[i][0], links[i][1]): colour for i, colour in styles.items()}
    assert colours == {("shop", "db"): "#e03131", ("db", "cache"): "#7048e8", ("cache", "db"): "#7048e8"}
    assert any(name == 'quote"d' for name, _ in nodes.values())  # quotes escaped as #quot; and read back


def test_focus_keeps_what_a_document_depends_on_and_what_depends_on_it(
    bcplint: Callable[..., Run], tmp_path: Path
) -> None:
    write(tmp_path, "bcp/all.yaml", INVERTED)
    nodes, _, _ = mermaid_structure(bcplint("graph", "bcp", "--focus", "db", cwd=tmp_path).out)
    assert sorted(name for name, _ in nodes.values()) == ["cache", "db", "shop"]
    missing = bcplint("graph", "bcp", "--focus", "dbb", cwd=tmp_path)
    assert missing.code == 2
    assert "nothing in the dependency graph is named 'dbb' (did you mean db?)" in missing.err


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed (apt-get install graphviz)")
@pytest.mark.parametrize("example", ["jitbit", "complete"])
def test_dot_is_accepted_by_graphviz(bcplint: Callable[..., Run], tmp_path: Path, example: str) -> None:
    out = bcplint("graph", str(EXAMPLES / example), "--format", "dot").out
    result = subprocess.run(["dot", "-Tsvg"], input=out, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    # Node statements carry a label; so do typed-dependency edges, which are not nodes.
    node_lines = [line for line in out.splitlines() if " [label=" in line and " -> " not in line]
    assert result.stdout.count('class="node"') == len(node_lines)


def test_dot_escapes_awkward_names(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    write(tmp_path, "bcp/all.yaml", INVERTED)
    out = bcplint("graph", "bcp", "--format", "dot", cwd=tmp_path).out
    assert '"quote\\"d" [label="quote\\"d (Supplier)"' in out
    assert '"shop" -> "db" [color="#e03131", penwidth=3, label="RTO inversion"];' in out


def test_maturity_levels_in_json(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    def levels(path: Path) -> dict[str, str | None]:
        report = json.loads(bcplint("check", str(path), "--today", TODAY, "--format", "json").out)
        return {m["service"]: m["level"] for m in report["maturity"]}

    # The standing acceptance of a slow offsite restore of orders-db is still a gap: checkout,
    # which depends on the database, stops at silver; the support desk is gold.
    assert levels(EXAMPLES / "complete") == {"checkout": "silver", "support-desk": "gold"}
    assert set(levels(EXAMPLES / "jitbit").values()) == {None}
    # Remove the complete plan's exercise of checkout: gold needs an exercise within a year.
    copy = tmp_path / "complete"
    shutil.copytree(EXAMPLES / "complete", copy)
    for exercise in (copy / "bcp" / "exercises").iterdir():
        exercise.unlink()
    report = json.loads(bcplint("check", str(copy), "--today", TODAY, "--format", "json").out)
    checkout = next(m for m in report["maturity"] if m["service"] == "checkout")
    assert (checkout["level"], checkout["next"]) == ("silver", "gold")
    assert "BCP601" in checkout["missing"]


def report(bcplint: Callable[..., Run], tmp_path: Path, example: str, fmt: str = "html") -> str:
    """The report of a copy of ``example`` outside git: BCP304 (review after change) would read
    this repository's commits, which every edit of the example moves."""
    copy = tmp_path / "copy" / example
    shutil.copytree(EXAMPLES / example, copy)
    target = tmp_path / f"{example}.{fmt}"
    run = bcplint("report", str(copy), "--format", fmt, "-o", str(target), "--today", TODAY)
    assert run.code == 0, run.err
    return target.read_text(encoding="utf-8")


def test_html_report_is_self_contained_and_timeless(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    """Byte-identical across processes and hash seeds: tests/test_determinism.py."""
    html = report(bcplint, tmp_path, "jitbit")
    assert "<script" not in html and "<link" not in html and "@import" not in html
    # Links to the rule pages are for a reader to follow; nothing else names a URL but the SVG
    # namespace, which is not fetched either.
    links = re.findall(r'<a href="([^"]+)">', html)
    assert links and all(link.startswith(RULE_PAGES) for link in links)
    unlinked = re.sub(r'<a href="[^"]+">', "<a>", html)
    assert re.findall(r"https?://[^\s\"'<>]+", unlinked) == ["http://www.w3.org/2000/svg"]
    assert "2026-11-23" in html and not re.search(r"\d\d:\d\d:\d\d", html)  # no timestamp


def test_markdown_report(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    text = without_links(report(bcplint, tmp_path, "complete", "markdown"))
    assert "| checkout | silver | BCP405 restore-within-rto (on a dependency) |" in text
    assert "| support-desk | gold |" in text
    assert "```mermaid\nflowchart LR\n" in text
    [row] = [line for line in text.splitlines() if line.startswith("| Service **checkout** |")]
    # Every question answered green, except backups, which a Service does not have itself:
    # a plain n/a, with no "never" or "none" after it.
    assert row.count("✅") == 6 and "❌" not in row and "| n/a |" in row


def _chromium(page: Path, tmp_path: Path) -> str:
    """Open ``page`` headless; return Chromium's log (console messages land there)."""
    assert CHROMIUM is not None
    result = subprocess.run(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stderr


@pytest.mark.slow  # a real browser
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs Debian's chromium)")
def test_html_report_in_a_real_browser(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    html = report(bcplint, tmp_path, "jitbit")
    page = tmp_path / "jitbit.html"
    log = _chromium(page, tmp_path)
    assert "CONSOLE" not in log and "Failed to load resource" not in log  # the page itself logs nothing
    # A copy with a probe script (the report itself has none) reads what the browser rendered.
    probe = tmp_path / "probe.html"
    probe.write_text(
        html.replace(
            "</body>",
            "<script>const q=s=>[...document.querySelectorAll(s)];console.log('PROBE '+JSON.stringify({"
            "rows:q('#readiness tr[data-name]').map(r=>r.dataset.name),"
            "fail:getComputedStyle(q('#readiness td.fail')[0]).backgroundColor,"
            "ok:getComputedStyle(q('#readiness td.ok')[0]).backgroundColor,"
            "failing:q('#readiness td.fail').length,"
            "errors:document.querySelector('#errors').textContent,"
            "levels:q('#maturity .level').map(e=>e.textContent),"
            "nodes:q('svg.graph g.node').length,inverted:q('svg.graph path.inverted').length}));</script></body>",
        ),
        encoding="utf-8",
    )
    [line] = [line for line in _chromium(probe, tmp_path).splitlines() if "PROBE " in line]
    shown = json.loads(line.split("PROBE ", 1)[1].rsplit('", source:', 1)[0].encode().decode("unicode_escape"))
    assert shown["rows"] == [
        "billing", "customer-support", "helpdesk",
        "database-servers", "mail-servers", "supporting-servers", "web-servers",
    ]  # fmt: skip
    assert shown["fail"] == "rgb(255, 201, 201)" and shown["ok"] == "rgb(211, 249, 216)"
    assert shown["failing"] == html.count('<td class="fail" title=')  # the matrix's red cells, as rendered
    errors = sum(
        f["severity"] == "error"
        for f in json.loads(bcplint("check", str(EXAMPLES / "jitbit"), "--format", "json").out)["findings"]
    )
    assert errors > 0 and shown["errors"] == f"{errors} errors"  # the page's count is the run's
    assert shown["levels"] == ["below bronze"] * 3
    assert shown["nodes"] == 8 and shown["inverted"] == 0


def test_reports_count_one_of_a_thing_in_the_singular(bcplint: Callable[..., Run], tmp_path: Path) -> None:
    """One document with one error: "1 error", "1 document", not "1 errors" and "1 documents"."""
    write(tmp_path, ".bcplint.yaml", "")
    write(tmp_path, "bcp/one.yaml", "apiVersion: bcplint/v1\nkind: Contact\nname: cto\nemail: [not, an, email]\n")
    for fmt, out in (("markdown", "one.md"), ("html", "one.html")):
        run = bcplint("report", str(tmp_path), "--format", fmt, "-o", str(tmp_path / out), "--today", TODAY)
        assert run.code == 0, run.err
        text = (tmp_path / out).read_text(encoding="utf-8")
        assert "1 errors" not in text and "1 documents" not in text
        if fmt == "markdown":
            assert "Evaluated on 2026-11-23: 1 error, 0 warnings, 0 waived, 1 document." in text
        else:
            assert '<span id="errors">1 error</span>' in text and '<span id="documents">1 document</span>' in text
