"""Reading and parsing many files, on every core when there are enough of them, through the
cache of parsed files when there is one (:mod:`bcplint.load.cache`).

Parsing dominates a large run, and each file parses independently, so above a threshold the
files are split between worker processes. Files of the index or of a commit are read from
git's object store, one ``git cat-file --batch`` per chunk, inside the worker that parses
them, so their bytes never cross a process boundary. Results come back in the original
order, so output does not depend on scheduling.

Every file takes the same road, cache or not: its bytes become an entry (the parse without
the file's name) and the entry becomes the file as loaded under its name. A run with the
cache and a run without it build their documents with the same code, and an entry found in
the cache is what parsing the same bytes makes. With a cache, files of the index or of a
commit are looked up by blob id first, and only the missing ones are read from git; files of
the work tree are read and hashed by this process while most of them are found (decoding an
entry here costs less than sending it back from a worker), and once they mostly are not (a
cold cache), by the workers, which look them up and parse what is missing. The new entries
are written chunk by chunk as they arrive, so they are never all held at once.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import NamedTuple

from bcplint.errors import SourceError
from bcplint.git.trees import read_blobs
from bcplint.load.cache import (
    Cache,
    CorruptEntry,
    Hit,
    content_id,
    day_number,
    decode,
    decode_text,
    encode_text,
    is_markdown,
    parse_entry,
)
from bcplint.load.discover import SourceFile
from bcplint.load.parse import LoadedFile, LoadProblem, load_file, read_texts

# Below this many files a second process costs more (start-up, pickling) than it saves.
PARALLEL_THRESHOLD = 400
# Files per chunk at most: bounds what a worker holds and sends back, and what waits to be written.
CHUNK_FILES = 1000
# Far beyond any plan; keeps a stray dump or disk image from exhausting memory.
MAX_FILE_BYTES = 100 * 2**20
_TOO_LARGE = f"file is larger than {MAX_FILE_BYTES // 2**20} MB; split the plan into files"
# Cleared by read_in_this_process_only.
_FORKING_ALLOWED = [True]


def read_in_this_process_only() -> None:
    """Never fork worker processes to read files, in this process, from now on.

    For the daemon: a forked worker inherits every descriptor the daemon holds (its socket,
    its lock, a client's connection and standard streams), so a daemon that died while its
    workers ran would leave them holding the client's pipe open, and its lock. The daemon's
    reads are mostly of files it keeps in memory; the rest are read one after another.
    """
    _FORKING_ALLOWED[0] = False


@dataclass
class ReadStats:
    """What :func:`read_files` did: files found in the cache, files read and parsed, and for
    each file made from an entry, by report path, the entry's key (which names the file's
    content as exactly as its text does: :mod:`bcplint.engine.results` hashes the keys)."""

    found: int = 0
    parsed: int = 0
    keys: dict[str, bytes] = field(default_factory=dict)


class _Read(NamedTuple):
    """One file as a chunk reader hands it back: its entry, or the file itself when it has
    none (it could not be read, or its data is of a type an entry cannot hold). ``key`` is its
    cache key; ``used`` the day its entry was last used when it came from the cache (None:
    parsed now, so to be written)."""

    entry: bytes | None
    loaded: LoadedFile | None = None
    key: bytes | None = None
    used: int | None = None
    text: str | None = None  # parsed now: the YAML text (an entry found: read on demand)


def read_file(source: SourceFile) -> LoadedFile:
    """One work-tree file's documents, or a problem saying why it could not be read. Never raises."""
    content = _read_bytes(source)
    if isinstance(content, LoadedFile):
        return content
    return load_file(source.display, content, explicit=source.explicit)


def read_files(
    sources: Sequence[SourceFile],
    *,
    repository: Path | None = None,
    workers: int | None = None,
    cache: Cache | None = None,
    stats: ReadStats | None = None,
    texts_on_demand: bool = False,
) -> list[LoadedFile]:
    """Every file loaded, in the order given. ``repository`` holds the blobs of git sources;
    ``cache`` keeps parsed files between runs (None: parse every file); ``stats``, when given,
    counts what was found and what was parsed. Never raises for a file or for the cache: an
    unreadable file is a problem on that file, an unusable cache is no cache.

    ``texts_on_demand``: the YAML texts of files found in the cache are read when first asked
    for (:class:`~bcplint.load.parse.YamlText`; reading one raises SourceError if the cache lost
    it and the file changed since), for a run that ends before its files change; otherwise
    they are all read here (a process that keeps files for later, such as the language server,
    must not depend on the cache or the files staying as they are)."""
    loaded: list[LoadedFile | None] = [None] * len(sources)
    today = day_number()
    used: list[bytes] = []
    counted = stats if stats is not None else ReadStats()
    texts = _CachedTexts(cache, repository)
    if cache is not None:
        used.extend(_from_cache(cache, sources, loaded, today, counted.keys, texts))
    missing = [i for i, done in enumerate(loaded) if done is None]
    counted.found += len(sources) - len(missing)
    indices = iter(missing)
    written = False
    for chunk, results in _chunks_read([sources[i] for i in missing], repository, cache, workers):
        new: list[tuple[bytes, bytes]] = []
        new_texts: list[tuple[bytes, bytes]] = []
        for source, result in zip(chunk, results, strict=True):
            file, decoded = _loaded(source, result, repository, texts)
            loaded[next(indices)] = file
            found = decoded and result.used is not None
            counted.found += found
            counted.parsed += not found
            if result.key is None or not decoded:
                continue
            counted.keys[source.display] = result.key
            if result.used is None and result.entry is not None:
                new.append((result.key, result.entry))
                if result.text is not None:
                    new_texts.append((result.key, encode_text(result.text)))
            elif result.used is not None and result.used < today:
                used.append(result.key)
        if cache is not None and new:
            cache.store(new, texts=new_texts)
            written = True
    if cache is not None:
        cache.store((), used=used)
        if written:
            cache.prune()
    files = [file for file in loaded if file is not None]
    if not texts_on_demand:
        _read_every_text(files, sources, repository)
    return files


def _read_every_text(files: list[LoadedFile], sources: Sequence[SourceFile], repository: Path | None) -> None:
    """Every text read now, in one batch. A file whose text the cache lost and which changed
    since it was read is read and parsed again whole, its documents and text from the same bytes."""
    try:
        read_texts(file.source for file in files)
        return
    except SourceError:
        pass
    for i, (file, source) in enumerate(zip(files, sources, strict=True)):
        if file.source is not None and file.source.pending:
            try:
                read_texts([file.source])
            except SourceError:
                files[i] = _reparsed(source, repository)


def _from_cache(
    cache: Cache,
    sources: Sequence[SourceFile],
    loaded: list[LoadedFile | None],
    today: int,
    keys: dict[str, bytes],
    texts: _CachedTexts,
) -> list[bytes]:
    """Fill in the files whose entries the cache holds; return the keys of those not yet
    marked used today.

    Git sources are looked up by blob id, without reading anything from git. Files of the
    work tree are read and hashed here, a chunk at a time, as long as most of them are found
    (a warm run: decoding here beats sending every entry back from a worker); once a chunk
    is mostly missing (a cold cache), the rest is left to the chunk readers, which hash,
    look up and parse in parallel.
    """
    wanted = [(i, key) for i, s in enumerate(sources) if s.blob is not None and (key := _blob_key(cache, s))]
    stale = _decoded(sources, loaded, today, wanted, cache.lookup([key for _, key in wanted]), keys, texts)
    on_disk = [i for i, s in enumerate(sources) if s.blob is None]
    for start in range(0, len(on_disk), CHUNK_FILES):
        chunk = on_disk[start : start + CHUNK_FILES]
        keyed = [(i, key) for i in chunk if (key := _content_key(cache, sources[i])) is not None]
        hits = cache.lookup([key for _, key in keyed])
        stale += _decoded(sources, loaded, today, keyed, hits, keys, texts)
        if sum(hit is not None for hit in hits) * 2 < len(chunk):
            break
    return stale


def _decoded(
    sources: Sequence[SourceFile],
    loaded: list[LoadedFile | None],
    today: int,
    keyed: Sequence[tuple[int, bytes]],
    hits: Sequence[Hit | None],
    keys: dict[str, bytes],
    texts: _CachedTexts,
) -> list[bytes]:
    """Decode the hits into ``loaded`` (and their keys into ``keys``), their texts left in
    ``texts``; return the keys of those last used before ``today``."""
    stale = []
    for (i, key), hit in zip(keyed, hits, strict=True):
        if hit is None:
            continue
        try:
            loaded[i] = decode(hit.entry, sources[i].display, store=texts, token=(key, sources[i]))
        except CorruptEntry:
            continue  # read and parsed again, and its entry replaced
        keys[sources[i].display] = key
        if hit.used < today:
            stale.append(key)
    return stale


def source_key(cache: Cache, source: SourceFile) -> bytes | None:
    """The cache key of a source's current content (its blob id for git, its bytes read and
    hashed for the work tree); None when it has none: a file that cannot be read, a blob named
    by ``rev:path``. What :func:`read_files` would find its entry under."""
    return _blob_key(cache, source) if source.blob is not None else _content_key(cache, source)


def _content_key(cache: Cache, source: SourceFile) -> bytes | None:
    """The key of a work-tree file's current bytes; None when it cannot be read (the chunk
    reader reports why)."""
    content = _read_bytes(source)
    if isinstance(content, LoadedFile):
        return None
    return _key_of(cache, source, content)


def _key_of(cache: Cache, source: SourceFile, content: bytes) -> bytes:
    """The key of ``content`` read for ``source``."""
    return cache.key(content_id(content), markdown=is_markdown(source.display), explicit=source.explicit)


def _blob_key(cache: Cache, source: SourceFile) -> bytes | None:
    assert source.blob is not None
    try:
        blob_id = bytes.fromhex(source.blob)
    except ValueError:  # a ``rev:path`` name rather than an object id: not a key
        return None
    return cache.key(blob_id, markdown=is_markdown(source.display), explicit=source.explicit)


def _loaded(source: SourceFile, result: _Read, repository: Path | None, texts: _CachedTexts) -> tuple[LoadedFile, bool]:
    """The file of ``result`` under its name, and whether it was made from the entry of
    ``result.key``."""
    if result.loaded is not None:
        return result.loaded, False
    assert result.entry is not None
    try:
        if result.used is None:  # parsed now: its text is at hand
            return decode(result.entry, source.display, result.text), True
        return decode(result.entry, source.display, store=texts, token=(result.key, source)), True
    except CorruptEntry:
        # An entry found intact (its checksum holds) that this code cannot read: parse the
        # file again. Not kept under the key: the file may have changed since it was hashed.
        return _reparsed(source, repository), False


def _reparsed(source: SourceFile, repository: Path | None) -> LoadedFile:
    """The file read (from disk or git) and parsed under its name again, without the cache."""
    content = _contents([source], repository)[0]
    if isinstance(content, LoadedFile):
        return content
    return load_file(source.display, content, explicit=source.explicit)


def _chunks_read(
    sources: Sequence[SourceFile], repository: Path | None, cache: Cache | None, workers: int | None
) -> Iterator[tuple[Sequence[SourceFile], list[_Read]]]:
    """Each chunk of ``sources`` with what :func:`_read_chunk` made of it, in order."""
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers < 2 or len(sources) < PARALLEL_THRESHOLD or not _FORKING_ALLOWED[0]:
        for chunk in _split(sources, CHUNK_FILES):
            yield chunk, _read_chunk(chunk, repository, cache)
        return
    # Only large runs pay for these imports (some milliseconds: a pre-commit run is mostly start-up).
    import multiprocessing  # noqa: PLC0415
    from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415

    if "fork" not in multiprocessing.get_all_start_methods():
        for chunk in _split(sources, CHUNK_FILES):
            yield chunk, _read_chunk(chunk, repository, cache)
        return
    # Contiguous chunks keep each worker's results in order; a few per worker balance the load.
    chunks = _split(sources, min(-(-len(sources) // (workers * 4)), CHUNK_FILES))
    context = multiprocessing.get_context("fork")  # no re-import: workers start in milliseconds
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield from zip(chunks, pool.map(_read_chunk, chunks, repeat(repository), repeat(cache)), strict=True)


def _split(sources: Sequence[SourceFile], size: int) -> list[Sequence[SourceFile]]:
    return [sources[i : i + size] for i in range(0, len(sources), size)]


def _read_chunk(sources: Sequence[SourceFile], repository: Path | None, cache: Cache | None) -> list[_Read]:
    """Read, look up and parse ``sources``: git sources were looked up already (by the
    parent), work-tree files are hashed and looked up here, in one query."""
    contents = _contents(sources, repository)
    keys: list[bytes | None] = [None] * len(sources)
    if cache is not None:
        for i, (source, content) in enumerate(zip(sources, contents, strict=True)):
            if source.blob is not None:
                keys[i] = _blob_key(cache, source)
            elif isinstance(content, bytes):
                keys[i] = _key_of(cache, source, content)
    on_disk = [key for key, source in zip(keys, sources, strict=True) if key is not None and source.blob is None]
    hits = dict(zip(on_disk, cache.lookup(on_disk), strict=True)) if cache is not None and on_disk else {}
    results = []
    for source, content, key in zip(sources, contents, keys, strict=True):
        if isinstance(content, LoadedFile):
            results.append(_Read(entry=None, loaded=content))
            continue
        hit = hits.get(key) if key is not None else None
        if hit is not None:
            results.append(_Read(entry=hit.entry, key=key, used=hit.used))
            continue
        parsed = parse_entry(content, markdown=is_markdown(source.display), explicit=source.explicit)
        if parsed is None:  # data an entry cannot hold: parsed again under its name, not kept
            results.append(_Read(entry=None, loaded=load_file(source.display, content, explicit=source.explicit)))
        else:
            results.append(_Read(entry=parsed.entry, key=key, text=parsed.text))
    return results


class _CachedTexts:
    """The YAML texts of the files a run made from cache entries, read when asked for
    (:class:`~bcplint.load.parse.TextStore`; a token is the entry's key and its source).

    A text the cache no longer holds intact (pruned by another run since, damaged) is made
    again from the file, which must still be what its documents were made from: a git object
    is, by its id; a work-tree file edited since it was read is not, and that is a SourceError
    (run the check again), never a text that does not match the documents.
    """

    def __init__(self, cache: Cache | None, repository: Path | None) -> None:
        self.cache = cache
        self.repository = repository

    def read_texts(self, tokens: Sequence[tuple[bytes, SourceFile]]) -> list[str]:
        hits = self.cache.lookup([key for key, _ in tokens], table="texts") if self.cache is not None else []
        texts, rebuilt = [], []
        for (key, source), hit in zip(tokens, hits or [None] * len(tokens), strict=True):
            text = None
            if hit is not None:
                with contextlib.suppress(CorruptEntry):
                    text = decode_text(hit.entry)
            if text is None:
                text = self._again(key, source)
                rebuilt.append((key, encode_text(text)))
            texts.append(text)
        if rebuilt and self.cache is not None:  # replaced, as a damaged entry is
            self.cache.store((), texts=rebuilt)
        return texts

    def _again(self, key: bytes, source: SourceFile) -> str:
        content = _contents([source], self.repository)[0]
        if isinstance(content, bytes) and self.cache is not None and _key_of(self.cache, source, content) == key:
            again = load_file(source.display, content, explicit=source.explicit).source
            if again is not None:
                return again.text
        raise SourceError(
            f"{source.display}: changed while bcplint was checking it (its text is no longer the one "
            "its documents were read from); run the check again"
        )


def _contents(sources: Sequence[SourceFile], repository: Path | None) -> list[bytes | LoadedFile]:
    """The bytes of each source, or the file as loaded when they cannot be had."""
    blobs = [s.blob for s in sources if s.blob is not None]
    from_git = iter(read_blobs(repository, blobs, limit=MAX_FILE_BYTES)) if blobs and repository else iter(())
    contents: list[bytes | LoadedFile] = []
    for source in sources:
        if source.blob is None:
            contents.append(_read_bytes(source))
            continue
        content = next(from_git, None)
        contents.append(_unreadable(source, _TOO_LARGE) if content is None else content)
    return contents


def _read_bytes(source: SourceFile) -> bytes | LoadedFile:
    """A work-tree file's bytes, or the file as loaded with the problem that stopped the reading."""
    assert source.path is not None
    try:
        info = source.path.stat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO would block the run, a device never end
            return _unreadable(source, "not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            return _unreadable(source, _TOO_LARGE)
        return source.path.read_bytes()
    except OSError as exc:
        return _unreadable(source, f"cannot read file: {exc.strerror or exc}")


def _unreadable(source: SourceFile, message: str) -> LoadedFile:
    problem = LoadProblem(path=source.display, line=1, column=1, message=message)
    return LoadedFile(path=source.display, problem=problem)
