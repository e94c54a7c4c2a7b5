"""Parsed files kept between runs, keyed by their content, outside the repository.

Reading and parsing are most of a full check, and between two runs almost every file is
unchanged. A file's parse is a pure function of its bytes, whether it is Markdown (the
suffix of its name), whether it was named on the command line (``explicit``) and the code
that parses it, so that is the key:

- the content is named by its git blob id: given by git for the index (``--staged``) and
  commits (``--rev``), computed the way git computes it (SHA-1 of ``blob <size>\\0`` and the
  bytes) for files of the work tree, which are always read and hashed, never trusted by their
  ``stat``. A work-tree file identical to its staged copy therefore shares its entry, and a
  pre-commit run after a full check finds every unchanged file without reading it from git;
- the code: bcplint's version and the bytes of every module of ``load/`` and ``model/``
  (so an edited checkout never reads entries its old code wrote), the Python version, and
  the versions of ruamel.yaml and of its C parser;
- :data:`FORMAT`, the layout of an entry.

An entry holds what parsing produced, without the file's name (the same bytes can sit at
two paths): the documents' plain data, the problem and the notes, written by marshal (the
fastest to read back of the standard formats, for these plain types), which keeps the
parser's interning of keys and short values: documents read from entries share one copy of
each repeated string, as freshly parsed ones do. The YAML text is kept apart, under the same
key in a table of its own, and read only when a run asks for it (:class:`~bcplint.load.parse.YamlText`):
a run needs the texts of the files it reports findings in, and reading every text with the
documents was a third of what a warm run spent on the cache.

Storage is one SQLite database, ``cache-v2.sqlite3`` in the user's cache directory
(platformdirs; ``BCPLINT_CACHE_DIR`` overrides it), never the repository. Measured on the
10,000-file benchmark: looking up every entry takes about 35 ms in one query per 500 keys,
where opening, reading and closing 10,000 small files costs twice that, and writing them
(a cold run) takes about 0.1 s of CPU with 16 KB pages and a rollback journal (a write-ahead
log writes each entry twice, and 4 KB pages split entries over several). SQLite makes each
batch of writes atomic and lets two runs share the file: a second writer waits for the first
(up to :data:`_BUSY_SECONDS`, then gives up writing, never the run), a reader waits the few
milliseconds a commit takes. Writes are not flushed to the disk (``synchronous = OFF``): a
power cut may lose or damage entries, never change one, because every value carries a CRC-32
and an entry that is truncated or altered is ignored, its file parsed again and the entry
replaced; a database that is not one any more is deleted and started again. Nothing here
raises: without a usable cache, files are parsed, which is always right. The directory is
created private to the user: whoever can write in it can change what bcplint reports, as
whoever can write the plan can (so a CI cache must not be shared with untrusted jobs); entries
are plain data, and nothing read from the cache can run code.

Size: each entry records the day it was last used; past :data:`MAX_BYTES` the least recently
used go (with their texts), until a quarter is free. The file keeps its size and reuses the
freed pages; deleting the directory is always safe. The database of an earlier layout
(``cache-v1.sqlite3``) is deleted when this one is created.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import marshal
import os
import sqlite3
import sys
import time
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bcplint
from bcplint.load.location import default_directory
from bcplint.load.parse import (
    MARKDOWN_SUFFIXES,
    LoadedFile,
    LoadProblem,
    ParsedDocument,
    TextStore,
    YamlText,
    load_file,
)
from bcplint.model.validate import DocumentList

FORMAT = 2  # the layout of an entry (see encode); part of every key
DATABASE = "cache-v2.sqlite3"  # the version is the tables' layout
_EARLIER_DATABASES = ("cache-v1.sqlite3",)
MAX_BYTES = 2 << 30  # past this, least recently used entries are deleted
_BUSY_SECONDS = 5.0  # how long a write waits for another run's write to finish
_BATCH = 500  # keys per query: below every SQLite's limit on parameters
# Stands for the file's name while it is parsed for an entry, and is replaced by the name in
# the notes. No path holds NUL, and YAML text only through a quoted escape: a key spelled like
# this (a crafted one) would show the file's name in a note, with or without the cache alike.
_NAMELESS = "\0bcplint-cached-file\0"
# Tables of the same shape: parsed files (this module's entries), their texts (same keys) and
# whole results of checks (bcplint.engine.results). Files are pruned by size, with their
# texts, results by number.
TABLES = ("files", "texts", "results")
MAX_RESULTS = 16
_SCHEMA = tuple(
    statement
    for table in TABLES
    for statement in (
        f"CREATE TABLE IF NOT EXISTS {table} ("
        " key BLOB PRIMARY KEY, value BLOB NOT NULL, checksum INTEGER NOT NULL, used INTEGER NOT NULL)",
        f"CREATE INDEX IF NOT EXISTS {table}_used ON {table} (used)",
    )
)
_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by bcplint; see https://bford.info/cachedir/\n"
)

Record = tuple[Any, ...]  # an entry as marshal stores it: see encode()


class CorruptEntry(ValueError):
    """An entry that does not decode: it is ignored, and the file parsed again."""


def content_id(content: bytes) -> bytes:
    """The git blob id (SHA-1) of ``content``, as 20 bytes."""
    digest = hashlib.sha1(b"blob %d\0" % len(content), usedforsecurity=False)
    digest.update(content)
    return digest.digest()


def is_markdown(path: str) -> bool:
    """True when ``path`` is read as Markdown front matter rather than YAML."""
    return path.lower().endswith(MARKDOWN_SUFFIXES)


# --- entries -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Parsed:
    """A file parsed for the cache: its entry, and its text (None: the file has no YAML text)."""

    entry: bytes
    text: str | None


def parse_entry(content: bytes, *, markdown: bool, explicit: bool) -> Parsed | None:
    """``content`` parsed as :func:`bcplint.load.parse.load_file` parses it, as an entry
    (see :func:`decode`) and its text; None when its data holds something an entry cannot (an
    ``!!omap``): such a file is parsed again under its name by the caller."""
    loaded = load_file(_nameless(markdown), content, explicit=explicit)
    entry = encode(loaded)
    if entry is None:
        return None
    return Parsed(entry=entry, text=loaded.source.text if loaded.source is not None else None)


def encode(loaded: LoadedFile) -> bytes | None:
    """An entry for ``loaded`` (parsed under the nameless path): whether it has a YAML text
    (kept apart: :func:`encode_text`), its line offset, documents (index, data, item count of
    a YAML list of documents or -1), problem, notes. None when marshal cannot store the data
    (a type it does not know, nesting past its limit)."""
    source = loaded.source
    documents = tuple(
        (d.index, d.data, d.data.count if isinstance(d.data, DocumentList) else -1) for d in loaded.documents
    )
    problem = loaded.problem
    record: Record = (
        source is not None,
        source.line_offset if source is not None else 0,
        documents,
        (problem.line, problem.column, problem.message) if problem is not None else None,
        tuple(loaded.notes),
    )
    try:
        return marshal.dumps(record)
    except ValueError:  # a type marshal does not know
        return None


def encode_text(text: str) -> bytes:
    """A file's YAML text as the texts table keeps it."""
    return marshal.dumps(text)


def decode_text(value: bytes) -> str:
    """The text :func:`encode_text` wrote. CorruptEntry for anything else."""
    try:
        text = marshal.loads(value)
    except (ValueError, EOFError, TypeError) as exc:
        raise CorruptEntry(str(exc)) from None
    if not isinstance(text, str):
        raise CorruptEntry("text")
    return text


def decode(
    entry: bytes, path: str, text: str | None = None, *, store: TextStore | None = None, token: Any = None
) -> LoadedFile:
    """The file an entry was made from, as loaded at ``path``, with its YAML text: ``text``,
    else read from ``store`` (under ``token``) when first asked for. CorruptEntry when the
    entry is not one this code wrote."""
    try:
        record = marshal.loads(entry)
        has_text, offset, documents, problem, notes = record
        loaded = LoadedFile(path=path, notes=[_named(note, path) for note in notes])
        if has_text:
            if has_text is not True or not isinstance(offset, int) or (text is None and store is None):
                raise CorruptEntry("text")
            if text is not None:
                source = YamlText(path=path, text=text, line_offset=offset)
            else:
                source = YamlText(path=path, line_offset=offset, store=store, token=token)
            loaded.source = source
            loaded.documents = [
                ParsedDocument(source=source, index=index, data=data if count < 0 else DocumentList(count))
                for index, data, count in documents
                if _is_document(index, data, count)
            ]
            if len(loaded.documents) != len(documents):
                raise CorruptEntry("documents")
        elif has_text is not False or documents:
            raise CorruptEntry("documents without text")
        if problem is not None:
            line, column, message = problem
            if not (isinstance(line, int) and isinstance(column, int) and isinstance(message, str)):
                raise CorruptEntry("problem")
            loaded.problem = LoadProblem(path=path, line=line, column=column, message=message)
    except CorruptEntry:
        raise
    except (ValueError, EOFError, TypeError, AttributeError) as exc:
        raise CorruptEntry(str(exc)) from None
    return loaded


def _is_document(index: object, data: object, count: object) -> bool:
    return isinstance(index, int) and isinstance(data, dict) and isinstance(count, int)


def _named(note: object, path: str) -> str:
    if not isinstance(note, str):
        raise CorruptEntry("note")
    return note.replace(_NAMELESS, path)


def _nameless(markdown: bool) -> str:
    return _NAMELESS + (".md" if markdown else ".yaml")


# --- the store ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """An entry found: its bytes and the day (days since 1970) it was last used."""

    entry: bytes
    used: int


@dataclass(frozen=True)
class Cache:
    """The cache in one directory: parsed files (entries, see the module docstring) and whole
    results (:mod:`bcplint.engine.results`). Cheap to create and to pass to worker processes:
    every call opens its own connection (a connection must not cross a ``fork``).

    Every method swallows what goes wrong with the database (locked for longer than
    :data:`_BUSY_SECONDS`, read-only, full, corrupt): a cache that cannot be used is no cache.
    """

    directory: Path

    @classmethod
    def default(cls) -> Cache | None:
        """The cache in :func:`default_directory`, or None when this installation cannot key
        entries safely (its modules have no source files to fingerprint)."""
        if code_fingerprint() is None:
            return None
        return cls(default_directory())

    @property
    def database(self) -> Path:
        return self.directory / DATABASE

    def key(self, blob_id: bytes, *, markdown: bool, explicit: bool) -> bytes:
        """The key of the parse of the content with git blob id ``blob_id`` (see the module docstring)."""
        fingerprint = code_fingerprint() or b""
        flags = b"%d%d" % (markdown, explicit)
        return hashlib.blake2b(fingerprint + flags + blob_id, digest_size=20).digest()

    def lookup(self, keys: Sequence[bytes], *, table: str = "files") -> list[Hit | None]:
        """The value of each key whose value is intact, in the order given; None for the rest."""
        assert table in TABLES
        found: dict[bytes, Hit] = {}
        connection = self._open(write=False) if keys else None
        if connection is None:
            return [None] * len(keys)
        try:
            for batch in _batches(sorted(set(keys))):
                marks = ",".join("?" * len(batch))
                query = f"SELECT key, value, checksum, used FROM {table} WHERE key IN ({marks})"
                for key, value, checksum, used in connection.execute(query, batch):
                    if isinstance(value, bytes) and zlib.crc32(value) == checksum and isinstance(used, int):
                        found[key] = Hit(entry=value, used=used)
        except sqlite3.DatabaseError as exc:
            self._forget_if_corrupt(exc)
            return [None] * len(keys)
        finally:
            connection.close()
        return [found.get(key) for key in keys]

    def store(
        self,
        entries: Iterable[tuple[bytes, bytes]],
        *,
        used: Iterable[bytes] = (),
        table: str = "files",
        texts: Iterable[tuple[bytes, bytes]] = (),
    ) -> None:
        """Write ``entries`` (key, value) and ``texts`` (key, value of the texts table) in one
        transaction, and mark the keys in ``used`` as used today. Call :meth:`prune` once the
        run's values are written."""
        assert table in TABLES
        today = day_number()
        rows = {
            table: [(key, entry, zlib.crc32(entry), today) for key, entry in entries],
            "texts": [(key, text, zlib.crc32(text), today) for key, text in texts],
        }
        touched = sorted(set(used))
        if rows[table] or rows["texts"] or touched:
            self._write(table, rows, touched, today)

    def prune(self, table: str = "files") -> None:
        """Delete the least recently used values past :data:`MAX_BYTES` of files or
        :data:`MAX_RESULTS` results."""
        assert table in TABLES
        connection = self._open(write=False)
        if connection is None:
            return
        try:
            _prune(connection, table)
        except sqlite3.DatabaseError as exc:
            self._forget_if_corrupt(exc)
        finally:
            connection.close()

    def _write(
        self, table: str, rows: dict[str, list[tuple[bytes, bytes, int, int]]], touched: list[bytes], today: int
    ) -> None:
        for attempt in range(2):
            connection = self._open(write=True)
            if connection is None:
                return
            try:
                with _transaction(connection):
                    for name, values in rows.items():
                        connection.executemany(
                            f"INSERT OR REPLACE INTO {name} (key, value, checksum, used) VALUES (?, ?, ?, ?)", values
                        )
                    for batch in _batches(touched):
                        marks = ",".join("?" * len(batch))
                        connection.execute(f"UPDATE {table} SET used = ? WHERE key IN ({marks})", (today, *batch))
                return
            except sqlite3.DatabaseError as exc:
                if not self._forget_if_corrupt(exc) or attempt:
                    return
            finally:
                connection.close()

    def _open(self, *, write: bool) -> sqlite3.Connection | None:
        """A connection to the database (created for writing), or None when there is none to be had."""
        if not write and not self.database.exists():
            return None
        connection = None
        try:
            fresh = write and not self.database.exists()
            if write:
                _prepare(self.directory)
            connection = sqlite3.connect(self.database, timeout=_BUSY_SECONDS, isolation_level=None)
            if fresh:
                _forget_earlier(self.directory)
            if write:
                # Pages that hold a whole entry or two (a new database only): a third of the
                # time to write and read the benchmark's entries compared with 4 KB pages.
                connection.execute("PRAGMA page_size = 16384")
                # A rollback journal: new entries are appended once (a write-ahead log writes
                # them twice, half again the cost of a cold run's writes); a reader waits the
                # few milliseconds a commit takes.
                connection.execute("PRAGMA journal_mode = TRUNCATE")
                # No waiting for the disk: what a power cut leaves half written fails its
                # checksum, or SQLite's own checks (then the database starts again).
                connection.execute("PRAGMA synchronous = OFF")
                for statement in _SCHEMA:
                    connection.execute(statement)
            return connection
        except (sqlite3.DatabaseError, OSError) as exc:
            if connection is not None:
                connection.close()
            if isinstance(exc, sqlite3.DatabaseError):
                self._forget_if_corrupt(exc)
            return None

    def _forget_if_corrupt(self, error: sqlite3.DatabaseError) -> bool:
        """Delete the database when ``error`` says it is not one (truncated, overwritten), so
        the next write starts afresh; True if it did. Other errors (locked, read-only, full)
        leave it alone."""
        if isinstance(error, sqlite3.OperationalError):
            return False
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                os.unlink(f"{self.database}{suffix}")
        return True


@contextlib.contextmanager
def _transaction(connection: sqlite3.Connection) -> Iterator[None]:
    connection.execute("BEGIN IMMEDIATE")  # take the write lock now, waiting for another run's write
    try:
        yield
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _prune(connection: sqlite3.Connection, table: str) -> None:
    """Delete the least recently used values: results past :data:`MAX_RESULTS`; files, when
    the database has grown past :data:`MAX_BYTES`, until they take a quarter less (estimated
    from the pages in use, without reading the values). The file keeps its size; the next
    entries fill the pages freed."""
    count = connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    if table == "results":
        excess = count - MAX_RESULTS
    else:
        page_size, pages, free = (connection.execute(f"PRAGMA {name}").fetchone()[0] for name in _SIZE_PRAGMAS)
        in_use = (pages - free) * page_size
        if in_use <= MAX_BYTES:
            return
        excess = int(count * (1 - MAX_BYTES * 3 / 4 / in_use)) + 1
    if excess <= 0:
        return
    with _transaction(connection):
        connection.execute(
            f"DELETE FROM {table} WHERE key IN (SELECT key FROM {table} ORDER BY used, rowid LIMIT ?)",
            (excess,),
        )
        if table == "files":  # the texts of the entries gone
            connection.execute("DELETE FROM texts WHERE key NOT IN (SELECT key FROM files)")


_SIZE_PRAGMAS = ("page_size", "page_count", "freelist_count")


def _prepare(directory: Path) -> None:
    """Create the cache directory (private to the user) and mark it as a cache for backup tools."""
    if directory.is_dir():
        return
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        (directory / "CACHEDIR.TAG").write_text(_CACHEDIR_TAG, encoding="ascii")


def _forget_earlier(directory: Path) -> None:
    """Delete the databases of earlier layouts (no run of this code reads them again)."""
    for name in _EARLIER_DATABASES:
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                os.unlink(directory / f"{name}{suffix}")


def _batches(items: Sequence[bytes]) -> Iterator[Sequence[bytes]]:
    for start in range(0, len(items), _BATCH):
        yield items[start : start + _BATCH]


def day_number() -> int:
    """Today as days since 1970-01-01 (UTC): when an entry was last used."""
    return int(time.time() // 86400)


@functools.cache  # the modules do not change while a run lasts
def code_fingerprint() -> bytes | None:
    """What the parse of a file depends on besides its bytes: bcplint's version and the code
    of ``load/`` and ``model/`` (byte for byte), the Python version, and ruamel.yaml's (with
    its C parser). None when the modules have no source files to read (then nothing is cached)."""
    package = Path(bcplint.__file__).parent
    modules = sorted([*package.glob("load/*.py"), *package.glob("model/*.py")])
    if not modules:
        return None
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"{FORMAT}\0{bcplint.__version__}\0{sys.version}\0{_parser_versions()}".encode())
    try:
        for module in modules:
            digest.update(b"\0" + module.name.encode() + b"\0" + module.read_bytes())
    except OSError:
        return None
    return digest.digest()


def _parser_versions() -> str:
    import ruamel.yaml  # noqa: PLC0415 - already imported by the parser; only its version is read here

    parts = [f"ruamel.yaml {ruamel.yaml.__version__}"]
    extension = sys.modules.get("_ruamel_yaml")
    location = getattr(extension, "__file__", None)
    if location:  # the C extension publishes no version: its file changes with every release
        with contextlib.suppress(OSError):
            info = os.stat(location)
            parts.append(f"clib {info.st_size} {info.st_mtime_ns}")
    return " ".join(parts)
