"""When to lint, and what to tell the editor afterwards.

Every change to an open document schedules a lint of its workspace after :data:`DEBOUNCE_SECONDS`
of quiet (opening a document lints at once), so a burst of keystrokes costs one run. Runs
happen one at a time on a worker thread, so the event loop keeps answering hovers and code
actions meanwhile; a change that arrives during a run is picked up by the next one. A run
lints each workspace that holds a changed document, with every open buffer of that workspace
overlaid, and publishes diagnostics for all of them: deleting a Contact in one buffer
updates the other open documents that name it. Diagnostics that went away are cleared; a
document whose diagnostics did not change is not sent again, except the changed ones, which
always get an answer for their new version; a document changed again during a run is left to
the next run rather than sent diagnostics for text it no longer has.

A broken configuration, pack or baseline is shown to the user once (and logged every time);
an unexpected error is logged with its traceback and never stops the server.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import time
import traceback
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from bcplint.api import today_utc
from bcplint.errors import BcplintError
from bcplint.load.cache import Cache
from bcplint.load.discover import SUFFIXES, WorkspaceSpec
from bcplint.server.cache import ParsedFiles
from bcplint.server.diagnostics import to_diagnostics
from bcplint.server.lint import Buffer, Snapshot, could_be_plan, lint, resolved, workspace_of

DEBOUNCE_SECONDS = 0.2


@dataclass(frozen=True, kw_only=True)
class Published:
    """What a document was last sent: from which workspace, for which version, and why."""

    root: Path
    version: int | None
    diagnostics: list[types.Diagnostic]


@dataclass(kw_only=True)
class _Outcome:
    """One workspace's lint: a snapshot, or the error that stopped it."""

    root: Path | None
    members: list[Buffer] = field(default_factory=list)
    snapshot: Snapshot | None = None
    error: str | None = None
    unexpected: bool = False
    seconds: float = 0.0
    reused: int = 0
    parsed: int = 0


class LintSession:
    """The server's lint state: caches and last results per workspace, published diagnostics per
    document, and the schedule. Methods without a leading underscore run on the event loop."""

    def __init__(self, server: LanguageServer, *, today: dt.date | None = None) -> None:
        self.server = server
        self.today = today
        self.debounce = DEBOUNCE_SECONDS
        self.snapshots: dict[Path, Snapshot] = {}  # workspace root -> last successful lint
        self.published: dict[str, Published] = {}  # document URI -> what it was last sent
        self._caches: dict[Path, ParsedFiles] = {}
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bcplint-lint")
        self._changed: set[str] = set()  # URIs changed since the last run started
        self._roots: set[Path] = set()  # workspaces to lint again (a document closed)
        self._everything = False  # files changed on disk: lint every workspace with open documents
        self._timer: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[None] | None = None
        self._shown: dict[Path | None, str] = {}  # the error last shown for a workspace

    def evaluation_date(self) -> dt.date:
        """The date every date rule uses: ``--today``, else today in UTC (read on each run)."""
        return self.today or today_utc()

    def snapshot_for(self, uri: str) -> Snapshot | None:
        published = self.published.get(uri)
        return self.snapshots.get(published.root) if published is not None else None

    def document_changed(self, uri: str, *, at_once: bool = False) -> None:
        self._changed.add(uri)
        self._schedule(0.0 if at_once else self.debounce)

    def document_closed(self, uri: str) -> None:
        """Clear its diagnostics; the others of its workspace now see the file on disk again."""
        published = self.published.pop(uri, None)
        if published is not None:
            self._send(uri, None, [])
            self._roots.add(published.root)
            self._schedule(self.debounce)

    def files_changed(self) -> None:
        """Files changed on disk (a checkout, another tool): lint every open workspace again."""
        self._everything = True
        self._schedule(self.debounce)

    def shutdown(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._executor.shutdown(wait=False, cancel_futures=True)

    # --- scheduling ---------------------------------------------------------------------------

    def _schedule(self, delay: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = asyncio.get_running_loop().call_later(delay, self._start)

    def _start(self) -> None:
        self._timer = None
        if self._task is not None and not self._task.done():
            return  # the running task schedules the next run when it ends
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        changed, roots, everything = self._changed, self._roots, self._everything
        self._changed, self._roots, self._everything = set(), set(), False
        try:
            buffers = self._open_buffers()
            worth = {b.uri for b in buffers if self._worth_linting(b)}
            wanted = worth & changed if not everything else worth
            loop = asyncio.get_running_loop()
            today = self.evaluation_date()
            outcomes = await loop.run_in_executor(self._executor, self._lint_workspaces, buffers, wanted, roots, today)
            self._publish(outcomes, changed)
        except Exception:  # a bug: say so, keep serving
            self._log(types.MessageType.Error, "bcplint: internal error\n" + traceback.format_exc())
        finally:
            if self._changed or self._roots or self._everything:
                self._schedule(self.debounce)

    def _worth_linting(self, buffer: Buffer) -> bool:
        """A buffer that could hold a plan, or did when it was last linted."""
        return could_be_plan(buffer.path, buffer.text) or buffer.uri in self.published

    def _open_buffers(self) -> list[Buffer]:
        """The open documents that could be plan files (by name), as they are right now."""
        buffers = []
        for uri, document in self.server.workspace.text_documents.items():
            path = file_path(uri)
            if path is not None and path.name.lower().endswith(SUFFIXES):
                buffers.append(Buffer(uri=uri, path=path, text=document.source, version=document.version))
        return buffers

    # --- on the worker thread -----------------------------------------------------------------

    def _lint_workspaces(
        self, buffers: Sequence[Buffer], wanted: set[str], roots: set[Path], today: dt.date
    ) -> list[_Outcome]:
        """Lint the workspaces that hold a ``wanted`` buffer, and those in ``roots``."""
        if not wanted and not roots:
            return []  # a change to a file that is no plan: nothing to find out
        specs: dict[Path, WorkspaceSpec] = {}
        members: dict[Path, list[Buffer]] = {}
        chosen: set[Path] = set(roots)
        outcomes: list[_Outcome] = []
        by_directory: dict[tuple[Path, bool], WorkspaceSpec | _Outcome] = {}
        for buffer in buffers:
            key = (buffer.path.parent, os.path.lexists(buffer.path))
            if key not in by_directory:
                by_directory[key] = self._workspace_of(buffer.path)
            found = by_directory[key]
            if isinstance(found, _Outcome):
                if buffer.uri in wanted and found not in outcomes:
                    outcomes.append(found)
                continue
            specs[found.root] = found
            members.setdefault(found.root, []).append(buffer)
            if buffer.uri in wanted:
                chosen.add(found.root)
        for root in sorted(chosen & specs.keys()):
            outcomes.append(self._lint_one(specs[root], members[root], today))
        return outcomes

    def _workspace_of(self, path: Path) -> WorkspaceSpec | _Outcome:
        try:
            return workspace_of(path)
        except BcplintError as exc:
            return _Outcome(root=None, error=str(exc))
        except Exception:
            return _Outcome(root=None, error=traceback.format_exc(), unexpected=True)

    def _lint_one(self, spec: WorkspaceSpec, members: list[Buffer], today: dt.date) -> _Outcome:
        cache = self._caches.setdefault(spec.root, ParsedFiles(Cache.default()))
        started = time.perf_counter()
        outcome = _Outcome(root=spec.root, members=members)
        try:
            outcome.snapshot = lint(spec, members, cache, today)
        except BcplintError as exc:
            outcome.error = str(exc)
        except Exception:
            outcome.error, outcome.unexpected = traceback.format_exc(), True
        outcome.seconds = time.perf_counter() - started
        outcome.reused, outcome.parsed = cache.stats.reused, cache.stats.parsed
        return outcome

    # --- back on the event loop ---------------------------------------------------------------

    def _publish(self, outcomes: list[_Outcome], changed: set[str]) -> None:
        encoding = position_encoding(self.server)
        still_open = self.server.workspace.text_documents
        for outcome in outcomes:
            if outcome.snapshot is None:
                self._report(outcome)
                continue
            assert outcome.root is not None
            self._shown.pop(outcome.root, None)
            self._shown.pop(None, None)  # an error found before the workspace was known
            snapshot = outcome.snapshot
            self.snapshots[outcome.root] = snapshot
            self._log(
                types.MessageType.Log,
                f"bcplint: linted {outcome.root} in {outcome.seconds * 1000:.0f} ms "
                f"({snapshot.result.documents_checked} documents; {outcome.parsed} files parsed, "
                f"{outcome.reused} reused)",
            )
            pages = {rule.id: rule.help_url for rule in snapshot.result.rules}
            for buffer in outcome.members:
                if buffer.uri not in still_open or still_open[buffer.uri].version != buffer.version:
                    continue  # closed, or changed during the run: the next run answers for it
                display = snapshot.display(buffer.path)
                findings = snapshot.findings.get(display, ()) if display in snapshot.buffers else ()
                diagnostics = to_diagnostics(findings, buffer.text, encoding, pages)
                previous = self.published.get(buffer.uri)
                unchanged = previous is not None and previous.diagnostics == diagnostics
                if buffer.uri not in changed and (unchanged or (previous is None and not diagnostics)):
                    continue
                self._send(buffer.uri, buffer.version, diagnostics)
                self.published[buffer.uri] = Published(
                    root=outcome.root, version=buffer.version, diagnostics=diagnostics
                )

    def _report(self, outcome: _Outcome) -> None:
        error = outcome.error or "unknown error"
        level = types.MessageType.Error if outcome.unexpected else types.MessageType.Warning
        self._log(level, f"bcplint: {error}")
        shown = error.strip().splitlines()[-1] if outcome.unexpected else error
        if self._shown.get(outcome.root) != shown:
            self._shown[outcome.root] = shown
            prefix = "bcplint server: internal error (please report it): " if outcome.unexpected else "bcplint: "
            self.server.window_show_message(types.ShowMessageParams(type=level, message=prefix + shown))

    def _send(self, uri: str, version: int | None, diagnostics: list[types.Diagnostic]) -> None:
        self.server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=diagnostics)
        )

    def _log(self, level: types.MessageType, message: str) -> None:
        self.server.window_log_message(types.LogMessageParams(type=level, message=message))


def file_path(uri: str) -> Path | None:
    """The resolved file-system path of a ``file:`` URI; None for other schemes (untitled...)."""
    if not uri.startswith("file:"):
        return None
    path = to_fs_path(uri)
    return resolved(Path(path)) if path else None


def position_encoding(server: LanguageServer) -> str:
    """The negotiated position encoding: ``utf-16`` (the default), ``utf-8`` or ``utf-32``."""
    kind = server.workspace.position_encoding
    return str(getattr(kind, "value", kind) or "utf-16")
