"""Walks over depends_on: cycle detection (each cycle once, deterministic, no recursion limit) and
the one-pass answers that stand for a walk per starting point."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from bcplint.load.parse import load_file
from bcplint.model.kinds import System
from bcplint.model.types import Duration, Ref
from bcplint.workspace.documents import _item_ref, _may_hold_model, build_workspace, references, referred_names
from bcplint.workspace.graph import find_cycles, least_reaching, reachable
from tests.conftest import REPO_ROOT


def workspace_of(edges: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    docs = [
        f"apiVersion: bcplint/v1\nkind: System\nname: {name}\ncriticality: low\ndepends_on: [{', '.join(deps)}]\n"
        for name, deps in edges.items()
    ]
    loaded = load_file("g.yaml", "---\n".join(docs).encode())
    return build_workspace([loaded], dt.date(2026, 11, 23))


def test_no_cycle_in_a_dag() -> None:
    assert find_cycles(workspace_of({"a": ["b", "c"], "b": ["c"], "c": []})) == []


def test_each_cycle_once_from_its_smallest_name() -> None:
    cycles = find_cycles(workspace_of({"c": ["a"], "a": ["b"], "b": ["c"], "x": ["x"], "y": ["z"], "z": ["y"]}))
    assert sorted(cycles) == [["a", "b", "c"], ["x"], ["y", "z"]]


def test_a_long_chain_does_not_hit_the_recursion_limit() -> None:
    n = 5000
    edges = {f"s{i:05d}": [f"s{i + 1:05d}"] for i in range(n)}
    edges[f"s{n:05d}"] = ["s00000"]
    [cycle] = find_cycles(workspace_of(edges))
    assert len(cycle) == n + 1
    assert cycle[0] == "s00000"


NAMES = [f"n{i}" for i in range(8)]
graphs = st.dictionaries(st.sampled_from(NAMES), st.lists(st.sampled_from(NAMES), max_size=3), max_size=8).map(
    lambda g: {**{t: [] for ts in g.values() for t in ts}, **g}  # every name depended on is a node
)


@given(graphs, st.sets(st.sampled_from([*NAMES, "outside"])))
def test_least_reaching_is_a_walk_from_each_source_in_name_order(
    graph: dict[str, list[str]], sources: set[str]
) -> None:
    """Cycles, shared dependencies and sources outside the graph: the answer of one pass is what a
    walk from every source, least name first, keeping the first source to reach each name, gives."""
    walked: dict[str, str] = {}
    for source in sorted(sources):
        for name in reachable([source], lambda n: graph.get(n, [])):
            walked.setdefault(name, source)
    assert least_reaching(graph, sources) == walked


def test_least_reaching_through_a_cycle_and_a_shared_dependency() -> None:
    graph = {"b-svc": ["db"], "a-svc": ["loop-1"], "loop-1": ["loop-2"], "loop-2": ["loop-1", "db"], "db": []}
    assert least_reaching(graph, {"b-svc", "a-svc"}) == {
        "a-svc": "a-svc",
        "b-svc": "b-svc",
        "loop-1": "a-svc",
        "loop-2": "a-svc",
        "db": "a-svc",
    }


def _every_reference(model: BaseModel, prefix: tuple[str | int, ...] = ()) -> list[tuple[tuple[str | int, ...], str]]:
    """Every (field path, name) a Ref marker covers, walking every field of every model: what
    references() gives without leaving out the fields that cannot hold one."""
    found = []
    for name, info in type(model).model_fields.items():
        value, path = getattr(model, name), (*prefix, name)
        ref = next((m for m in info.metadata if isinstance(m, Ref)), None) or _item_ref(info.annotation)
        items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for index, item in items:
            where = path if index is None else (*path, index)
            if isinstance(item, BaseModel):
                found += _every_reference(item, where)
            elif ref is not None and isinstance(item, str):
                found.append((where, item))
    return found


def test_references_skip_only_fields_that_cannot_hold_one() -> None:
    """references() leaves out the fields whose type holds no model and no reference; walking
    every field of the golden workspace and the examples finds the same references."""
    roots = [
        REPO_ROOT / "tests" / "golden" / "workspace",
        *(p for p in (REPO_ROOT / "examples").iterdir() if p.is_dir()),
    ]
    files = [load_file(p.as_posix(), p.read_bytes()) for root in roots for p in sorted(root.rglob("*.yaml"))]
    workspace = build_workspace(files, dt.date(2026, 11, 23))
    compared = 0
    for doc in workspace.valid():
        assert doc.model is not None
        expected = _every_reference(doc.model)
        assert [(r.field, r.target) for r in references(doc)] == expected, doc.label
        assert list(referred_names(doc)) == [name for _, name in expected]
        compared += len(expected)
    assert compared > 100


@pytest.mark.parametrize(
    ("annotation", "holds"),
    [
        (str, False),
        (list[str], False),
        (int | None, False),
        (Literal["a", "b"], False),
        (dict[str, list[int]], False),
        (Duration, False),
        (System, True),
        (list[str | System], True),
        (System | None, True),
        (dict[str, System], True),
        (Any, True),
        ("System", True),  # an unresolved forward reference: kept
    ],
)
def test_a_field_is_walked_when_its_type_can_hold_a_model(annotation: Any, holds: bool) -> None:
    assert _may_hold_model(annotation) is holds
