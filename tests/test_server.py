"""`bcplint server` end to end: a real LSP client drives the real server process over stdio.

Each test starts ``python -m bcplint server --today TODAY`` with pytest-lsp's client (with the
capabilities a real VS Code or Neovim sends), opens documents of a real git repository and
waits for what the server publishes. Nothing is mocked: the diagnostics come from the rule
packs, and the quick fix is checked by running ``bcplint check`` on the saved file.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bcplint.api import LintOptions, lint
from bcplint.cli.common import rules_of
from bcplint.load.discover import SourceFile
from bcplint.server import cache
from bcplint.server.cache import ParsedFiles
from bcplint.server.lint import Buffer, resolved, workspace_of
from bcplint.server.lint import lint as server_lint
from bcplint.server.suppress import suppression
from bcplint.server.text import LineMap, code_units, column_from_units, token_span

pytest_lsp = pytest.importorskip("pytest_lsp", reason="the server tests need the test extra (pytest-lsp, pygls)")

from lsprotocol import types  # noqa: E402
from pygls.protocol import default_converter  # noqa: E402
from pygls.uris import from_fs_path  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features  # noqa: E402

from bcplint.findings import clause_text  # noqa: E402
from tests.conftest import TODAY, Run, git, write  # noqa: E402
from tests.test_rule_pages import RULE_PAGES  # noqa: E402

WAIT = 20.0  # seconds: a bound for a hung server, far above what a publish takes
EXPIRY = (dt.date.fromisoformat(TODAY) + dt.timedelta(days=90)).isoformat()

CONTACTS = """\
apiVersion: bcplint/v1
kind: Contact
name: cto
title: Chief technology officer
email: cto@example.com
phone: "+1 555 0100"
last_verified: 2026-11-01
---
apiVersion: bcplint/v1
kind: Contact
name: ops-lead
title: Operations lead
email: ops@example.com
phone: "+1 555 0101"
last_verified: 2026-11-01
"""
WEBSHOP = """\
apiVersion: bcplint/v1
kind: Service
name: webshop
title: Web shop
owner: cto
criticality: medium
rto: 4h
rpo: 1h
depends_on: [db]
"""
DB = """\
apiVersion: bcplint/v1
kind: System
name: db
title: Orders database
owner: ops-lead
criticality: high
rto: 2h
rpo: 15m
stateless: true
"""
PLAN = """\
---
apiVersion: bcplint/v1
kind: Plan
name: shop-plan
owner: cto
covers: [webshop]
reviewed: {by: cto, "on": 2026-10-01}
---
# Shop plan

Prose for people.
"""


class Client(LanguageClient):
    """pytest-lsp's client, also keeping every publishDiagnostics (with its version) and
    every capability the server registers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.published: list[types.PublishDiagnosticsParams] = []
        self.registrations: list[types.Registration] = []


def _record(client: Client, params: types.PublishDiagnosticsParams) -> None:
    client.diagnostics[params.uri] = params.diagnostics
    client.published.append(params)


def _register(client: Client, params: types.RegistrationParams) -> None:
    client.registrations.extend(params.registrations)


def _make_client() -> Client:
    client = Client(converter_factory=default_converter)
    features = {
        **DEFAULT_CLIENT_FEATURES,
        types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: _record,
        types.CLIENT_REGISTER_CAPABILITY: _register,
    }
    register_lsp_features(client, features)
    return client


SERVER = [sys.executable, "-m", "bcplint", "server", "--today", TODAY]
CONFIG = ClientServerConfig(server_command=SERVER, client_factory=_make_client)


def organisation(root: Path) -> Path:
    """A small committed plan: two contacts, a service on a system, a Markdown plan."""
    write(root, "bcp/contacts.yaml", CONTACTS)
    write(root, "bcp/webshop.yaml", WEBSHOP)
    write(root, "bcp/db.yaml", DB)
    write(root, "bcp/plan.md", PLAN)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "plan")
    return root


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: Client) -> AsyncIterator[None]:
    """One server for the module, initialised as VS Code does, with no folder open: it finds
    each document's workspace from the document's path. Tests use repositories of their own."""
    await lsp_client.initialize_session(types.InitializeParams(capabilities=client_capabilities("visual-studio-code")))
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def neovim(lsp_client: Client) -> AsyncIterator[None]:
    """The same, initialised as Neovim 0.11 (which asks for UTF-8 positions)."""
    await lsp_client.initialize_session(types.InitializeParams(capabilities=client_capabilities("neovim@v0.11.0")))
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def org(git_repo: Path) -> Path:
    return organisation(git_repo)


class Editor:
    """Opens, edits and closes documents for one test (versions counted for it), and waits for
    what the server publishes. Closes what it opened, so a shared server starts each test clean."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.versions: dict[str, int] = {}

    def open(self, path: Path, text: str | None = None) -> str:
        uri = uri_of(path)
        content = path.read_text(encoding="utf-8") if text is None else text
        language = "markdown" if path.suffix == ".md" else "yaml"
        self.versions[uri] = 1
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(uri=uri, language_id=language, version=1, text=content)
            )
        )
        return uri

    def change(self, uri: str, text: str) -> int:
        self.versions[uri] += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
        return self.versions[uri]

    def close(self, uri: str) -> None:
        del self.versions[uri]
        self.client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )

    async def diagnostics(self, uri: str) -> list[types.Diagnostic]:
        """What the server published for the current version of ``uri`` (it answers every change)."""
        version = self.versions[uri]
        return await wait_for(self.client, uri, lambda p: p.version == version, f"version {version}")

    def close_all(self) -> None:
        for uri in list(self.versions):
            self.close(uri)


@pytest.fixture
def editor(client: Client) -> Iterator[Editor]:
    opened = Editor(client)
    yield opened
    opened.close_all()


@pytest.fixture
def neovim_editor(neovim: Client) -> Iterator[Editor]:
    opened = Editor(neovim)
    yield opened
    opened.close_all()


# --- helpers ------------------------------------------------------------------------------------


def uri_of(path: Path) -> str:
    uri = from_fs_path(str(path))
    assert uri is not None
    return uri


async def wait_for(
    client: Client, uri: str, condition: Callable[[types.PublishDiagnosticsParams], bool], what: str
) -> list[types.Diagnostic]:
    """The latest diagnostics published for ``uri`` that meet ``condition``, once they arrive."""
    deadline = asyncio.get_running_loop().time() + WAIT
    while True:
        for params in reversed(client.published):
            if params.uri == uri and condition(params):
                return list(params.diagnostics)
            if params.uri == uri:
                break  # only the latest publication of a document counts
        if asyncio.get_running_loop().time() > deadline:
            seen = [(p.version, codes(p.diagnostics)) for p in client.published if p.uri == uri]
            raise AssertionError(f"no diagnostics for {uri} with {what} within {WAIT}s; published: {seen}")
        await asyncio.sleep(0.02)


def codes(diagnostics: Any) -> list[str]:
    return [str(d.code) for d in diagnostics]


def with_code(diagnostics: list[types.Diagnostic], code: str) -> list[types.Diagnostic]:
    return [d for d in diagnostics if d.code == code]


def span(line: int, start: int, end: int) -> types.Range:
    return types.Range(start=types.Position(line=line, character=start), end=types.Position(line=line, character=end))


def apply(text: str, edit: types.TextEdit) -> str:
    """Apply one single-line TextEdit given in UTF-16 units to ``text`` (ASCII lines here)."""
    lines = text.splitlines(keepends=True)
    start = sum(len(line) for line in lines[: edit.range.start.line]) + edit.range.start.character
    end = sum(len(line) for line in lines[: edit.range.end.line]) + edit.range.end.character
    return text[:start] + edit.new_text + text[end:]


def check_json(bcplint: Callable[..., Run], root: Path, *paths: str) -> list[dict[str, Any]]:
    run = bcplint("check", "--today", TODAY, "--format", "json", *paths, cwd=root)
    assert run.code in (0, 1), run.err
    findings: list[dict[str, Any]] = json.loads(run.out)["findings"]
    return findings


# --- diagnostics --------------------------------------------------------------------------------

ASYNC = pytest.mark.asyncio(loop_scope="module")
# A test that edits a document waits out the server's debounce (0.2 s a change, more for a burst),
# one that checks that nothing comes waits the same, and a second client or a bare process needs a
# server of its own: CI runs them, the everyday loop (-m "not slow") keeps the tests that open
# documents and ask (diagnostics, hover, definition, quick fixes) on one shared server.
WAITS = pytest.mark.slow


@ASYNC
async def test_an_unknown_owner_is_published_at_its_range(editor: Editor, org: Path) -> None:
    shop = org / "bcp" / "webshop.yaml"
    uri = editor.open(shop, WEBSHOP.replace("owner: cto", "owner: nobody"))
    [diagnostic] = await editor.diagnostics(uri)
    assert diagnostic.code == "BCP003" and diagnostic.source == "bcplint"
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    assert diagnostic.range == span(4, 7, 13)  # `nobody` on the fifth line, whole
    assert "'nobody'" in diagnostic.message and "[ISO 22301:2019 7.5.2; ITIL 4 SCM plans]" in diagnostic.message
    assert diagnostic.code_description == types.CodeDescription(href=f"{RULE_PAGES}BCP003.md")
    assert shop.read_text(encoding="utf-8") == WEBSHOP  # the buffer is unsaved: the disk is untouched


@WAITS
@ASYNC
async def test_fixing_the_buffer_clears_the_diagnostic(editor: Editor, org: Path) -> None:
    uri = editor.open(org / "bcp" / "webshop.yaml", WEBSHOP.replace("owner: cto", "owner: nobody"))
    assert codes(await editor.diagnostics(uri)) == ["BCP003"]
    editor.change(uri, WEBSHOP.replace("owner: cto", "owner: ops-lead"))
    assert await editor.diagnostics(uri) == []


@WAITS
@ASYNC
async def test_an_rto_inversion_appears_when_a_dependency_changes_unsaved(editor: Editor, org: Path) -> None:
    shop = editor.open(org / "bcp" / "webshop.yaml")
    db = editor.open(org / "bcp" / "db.yaml")
    assert await editor.diagnostics(shop) == []
    editor.change(db, DB.replace("rto: 2h", "rto: 8h"))
    await editor.diagnostics(db)
    found = await wait_for(editor.client, shop, lambda p: bool(p.diagnostics), "BCP204")
    [inversion] = with_code(found, "BCP204")
    assert "(RTO 8h)" in inversion.message and inversion.range == span(8, 13, 15)  # at `db` in [db]
    editor.change(db, DB)  # undone in the buffer: the other document is cleared again
    await editor.diagnostics(db)
    assert await wait_for(editor.client, shop, lambda p: not p.diagnostics, "no diagnostics") == []


@WAITS
@ASYNC
async def test_deleting_a_contact_flags_the_open_documents_that_name_it(editor: Editor, org: Path) -> None:
    shop = editor.open(org / "bcp" / "webshop.yaml")
    contacts = editor.open(org / "bcp" / "contacts.yaml")
    assert await editor.diagnostics(shop) == []
    editor.change(contacts, CONTACTS.split("---\n")[1])  # only ops-lead is left
    await editor.diagnostics(contacts)
    found = await wait_for(editor.client, shop, lambda p: bool(p.diagnostics), "BCP003")
    assert codes(found) == ["BCP003"] and found[0].range == span(4, 7, 10)
    editor.close(contacts)  # the unsaved deletion is discarded: the file on disk still has cto
    assert await wait_for(editor.client, shop, lambda p: not p.diagnostics, "cleared") == []


@ASYNC
async def test_closing_a_document_clears_its_diagnostics(editor: Editor, org: Path) -> None:
    uri = editor.open(org / "bcp" / "webshop.yaml", WEBSHOP.replace("owner: cto", "owner: nobody"))
    assert codes(await editor.diagnostics(uri)) == ["BCP003"]
    editor.close(uri)
    assert await wait_for(editor.client, uri, lambda p: p.version is None, "cleared on close") == []


@WAITS
@ASYNC
async def test_a_stale_review_appears_while_typing(editor: Editor, org: Path) -> None:
    uri = editor.open(org / "bcp" / "plan.md")
    assert "BCP301" not in codes(await editor.diagnostics(uri))
    editor.change(uri, PLAN.replace("2026-10-01", "2024-10-01"))
    [stale] = with_code(await editor.diagnostics(uri), "BCP301")
    date = PLAN.splitlines()[6].index("2026-10-01")
    assert stale.range == span(6, date, date + 10)  # the date in the front matter; lines counted in the file
    assert stale.severity == types.DiagnosticSeverity.Error and "2024-10-01" in stale.message


@ASYNC
async def test_diagnostics_match_bcplint_check_on_the_saved_files(
    editor: Editor, org: Path, bcplint: Callable[..., Run]
) -> None:
    """Whatever the server shows for a document is what `bcplint check` reports for it."""
    write(org, "bcp/webshop.yaml", WEBSHOP.replace("owner: cto", "owner: nobody").replace("4h", "1h"))
    write(org, "bcp/db.yaml", DB.replace("owner: ops-lead\n", ""))
    expected: dict[str, set[tuple[str, int, int, str]]] = {}
    for finding in check_json(bcplint, org):
        if finding["waiver"] is None:
            place = (finding["rule_id"], finding["line"] - 1, finding["column"] - 1, finding["message"])
            expected.setdefault(finding["path"], set()).add(place)
    assert sorted(expected) == ["bcp/db.yaml", "bcp/plan.md", "bcp/webshop.yaml"]
    for relative, places in expected.items():
        uri = editor.open(org / relative)
        got = await editor.diagnostics(uri)
        shown = {(str(d.code), d.range.start.line, d.range.start.character, d.message.split(" [")[0]) for d in got}
        assert shown == places, relative


@ASYNC
async def test_a_new_unsaved_file_is_linted_with_the_workspace(editor: Editor, org: Path) -> None:
    uri = editor.open(org / "bcp" / "draft.yaml", CONTACTS.split("---\n", maxsplit=1)[0])  # not on disk
    [duplicate] = await editor.diagnostics(uri)
    assert duplicate.code == "BCP004" and duplicate.range == span(2, 6, 9)


@WAITS
@ASYNC
async def test_diagnostics_link_to_the_rule_pages_the_configuration_names(editor: Editor, org: Path) -> None:
    write(org, ".bcplint.yaml", "docs_url: https://wiki.example.com/continuity/{id}\n")
    uri = editor.open(org / "bcp" / "webshop.yaml", WEBSHOP.replace("owner: cto", "owner: nobody"))
    [diagnostic] = await editor.diagnostics(uri)
    assert diagnostic.code_description == types.CodeDescription(href="https://wiki.example.com/continuity/BCP003")


@ASYNC
async def test_yaml_that_is_no_plan_gets_no_diagnostics(editor: Editor, org: Path) -> None:
    workflow = write(org, ".github/workflows/ci.yaml", "on: [push]\njobs: {build: {runs-on: x}}\n")
    other = editor.open(workflow, "jobs: [unclosed\n")  # broken, but not ours to judge
    uri = editor.open(org / "bcp" / "webshop.yaml", WEBSHOP.replace("owner: cto", "owner: x"))
    assert codes(await editor.diagnostics(uri)) == ["BCP003"]
    assert all(p.uri != other for p in editor.client.published)


@WAITS
@ASYNC
async def test_an_excluded_file_gets_no_diagnostics(editor: Editor, org: Path) -> None:
    write(org, ".bcplint.yaml", "exclude: [bcp/drafts]\n")
    draft = write(org, "bcp/drafts/idea.yaml", WEBSHOP.replace("name: webshop", "name: idea"))
    uri = editor.open(draft, WEBSHOP.replace("name: webshop", "name: idea").replace("owner: cto", "owner: x"))
    shop = editor.open(org / "bcp" / "webshop.yaml")  # in the same workspace, and linted
    assert await editor.diagnostics(shop) == []
    assert all(p.uri != uri or not p.diagnostics for p in editor.client.published)


@WAITS
@ASYNC
async def test_a_file_changed_on_disk_updates_open_documents(editor: Editor, org: Path) -> None:
    shop = editor.open(org / "bcp" / "webshop.yaml")
    assert await editor.diagnostics(shop) == []
    registered = [r.method for r in editor.client.registrations]
    assert registered == [types.WORKSPACE_DID_CHANGE_WATCHED_FILES]  # VS Code registers watchers on request
    lints = sum("linted" in m.message for m in editor.client.log_messages)
    editor.client.workspace_did_change_watched_files(  # the editor saved an open document: nothing new
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=shop, type=types.FileChangeType.Changed)])
    )
    await asyncio.sleep(0.5)
    assert sum("linted" in m.message for m in editor.client.log_messages) == lints
    contacts = write(org, "bcp/contacts.yaml", CONTACTS.split("---\n")[1])  # another tool removed cto
    editor.client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=uri_of(contacts), type=types.FileChangeType.Changed)]
        )
    )
    assert codes(await wait_for(editor.client, shop, lambda p: bool(p.diagnostics), "BCP003")) == ["BCP003"]


@WAITS
@ASYNC
async def test_positions_in_utf8_for_neovim(neovim_editor: Editor, org: Path) -> None:
    text = WEBSHOP.replace("owner: cto", 'owner: "équipe-🚀"')
    uri = neovim_editor.open(org / "bcp" / "webshop.yaml", text)
    [diagnostic] = await neovim_editor.diagnostics(uri)
    assert diagnostic.range == span(4, 7, 7 + len('"équipe-🚀"'.encode()))


@ASYNC
async def test_positions_in_utf16_for_vs_code(editor: Editor, org: Path) -> None:
    text = WEBSHOP.replace("owner: cto", "owner: 🚀🚀  # rockets")
    uri = editor.open(org / "bcp" / "webshop.yaml", text)
    [diagnostic] = await editor.diagnostics(uri)
    assert diagnostic.range == span(4, 7, 11)  # two astral characters are four UTF-16 units; no comment


# --- broken buffers -----------------------------------------------------------------------------


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    lines = ['  - &l0 "lol"', *(f"  - &l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, levels + 1))]
    return "apiVersion: bcplint/v1\nkind: Service\nname: bomb\nx:\n" + "\n".join(lines) + f"\ny: *l{levels}\n"


BROKEN = {
    "invalid-yaml": ("apiVersion: bcplint/v1\nkind: Service\nname: [unclosed\nowner: cto\n", {"BCP001"}),
    "binary-junk": ("apiVersion: bcplint/v1\n\x00\x01\x02\x7f binary \ufffe junk\n", {"BCP001"}),
    "lone-surrogate": ("apiVersion: bcplint/v1\nname: \ud800 not even UTF-8\n", {"BCP001"}),
    "deep-nesting": ("apiVersion: bcplint/v1\nkind: Service\ndepends_on: " + "[" * 50_000 + "\n", {"BCP001"}),
    "tab-indentation": ("apiVersion: bcplint/v1\nkind: Service\nrecovery:\n\tsteps: []\n", {"BCP001"}),
    "alias-bomb": (alias_bomb(), {"BCP002"}),  # parses; 387 million strings never built
}


@WAITS
@ASYNC
async def test_malformed_buffers_give_findings_and_the_server_keeps_working(editor: Editor, org: Path) -> None:
    uri = editor.open(org / "bcp" / "webshop.yaml")
    assert await editor.diagnostics(uri) == []
    for name, (text, expected) in BROKEN.items():
        editor.change(uri, text)
        assert set(codes(await editor.diagnostics(uri))) == expected, name
    editor.change(uri, WEBSHOP)
    assert await editor.diagnostics(uri) == []
    hover = await editor.client.text_document_hover_async(hover_at(uri, 4, 8))
    assert hover is not None and "Chief technology officer" in markdown(hover)


@WAITS
@ASYNC
async def test_a_broken_configuration_is_shown_once_not_a_crash(editor: Editor, org: Path) -> None:
    shown_before = len(editor.client.messages)
    write(org, ".bcplint.yaml", "fail_onn: error\n")
    uri = editor.open(org / "bcp" / "webshop.yaml", WEBSHOP.replace("cto", "x"))
    editor.change(uri, WEBSHOP.replace("cto", "y"))
    deadline = asyncio.get_running_loop().time() + WAIT
    logged = editor.client.log_messages
    while sum("fail_onn" in m.message for m in logged) < 2 and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.02)
    [message] = editor.client.messages[shown_before:]  # logged twice, shown once
    assert "fail_onn" in message.message and "fail_on" in message.message.split("fail_onn")[1]
    assert message.type == types.MessageType.Warning
    write(org, ".bcplint.yaml", "fail_on: error\n")  # fixed: the next change lints again
    editor.change(uri, WEBSHOP.replace("cto", "z"))
    assert codes(await editor.diagnostics(uri)) == ["BCP003"]


# --- hover and definition -----------------------------------------------------------------------


def hover_at(uri: str, line: int, character: int) -> types.HoverParams:
    return types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=line, character=character)
    )


def markdown(hover: types.Hover | None) -> str:
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.kind == types.MarkupKind.Markdown
    return hover.contents.value


def rule(rule_id: str) -> Any:

    return next(r for r in rules_of(()) if r.id == rule_id)


@ASYNC
async def test_hover_on_a_rule_id_in_a_suppression_explains_the_rule(editor: Editor, org: Path) -> None:
    comment = "  # bcplint: ignore[BCP702, dependency-rto-inversion] until=2027-01-01 -- moving"
    text = WEBSHOP.replace("rto: 4h", "rto: 4h" + comment)
    uri = editor.open(org / "bcp" / "webshop.yaml", text)
    await editor.diagnostics(uri)
    line = text.splitlines()[6]
    hover = await editor.client.text_document_hover_async(hover_at(uri, 6, line.index("BCP702") + 3))
    shown = markdown(hover)
    assert hover is not None and hover.range == span(6, line.index("BCP702"), line.index("BCP702") + 6)
    single_region = rule("BCP702")
    assert shown.startswith("**BCP702** `single-region` (warning)")
    for part in (single_region.summary, single_region.rationale.strip()[:60], single_region.fix.strip()[:60]):
        assert part in shown
    assert f"**Clauses:** {clause_text(single_region.clauses)}" in shown
    assert single_region.help_url and f"[The rule's page]({single_region.help_url})" in shown
    by_name = await editor.client.text_document_hover_async(hover_at(uri, 6, line.index("dependency-rto")))
    assert markdown(by_name).startswith("**BCP204** `dependency-rto-inversion`")
    assert await editor.client.text_document_hover_async(hover_at(uri, 6, 1)) is None  # `rto` is neither


@ASYNC
async def test_hover_on_a_waiver_rule_explains_the_rule(editor: Editor, org: Path) -> None:
    waiver = "apiVersion: bcplint/v1\nkind: Waiver\nname: w\nrule: backup-tested\ntarget: db\n"
    uri = editor.open(org / "bcp" / "waiver.yaml", waiver)
    await editor.diagnostics(uri)
    assert markdown(await editor.client.text_document_hover_async(hover_at(uri, 3, 8))).startswith("**BCP402**")


@ASYNC
async def test_hover_on_a_diagnostic_explains_its_rule(editor: Editor, org: Path) -> None:
    uri = editor.open(org / "bcp" / "webshop.yaml", WEBSHOP.replace("owner: cto", "owner: nobody"))
    await editor.diagnostics(uri)
    shown = markdown(await editor.client.text_document_hover_async(hover_at(uri, 4, 9)))
    assert "`nobody`: no document in this workspace has this name (expected a Contact or Team)" in shown
    assert "**BCP003** `unknown-reference`" in shown and rule("BCP003").fix.strip()[:40] in shown


@ASYNC
async def test_hover_on_a_reference_shows_what_it_names(editor: Editor, org: Path) -> None:
    uri = editor.open(org / "bcp" / "webshop.yaml")
    await editor.diagnostics(uri)
    shown = markdown(await editor.client.text_document_hover_async(hover_at(uri, 8, 14)))
    assert shown.startswith("**System** `db`: Orders database")
    assert "criticality high · RTO 2h · RPO 15m · owner ops-lead" in shown
    assert "Defined in `bcp/db.yaml` line 3" in shown
    owner = await editor.client.text_document_hover_async(hover_at(uri, 4, 10))  # just after `cto`
    assert markdown(owner).startswith("**Contact** `cto`: Chief technology officer")
    assert owner is not None and owner.range == span(4, 7, 10)
    assert await editor.client.text_document_hover_async(hover_at(uri, 3, 9)) is None  # a title names nothing


@ASYNC
async def test_go_to_definition_across_files(editor: Editor, org: Path) -> None:
    plan = editor.open(org / "bcp" / "plan.md")
    await editor.diagnostics(plan)
    params = types.DefinitionParams(
        text_document=types.TextDocumentIdentifier(uri=plan), position=types.Position(line=5, character=10)
    )
    [service] = await editor.client.text_document_definition_async(params) or []
    assert isinstance(service, types.Location)
    assert service.uri == uri_of(org / "bcp" / "webshop.yaml") and service.range == span(2, 6, 13)
    params.position = types.Position(line=4, character=8)  # owner: cto, the first of two documents in a file
    [contact] = await editor.client.text_document_definition_async(params) or []
    assert isinstance(contact, types.Location)
    assert contact.uri == uri_of(org / "bcp" / "contacts.yaml") and contact.range == span(2, 6, 9)
    params.position = types.Position(line=3, character=8)  # name: shop-plan is no reference
    assert await editor.client.text_document_definition_async(params) is None


@WAITS
@ASYNC
async def test_definition_follows_an_unsaved_rename(editor: Editor, org: Path) -> None:
    shop = editor.open(org / "bcp" / "webshop.yaml", WEBSHOP.replace("[db]", "[orders]"))
    db = editor.open(org / "bcp" / "db.yaml", "# renamed\n" + DB.replace("name: db", "name: orders"))
    await editor.diagnostics(db)
    await wait_for(editor.client, shop, lambda p: not p.diagnostics, "no BCP003 once both are open")
    params = types.DefinitionParams(
        text_document=types.TextDocumentIdentifier(uri=shop), position=types.Position(line=8, character=15)
    )
    [location] = await editor.client.text_document_definition_async(params) or []
    assert isinstance(location, types.Location) and location.uri == db and location.range == span(3, 6, 12)


# --- the quick fix ------------------------------------------------------------------------------


async def quick_fixes(client: Client, uri: str, diagnostics: list[types.Diagnostic]) -> list[types.CodeAction]:
    params = types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=diagnostics[0].range,
        context=types.CodeActionContext(diagnostics=diagnostics),
    )
    actions = await client.text_document_code_action_async(params) or []
    return [a for a in actions if isinstance(a, types.CodeAction)]


def the_edit(action: types.CodeAction, uri: str) -> types.TextEdit:
    assert action.kind == types.CodeActionKind.QuickFix and action.edit is not None and action.edit.changes
    [edit] = action.edit.changes[uri]
    assert isinstance(edit, types.TextEdit)
    return edit


def active(findings: list[dict[str, Any]], rule_id: str) -> list[dict[str, Any]]:
    return [f for f in findings if f["rule_id"] == rule_id and f["waiver"] is None]


@WAITS
@ASYNC
@pytest.mark.parametrize(
    ("line", "suppressed"),
    [
        ("owner: nobody", f"owner: nobody  # bcplint: ignore[BCP003] until={EXPIRY} -- TODO: "),
        (
            "owner: nobody  # the on-call lead",
            f"owner: nobody  # the on-call lead # bcplint: ignore[BCP003] until={EXPIRY}",
        ),
        (
            "owner: nobody  # bcplint: ignore[BCP702] until=2027-06-30 -- moving region",
            "owner: nobody  # bcplint: ignore[BCP702, BCP003] until=2027-06-30 -- moving region",
        ),
    ],
    ids=["plain", "after-a-comment", "added-to-a-suppression"],
)
async def test_the_quick_fix_writes_a_suppression_that_check_honours(
    editor: Editor, org: Path, bcplint: Callable[..., Run], line: str, suppressed: str
) -> None:
    text = WEBSHOP.replace("owner: cto", line)
    shop = write(org, "bcp/webshop.yaml", text)
    assert len(active(check_json(bcplint, org, "bcp/webshop.yaml"), "BCP003")) == 1
    uri = editor.open(shop)
    diagnostics = with_code(await editor.diagnostics(uri), "BCP003")
    [action] = await quick_fixes(editor.client, uri, diagnostics)
    assert list(action.diagnostics or []) == diagnostics
    edited = apply(text, the_edit(action, uri))
    assert edited.splitlines()[4].startswith(suppressed)
    assert [n for n, (a, b) in enumerate(zip(edited.splitlines(), text.splitlines(), strict=True)) if a != b] == [4]
    editor.change(uri, edited)
    assert with_code(await editor.diagnostics(uri), "BCP003") == []  # the server honours it at once
    write(org, "bcp/webshop.yaml", edited)  # saved
    [finding] = [f for f in check_json(bcplint, org, "bcp/webshop.yaml") if f["rule_id"] == "BCP003"]
    assert finding["waiver"].startswith("inline at bcp/webshop.yaml:5, until 2027-")


@ASYNC
async def test_the_quick_fix_goes_above_the_document_when_the_line_cannot_take_a_comment(
    editor: Editor, org: Path, bcplint: Callable[..., Run]
) -> None:
    """A comment after the first line of a multi-line plain value would cut the value there."""
    text = WEBSHOP.replace("owner: cto", "owner: nobody\n  else")  # the owner is 'nobody else'
    shop = write(org, "bcp/webshop.yaml", text)
    uri = editor.open(shop)
    diagnostics = with_code(await editor.diagnostics(uri), "BCP003")
    [action] = await quick_fixes(editor.client, uri, diagnostics)
    assert action.title == f"Suppress BCP003 for this document until {EXPIRY}"
    edited = apply(text, the_edit(action, uri))
    assert edited.startswith(f"# bcplint: ignore[BCP003] until={EXPIRY} -- TODO: ") and edited.endswith(text)
    write(org, "bcp/webshop.yaml", edited)
    [finding] = [f for f in check_json(bcplint, org, "bcp/webshop.yaml") if f["rule_id"] == "BCP003"]
    assert "'nobody else'" in finding["message"]
    assert finding["waiver"].startswith(f"inline at bcp/webshop.yaml:1, until {EXPIRY}")


@ASYNC
async def test_no_quick_fix_for_a_parse_error(editor: Editor, org: Path) -> None:
    uri = editor.open(org / "bcp" / "webshop.yaml", "apiVersion: bcplint/v1\nname: [\n")
    diagnostics = await editor.diagnostics(uri)
    assert codes(diagnostics) == ["BCP001"]
    assert await quick_fixes(editor.client, uri, diagnostics) == []


# --- the command --------------------------------------------------------------------------------


def test_check_never_imports_the_server(tmp_path: Path) -> None:
    write(tmp_path, "plan.yaml", WEBSHOP)
    code = "import sys; from bcplint.cli import main; main(['check', sys.argv[1]]); print(sorted(sys.modules))"
    run = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=False)
    modules = run.stdout.splitlines()[-1]
    assert "'bcplint.cli'" in modules and "'bcplint.engine'" in modules
    assert "pygls" not in modules and "lsprotocol" not in modules and "bcplint.server" not in modules


@WAITS
def test_the_command_says_how_to_install_the_extra(tmp_path: Path) -> None:
    blocker = write(tmp_path, "sitecustomize.py", "import sys\nsys.modules['pygls'] = None\n")
    env = {**os.environ, "PYTHONPATH": str(blocker.parent)}
    run = subprocess.run(
        [sys.executable, "-m", "bcplint", "server"], capture_output=True, text=True, env=env, check=False, timeout=60
    )
    assert run.returncode == 2, run.stderr
    assert "pip install 'bcplint[server]'" in run.stderr and "Traceback" not in run.stderr


@WAITS
@ASYNC
async def test_a_burst_of_changes_costs_one_lint(editor: Editor, org: Path) -> None:
    uri = editor.open(org / "bcp" / "webshop.yaml")
    assert await editor.diagnostics(uri) == []
    for letter in "abcde":  # typed faster than the debounce
        last = editor.change(uri, WEBSHOP.replace("owner: cto", f"owner: {letter}"))
    [diagnostic] = await editor.diagnostics(uri)
    assert "'e'" in diagnostic.message
    versions = [p.version for p in editor.client.published if p.uri == uri]
    assert versions == [1, last]  # nothing published for the intermediate versions


# --- the parts, without a server ----------------------------------------------------------------


def test_token_spans() -> None:

    cases = {
        ("owner: cto", 0): "owner",  # a key ends at its colon
        ("owner: cto  # the boss", 7): "cto",  # a comment is left out
        ("procedure: https://example.com/a#b", 11): "https://example.com/a#b",  # colons and # inside
        ("name: 'it''s # here'  # note", 6): "'it''s # here'",
        ('name: "say \\"hi\\"" # x', 6): '"say \\"hi\\""',
        ("depends_on: [db, api-gw]  # two", 17): "api-gw",  # one item of a flow list
        ("depends_on: [db, api-gw]  # two", 12): "[db, api-gw]",  # the whole list
        ("recovery: {procedure: x, steps: []}", 11): "procedure",
        ("  - name: backup-1   ", 10): "backup-1",  # trailing blanks left out
        ("title: a: b", 7): "a",  # `: ` ends a plain scalar, as YAML reads it
    }
    for (line, column), expected in cases.items():
        start, end = token_span(line, column)
        assert line[start:end] == expected, (line, column)
    assert token_span("rto: 4h", 7) == (7, 7)  # past the end: empty


def test_line_maps_count_lines_as_yaml_and_lsp_do() -> None:

    crlf = LineMap("a: 1\r\nb: 2\r\n")
    assert crlf.line(1) == "b: 2" and crlf.from_yaml(2, 4) == (1, 3)
    rare = LineMap("a: x\u2028y\nowner: z\n")  # YAML ends a line at LS; LSP does not
    assert rare.from_yaml(3, 8) == (1, 7) and rare.to_yaml_line(1) == 3
    assert [code_units("é🚀", e) for e in ("utf-8", "utf-16", "utf-32")] == [6, 3, 2]
    assert column_from_units("é🚀x", 3, "utf-16") == 2 and column_from_units("é🚀x", 6, "utf-8") == 2
    assert LineMap("x").line(5) == "" and LineMap("").from_yaml(9, 9) == (0, 0)  # clamped, never raises


def test_suppression_placement_keeps_line_breaks_and_front_matter() -> None:

    today = dt.date(2026, 11, 23)
    crlf = WEBSHOP.replace("\n", "\r\n")
    edit = suppression(crlf, "webshop.yaml", 4, ("BCP003",), today)
    assert edit is not None and (edit.row, edit.column) == (4, len("owner: cto"))
    assert edit.text.startswith("  # bcplint: ignore[BCP003] until=2027-02-21 -- ") and "\r" not in edit.text
    cut = crlf.replace("owner: cto", "owner: a\r\n  b")  # a multi-line value: above the document, CRLF kept
    above = suppression(cut, "webshop.yaml", 4, ("BCP003",), today)
    assert above is not None and (above.row, above.column) == (0, 0) and above.text.endswith("\r\n")
    front = suppression(PLAN, "plan.md", 4, ("BCP101",), today)  # inside the front matter, file lines
    assert front is not None and (front.row, front.column) == (4, len("owner: cto"))
    assert suppression("apiVersion: bcplint/v1\nname: [\n", "x.yaml", 1, ("BCP002",), today) is None


@pytest.mark.parametrize(
    ("comment", "placed"),
    [
        ("# bcplint: ignore[unknown-reference] until=2020-01-01 -- old", None),  # named already (by name)
        ("# bcplint: ignore[BCP702] until=2027-01-01 -- moving", (4, "owner: cto  # bcplint: ignore[BCP702")),
        ("# bcplint: ignore[BCP702] until=2026-01-01 -- expired", (0, "")),  # adding to it would hide nothing
        ("# bcplint: ignore[BCP702]", (0, "")),  # no reason: invalid, the same
    ],
)
def test_an_existing_suppression_is_extended_only_when_in_force(comment: str, placed: tuple[int, str] | None) -> None:

    text = WEBSHOP.replace("owner: cto", f"owner: cto  {comment}")
    edit = suppression(text, "webshop.yaml", 4, ("BCP003", "unknown-reference"), dt.date(2026, 11, 23))
    if placed is None:
        assert edit is None
        return
    assert edit is not None and (edit.row, text.splitlines()[edit.row][: edit.column]) == placed


def test_the_parse_cache_reuses_only_what_did_not_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:

    monkeypatch.setattr(cache, "RACY_SECONDS", 0.0)  # files written just now count as settled
    first = write(tmp_path, "a.yaml", WEBSHOP)
    second = write(tmp_path, "b.yaml", DB)
    sources = [SourceFile(display=p.name, path=p) for p in (first, second)]
    parsed = cache.ParsedFiles()
    loaded = parsed.read(sources)
    assert (parsed.stats.parsed, parsed.stats.reused) == (2, 0)
    again = parsed.read(sources)
    assert (parsed.stats.parsed, parsed.stats.reused) == (0, 2) and all(
        a is b for a, b in zip(loaded, again, strict=True)
    )
    before = first.stat()
    first.write_text(WEBSHOP.replace("owner: cto", "owner: cfo"), encoding="utf-8")  # same size
    os.utime(first, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the old modification time
    assert first.stat().st_size == before.st_size and first.stat().st_mtime_ns == before.st_mtime_ns
    changed = parsed.read(sources)
    assert (parsed.stats.parsed, parsed.stats.reused) == (1, 1)
    assert changed[0].documents[0].data["owner"] == "cfo" and changed[1] is loaded[1]
    parsed.read(sources[1:])
    assert len(parsed) == 1  # a file no longer listed is forgotten


def test_a_file_written_just_now_is_not_kept(tmp_path: Path) -> None:

    path = write(tmp_path, "a.yaml", WEBSHOP)
    parsed = ParsedFiles()
    parsed.read([SourceFile(display="a.yaml", path=path)])
    parsed.read([SourceFile(display="a.yaml", path=path)])
    assert parsed.stats.parsed == 1 and len(parsed) == 0  # racily clean: read again until it settles


def test_the_server_lint_equals_the_library_lint_with_a_warm_cache(org: Path, monkeypatch: pytest.MonkeyPatch) -> None:

    monkeypatch.setattr(cache, "RACY_SECONDS", 0.0)
    today = dt.date.fromisoformat(TODAY)
    shop = resolved(org / "bcp" / "webshop.yaml")
    buffer = Buffer(uri=uri_of(shop), path=shop, text=WEBSHOP.replace("rto: 4h", "rto: 1h"))
    warm = cache.ParsedFiles()
    server_lint(workspace_of(shop), [buffer], warm, today)
    write(org, "bcp/db.yaml", DB.replace("owner: ops-lead", "owner: nobody"))  # changed on disk meanwhile
    cached = server_lint(workspace_of(shop), [buffer], warm, today).result
    assert warm.stats.reused == 2 and warm.stats.parsed == 1
    fresh = server_lint(workspace_of(shop), [buffer], cache.ParsedFiles(), today).result
    library = lint(LintOptions(paths=[str(org)], cwd=org, today=today, overlays={shop: buffer.content}))
    assert cached.findings == fresh.findings == library.findings
    assert {"BCP003", "BCP204"} <= {f.rule_id for f in cached.findings}


@WAITS
def test_the_server_stops_when_its_editor_goes_away() -> None:
    """Standard input closed without `exit` (an editor that crashed): the server ends, quietly."""
    run = subprocess.run(SERVER, input=b"", capture_output=True, check=False, timeout=60)
    assert run.returncode == 0 and run.stdout == b""
