"""JSON Schema of the format, generated from the models so it cannot drift from them."""

from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import Field, TypeAdapter

from bcplint.errors import ConfigError, did_you_mean
from bcplint.model.kinds import KINDS

SCHEMA_ID = "https://bcplint.example.com/schema/v1.json"


def json_schema(kind: str | None = None) -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of one kind, or of any bcplint/v1 document."""
    if kind is not None:
        if kind not in KINDS:
            raise ConfigError(f"unknown kind '{kind}'{did_you_mean(kind, KINDS)}; kinds: {', '.join(KINDS)}")
        schema = KINDS[kind].model_json_schema()
    else:
        # A union built at run time from the registry, so a new kind cannot be forgotten here.
        union = Annotated[Union[tuple(KINDS.values())], Field(discriminator="kind")]  # type: ignore[valid-type]  # noqa: UP007
        schema = TypeAdapter(union).json_schema()  # type: ignore[arg-type]
        schema["title"] = "bcplint/v1 document"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID if kind is None else SCHEMA_ID.replace("v1.json", f"v1/{kind}.json")
    return schema
