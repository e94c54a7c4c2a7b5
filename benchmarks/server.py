"""How responsive `bcplint server` is on a synthetic organisation: a real client, a real server.

Usage: python benchmarks/server.py [--documents 1000] [--edits 20] [--cache DIR]

The organisation (benchmarks/generate.py) is committed to a git repository once, as real plans
are. Then ``python -m bcplint server`` is started and driven over stdio by pygls's LSP client,
as an editor would, and this prints:

  - start-up (process start to the ``initialize`` answer) and the first open (every file read);
  - a keystroke's round trip: ``didChange`` sent to ``publishDiagnostics`` received for that
    version, over ``--edits`` edits that add and remove a finding (debounce included), and the
    server's own lint time for each (from its log);
  - typing: ten changes 30 ms apart, the time from the last one to its diagnostics, and how
    many lints the burst cost;
  - a change in one buffer reaching another open document (a Contact deleted, unsaved);
  - hover latency, idle and while a lint is running;
  - the server's peak memory;
  - in-process, the lint of the whole workspace with the parse cache cold and warm (the
    figure the cache changes).

Figures only, never assertions: the tests check behaviour, this measures it.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from lsprotocol import types  # noqa: E402
from pygls.lsp.client import LanguageClient  # noqa: E402
from pygls.uris import from_fs_path  # noqa: E402
from run import organisation  # noqa: E402

from bcplint.server.session import DEBOUNCE_SECONDS  # noqa: E402

TODAY = "2026-11-23"
_LINTED = re.compile(r"linted .* in (\d+) ms")


def repository(cache: Path, documents: int) -> Path:
    """The generated organisation, committed to a git repository (made once, then reused)."""
    source, _ = organisation(cache, documents)
    repo = cache / f"org-{documents}-git"
    if not (repo / ".git").is_dir():
        shutil.rmtree(repo, ignore_errors=True)
        shutil.copytree(source, repo, ignore=shutil.ignore_patterns(".size"))
        env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.com"}
        env |= {"GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@example.com"}
        for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "organisation"]):
            subprocess.run(["git", *args], cwd=repo, env=env, check=True)
    return repo


class Bench:
    """A pygls client that records publications (with arrival times) and the server's log."""

    def __init__(self) -> None:
        self.client = LanguageClient("bcplint-bench", "1")
        self.published: list[tuple[float, types.PublishDiagnosticsParams]] = []
        self.lint_ms: list[int] = []
        self.versions: dict[str, int] = {}

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def publish(params: types.PublishDiagnosticsParams) -> None:
            self.published.append((time.perf_counter(), params))

        @self.client.feature(types.WINDOW_LOG_MESSAGE)
        def log(params: types.LogMessageParams) -> None:
            match = _LINTED.search(params.message)
            if match:
                self.lint_ms.append(int(match.group(1)))
            elif params.type in (types.MessageType.Error, types.MessageType.Warning):
                print(f"server: {params.message}", file=sys.stderr)

        @self.client.feature(types.WINDOW_SHOW_MESSAGE)
        def show(params: types.ShowMessageParams) -> None:
            print(f"server says: {params.message}", file=sys.stderr)

    def open(self, path: Path, text: str | None = None) -> str:
        uri = from_fs_path(str(path)) or ""
        self.versions[uri] = 1
        content = path.read_text(encoding="utf-8") if text is None else text
        item = types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=content)
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item))
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

    async def until(self, uri: str, version: int | None = None, codes: str | None = None, seen: int = 0) -> float:
        """Arrival time of the first publication for ``uri`` from the ``seen``-th on (of
        ``version``; holding a diagnostic with code ``codes``, or none when ``codes`` is "")."""
        deadline = time.perf_counter() + 120
        while time.perf_counter() < deadline:
            for at, params in self.published[seen:]:
                if params.uri == uri and (version is None or params.version == version):
                    found = {str(d.code) for d in params.diagnostics}
                    if codes is None or (codes in found if codes else not found):
                        return at
            seen = len(self.published)
            await asyncio.sleep(0.002)
        raise SystemExit(f"no diagnostics for {uri} (version {version}, {codes!r}) within 120 s")

    async def hover(self, uri: str, line: int, character: int) -> float:
        started = time.perf_counter()
        params = types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=character),
        )
        await self.client.text_document_hover_async(params)
        return time.perf_counter() - started


def memory_mb(pid: int) -> tuple[float, float]:
    """Peak and current resident memory of a process (Linux), in MB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return float("nan"), float("nan")
    found = [re.search(rf"{key}:\s+(\d+) kB", status) for key in ("VmHWM", "VmRSS")]
    peak, now = (int(m.group(1)) / 1024 if m else float("nan") for m in found)
    return peak, now


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return f"median {ms(statistics.median(ordered))}, p90 {ms(p90)}, max {ms(ordered[-1])} (n={len(ordered)})"


async def drive(repo: Path, edits: int) -> None:
    bench = Bench()
    started = time.perf_counter()
    await bench.client.start_io(sys.executable, "-m", "bcplint", "server", "--today", TODAY)
    server = bench.client._server  # the subprocess, for its memory
    await bench.client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities()))
    bench.client.initialized(types.InitializedParams())
    print(f"start-up to initialize:            {ms(time.perf_counter() - started)}")

    service = repo / "services" / "service-00001.yaml"
    text = service.read_text(encoding="utf-8")
    owner = re.search(r"^owner: (\S+)$", text, re.MULTILINE)
    assert owner is not None
    sent = time.perf_counter()
    uri = bench.open(service)
    await bench.until(uri, 1)
    print(f"first open (reads every file):     {ms(time.perf_counter() - sent)}")
    broken = text.replace(f"owner: {owner.group(1)}", "owner: nobody")
    await keystrokes(bench, uri, text, broken, edits)
    await typing(bench, uri, text)
    await across(bench, uri, text, repo / "contacts" / f"{owner.group(1)}.yaml")
    await hovers(bench, uri, text, broken)
    if server is not None:
        peak, now = memory_mb(server.pid)
        print(f"server memory, peak and at the end: {peak:.0f} MB, {now:.0f} MB")
    await bench.client.shutdown_async(None)
    bench.client.exit(None)
    await bench.client.stop()


async def keystrokes(bench: Bench, uri: str, text: str, broken: str, edits: int) -> None:
    """Edits that add and remove a finding, one at a time, each waited for."""
    round_trips = []
    for i in range(edits):
        sent = time.perf_counter()
        version = bench.change(uri, broken if i % 2 == 0 else text)
        arrived = await bench.until(uri, version, "BCP003" if i % 2 == 0 else "")
        round_trips.append(arrived - sent)
    print(f"keystroke to diagnostics:          {summary(round_trips)}")
    print(f"  of which the server's lint:      {summary([m / 1000 for m in bench.lint_ms[-edits:]])}")
    print(f"  (debounce included:              {ms(DEBOUNCE_SECONDS)})")


async def typing(bench: Bench, uri: str, text: str) -> None:
    """Ten changes 30 ms apart: one lint after the last, not ten."""
    lints_before = len(bench.lint_ms)
    version = 0
    for i in range(10):
        version = bench.change(uri, text.replace("title:", "title: " + "x" * (i + 1)))
        await asyncio.sleep(0.03)
    last = time.perf_counter()
    arrived = await bench.until(uri, version)
    await asyncio.sleep(0.5)
    lints = len(bench.lint_ms) - lints_before
    print(f"typing (10 changes, 30 ms apart):  {ms(arrived - last)} after the last; {lints} lints")


async def across(bench: Bench, uri: str, text: str, contact: Path) -> None:
    """A Contact deleted in its (unsaved) buffer, until the service that names it is flagged."""
    contact_uri = bench.open(contact)
    await bench.until(contact_uri, 1)
    await bench.until(uri, bench.change(uri, text), "")
    sent, seen = time.perf_counter(), len(bench.published)
    bench.change(contact_uri, "# deleted while typing\n")
    arrived = await bench.until(uri, None, "BCP003", seen)
    print(f"another buffer's change to here:   {ms(arrived - sent)}")


async def hovers(bench: Bench, uri: str, text: str, broken: str) -> None:
    idle = [await bench.hover(uri, 4, 9) for _ in range(10)]
    print(f"hover, idle:                       {summary(idle)}")
    busy = []
    for i in range(10):
        bench.change(uri, text if i % 2 else broken)
        await asyncio.sleep(DEBOUNCE_SECONDS + 0.01)  # the debounce has passed: a lint is starting
        busy.append(await bench.hover(uri, 4, 9))
    print(f"hover, during a lint:              {summary(busy)}")


def in_process(repo: Path) -> None:
    """The lint behind each round trip, without and with the parse cache (same results)."""
    from bcplint.server.cache import ParsedFiles
    from bcplint.server.lint import Buffer, lint, resolved, workspace_of

    path = resolved(repo / "services" / "service-00001.yaml")
    buffers = [Buffer(uri="file://bench", path=path, text=path.read_text(encoding="utf-8"))]
    spec = workspace_of(path)
    today = dt.date.fromisoformat(TODAY)
    cold, warm = [], []
    warm_cache = ParsedFiles()
    findings = set()
    for _ in range(5):
        started = time.perf_counter()
        findings.add(lint(spec, buffers, ParsedFiles(), today).result.findings)
        cold.append(time.perf_counter() - started)
    lint(spec, buffers, warm_cache, today)
    for _ in range(5):
        started = time.perf_counter()
        findings.add(lint(spec, buffers, warm_cache, today).result.findings)
        warm.append(time.perf_counter() - started)
    print(f"lint in-process, no cache:         {summary(cold)}")
    print(f"lint in-process, warm cache:       {summary(warm)}")
    print(f"same findings with and without:    {len(findings) == 1}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "bcplint-bench")
    args = parser.parse_args()
    repo = repository(args.cache, args.documents)
    print(f"{args.documents} documents in {repo}")
    asyncio.run(drive(repo, args.edits))
    in_process(repo)


if __name__ == "__main__":
    main()
