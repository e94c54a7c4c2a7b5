"""Whole results of checks kept between runs: checking what was checked before costs a lookup.

:func:`bcplint.engine.run.check` is a pure function of what the key below holds, so a result
kept under the key is the result:

- the workspace's files as loaded: each file's name, text (and where it starts in the file),
  problem and notes, and the evaluation date. The documents are parsed from the text, by code
  that is part of the key. A file made from an entry of the cache of parsed files stands in
  the key by that entry's key (its content's blob id, as read for this run), which fixes all
  of that as exactly and costs no hashing of its text;
- the run: every field of :class:`~bcplint.engine.run.Run` except where history comes from —
  the rules with their selectors, parameters, messages and clauses, the evaluation date, the
  known rule ids, the baseline's entries, what the reports asked for;
- the history the rules read, as read from git for this run (when a rule reads it);
- the notes the run carries;
- the code: every module of bcplint and the data it reads while checking (``rules/levels``),
  byte for byte, the Python version and the name and version of every installed
  distribution (pydantic's messages, RE2's and jsonschema's verdicts, ruamel.yaml's lines).

Anything a check comes to read must be added here. A value of a type this module cannot
describe exactly makes the run uncacheable (it is checked, never looked up). Only whole
results are kept; a narrowed run finds the whole result of the same workspace, if one was
kept, and narrows it (which gives what judging only its focus gives: :mod:`bcplint.engine.scope`).

Results are pickled and read back with an unpickler that builds only bcplint's result types
and the standard types they hold, so a tampered cache cannot run code.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import hashlib
import io
import os
import pickle
import sys
from collections.abc import Mapping
from pathlib import Path, PurePath
from typing import Any

from pydantic import BaseModel

import bcplint
from bcplint.findings import LintResult
from bcplint.git.history import Change
from bcplint.load.cache import Cache, day_number
from bcplint.packs import builtin_pack_dir
from bcplint.workspace.documents import Workspace

# Modules whose classes a kept result may be built of (bcplint's own and these).
_UNPICKLE_MODULES = frozenset({"datetime", "pathlib", "collections"})


class _Uncacheable(Exception):
    """A value the key cannot describe exactly."""


def key(
    run: Any, workspace: Workspace, notes: tuple[str, ...], entries: Mapping[str, bytes] | None = None
) -> bytes | None:
    """The key of ``check(run, workspace, notes)`` once ``workspace.history`` holds what the
    rules read; None when something in it cannot be described exactly. ``entries``: report
    path -> key of the cache entry the file was made from (:class:`bcplint.load.read.ReadStats`)."""
    code = code_fingerprint()
    if code is None:
        return None
    digest = hashlib.blake2b(code, digest_size=20)
    write = digest.update
    try:
        for field in dataclasses.fields(run):
            if field.name != "history":
                write(f"\0run.{field.name}=".encode())
                _describe(getattr(run, field.name), write)
        write(b"\0notes=")
        _describe(notes, write)
        write(b"\0history=")
        _describe_history(workspace.history, write)
    except _Uncacheable:
        return None
    write(b"\0today=" + workspace.today.isoformat().encode())
    entries = entries or {}
    for loaded in workspace.files:
        source, problem = loaded.source, loaded.problem
        write(b"\0file\0" + loaded.path.encode("utf-8", "surrogatepass"))
        entry = entries.get(loaded.path)
        if entry is not None:
            write(b"\0entry\0" + entry)
            continue
        if source is not None:
            write(b"\0text %d %d\0" % (source.line_offset, len(source.text)))
            write(source.text.encode("utf-8", "surrogatepass"))
        if problem is not None:
            write(f"\0problem {problem.line} {problem.column}\0{problem.message}".encode("utf-8", "surrogatepass"))
        for note in loaded.notes:
            write(b"\0note\0" + note.encode("utf-8", "surrogatepass"))
    return digest.digest()


def recall(cache: Cache, result_key: bytes) -> LintResult | None:
    """The result kept under ``result_key``, or None (none kept, or it cannot be read back)."""
    hit = cache.lookup([result_key], table="results")[0]
    if hit is None:
        return None
    try:
        result = _Unpickler(io.BytesIO(hit.entry)).load()
    except Exception:
        return None
    if not isinstance(result, LintResult):
        return None
    if hit.used < day_number():
        cache.store((), used=[result_key], table="results")
    return result


def keep(cache: Cache, result_key: bytes, result: LintResult) -> None:
    """Keep ``result`` under ``result_key``."""
    try:
        value = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return
    cache.store([(result_key, value)], table="results")
    cache.prune("results")


class _Unpickler(pickle.Unpickler):
    """Builds bcplint's classes and a few standard ones, nothing else."""

    def find_class(self, module: str, name: str) -> Any:
        if module.startswith("bcplint.") or module in _UNPICKLE_MODULES:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a result")


def _describe(value: Any, write: Any) -> None:
    """Feed ``value`` to ``write`` so that two values give the same bytes only when they are
    equal and of the same types. _Uncacheable for anything not described exactly."""
    if value is None or isinstance(value, bool | int | float | str | bytes):
        write(f"{type(value).__name__}:{value!r};".encode("utf-8", "surrogatepass"))
    elif isinstance(value, enum.Enum):
        write(f"{_qualified(type(value))}.{value.name};".encode())
    elif isinstance(value, dt.date | dt.datetime | dt.time | dt.timedelta | PurePath):
        write(f"{type(value).__name__}:{value!s};".encode("utf-8", "surrogatepass"))
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        write(f"<{_qualified(type(value))}".encode())
        for field in dataclasses.fields(value):
            write(f" {field.name}=".encode())
            _describe(getattr(value, field.name), write)
        write(b">")
    elif isinstance(value, BaseModel):
        write(f"<{_qualified(type(value))}".encode())
        for name in type(value).model_fields:
            write(f" {name}=".encode())
            _describe(getattr(value, name), write)
        _describe(value.model_extra, write)
        write(b">")
    elif isinstance(value, Mapping):
        write(f"{{{type(value).__name__}".encode())
        for item_key, item in value.items():
            _describe(item_key, write)
            write(b":")
            _describe(item, write)
        write(b"}")
    elif isinstance(value, list | tuple):
        write(f"[{type(value).__name__}".encode())
        for item in value:
            _describe(item, write)
        write(b"]")
    elif isinstance(value, set | frozenset):
        parts: list[bytes] = []
        for item in value:
            described: list[bytes] = []
            _describe(item, described.append)
            parts.append(b"".join(described))
        write(f"({type(value).__name__}".encode() + b"".join(sorted(parts)) + b")")
    elif callable(value) and hasattr(value, "__qualname__") and hasattr(value, "__module__"):
        write(f"code:{_qualified(value)};".encode())  # a check function or a class: the code is in the key
    else:
        raise _Uncacheable(type(value).__name__)


def _describe_history(history: Mapping[str, Any] | None, write: Any) -> None:
    """The history the rules read (path -> :class:`~bcplint.git.history.Change` or None),
    exactly, in a form of its own: a line per file of each field's ``repr`` (which holds no line
    break), where :func:`_describe`'s walk costs a tenth of a second at 10,000 files.
    _Uncacheable for a value of another type; the general walk for a Change whose fields are
    not the three known here."""
    if history is None or _change_fields() != ("sha", "date", "subject"):
        _describe(sorted(history.items()) if history is not None else None, write)
        return
    lines = []
    for path, change in sorted(history.items()):
        if change is None:
            lines.append(f"{path!r}")
        elif (
            type(change) is Change
            and type(path) is str
            and type(change.sha) is str
            and type(change.date) is dt.date
            and type(change.subject) is str
        ):
            lines.append(f"{path!r} {change.sha!r} {change.date.isoformat()} {change.subject!r}")
        else:
            raise _Uncacheable(type(change).__name__)
    write(b"{history\n" + "\n".join(lines).encode("utf-8", "surrogatepass") + b"}")


@functools.cache
def _change_fields() -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(Change))


def _qualified(thing: Any) -> str:
    return f"{thing.__module__}.{thing.__qualname__}"


@functools.cache  # the code does not change while a process runs
def code_fingerprint() -> bytes | None:
    """Every module of bcplint and the level files, byte for byte, the Python version and the
    installed distributions; None when the modules have no source files to read."""
    package = Path(bcplint.__file__).parent
    modules = sorted(package.rglob("*.py"))
    if not modules:
        return None
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"{bcplint.__version__}\0{sys.version}\0".encode())
    digest.update("\0".join(_distributions()).encode("utf-8", "surrogateescape"))
    try:
        for path in [*modules, *sorted((builtin_pack_dir() / "levels").glob("*"))]:
            digest.update(b"\0" + str(path.relative_to(path.parents[1])).encode() + b"\0" + path.read_bytes())
    except (OSError, ValueError):
        return None
    return digest.digest()


def _distributions() -> list[str]:
    """The installed distributions' metadata folders (``pydantic-2.14.4.dist-info``): a name
    and version per distribution, read from directory listings, without importing anything."""
    found: list[str] = []
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        found.extend(n for n in names if n.endswith((".dist-info", ".egg-info")))
    return sorted(found)
