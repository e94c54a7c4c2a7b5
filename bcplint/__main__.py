from __future__ import annotations

from bcplint.cli import console

console()
