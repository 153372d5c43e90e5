"""syncd's configuration: one YAML file plus ``SYNCD_`` environment overrides.

Contract:

* The file is ``--config PATH``, else ``$SYNCD_CONFIG``, else ``config/syncd.yaml``.
* ``${VAR}`` (or ``${VAR:-default}``) inside any string is replaced by the
  environment variable before validation; an unset variable without a default
  is an error naming the file, line and key path. ``$${`` is a literal ``${``.
* Environment variables ``SYNCD_<KEY>__<SUBKEY>…`` override file values
  (``SYNCD_STATE__URL=postgresql://…``).
* Every secret is a ``SecretStr``; error messages never echo an input value.
* ``load_settings`` raises ``ConfigError`` listing every problem as
  ``file:line: key.path: message``; it never lets a traceback reach the user.
* Relative ``model`` paths are resolved against the current directory.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from connectors.hubspot.config import HubSpotOptions
from connectors.options import Duration
from connectors.salesforce.config import SalesforceOptions
from syncd.configfile import in_doc, interpolate, line_of, locate, tokenise
from syncd.core.errors import KeyPath, format_location
from syncd.schedule import Cron, Every
from syncd.yamltree import load_yaml

__all__ = [
    "ConfigError",
    "ConfigIssue",
    "ConnectorConfig",
    "CronSchedule",
    "DaemonSettings",
    "EverySchedule",
    "HubSpotConnectorConfig",
    "SalesforceConnectorConfig",
    "Settings",
    "StateSettings",
    "config_path",
    "load_settings",
]

DEFAULT_CONFIG = Path("config/syncd.yaml")


@dataclass(frozen=True, slots=True)
class ConfigIssue:
    """One config problem: file, 1-based line (when known), key path, message."""

    source: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ConfigError(ValueError):
    """The configuration cannot be used; ``issues`` lists every problem."""

    def __init__(self, issues: Sequence[ConfigIssue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


# --------------------------------------------------------------------------- schedules


#: The config's names for the schedule types (``{every: 15m}``, ``{cron: ...}``).
EverySchedule = Every
CronSchedule = Cron


def _schedule_kind(v: Any) -> str:
    if isinstance(v, CronSchedule) or (isinstance(v, dict) and "cron" in v):
        return "cron-schedule"
    return "every-schedule"


Schedule = Annotated[
    Annotated[EverySchedule, Tag("every-schedule")] | Annotated[CronSchedule, Tag("cron-schedule")],
    Discriminator(_schedule_kind),
]


# --------------------------------------------------------------------------- connectors


class EngineOptions(BaseModel):
    """Keys every connector shares, read by the engine rather than the connector."""

    model: Path
    schedule: Schedule = Field(default_factory=lambda: EverySchedule(every=timedelta(minutes=15)))
    #: UTC time of day after which the first cycle rescores every contact from
    #: local state (decay, inactivity) without API reads.
    daily_rescore_at: time = time(3, 0)
    #: Failures (rate limits not counted) after which a write is dead-lettered.
    dead_letter_after: int = Field(default=5, ge=1)
    #: At most this many contact writes per cycle (None: only the API budget limits).
    max_writes_per_cycle: int | None = Field(default=None, ge=1)
    #: Contacts scored per chunk (memory bound).
    score_chunk: int = Field(default=500, ge=1, le=100_000)

    @field_validator("model")
    @classmethod
    def _model_exists(cls, v: Path) -> Path:
        if not v.is_file():
            raise ValueError(f"model file not found: {v}")
        return v


class HubSpotConnectorConfig(HubSpotOptions, EngineOptions):
    """A HubSpot portal (``type: hubspot``)."""

    type: Literal["hubspot"]

    def connector_options(self) -> HubSpotOptions:
        return HubSpotOptions.model_validate(
            self.model_dump(include=set(HubSpotOptions.model_fields)))


class SalesforceConnectorConfig(SalesforceOptions, EngineOptions):
    """A Salesforce org (``type: salesforce``)."""

    type: Literal["salesforce"]

    def connector_options(self) -> SalesforceOptions:
        return SalesforceOptions.model_validate(
            self.model_dump(include=set(SalesforceOptions.model_fields)))


ConnectorConfig = Annotated[
    HubSpotConnectorConfig | SalesforceConnectorConfig, Field(discriminator="type")
]


# --------------------------------------------------------------------------- settings


class StateSettings(BaseModel):
    """Where syncd keeps its state."""

    model_config = ConfigDict(extra="forbid")

    url: str = "sqlite:///./syncd-state.db"
    #: SQLite only: a lock lease not renewed for this long is free to take.
    lock_lease: Duration = timedelta(minutes=2)

    @field_validator("url")
    @classmethod
    def _scheme(cls, v: str) -> str:
        scheme = v.split(":", 1)[0]
        if not (scheme.startswith("sqlite") or scheme.startswith("postgresql")):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        return v


class DaemonSettings(BaseModel):
    """The long-running service (``syncd run``): its health and metrics endpoint,
    how late a scheduled run may start, and the log format on stdout."""

    model_config = ConfigDict(extra="forbid")

    host: str = "127.0.0.1"
    #: 0 picks a free port (logged at start-up).
    port: int = Field(default=9464, ge=0, le=65535)
    misfire_grace: Duration = timedelta(minutes=5)
    #: auto: human-readable on a terminal, JSON lines otherwise.
    log_format: Literal["auto", "json", "text"] = "auto"


class Settings(BaseSettings):
    """The whole configuration."""

    model_config = SettingsConfigDict(
        env_prefix="SYNCD_", env_nested_delimiter="__", extra="forbid")

    state: StateSettings = Field(default_factory=StateSettings)
    daemon: DaemonSettings = Field(default_factory=DaemonSettings)
    connectors: dict[str, ConnectorConfig] = Field(default_factory=dict)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment first: it overrides the file (passed as init kwargs).
        return (env_settings, init_settings)

    @field_validator("connectors")
    @classmethod
    def _names(cls, v: dict[str, Any]) -> dict[str, Any]:
        for name in v:
            if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", name):
                raise ValueError(f"connector name {name!r}: use letters, digits, - _ .")
        return v


# --------------------------------------------------------------------------- loading


def config_path(explicit: str | os.PathLike[str] | None,
                environ: Mapping[str, str] | None = None) -> Path:
    """The config file to read: explicit, else ``$SYNCD_CONFIG``, else the default."""
    env = os.environ if environ is None else environ
    if explicit:
        return Path(explicit)
    if env.get("SYNCD_CONFIG"):
        return Path(env["SYNCD_CONFIG"])
    return DEFAULT_CONFIG


def load_settings(explicit: str | os.PathLike[str] | None = None,
                  environ: Mapping[str, str] | None = None) -> Settings:
    """Read, interpolate and validate the configuration; raises ``ConfigError``."""
    env = dict(os.environ if environ is None else environ)
    path = config_path(explicit, env)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([ConfigIssue(source, None, "", "config file not found (use --config "
                                       "PATH or SYNCD_CONFIG)")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([ConfigIssue(source, None, "", f"cannot read: {exc}")]) from None
    text, found = tokenise(text)
    data, lines, yaml_issues = load_yaml(text, source)
    issues = [ConfigIssue(source, i.line, i.location, i.message) for i in yaml_issues]
    if issues:
        raise ConfigError(issues)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError([ConfigIssue(source, 1, "", "the config must be a mapping of keys")])
    missing: list[tuple[KeyPath, str]] = []
    data = interpolate(data, (), env, found, missing)
    for key_path, name in missing:
        issues.append(ConfigIssue(source, line_of(lines, key_path), format_location(key_path),
                                  f"environment variable {name} is not set"))
    if issues:
        raise ConfigError(issues)
    try:
        return _validate(data, env)
    except ValidationError as exc:
        for err in exc.errors(include_input=False, include_url=False):
            key_path = locate(data, err["loc"])
            from_env = line_of(lines, key_path) is None or not in_doc(data, key_path)
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "unknown key"
            elif err["type"] in ("union_tag_invalid", "union_tag_not_found"):
                ctx = err.get("ctx", {})
                tag_key = str(ctx.get("discriminator", "")).strip("'")
                expected = str(ctx.get("expected_tags", "")).replace("'", "")
                key_path = (*key_path, tag_key)
                msg = (f"unknown value {ctx.get('tag')!r}, expected one of: {expected}"
                       if err["type"] == "union_tag_invalid"
                       else "required" + (": hubspot or salesforce" if tag_key == "type" else ""))
            if from_env and any(k.startswith("SYNCD_") for k in env):
                msg += " (value may come from a SYNCD_ environment variable)"
            issues.append(ConfigIssue(source, line_of(lines, key_path),
                                      format_location(key_path), msg))
        raise ConfigError(issues) from None


def _validate(data: dict[str, Any], env: Mapping[str, str]) -> Settings:
    """Validate with ``env`` as the environment (not necessarily ``os.environ``)."""

    class _Scoped(Settings):
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            from pydantic_settings import EnvSettingsSource

            src = EnvSettingsSource(settings_cls, env_prefix="SYNCD_", env_nested_delimiter="__",
                                    case_sensitive=False)
            src.env_vars = {k.lower(): v for k, v in env.items() if k.startswith("SYNCD_")
                            and k != "SYNCD_CONFIG"}
            return (src, init_settings)

    return _Scoped(**data)
