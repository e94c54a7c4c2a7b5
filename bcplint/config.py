"""Configuration: ``.bcplint.yaml`` or ``[tool.bcplint]`` in pyproject.toml, validated strictly."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from bcplint.errors import ConfigError, did_you_mean
from bcplint.validate import format_field
from bcplint.yamlstream import load_one

CONFIG_FILE = ".bcplint.yaml"
FailOn = Literal["error", "warning", "info", "never"]


class RuleConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    severity: Literal["error", "warning", "info"] | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    enforce_from: dt.date | None = None


class Config(BaseModel):
    """Every key of the configuration file. Command-line flags override these."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    paths: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    packs: list[str] | None = None
    select: list[str] = Field(default_factory=list)
    ignore: list[str] = Field(default_factory=list)
    fail_on: FailOn = "error"
    rules: dict[str, RuleConfig] = Field(default_factory=dict)
    baseline: str | None = None


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
        raise ConfigError(f"{path}: cannot read configuration: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: configuration is not valid UTF-8; save it as UTF-8") from None
    try:
        data = load_one(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}{where}: configuration is not valid YAML: {exc.problem}") from None
    except (YAMLError, RecursionError) as exc:
        raise ConfigError(f"{path}: configuration is not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: configuration must be a mapping of keys (paths, packs, select, ...)")
    return data


def _read_pyproject(path: Path) -> Any:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    section = data.get("tool", {}).get("bcplint", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [tool.bcplint] must be a table")
    return section


def _describe(path: Path, exc: ValidationError) -> str:
    messages = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        key = format_field(loc)
        if error["type"] == "extra_forbidden":
            parent: type[BaseModel] = RuleConfig if len(loc) > 1 and loc[0] == "rules" else Config
            hint = did_you_mean(str(loc[-1]), parent.model_fields)
            messages.append(f"unknown key '{key}'{hint}")
        elif error["type"] == "literal_error":
            messages.append(f"'{key}' must be one of {error['ctx']['expected']}")
        else:
            messages.append(f"'{key}': {error['msg']}")
    return f"{path}: " + "; ".join(messages)
