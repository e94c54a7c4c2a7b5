"""The bcplint/v1 document format."""

from __future__ import annotations

from bcplint.model.kinds import KINDS, BaseDocument
from bcplint.model.schema import json_schema

API_VERSION = "bcplint/v1"

__all__ = ["API_VERSION", "KINDS", "BaseDocument", "json_schema"]
