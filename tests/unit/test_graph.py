"""Cycle detection over depends_on: each cycle once, deterministic, no recursion limit."""

from __future__ import annotations

import datetime as dt

from bcplint.load.parse import load_file
from bcplint.workspace.documents import build_workspace
from bcplint.workspace.graph import find_cycles


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
