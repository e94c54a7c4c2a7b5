"""The cache of parsed files and of whole results (bcplint.load.cache, bcplint.engine.results).

Repeated runs must not pay twice, and the cache must never change a result: hits and misses,
an edited file, the same bytes at two paths, corrupted entries and databases, an unusable
directory, two runs writing at once, a new version, and every report byte for byte the same
with the cache, without it, cold and warm, on the golden workspace and on hostile input.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import marshal
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import platformdirs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bcplint as package
from bcplint.api import LintOptions, enabled_rules, lint
from bcplint.engine import results
from bcplint.engine.evaluate import Evaluator
from bcplint.engine.history import HistorySource
from bcplint.engine.run import Run
from bcplint.errors import SourceError
from bcplint.git.history import Change
from bcplint.load import cache as cache_module
from bcplint.load import read as read_module
from bcplint.load.cache import DATABASE, Cache, content_id, decode, parse_entry
from bcplint.load.discover import find_workspaces, list_sources
from bcplint.load.files import load_files
from bcplint.load.location import ENVIRONMENT_VARIABLE
from bcplint.load.parse import LoadedFile, load_file
from bcplint.load.read import PARALLEL_THRESHOLD, ReadStats
from bcplint.model.validate import DocumentList
from bcplint.report import FORMATTERS
from bcplint.server.cache import ParsedFiles
from bcplint.workspace.documents import Workspace, build_workspace
from tests.conftest import REPO_ROOT, TODAY, git, write
from tests.conftest import Run as CliRun
from tests.test_hostile import ALIAS_BOMBS, COMPANION, COMPANION_TEXT

PLAN = {
    ".bcplint.yaml": "",
    "bcp/services/checkout.yaml": (
        "apiVersion: bcplint/v1\nkind: Service\nname: checkout\nowner: ana\ncriticality: critical\n"
        "rto: 2h\nrpo: 15m\ndepends_on: [db]\n"
    ),
    "bcp/systems/db.yaml": (
        "apiVersion: bcplint/v1\nkind: System\nname: db  # bcplint: ignore[BCP402] -- restore test booked\n"
        "owner: ana\ncriticality: critical\nrto: 4h\nrpo: 15m\n"
        "backups:\n  - {name: nightly, frequency: 24h, location: {provider: aws, region: eu-west-1}}\n"
    ),
    "bcp/people.yaml": (
        "apiVersion: bcplint/v1\nkind: Contact\nname: ana\nemail: ana@example.com\n---\n"
        "apiVersion: bcplint/v1\nkind: Contact\nname: bo\nphone: '+1-555-0100'\n"
    ),
    "bcp/waivers.yaml": (
        "apiVersion: bcplint/v1\nkind: Waiver\nname: checkout-deputy\nrule: BCP102\ntarget: checkout\n"
        "reason: hiring\napproved_by: bo\nexpires: 2027-01-31\n"
    ),
    "bcp/storefront.md": "---\napiVersion: bcplint/v1\nkind: Service\nname: storefront\n---\n# Storefront\n",
    "bcp/broken.yaml": "apiVersion: bcplint/v1\nkind: Service\nname: [unclosed\n",
    "bcp/latin1.yaml": b"apiVersion: bcplint/v1\nkind: Contact\nname: caf\xe9\n",
    "bcp/lower-kind.yaml": "kind: contact\nname: someone\n",  # a note, not a finding
    "deploy/k8s.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n",
}
# Every YAML and Markdown file the workspace lists: each is read and kept, even .bcplint.yaml and
# deploy/k8s.yaml (their bytes show they hold no plan; their entries say so without looking again).
CANDIDATES = 10


def make(root: Path, files: dict[str, str | bytes]) -> Path:
    for relative, content in files.items():
        write(root, relative, content)
    return root


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache directory of this test's own."""
    directory = tmp_path / "cache"
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, str(directory))
    return directory


class Parses:
    """Counts the files parsed for entries (a file found in the cache is not parsed)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = cache_module.load_file

        def counting(path: str, content: bytes, *, explicit: bool = False) -> LoadedFile:
            self.count += 1
            return real(path, content, explicit=explicit)

        monkeypatch.setattr(cache_module, "load_file", counting)

    def reset(self) -> int:
        count, self.count = self.count, 0
        return count


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> Parses:
    return Parses(monkeypatch)


def check(bcplint: Callable[..., CliRun], root: Path, *args: str, output_format: str = "json") -> str:
    run = bcplint("check", *args, "--today", TODAY, "--format", output_format, "--no-color", cwd=root)
    assert run.code in (0, 1), run.err
    assert "Traceback" not in run.err
    return run.out


def rows(directory: Path, table: str = "files") -> dict[bytes, tuple[bytes, int]]:
    with sqlite3.connect(directory / DATABASE) as connection:
        return {
            key: (value, checksum)
            for key, value, checksum in connection.execute(f"SELECT key, value, checksum FROM {table}")
        }


# --- hits and misses ------------------------------------------------------------------------


def test_a_second_run_parses_nothing(
    bcplint: Callable[..., CliRun], tmp_path: Path, cache_dir: Path, parses: Parses
) -> None:
    root = make(tmp_path / "ws", PLAN)
    first = check(bcplint, root)
    assert parses.reset() == CANDIDATES
    assert len(rows(cache_dir)) == CANDIDATES
    second = check(bcplint, root)
    assert parses.reset() == 0
    assert second == first
    assert check(bcplint, root, "--no-cache") == first


def test_an_edited_file_is_parsed_again_and_only_it(
    bcplint: Callable[..., CliRun], tmp_path: Path, cache_dir: Path, parses: Parses
) -> None:
    root = make(tmp_path / "ws", PLAN)
    before = json.loads(check(bcplint, root))
    parses.reset()
    write(root, "bcp/services/checkout.yaml", PLAN["bcp/services/checkout.yaml"].replace("rto: 2h\n", ""))  # type: ignore[union-attr]
    after = check(bcplint, root)
    assert parses.reset() == 1
    assert after == check(bcplint, root, "--no-cache")
    new = {(f["rule_id"], f["document"]) for f in json.loads(after)["findings"]}
    old = {(f["rule_id"], f["document"]) for f in before["findings"]}
    assert new - old == {("BCP201", "checkout")}


def test_the_same_bytes_at_two_paths_share_an_entry_and_keep_their_names(
    bcplint: Callable[..., CliRun], tmp_path: Path, cache_dir: Path, parses: Parses
) -> None:
    root = make(tmp_path / "ws", PLAN)
    check(bcplint, root)
    parses.reset()
    write(root, "bcp/copy/broken.yaml", PLAN["bcp/broken.yaml"])
    write(root, "bcp/copy/broken.md", "---\n" + str(PLAN["bcp/broken.yaml"]) + "---\n")
    out = check(bcplint, root)
    assert parses.reset() == 1, "the YAML copy is found by content; the Markdown file is new content"
    assert out == check(bcplint, root, "--no-cache")
    broken = [f for f in json.loads(out)["findings"] if f["rule_id"] == "BCP001" and "broken" in f["path"]]
    assert sorted(f["path"] for f in broken) == ["bcp/broken.yaml", "bcp/copy/broken.md", "bcp/copy/broken.yaml"]


def test_markdown_and_yaml_bytes_and_named_files_have_keys_of_their_own(cache_dir: Path) -> None:
    cache = Cache(cache_dir)
    blob = content_id(b"x: 1\n")
    keys = {cache.key(blob, markdown=m, explicit=e) for m in (False, True) for e in (False, True)}
    assert len(keys) == 4
    assert len(blob) == 20
    # git's own id for these bytes: `printf 'x: 1\n' | git hash-object --stdin`
    assert (
        blob.hex()
        == subprocess.run(["git", "hash-object", "--stdin"], input=b"x: 1\n", capture_output=True, check=True)
        .stdout.decode()
        .strip()
    )


# --- damage -----------------------------------------------------------------------------------


def test_a_corrupted_or_truncated_entry_is_ignored_and_rebuilt(
    bcplint: Callable[..., CliRun], tmp_path: Path, cache_dir: Path, parses: Parses
) -> None:
    root = make(tmp_path / "ws", PLAN)
    clean = check(bcplint, root)
    parses.reset()
    entries = rows(cache_dir)
    keys = sorted(entries, key=lambda k: len(entries[k][0]))[-2:]  # the two largest entries
    flipped, truncated = keys
    with sqlite3.connect(cache_dir / DATABASE) as connection:
        value = bytearray(entries[flipped][0])
        value[len(value) // 2] ^= 0x20  # one bit, in the middle of the documents' data
        connection.execute("UPDATE files SET value = ? WHERE key = ?", (bytes(value), flipped))
        connection.execute("UPDATE files SET value = ? WHERE key = ?", (entries[truncated][0][:7], truncated))
    assert check(bcplint, root) == clean
    assert parses.reset() == 2
    repaired = rows(cache_dir)
    for key in keys:
        value, checksum = repaired[key]
        assert decode(value, "x.yaml", "") is not None and checksum == cache_module.zlib.crc32(value)
    assert check(bcplint, root) == clean
    assert parses.reset() == 0


def test_an_entry_that_decodes_to_nonsense_is_refused() -> None:
    parsed = parse_entry(str(PLAN["bcp/people.yaml"]).encode(), markdown=False, explicit=False)
    assert parsed is not None and parsed.text is not None
    expected = load_file("bcp/people.yaml", str(PLAN["bcp/people.yaml"]).encode())
    assert decode(parsed.entry, "bcp/people.yaml", parsed.text) == expected
    nonsense = (
        b"",
        b"\x00\x01",
        marshal.dumps((1, 2)),
        marshal.dumps(("t", 0, ((0, "no dict", -1),), None, ())),
        marshal.dumps((1, 0, (), None, ())),  # "has a text" must be True itself
        marshal.dumps((False, 0, ((0, {"kind": "Service"}, -1),), None, ())),  # documents without a text
    )
    for entry in nonsense:
        with pytest.raises(cache_module.CorruptEntry):
            decode(entry, "x.yaml", "")
    with pytest.raises(cache_module.CorruptEntry):
        decode(parsed.entry, "x.yaml")  # a text, or where to read it, is needed
    for text in (b"", b"\x00", marshal.dumps(b"bytes, not text")):
        with pytest.raises(cache_module.CorruptEntry):
            cache_module.decode_text(text)


# --- texts, read on demand --------------------------------------------------------------------


def test_a_text_the_cache_lost_or_damaged_is_read_again_from_the_file(
    bcplint: Callable[..., CliRun], tmp_path: Path, cache_dir: Path
) -> None:
    """Findings' lines come from the texts; one that no longer checks out is read again from
    the file (the same bytes as its documents', by their key)."""
    root = make(tmp_path / "ws", PLAN)
    clean = check(bcplint, root)
    texts = rows(cache_dir, "texts")
    assert len(texts) >= 6
    damaged, *lost = sorted(texts)
    with sqlite3.connect(cache_dir / DATABASE) as connection:
        value = bytearray(texts[damaged][0])
        value[-3] ^= 0x20
        connection.execute("UPDATE texts SET value = ? WHERE key = ?", (bytes(value), damaged))
        connection.executemany("DELETE FROM texts WHERE key = ?", [(key,) for key in lost])
        connection.execute("DELETE FROM results")  # judged again, so lines are looked up again
    assert check(bcplint, root) == clean
    repaired = rows(cache_dir, "texts")
    assert set(repaired) == set(texts), "every text read again is written back"
    assert all(checksum == cache_module.zlib.crc32(value) for value, checksum in repaired.values())
    assert repaired[damaged] == texts[damaged]
    assert check(bcplint, root, output_format="text") == check(bcplint, root, "--no-cache", output_format="text")


def test_a_file_edited_before_its_text_is_read_is_an_error_never_a_wrong_line(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make(tmp_path / "ws", PLAN)
    spec = find_workspaces(["."], cwd=root)[0]
    cache = Cache(cache_dir)
    load_files(spec, cache=cache)
    with sqlite3.connect(cache_dir / DATABASE) as connection:
        connection.execute("DELETE FROM texts")
    files = {f.path: f for f in load_files(spec, cache=cache, texts_on_demand=True)[0]}
    people, checkout = files["bcp/people.yaml"].source, files["bcp/services/checkout.yaml"].source
    assert people is not None and checkout is not None and people.pending and checkout.pending
    write(root, "bcp/people.yaml", "# edited\n" + str(PLAN["bcp/people.yaml"]))
    with pytest.raises(SourceError, match=r"^bcp/people\.yaml: changed while bcplint was checking it"):
        _ = people.text
    assert checkout.text == PLAN["bcp/services/checkout.yaml"], "an unchanged file gives its text again"
    # Read whole by default (the language server's way): a file that changed between its
    # lookup and the reading of its text is parsed again, documents and text from one content.
    write(root, "bcp/people.yaml", str(PLAN["bcp/people.yaml"]))
    load_files(spec, cache=cache)
    with sqlite3.connect(cache_dir / DATABASE) as connection:
        connection.execute("DELETE FROM texts")
    edited = "# edited while read\n" + str(PLAN["bcp/people.yaml"])
    real = read_module._CachedTexts._again

    def edit_first(self: Any, key: bytes, source: Any) -> str:
        if source.display == "bcp/people.yaml":
            write(root, "bcp/people.yaml", edited)
        return str(real(self, key, source))

    monkeypatch.setattr(read_module._CachedTexts, "_again", edit_first)
    eager = {f.path: f for f in load_files(spec, cache=cache)[0]}
    assert all(f.source is None or not f.source.pending for f in eager.values())
    assert eager["bcp/people.yaml"] == load_file("bcp/people.yaml", edited.encode())
    checkout_path = "bcp/services/checkout.yaml"
    assert eager[checkout_path] == load_file(checkout_path, str(PLAN[checkout_path]).encode())


def test_a_narrowed_run_reads_the_texts_of_what_it_judges_only(
    bcplint: Callable[..., CliRun], tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    unrelated = {
        f"bcp/more/svc-{i:02d}.yaml": f"apiVersion: bcplint/v1\nkind: Service\nname: svc-{i:02d}\ncriticality: high\n"
        for i in range(30)
    }
    root = make(tmp_path / "ws", {**PLAN, **unrelated})
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "plans")
    check(bcplint, root)  # every file in the cache
    read: list[str] = []
    real = read_module._CachedTexts.read_texts

    def spy(self: Any, tokens: Any) -> list[str]:
        read.extend(source.display for _, source in tokens)
        return list(real(self, tokens))

    monkeypatch.setattr(read_module._CachedTexts, "read_texts", spy)
    write(root, "bcp/more/svc-07.yaml", str(unrelated["bcp/more/svc-07.yaml"]).replace("high", "critical"))
    git(root, "add", "-A")
    staged = json.loads(check(bcplint, root, "--staged"))
    assert {f["path"] for f in staged["findings"]} == {"bcp/more/svc-07.yaml"}
    assert not any(path.startswith("bcp/more/") for path in read), read  # the staged file was parsed
    read.clear()
    check(bcplint, root, "--no-cache")
    assert not read, "without the cache every text is at hand"


def test_the_database_of_an_earlier_layout_is_deleted(tmp_path: Path, cache_dir: Path) -> None:
    cache_dir.mkdir()
    earlier = cache_dir / "cache-v1.sqlite3"
    earlier.write_bytes(b"SQLite format 3\0" + bytes(100))
    Cache(cache_dir).store([(b"k" * 20, b"v")])
    assert not earlier.exists() and (cache_dir / DATABASE).exists()


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_a_database_that_is_not_one_any_more_is_started_again(
    bcplint: Callable[..., CliRun], tmp_path: Path, cache_dir: Path, parses: Parses, damage: str
) -> None:
    root = make(tmp_path / "ws", PLAN)
    clean = check(bcplint, root)
    database = cache_dir / DATABASE
    content = database.read_bytes()
    database.write_bytes({"garbage": os.urandom(len(content)), "truncated": content[:5000], "empty": b""}[damage])
    parses.reset()
    assert check(bcplint, root) == clean
    assert parses.reset() == CANDIDATES
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert len(rows(cache_dir)) == CANDIDATES
    assert check(bcplint, root) == clean
    assert parses.reset() == 0


def test_an_unusable_cache_directory_is_no_cache(
    bcplint: Callable[..., CliRun], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parses: Parses
) -> None:
    root = make(tmp_path / "ws", PLAN)
    clean = check(bcplint, root, "--no-cache")
    not_a_directory = write(tmp_path, "occupied", "a file where the cache directory would go\n")
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, str(not_a_directory))
    assert check(bcplint, root) == clean
    assert check(bcplint, root) == clean
    assert parses.reset() == 3 * CANDIDATES, "nothing can be kept"
    assert not_a_directory.read_text(encoding="utf-8") == "a file where the cache directory would go\n"


# --- where it lives ----------------------------------------------------------------------------


def test_the_cache_lives_outside_the_repository_and_no_cache_writes_nothing(
    bcplint: Callable[..., CliRun], git_repo: Path, cache_dir: Path
) -> None:
    make(git_repo, PLAN)
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "plan")
    check(bcplint, git_repo, "--no-cache")
    assert not cache_dir.exists()
    check(bcplint, git_repo)
    assert (cache_dir / DATABASE).is_file()
    assert git(git_repo, "status", "--porcelain", "--ignored") == ""


def test_the_default_directory_is_the_users_cache_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENVIRONMENT_VARIABLE)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_module.default_directory() == Path(platformdirs.user_cache_dir("bcplint", appauthor=False))
    if sys.platform.startswith("linux"):
        assert cache_module.default_directory() == tmp_path / "xdg" / "bcplint"
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, str(tmp_path / "elsewhere"))
    assert cache_module.default_directory() == tmp_path / "elsewhere"


# --- git sources --------------------------------------------------------------------------------


def test_staged_and_rev_runs_find_what_a_work_tree_run_parsed_without_reading_git(
    bcplint: Callable[..., CliRun], git_repo: Path, cache_dir: Path, parses: Parses, monkeypatch: pytest.MonkeyPatch
) -> None:
    make(git_repo, PLAN)
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "plan")
    check(bcplint, git_repo)  # the work tree: every file parsed and kept
    parses.reset()
    read: list[str] = []
    real = read_module.read_blobs

    def reading(root: Path, objects: Any, *, limit: int) -> Iterator[bytes | None]:
        read.extend(objects)
        return real(root, objects, limit=limit)

    monkeypatch.setattr(read_module, "read_blobs", reading)
    cached = {tree: check(bcplint, git_repo, tree) for tree in ("--staged", "--rev=HEAD")}
    assert parses.reset() == 0
    assert read == [], "found by blob id: nothing is read from git"
    for tree, out in cached.items():
        assert out == check(bcplint, git_repo, tree, "--no-cache")
    assert read, "without the cache, the blobs are read"


# --- runs at once ----------------------------------------------------------------------------


def many_files(count: int) -> dict[str, str]:
    files: dict[str, str] = {".bcplint.yaml": ""}
    for i in range(count):
        owner = "owner: ana\n" if i % 5 else ""  # every fifth has none: BCP101
        files[f"bcp/s{i:04d}.yaml"] = (
            f"apiVersion: bcplint/v1\nkind: Service\nname: s{i}\n{owner}"
            f"criticality: {'critical' if i % 3 else 'low'}\nrto: {1 + i % 5}h\n"
        )
    return files


def cli(root: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "NO_COLOR": "1"}
    command = [sys.executable, "-m", "bcplint", "check", "--today", TODAY, "--format", "json", *args]
    return subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.slow
def test_two_runs_at_once_write_the_same_cache(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two processes (each reading with parallel workers) fill one empty cache at the same time."""
    count = PARALLEL_THRESHOLD + 100
    root = make(tmp_path / "ws", many_files(count))
    expected = cli(root, "--no-cache").communicate()[0]
    assert b'"BCP101"' in expected
    for round_number in range(3):
        shutil.rmtree(cache_dir, ignore_errors=True)
        runs = [cli(root), cli(root)]
        for run in runs:
            out, err = run.communicate(timeout=120)
            assert run.returncode == 1, err.decode()
            assert out == expected, f"round {round_number}"
        with sqlite3.connect(cache_dir / DATABASE) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert connection.execute("SELECT count(*) FROM files").fetchone() == (count + 1,)  # and .bcplint.yaml
    parses = Parses(monkeypatch)
    assert lint(LintOptions(cwd=root, today=dt.date.fromisoformat(TODAY))).findings
    assert parses.reset() == 0


# --- versions -----------------------------------------------------------------------------------


@pytest.fixture
def fresh_fingerprints() -> Iterator[None]:
    cache_module.code_fingerprint.cache_clear()
    results.code_fingerprint.cache_clear()
    yield
    cache_module.code_fingerprint.cache_clear()
    results.code_fingerprint.cache_clear()


def test_a_new_version_misses_every_entry(
    bcplint: Callable[..., CliRun],
    tmp_path: Path,
    cache_dir: Path,
    parses: Parses,
    monkeypatch: pytest.MonkeyPatch,
    fresh_fingerprints: None,
) -> None:
    root = make(tmp_path / "ws", PLAN)
    clean = check(bcplint, root)
    blob = content_id(b"x")
    old_key = Cache(cache_dir).key(blob, markdown=False, explicit=False)
    parses.reset()
    monkeypatch.setattr(package, "__version__", package.__version__ + ".post1")
    cache_module.code_fingerprint.cache_clear()
    results.code_fingerprint.cache_clear()
    assert Cache(cache_dir).key(blob, markdown=False, explicit=False) != old_key
    assert check(bcplint, root) == clean
    assert parses.reset() == CANDIDATES
    assert len(rows(cache_dir)) == 2 * CANDIDATES  # the old version's entries stay until pruned


def test_a_changed_module_changes_the_fingerprints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_fingerprints: None
) -> None:
    copy = tmp_path / "bcplint"
    shutil.copytree(Path(package.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(package, "__file__", str(copy / "__init__.py"))
    before = (cache_module.code_fingerprint(), results.code_fingerprint())
    assert None not in before
    cache_module.code_fingerprint.cache_clear()
    results.code_fingerprint.cache_clear()
    with (copy / "load" / "yaml_stream.py").open("a", encoding="utf-8") as module:
        module.write("\n# a change to the parser\n")
    after_parser = (cache_module.code_fingerprint(), results.code_fingerprint())
    assert after_parser[0] != before[0] and after_parser[1] != before[1]
    cache_module.code_fingerprint.cache_clear()
    results.code_fingerprint.cache_clear()
    with (copy / "checks" / "people.py").open("a", encoding="utf-8") as module:
        module.write("\n# a change to a check\n")
    after_check = (cache_module.code_fingerprint(), results.code_fingerprint())
    assert after_check[0] == after_parser[0], "parsing does not depend on the checks"
    assert after_check[1] != after_parser[1]


# --- never a different result ----------------------------------------------------------------------


GOLDEN_WORKSPACE = Path(__file__).parent / "golden" / "workspace"


@pytest.mark.parametrize("output_format", sorted(FORMATTERS))
def test_golden_reports_are_the_same_with_and_without_the_cache(
    bcplint: Callable[..., CliRun], cache_dir: Path, output_format: str
) -> None:
    args = (".", "--ignore", "BCP304")  # as tests/test_reports.py: the golden output is fixed
    without = check(bcplint, GOLDEN_WORKSPACE, *args, "--no-cache", output_format=output_format)
    cold = check(bcplint, GOLDEN_WORKSPACE, *args, output_format=output_format)
    warm = check(bcplint, GOLDEN_WORKSPACE, *args, output_format=output_format)
    assert cold == without
    assert warm == without
    assert rows(cache_dir, "results"), "the whole result was kept"


HOSTILE: dict[str, str | bytes] = {
    ".bcplint.yaml": "",
    COMPANION: COMPANION_TEXT,
    **{f"bcp/bomb-{name}.yaml": text + "\n" for name, text in ALIAS_BOMBS.items()},
    "bcp/invalid-utf8.yaml": b"apiVersion: bcplint/v1\nkind: Contact\nname: x\ntitle: \xff\xfe bad\n",
    "bcp/binary.yaml": b"apiVersion: bcplint/v1\n" + bytes(range(256)) * 4,
    "bcp/nul.yaml": b"apiVersion: bcplint/v1\nkind: Contact\nname: nul\x00\n",
    "bcp/utf16.yaml": "apiVersion: bcplint/v1\nkind: Contact\nname: wide\n".encode("utf-16"),
    "bcp/utf16-garbage.yaml": b"\xff\xfe" + b"\x00\xd8" * 10,
    "bcp/bom.yaml": b"\xef\xbb\xbfapiVersion: bcplint/v1\nkind: Contact\nname: bom\nrtoo: 1\n",
    "bcp/empty.yaml": b"",
    "bcp/duplicate.yaml": "apiVersion: bcplint/v1\nkind: Contact\nname: dup\nemail: a\nemail: b\n",
    "bcp/python-tag.yaml": "apiVersion: bcplint/v1\nkind: Contact\nname: tag\ntitle: !!python/name:os.system\n",
    "bcp/deep.yaml": "apiVersion: bcplint/v1\nkind: Service\nname: deep\ndepends_on: " + "[" * 5000 + "]" * 5000,
    "bcp/nested-990.yaml": "apiVersion: bcplint/v1\nkind: Service\nname: n990\nx: " + "[" * 990 + "]" * 990,
    "bcp/tabs.yaml": "apiVersion: bcplint/v1\nkind: Contact\n\tname: tabbed\n",
    "bcp/big-value.yaml": "apiVersion: bcplint/v1\nkind: Contact\nname: big\ntitle: " + "x" * 2_000_000 + "\n",
    "bcp/list.yaml": "- apiVersion: bcplint/v1\n  kind: Contact\n  name: listed\n",
    "bcp/version.yaml": "apiVersion: bcplint/v2\nkind: Contact\nname: future\n",
    "bcp/omap.yaml": "apiVersion: bcplint/v1\nkind: Contact\nname: omap\ntitle: !!omap [{a: 1}, {b: 2}]\n",
    "bcp/set.yaml": "apiVersion: bcplint/v1\nkind: Contact\nname: set\ntitle: !!set {a, b}\n",
    "bcp/binary-tag.yaml": "apiVersion: bcplint/v1\nkind: Contact\nname: bin\ntitle: !!binary aGk=\n",
    "bcp/unclosed.md": "---\napiVersion: bcplint/v1\nkind: Contact\nname: open\n",
    "bcp/kind-only.yaml": "kind: SERVICE\nname: [broken\n",
    "bcp/recursive.yaml": "apiVersion: bcplint/v1\nkind: Contact\nname: loop\nx: &a [*a]\n",
}


@pytest.mark.slow
def test_hostile_input_gives_the_same_reports_with_and_without_the_cache(tmp_path: Path, cache_dir: Path) -> None:
    root = make(tmp_path / "ws", HOSTILE)
    for output_format in ("json", "text", "sarif"):
        shutil.rmtree(cache_dir, ignore_errors=True)
        runs = {}
        for label, extra in (("no cache", ("--no-cache",)), ("cold", ()), ("warm", ()), ("warm again", ())):
            out, err = cli(root, "--format", output_format, *extra).communicate(timeout=120)
            assert b"Traceback" not in err, err.decode()
            runs[label] = out
        assert len(set(runs.values())) == 1, f"{output_format}: {[k for k in runs if runs[k] != runs['no cache']]}"
    report = json.loads(cli(root, "--format", "json").communicate(timeout=120)[0])
    assert {f["path"] for f in report["findings"] if f["rule_id"] == "BCP001"} >= {
        "bcp/invalid-utf8.yaml",
        "bcp/binary.yaml",
        "bcp/deep.yaml",
        "bcp/duplicate.yaml",
        "bcp/python-tag.yaml",
    }


# Text that parses (documents of every shape), and text that does not.
_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30), st.dates()
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(min_size=1, max_size=12), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    documents=st.lists(st.dictionaries(st.sampled_from(["kind", "name", "owner", "x", "1"]), _VALUES), max_size=3),
    noise=st.text(max_size=60),
    markdown=st.booleans(),
    explicit=st.booleans(),
)
def test_an_entry_decodes_to_exactly_what_parsing_gives(
    documents: list[dict[str, Any]], noise: str, markdown: bool, explicit: bool
) -> None:
    body = "".join(
        "---\n" + json.dumps({"apiVersion": "bcplint/v1", **doc}, default=str, ensure_ascii=False) + "\n"
        for doc in documents
    )
    path = "bcp/doc.md" if markdown else "bcp/doc.yaml"
    for text in (body, body + noise, noise):
        content = ("---\n" + text + "\n---\n" if markdown else text).encode("utf-8", "surrogatepass")
        parsed = parse_entry(content, markdown=markdown, explicit=explicit)
        expected = load_file(path, content, explicit=explicit)
        if parsed is None:
            continue  # data an entry cannot hold: such a file is parsed under its name instead
        kept = cache_module.decode_text(cache_module.encode_text(parsed.text)) if parsed.text is not None else None
        decoded = decode(parsed.entry, path, kept)
        assert decoded == expected
        assert [type(d.data) for d in decoded.documents] == [type(d.data) for d in expected.documents]
        assert [d.data.count for d in decoded.documents if isinstance(d.data, DocumentList)] == [
            d.data.count for d in expected.documents if isinstance(d.data, DocumentList)
        ]


# --- whole results ---------------------------------------------------------------------------------


def test_a_whole_result_is_reused_only_for_the_same_inputs(
    bcplint: Callable[..., CliRun], tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make(tmp_path / "ws", PLAN)
    first = check(bcplint, root)
    judged: list[int] = []
    real = Evaluator.findings

    def counting(self: Evaluator, *args: Any, **kwargs: Any) -> Any:
        judged.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Evaluator, "findings", counting)
    assert check(bcplint, root) == first
    assert judged == []
    changes: list[tuple[str, ...]] = [
        ("--today", "2027-06-01"),  # a later day: overrides the --today in check(), other dates expire
        ("--ignore", "BCP103"),
        ("--select", "BCP1"),
    ]
    for extra in changes:
        run = bcplint("check", "--format", "json", "--today", TODAY, *extra, cwd=root)
        assert run.out == bcplint("check", "--format", "json", "--today", TODAY, *extra, "--no-cache", cwd=root).out
    assert len(judged) == 2 * len(changes), "each new setting judged once, then reused, never mixed up"
    write(root, "bcp/people.yaml", str(PLAN["bcp/people.yaml"]).replace("email: ana@example.com\n", ""))
    edited = check(bcplint, root)
    assert edited != first
    assert edited == check(bcplint, root, "--no-cache")


def _run_and_workspace(root: Path, **changes: Any) -> tuple[Run, Workspace]:
    day = dt.date.fromisoformat(TODAY)
    rules = tuple(enabled_rules(LintOptions(cwd=root)))
    run = Run(**{"rules": rules, "today": day, "assess_maturity": True, **changes})
    files, _ = load_files(find_workspaces(["."], cwd=root)[0])
    return run, build_workspace(files, day)


def test_the_result_key_covers_every_input(tmp_path: Path) -> None:
    root = make(tmp_path / "ws", PLAN)
    run, workspace = _run_and_workspace(root)
    base = results.key(run, workspace, ())
    again = results.key(*_run_and_workspace(root), ())
    assert base is not None and base == again
    other_run, _ = _run_and_workspace(root, today=dt.date(2027, 1, 1))
    assert results.key(other_run, workspace, ()) != base
    fewer = Run(rules=run.rules[1:], today=run.today, assess_maturity=True)
    assert results.key(fewer, workspace, ()) != base
    assert results.key(Run(rules=run.rules, today=run.today), workspace, ()) != base  # no maturity asked
    assert results.key(run, workspace, ("a note",)) != base
    change = Change(sha="abc", date=dt.date(2026, 1, 1), subject="subject")
    workspace.history = {"bcp/people.yaml": change}
    told = results.key(run, workspace, ())
    assert told not in (None, base)
    others = [
        {"bcp/people.yaml": dataclasses.replace(change, sha="abd")},
        {"bcp/people.yaml": dataclasses.replace(change, date=dt.date(2026, 1, 2))},
        {"bcp/people.yaml": dataclasses.replace(change, subject="subject\n")},
        {"bcp/people.yaml": None},
        {"bcp/people.yaml": change, "bcp/waivers.yaml": None},
        {},
    ]
    keys = []
    for history in others:
        workspace.history = history
        keys.append(results.key(run, workspace, ()))
    assert None not in keys and len({told, base, *keys}) == len(others) + 2
    workspace.history = {"bcp/people.yaml": ("abc", dt.date(2026, 1, 1), "subject")}  # not a Change
    assert results.key(run, workspace, ()) is None, "what the key cannot describe exactly is never looked up"
    workspace.history = None
    assert results.key(run, workspace, ()) == base
    history = Run(rules=run.rules, today=run.today, assess_maturity=True, history=HistorySource(repository=root))
    assert results.key(history, workspace, ()) == base, "where history comes from is not part of it; what it says is"
    renamed = dict(PLAN)
    renamed["bcp/contacts.yaml"] = renamed.pop("bcp/people.yaml")
    assert results.key(*_run_and_workspace(make(tmp_path / "renamed", renamed)), ()) != base
    edited = {**PLAN, "bcp/people.yaml": str(PLAN["bcp/people.yaml"]) + "# a comment moves no finding\n"}
    assert results.key(*_run_and_workspace(make(tmp_path / "edited", edited)), ()) != base
    # A file made from a cache entry stands in the key by the entry's key.
    one, other = b"a" * 20, b"b" * 20
    by_entry = results.key(run, workspace, (), {"bcp/people.yaml": one})
    assert by_entry not in (None, base)
    assert results.key(run, workspace, (), {"bcp/people.yaml": one}) == by_entry
    assert results.key(run, workspace, (), {"bcp/people.yaml": other}) != by_entry
    assert results.key(run, workspace, (), {"bcp/waivers.yaml": one}) != by_entry


@pytest.mark.slow  # child processes
def test_the_result_key_is_the_same_in_every_process(tmp_path: Path) -> None:
    root = make(tmp_path / "ws", PLAN)
    script = (
        "import datetime as dt, sys; sys.path.insert(0, sys.argv[1]); from pathlib import Path;"
        "from tests.test_cache import _run_and_workspace; from bcplint.engine import results;"
        "run, ws = _run_and_workspace(Path(sys.argv[2])); print(results.key(run, ws, ('n',)).hex())"
    )
    keys = {
        subprocess.run(
            [sys.executable, "-c", script, str(REPO_ROOT), str(root)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in ("0", "1", "4242")
    }
    assert len(keys) == 1 and len(next(iter(keys))) == 40


# --- size -------------------------------------------------------------------------------------------


def in_use(directory: Path) -> int:
    """Bytes of the cache database's pages in use."""
    with sqlite3.connect(directory / DATABASE) as connection:
        page_size, pages, free = (connection.execute(f"PRAGMA {p}").fetchone()[0] for p in cache_module._SIZE_PRAGMAS)
    return int((pages - free) * page_size)


def empty_database(directory: Path) -> Path:
    """A cache database with its tables and nothing in them (its pages are the least any takes)."""
    Cache(directory).store([(b"k" * 20, b"v")])
    with sqlite3.connect(directory / DATABASE) as connection:
        connection.execute("DELETE FROM files")
    return directory


def test_the_least_recently_used_entries_go_first(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = Cache(cache_dir)
    old = [(b"old%02d" % i + bytes(15), os.urandom(10_000)) for i in range(15)]
    new = [(b"new%02d" % i + bytes(15), os.urandom(10_000)) for i in range(5)]
    cache.store(old)
    with sqlite3.connect(cache_dir / DATABASE) as connection:
        connection.execute("UPDATE files SET used = used - 30")
    cache.store(new)
    limit = 250_000
    monkeypatch.setattr(cache_module, "MAX_BYTES", limit)
    cache.prune()
    kept = set(rows(cache_dir))
    assert {key for key, _ in new} <= kept, "the entries used today stay"
    assert 0 < len(kept & {key for key, _ in old}) < len(old), "the oldest go, only as many as needed"
    assert (in_use(cache_dir) - in_use(empty_database(cache_dir.parent / "empty"))) <= limit
    assert all(hit is not None for hit in cache.lookup([key for key, _ in new]))


def test_only_the_latest_results_are_kept(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "MAX_RESULTS", 3)
    cache = Cache(cache_dir)
    for i in range(6):
        cache.store([(bytes([i]) * 20, b"result")], table="results")
        cache.prune("results")
    assert sorted(rows(cache_dir, "results")) == [bytes([i]) * 20 for i in (3, 4, 5)]


# --- counting, and the language server ----------------------------------------------------------


def test_read_stats_count_what_was_found_and_what_was_parsed(tmp_path: Path, cache_dir: Path) -> None:
    root = make(tmp_path / "ws", PLAN)
    sources = list_sources(find_workspaces(["."], cwd=root)[0])[0]
    cold, warm = ReadStats(), ReadStats()
    first = read_module.read_files(sources, cache=Cache(cache_dir), stats=cold)
    second = read_module.read_files(sources, cache=Cache(cache_dir), stats=warm)
    assert (cold.found, cold.parsed) == (0, CANDIDATES)
    assert (warm.found, warm.parsed) == (CANDIDATES, 0)
    assert second == first == read_module.read_files(sources)


def test_a_new_language_server_session_finds_what_the_command_line_parsed(
    bcplint: Callable[..., CliRun], tmp_path: Path, cache_dir: Path, parses: Parses
) -> None:
    root = make(tmp_path / "ws", PLAN)
    check(bcplint, root)
    parses.reset()
    sources = list_sources(find_workspaces(["."], cwd=root)[0])[0]
    session = ParsedFiles(Cache(cache_dir))
    loaded = session.read(sources)
    assert parses.reset() == 0, "every file came from the cache on disk"
    assert session.stats.parsed == CANDIDATES  # read afresh, as far as the session knows
    assert loaded == read_module.read_files(sources)
