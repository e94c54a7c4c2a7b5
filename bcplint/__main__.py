from __future__ import annotations

from bcplint.console import console

console()
