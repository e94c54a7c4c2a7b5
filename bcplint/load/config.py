"""Configuration: ``.bcplint.yaml`` or ``[tool.bcplint]`` in pyproject.toml, validated strictly."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from bcplint.errors import ConfigError, did_you_mean, shown
from bcplint.load.parse import YamlText
from bcplint.load.positions import PositionIndex
from bcplint.load.yaml_stream import load_one
from bcplint.model.validate import format_field

CONFIG_FILE = ".bcplint.yaml"
CONFIG_SCHEMA_ID = "https://bcplint.example.com/schema/config-v1.json"
FailOn = Literal["error", "warning", "info", "never"]

# Where rule pages live: an absolute http(s) URL with a host that either ends with "/" (a page
# is <url><ID>.md, as docs/rules/ is laid out) or holds "{id}" where the rule id goes. One
# pattern for the loader and the JSON Schema, in the syntax both Python and ECMA-262 read.
DOCS_URL_PATTERN = r"^https?://[^\s/?#{}]+/(?:\S*/|\S*\{id\}\S*)?$"


def _docs_url(value: str) -> str:
    if not re.fullmatch(DOCS_URL_PATTERN, value):
        raise PydanticCustomError(
            "docs_url",
            "must be an absolute http(s) URL that ends with '/' (a rule's page is then <url><ID>.md) "
            "or holds '{id}' where the rule id goes, e.g. https://wiki.example.com/bcplint/rules/",
        )
    return value


DocsUrl = Annotated[str, AfterValidator(_docs_url), Field(json_schema_extra={"pattern": DOCS_URL_PATTERN})]
"""A documentation URL as configuration and packs write it (see :func:`bcplint.packs.docs.page_url`)."""


class RuleConfig(BaseModel):
    """How the configuration tunes one rule."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    severity: Literal["error", "warning", "info"] | None = Field(
        default=None, description="The rule's severity in this workspace, instead of its default."
    )
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="New values for the rule's parameters, by name (`bcplint explain RULE` lists them), "
        "e.g. {max_age_days: 180}.",
    )
    enforce_from: dt.date | None = Field(
        default=None,
        description="A date (YYYY-MM-DD): before it the rule's findings are warnings, from then on they "
        "have the rule's severity.",
    )

    @field_validator("enforce_from", mode="before")
    @classmethod
    def _calendar_date(cls, value: Any) -> Any:
        # A date as YYYY-MM-DD (or a TOML date), as the JSON Schema's "format": "date" says.
        # pydantic alone would also read numbers and digit strings as Unix timestamps (86400
        # would be 1970-01-02) and accept date-times.
        if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
            return value
        if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            return value
        raise PydanticCustomError("date_type", "write the date as YYYY-MM-DD, e.g. 2027-01-31")


class Config(BaseModel):
    """Every key of the configuration file. Command-line flags override these."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    paths: list[str] = Field(
        default_factory=list,
        description="Directories that hold the plan, relative to the configuration's directory (default: all of it).",
    )
    exclude: list[str] = Field(
        default_factory=list,
        description="Files or directories to leave out, as paths or glob patterns (bcp/drafts, *.draft.yaml) "
        "relative to the configuration's directory; a pattern also leaves out what is below a matching directory.",
    )
    packs: list[str] | None = Field(
        default=None,
        description="Rule packs to enable: built-in names (iso22301, itil-itscm) or paths to pack files, "
        "relative to the configuration (default: iso22301 and itil-itscm).",
    )
    select: list[str] = Field(
        default_factory=list,
        description="Run only these rules: ids, names or id prefixes such as BCP2 (default: every rule of the packs).",
    )
    ignore: list[str] = Field(
        default_factory=list, description="Rules not to run: ids, names or id prefixes such as BCP5."
    )
    fail_on: FailOn = Field(
        default="error",
        description="The lowest severity whose findings make `bcplint check` exit with 1 (never: no finding does).",
    )
    rules: dict[str, RuleConfig] = Field(
        default_factory=dict,
        description="Per rule (by id or name): its severity, parameters and enforce_from date in this workspace.",
    )
    baseline: str | None = Field(
        default=None,
        description="Baseline file, relative to the configuration: `bcplint check` accepts the findings it "
        "records and `bcplint baseline` writes it.",
    )
    docs_url: DocsUrl | None = Field(
        default=None,
        description="Where reports link each rule's page (SARIF helpUri, `bcplint explain`, the language server, "
        "`bcplint report`): a URL ending with '/' to which <ID>.md is added, or one holding '{id}'. "
        "Default: the rules/ folder of the documentation URL bcplint was installed with.",
    )


def config_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the configuration: ``.bcplint.yaml``, or the
    ``[tool.bcplint]`` table of pyproject.toml. Generated from :class:`Config`, so it accepts
    and rejects what :func:`load_config` does (a test holds the two together); rule names and
    pack paths are checked only when a run resolves them."""
    schema = Config.model_json_schema()
    schema["title"] = "bcplint configuration"
    schema["description"] = (
        "Configuration of bcplint: .bcplint.yaml, or [tool.bcplint] in pyproject.toml. Command-line flags win."
    )
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = CONFIG_SCHEMA_ID
    return schema


class LoadedConfig(BaseModel):
    """The configuration and the file it came from (None: defaults)."""

    model_config = ConfigDict(frozen=True)

    config: Config = Field(default_factory=Config)
    path: Path | None = None

    @property
    def root(self) -> Path | None:
        """Relative paths in the configuration are relative to its file's directory."""
        return self.path.parent if self.path else None


def has_bcplint_table(pyproject_text: str) -> bool:
    """True when a pyproject.toml text has ``[tool.bcplint]`` in any spelling TOML allows
    (sub-tables, dotted keys), or cannot be parsed but mentions bcplint (then loading it says
    what is wrong with it)."""
    if "bcplint" not in pyproject_text:
        return False
    try:
        return "bcplint" in tomllib.loads(pyproject_text).get("tool", {})
    except tomllib.TOMLDecodeError:
        return True


def load_config(path: Path | None) -> LoadedConfig:
    """Read and validate the configuration at ``path`` (None: built-in defaults)."""
    if path is None:
        return LoadedConfig()
    data = _read_pyproject(path) if path.name == "pyproject.toml" else _read_yaml(path)
    try:
        return LoadedConfig(config=Config.model_validate(data), path=path)
    except ValidationError as exc:
        raise ConfigError(_describe(path, exc)) from None


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{shown(path)}: cannot read configuration: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{shown(path)}: configuration is not valid UTF-8; save it as UTF-8") from None
    try:
        data = load_one(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise ConfigError(f"{shown(path)}{where}: configuration is not valid YAML: {exc.problem}") from None
    except (YAMLError, RecursionError) as exc:
        raise ConfigError(f"{shown(path)}: configuration is not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{shown(path)}: configuration must be a mapping of keys (paths, packs, select, ...)")
    return data


def _read_pyproject(path: Path) -> Any:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{shown(path)}: cannot read configuration: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{shown(path)}: not valid TOML: {exc}") from None
    section = data.get("tool", {}).get("bcplint", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{shown(path)}: [tool.bcplint] must be a table")
    return section


def _describe(path: Path, exc: ValidationError) -> str:
    """Every problem of the configuration at ``path``, each as ``path:line: message``, in line order.

    The line is the key's (or the value's, for a bad value). Only the error path pays for
    finding it: the file is read once more here, and a line that cannot be found is left out.
    """
    line_of = _line_finder(path)
    messages = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        key = format_field(loc)
        if error["type"] == "extra_forbidden":
            parent: type[BaseModel] = RuleConfig if len(loc) > 1 and loc[0] == "rules" else Config
            hint = did_you_mean(str(loc[-1]), parent.model_fields)
            message = f"unknown key '{key}'{hint}"
        elif error["type"] == "literal_error":
            message = f"'{key}' must be one of {error['ctx']['expected']}"
        else:
            message = f"'{key}': {error['msg']}"
        line = line_of(loc)
        messages.append((line or 0, f"{shown(path)}:{line}: {message}" if line else f"{shown(path)}: {message}"))
    return "; ".join(message for _, message in sorted(messages, key=lambda item: item[0]))


def _line_finder(path: Path) -> Callable[[tuple[str | int, ...]], int | None]:
    """``loc`` -> the 1-based line of that key in the configuration file, or None."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return lambda loc: None
    if path.name == "pyproject.toml":
        return lambda loc: _toml_line(text, loc)
    source = YamlText(path=str(path), text=text)
    positions = PositionIndex()
    return lambda loc: positions.locate(source, 0, loc, key=True)[0]


_TOML_TABLE = re.compile(r"^\[\s*([^\[\]]+?)\s*\](?:\s*#.*)?$")


def _toml_line(text: str, loc: tuple[str | int, ...]) -> int | None:
    """The line of ``loc``'s last key in ``[tool.bcplint]`` (or a sub-table), found by a text search.

    tomllib keeps no positions, so this looks for ``key =`` (bare, quoted, dotted or inside an
    inline table) on the lines of ``tool.bcplint`` tables and returns the first. Exact for
    top-level keys; for a key under ``rules`` it prefers the rule's own ``[tool.bcplint.rules.X]``
    table, but with inline tables and the same key under two rules it may point at the other
    rule's line. None when the key is not written in a way this recognises (``[tool]`` with
    ``bcplint.paths = ...``, multi-line strings).
    """
    names = [part for part in loc if isinstance(part, str)]
    if not names:
        return None
    assigned = re.compile(rf"""(?:^|[{{,.\s])["']?{re.escape(names[-1])}["']?\s*=""")
    own_table = ".".join(["tool", "bcplint", *names[:-1]])
    table: str | None = None
    candidates: list[tuple[bool, int]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        header = _TOML_TABLE.match(stripped)
        if header:
            table = re.sub(r"""[\s"']""", "", header.group(1))
            continue
        if table is None or not (table == "tool.bcplint" or table.startswith("tool.bcplint.")):
            continue
        if not stripped.startswith("#") and assigned.search(stripped):
            candidates.append((table != own_table, number))
    return min(candidates)[1] if candidates else None
