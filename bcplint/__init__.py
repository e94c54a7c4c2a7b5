"""bcplint: a policy-as-code linter for business continuity plans kept in git."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
