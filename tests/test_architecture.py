"""The house's rooms: each package of bcplint/ imports only from rooms below it.

The order is the pipeline's (docs/architecture.md): shared vocabulary, then git and the format,
loading, the workspace, checks and packs, exemptions, insights, the engine, reports, the
public door, and the programs on top (language server, command line). A module that reaches
up would tie a lower stage to a higher one and start an import cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO_ROOT

PACKAGE = REPO_ROOT / "bcplint"
ROOMS = [
    ("__init__", "errors", "findings"),
    ("git",),
    ("model",),
    ("load",),
    ("workspace",),
    ("checks",),
    ("packs",),
    ("exemptions",),
    ("insights",),
    ("engine",),
    ("report",),
    ("api",),
    ("server",),
    ("daemon",),
    ("cli", "__main__", "console"),
]
RANK = {room: rank for rank, rooms in enumerate(ROOMS) for room in rooms}


def room_of(module: str) -> str:
    """``bcplint.load.parse`` -> ``load``; ``bcplint.api`` -> ``api``; ``bcplint`` -> ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bcplint"):
            found.add(node.module)
            if node.module == "bcplint":  # `from bcplint import x`: x may be a room
                found.update(f"bcplint.{alias.name}" for alias in node.names if alias.name in RANK)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("bcplint"))
    return found


def test_every_module_belongs_to_a_room() -> None:
    rooms = {path.relative_to(PACKAGE).parts[0].removesuffix(".py") for path in PACKAGE.rglob("*.py")}
    assert sorted(rooms - set(RANK)) == []


def test_no_room_reaches_up() -> None:
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        here = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        for module in sorted(imports(path)):
            there = room_of(module)
            if there != here and RANK[there] > RANK[here]:
                upward.append(f"{path.relative_to(REPO_ROOT)} imports {module}")
    assert upward == []
