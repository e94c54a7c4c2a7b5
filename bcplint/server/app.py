"""The language server: LSP features wired to bcplint (pygls over standard input and output).

Features: diagnostics pushed for open plan documents (:mod:`bcplint.server.session`), hover on
rule ids and references, go to definition of a referenced name, and a quick fix that writes
an inline suppression (:mod:`bcplint.server.suppress`). Handlers run on the event loop and
only ever parse the one buffer they are asked about; linting happens on a worker thread.
"""

from __future__ import annotations

import datetime as dt
import gc
import re
import traceback
from collections.abc import Callable
from typing import TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path

from bcplint import __version__
from bcplint.server.diagnostics import SOURCE
from bcplint.server.explain import find_rule, rule_lookup, rule_markdown
from bcplint.server.navigation import definitions, reference_at, reference_markdown
from bcplint.server.session import LintSession, file_path, position_encoding
from bcplint.server.suppress import default_expiry, suppression
from bcplint.server.text import LineMap, code_units, column_from_units, comment_start, word_at

_RULE_FIELD = re.compile(r"\s*(?:-\s+)?rule\s*:")
# Plans, configurations and baselines (`.bcplint-baseline.json` by default); not every JSON file,
# or an `npm install` would relint the plan a thousand times.
_WATCHED = ("**/*.yaml", "**/*.yml", "**/*.md", "**/*.markdown", "**/pyproject.toml", "**/*baseline*.json")
T = TypeVar("T")


def build(today: dt.date | None = None) -> LanguageServer:
    """A bcplint language server, not yet started. ``today``: the evaluation date (None: today, UTC)."""
    server = LanguageServer("bcplint", __version__)
    session = LintSession(server, today=today)

    def guarded(name: str, handler: Callable[[], T]) -> T | None:
        """Run a request handler; a bug is logged and answered with nothing, never a crash."""
        try:
            return handler()
        except Exception:
            server.window_log_message(
                types.LogMessageParams(
                    type=types.MessageType.Error, message=f"bcplint: {name} failed\n{traceback.format_exc()}"
                )
            )
            return None

    @server.feature(types.INITIALIZED)
    def initialized(params: types.InitializedParams) -> None:
        watched = server.client_capabilities.workspace
        changes = watched.did_change_watched_files if watched else None
        if changes is not None and changes.dynamic_registration:
            options = types.DidChangeWatchedFilesRegistrationOptions(
                watchers=[types.FileSystemWatcher(glob_pattern=pattern) for pattern in _WATCHED]
            )
            registration = types.Registration(
                id="bcplint-watched-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options
            )
            server.client_register_capability(types.RegistrationParams(registrations=[registration]))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        session.document_changed(params.text_document.uri, at_once=True)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        session.document_changed(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        session.document_closed(params.text_document.uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(params: types.DidChangeWatchedFilesParams) -> None:
        # Saving an open document changes nothing the server has not seen: its buffer is used.
        if any(change.uri not in server.workspace.text_documents for change in params.changes):
            session.files_changed()

    @server.feature(types.SHUTDOWN)
    def shutdown(params: None) -> None:
        session.shutdown()

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(params: types.HoverParams) -> types.Hover | None:
        return guarded("hover", lambda: _hover(server, session, params))

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    def definition(params: types.DefinitionParams) -> list[types.Location] | None:
        return guarded("definition", lambda: _definition(server, session, params))

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    def code_action(params: types.CodeActionParams) -> list[types.CodeAction] | None:
        return guarded("code action", lambda: _code_actions(server, session, params))

    return server


def serve(today: dt.date | None = None) -> None:
    """Run the server on standard input and output until the client says ``exit``."""
    # The command line turns the cyclic collector off for one short run; a server lives long.
    gc.enable()
    build(today).start_io()


def _cursor(server: LanguageServer, uri: str, position: types.Position) -> tuple[str, LineMap, str, int] | None:
    """The buffer's text, its lines, the cursor's line text and code-point column."""
    document = server.workspace.text_documents.get(uri)
    if document is None:
        return None
    lines = LineMap(document.source)
    line = lines.line(position.line)
    return document.source, lines, line, column_from_units(line, position.character, position_encoding(server))


def _hover(server: LanguageServer, session: LintSession, params: types.HoverParams) -> types.Hover | None:
    uri, position = params.text_document.uri, params.position
    snapshot = session.snapshot_for(uri)
    path = file_path(uri)
    cursor = _cursor(server, uri, position)
    if snapshot is None or path is None or cursor is None:
        return None
    text, _, line, column = cursor
    table = rule_lookup(snapshot.rules)
    parts: list[str] = []
    span: tuple[int, int] | None = None
    word = word_at(line, column)
    comment = comment_start(line)
    in_directive = comment is not None and column > comment and "bcplint:" in line[comment:]
    if word is not None and (in_directive or _RULE_FIELD.match(line)):
        rule = find_rule(word[2], table, names=True)
        if rule is not None:
            parts.append(rule_markdown(rule))
            span = word[0], word[1]
    if not parts:
        found = reference_at(text, str(path), position.line, column, session.evaluation_date())
        if found is not None:
            parts.append(reference_markdown(snapshot, found.reference))
            span = found.start, found.end
        published = session.published.get(uri)
        for diagnostic in published.diagnostics if published else []:
            rule = table.get(str(diagnostic.code).upper()) if diagnostic.code else None
            if rule is not None and _inside(position, diagnostic.range) and rule_markdown(rule) not in parts:
                parts.append(rule_markdown(rule))
    if not parts:
        return None
    encoding = position_encoding(server)
    shown = None
    if span is not None:
        start, end = (code_units(line[:at], encoding) for at in span)
        shown = types.Range(
            start=types.Position(line=position.line, character=start),
            end=types.Position(line=position.line, character=end),
        )
    contents = types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(parts))
    return types.Hover(contents=contents, range=shown)


def _definition(
    server: LanguageServer, session: LintSession, params: types.DefinitionParams
) -> list[types.Location] | None:
    uri = params.text_document.uri
    snapshot = session.snapshot_for(uri)
    path = file_path(uri)
    cursor = _cursor(server, uri, params.position)
    if snapshot is None or path is None or cursor is None:
        return None
    found = reference_at(cursor[0], str(path), params.position.line, cursor[3], session.evaluation_date())
    if found is None:
        return None
    open_uris = {file_path(u): u for u in server.workspace.text_documents}
    return [
        types.Location(
            uri=open_uris.get(place.path) or from_fs_path(str(place.path)) or str(place.path),
            range=types.Range(
                start=types.Position(line=place.row, character=place.start),
                end=types.Position(line=place.row, character=place.end),
            ),
        )
        for place in definitions(snapshot, found.reference.target, position_encoding(server))
    ]


def _code_actions(
    server: LanguageServer, session: LintSession, params: types.CodeActionParams
) -> list[types.CodeAction] | None:
    only = params.context.only
    if only is not None and not any(types.CodeActionKind.QuickFix.value.startswith(kind) for kind in only):
        return None
    uri = params.text_document.uri
    document = server.workspace.text_documents.get(uri)
    path = file_path(uri)
    if document is None or path is None:
        return None
    text = document.source
    lines = LineMap(text)
    encoding = position_encoding(server)
    today = session.evaluation_date()
    until = default_expiry(today)
    snapshot = session.snapshot_for(uri)
    names = {r.id: r.name for r in snapshot.rules} if snapshot is not None else {}
    # Findings no inline suppression can hide: a file that does not parse has no comments to
    # read, and rules about exceptions are never waived themselves.
    unsuppressible = {r.id for r in snapshot.rules if r.about_files or r.judges_exemptions} if snapshot else set()
    actions = []
    offered: set[tuple[int, str]] = set()
    for diagnostic in params.context.diagnostics:
        code = diagnostic.code
        if diagnostic.source != SOURCE or not isinstance(code, str) or code in unsuppressible:
            continue
        if (diagnostic.range.start.line, code) in offered:
            continue
        offered.add((diagnostic.range.start.line, code))
        aliases = (code, names[code]) if code in names else (code,)
        edit = suppression(text, str(path), diagnostic.range.start.line, aliases, today)
        if edit is None:
            continue
        at = types.Position(line=edit.row, character=code_units(lines.line(edit.row)[: edit.column], encoding))
        actions.append(
            types.CodeAction(
                title=f"{edit.title} until {until.isoformat()}",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                edit=types.WorkspaceEdit(
                    changes={uri: [types.TextEdit(range=types.Range(start=at, end=at), new_text=edit.text)]}
                ),
            )
        )
    return actions


def _inside(position: types.Position, span: types.Range) -> bool:
    start, end = span.start, span.end
    after_start = (position.line, position.character) >= (start.line, start.character)
    before_end = (position.line, position.character) <= (end.line, end.character)
    return after_start and before_end
