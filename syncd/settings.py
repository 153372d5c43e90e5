"""syncd's configuration: one YAML file plus ``SYNCD_`` environment overrides.

Contract:

* The file is ``--config PATH``, else ``$SYNCD_CONFIG``, else ``config/syncd.yaml``.
* ``${VAR}`` (or ``${VAR:-default}``) inside any string is replaced by the
  environment variable before validation; an unset variable without a default
  is an error naming the file, line and key path. ``$${`` is a literal ``${``.
* Environment variables override file values, one rule for every key
  (``syncd.configenv``): ``SYNCD_`` + the key path with ``__``
  (``SYNCD_STATE__URL``, ``SYNCD_CONNECTORS__HUBSPOT_MAIN__ACCESS_TOKEN``).
  A variable naming no key is a warning (``Settings.warnings``); an error in a
  variable's value names the variable.
* Relative paths (the SQLite file of ``state.url``, ``model``, any other
  file) are relative to the config file's directory, whatever the working
  directory (without ``state.url``: ``syncd-state.db`` in the working
  directory); ``model: default`` names a model shipped with syncd.
* Enumeration values match case-insensitively (``tier: Pro``).
* Every secret is a ``SecretStr``; error messages never echo an input value.
* ``load_settings`` raises ``ConfigError`` listing every problem as
  ``file:line: key.path: message`` (``VARIABLE: key.path: message`` for a
  value from the environment), with a "did you mean" for an unknown key; it
  never lets a traceback reach the user.
* Durations, shares and sizes are bounded where a value would lose data or
  make no sense; the message says why.
"""

from __future__ import annotations

import builtins
import difflib
import os
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Union, cast

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    ValidationError,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from connectors import registry
from connectors.options import Duration, check_bound
from syncd.configenv import apply_env
from syncd.configerrors import place_error
from syncd.configfile import interpolate, line_of, tokenise
from syncd.configschema import normalise
from syncd.core.errors import KeyPath, format_location
from syncd.core.outcomes import OutcomeRule
from syncd.core.schema import Condition
from syncd.modelfile import resolve_model, shipped_models
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
    "ModelRoute",
    "PrivacyOptions",
    "SalesforceConnectorConfig",
    "Settings",
    "StateSettings",
    "config_path",
    "load_settings",
    "resolve_sqlite_url",
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

    def __init__(self, issues: Sequence[ConfigIssue], warnings: Sequence[ConfigIssue] = ()) -> None:
        self.issues = list(issues)
        #: What was ignored with a warning (unknown ``SYNCD_*`` variables).
        self.warnings = list(warnings)
        super().__init__("\n".join(str(i) for i in self.issues))


# --------------------------------------------------------------------------- schedules


#: The config's names for the schedule types (``{every: 15m}``, ``{cron: ...}``).
EverySchedule = Every
CronSchedule = Cron


def _schedule_kind(v: Any) -> str | None:
    if isinstance(v, CronSchedule) or (isinstance(v, dict) and "cron" in v):
        return "cron-schedule"
    if isinstance(v, EverySchedule | dict):
        return "every-schedule"
    return None


Schedule = Annotated[
    Annotated[EverySchedule, Tag("every-schedule")] | Annotated[CronSchedule, Tag("cron-schedule")],
    Discriminator(
        _schedule_kind,
        custom_error_type="schedule",
        custom_error_message='must be {every: 15m} or {cron: "*/15 * * * *"}',
    ),
]


# --------------------------------------------------------------------------- connectors


class OutcomeOptions(BaseModel):
    """What counts as a positive outcome for this connector's KPIs and backtests
    (docs/outcomes.md): reaching ``target`` within ``window`` of the start (a backtest's
    cut date, the day a contact became an MQL)."""

    model_config = ConfigDict(extra="forbid")

    #: ``opportunity`` (an opportunity or deal opened, or later stages), ``customer``
    #: (became a customer, or a deal won) or ``won`` (a deal won).
    target: Literal["opportunity", "customer", "won"] = "opportunity"
    #: How long after the start an outcome still counts (1 day to 730 days).
    window: Duration = timedelta(days=90)

    @field_validator("window")
    @classmethod
    def _window(cls, v: timedelta) -> timedelta:
        if not timedelta(days=1) <= v <= timedelta(days=730):
            raise ValueError("must be between 1d and 730d: outcomes are judged over days")
        return v

    def rule(self) -> OutcomeRule:
        """The core's ``OutcomeRule`` for these options."""
        return OutcomeRule(self.target, self.window)


#: Bounds of a connector's ``cycle_budget``.
CYCLE_BUDGET_MIN = timedelta(minutes=1)
CYCLE_BUDGET_MAX = timedelta(days=1)
#: Bounds of ``daemon.shutdown_grace``.
SHUTDOWN_GRACE_MIN = timedelta(seconds=1)
SHUTDOWN_GRACE_MAX = timedelta(minutes=10)


class ModelRoute(BaseModel):
    """One route of ``models``: contacts matching ``when`` (property conditions,
    as in a model's fit rules) are scored with ``model``; no ``when``: every
    contact (the default, last)."""

    model_config = ConfigDict(extra="forbid")

    #: Property conditions, as in a model's fit rules (validated as ``Condition``).
    when: dict[str, Any] = Field(default_factory=dict)
    model: Path

    @field_validator("when")
    @classmethod
    def _conditions(cls, v: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, cond in v.items():
            try:
                out[key] = Condition.model_validate(cond)
            except ValidationError as exc:
                first = exc.errors(include_input=False, include_url=False)[0]
                where = ".".join(str(p) for p in first["loc"])
                msg = (
                    "unknown operator"
                    if first["type"] == "extra_forbidden"
                    else str(first["msg"]).removeprefix("Value error, ")
                )
                raise ValueError(f"{key}{'.' + where if where else ''}: {msg}") from None
        return out

    @field_validator("model")
    @classmethod
    def _model_exists(cls, v: Path) -> Path:
        return _existing_model(v)


class PrivacyOptions(BaseModel):
    """What the state store keeps of a person (docs/privacy.md)."""

    model_config = ConfigDict(extra="forbid")

    #: Keep every property the CRM sends, not only those the models read.
    store_all_properties: bool = False
    #: Keep full e-mail addresses, not a salted hash at their domain (what
    #: account matching needs).
    store_email: bool = False
    #: Activities older than this are pruned by the daily rescore (the newest
    #: of each type per contact is always kept). Unset: the longest window or
    #: decay the connector's models can still see, per activity type (scores
    #: unchanged). Set: applies to every type, and may change scores that count
    #: old activity (at least 1d).
    retention: Duration | None = None

    @field_validator("retention")
    @classmethod
    def _retention(cls, v: timedelta | None) -> timedelta | None:
        if v is not None and v < timedelta(days=1):
            raise ValueError("must be at least 1d: retention is applied by the daily pass")
        return v


class EngineOptions(BaseModel):
    """Keys every connector shares, read by the engine rather than the connector."""

    #: The scoring model file (see [the scoring reference](scoring.md)); with
    #: ``models`` leave it out (it is then the default route's model).
    model: Path
    #: Segments instead of ``model``: a list of ``{when: CONDITIONS, model: FILE}``
    #: routes, first match wins, the last one without ``when`` (the default); see
    #: [segments](segments.md).
    models: list[ModelRoute] | None = None
    #: What the state store keeps of each person (see [privacy](privacy.md)).
    privacy: PrivacyOptions = Field(default_factory=PrivacyOptions)
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
    #: Challenger model files scored every cycle from the same data as the
    #: live model and stored, never written to the CRM; `syncd report` and
    #: `syncd backtest` compare them with the live model on the outcomes.
    shadow_models: list[Path] = Field(default_factory=list)
    #: Properties (shell patterns) `syncd backtest` removes before scoring, on
    #: top of its default leakage list (lifecycle stage, lead status, …).
    backtest_exclude: list[str] = Field(default_factory=list)
    #: The positive outcome for KPIs and backtests (default: an opportunity within 90d).
    outcome: OutcomeOptions = Field(default_factory=OutcomeOptions)

    #: Wall-clock budget of one cycle: past it the cycle stops at the next page or
    #: write batch, keeps what it committed and says why; the next cycle goes on.
    cycle_budget: Duration = timedelta(hours=2)

    @field_validator("cycle_budget")
    @classmethod
    def _cycle_budget_bounds(cls, v: timedelta) -> timedelta:
        if v < CYCLE_BUDGET_MIN:
            raise ValueError(
                "must be at least 1m: a cycle needs time to pull a page and write a batch"
            )
        if v > CYCLE_BUDGET_MAX:
            raise ValueError(
                "must be at most 1d: a wedged cycle would hold its connector that long"
            )
        return v

    @field_validator("model")
    @classmethod
    def _model_exists(cls, v: Path) -> Path:
        return _existing_model(v)

    @model_validator(mode="before")
    @classmethod
    def _default_route(cls, data: Any) -> Any:
        """With ``models``, ``model`` is the default route's (the last one's)."""
        if not isinstance(data, dict) or data.get("models") is None:
            return data
        routes = data["models"]
        if "model" in data:
            raise ValueError("set model or models, not both")
        if not isinstance(routes, list) or not routes:
            return data
        last = routes[-1]
        if isinstance(last, dict) and last.get("when") is None and "model" in last:
            return {**data, "model": last["model"]}
        raise ValueError(
            "the last route of models must have no 'when' (the default for every other contact)"
        )

    @field_validator("shadow_models")
    @classmethod
    def _shadows_exist(cls, v: list[Path]) -> list[Path]:
        for path in v:
            if not path.is_file():
                raise ValueError(f"shadow model file not found: {_shown(path)}")
        return v

    # ``predictive`` is an option of every connector type (connectors.options):
    # its model file must exist and load before any cycle runs.
    @field_validator("predictive", check_fields=False)
    @classmethod
    def _predictive_loads(cls, v: Any) -> Any:
        path = getattr(v, "model", None)
        if not isinstance(path, Path):
            return v
        if not path.is_file():
            raise ValueError(f"predictive model file not found: {_shown(path)}")
        from syncd.predictive.artefact import load  # numpy: only when configured
        from syncd.predictive.errors import InputError

        try:
            load(path)
        except InputError as exc:
            raise ValueError(str(exc)) from None
        return v

    # Options of every connector type that would lose data or make no sense
    # outside their bounds (connectors.options.BOUNDS says which and why).
    @field_validator(
        "lookback", "safety_lag", "timeout", "bulk_poll", "budget_share", check_fields=False
    )
    @classmethod
    def _bounded(cls, v: Any, info: ValidationInfo) -> Any:
        return check_bound(str(info.field_name), v)


def _existing_model(v: Path) -> Path:
    if not v.is_file():
        shipped = shipped_models()
        close = difflib.get_close_matches(v.name, shipped, n=1)
        hint = (
            f" (did you mean {close[0]}, the shipped model?)"
            if close and not v.suffix
            else f" (or name a shipped model: {', '.join(shipped)})"
        )
        raise ValueError(f"model file not found: {_shown(v)}{hint}")
    return v


def _shown(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class ConnectorConfig(EngineOptions):
    """One configured connector: the engine's keys plus its connector type's options
    (``ConnectorType.options`` of the connector registry). The classes actually
    validated are built from the registry, one per installed type
    (``HubSpotConnectorConfig`` …), each also a subclass of its options model."""

    type: str
    options_model: ClassVar[builtins.type[BaseModel]] = BaseModel

    @model_validator(mode="after")
    def _installed(self) -> ConnectorConfig:
        if self.options_model is BaseModel:  # no connector package is registered at all
            raise ValueError(
                f"connector type {self.type!r} is not installed (no connector "
                "package is registered; reinstall syncd: pip install -e .)"
            )
        return self

    def connector_options(self) -> Any:
        """The connector's own options (what its builder takes)."""
        return self.options_model.model_validate(
            self.model_dump(include=set(self.options_model.model_fields))
        )


def _config_class(ct: registry.ConnectorType) -> type[ConnectorConfig]:
    tag: Any = Literal[ct.name]
    cls: Any = create_model(
        f"{ct.label}ConnectorConfig",
        __base__=(ct.options, ConnectorConfig),
        __module__=__name__,
        __doc__=f"A {ct.label} connector (``type: {ct.name}``).",
        type=(tag, ...),
    )
    cls.options_model = ct.options
    return cast(type[ConnectorConfig], cls)


def connector_configs() -> dict[str, type[ConnectorConfig]]:
    """The config class of every registered connector type, by type name."""
    types = registry.available()
    with _CONFIGS_LOCK:
        for name, ct in types.items():
            if name not in _CONFIGS or _CONFIGS[name].options_model is not ct.options:
                _CONFIGS[name] = _config_class(ct)
        return {name: _CONFIGS[name] for name in types}


def connector_union() -> Any:
    """The discriminated union of the registered connector config classes."""
    classes = list(connector_configs().values())
    if not classes:
        return ConnectorConfig
    if len(classes) == 1:
        return classes[0]
    return Annotated[Union[tuple(classes)], Field(discriminator="type")]  # noqa: UP007


_CONFIGS: dict[str, type[ConnectorConfig]] = {}
_CONFIGS_LOCK = threading.Lock()

if TYPE_CHECKING:
    from connectors.hubspot.config import HubSpotOptions
    from connectors.salesforce.config import SalesforceOptions

    class HubSpotConnectorConfig(HubSpotOptions, ConnectorConfig):
        def connector_options(self) -> HubSpotOptions: ...

    class SalesforceConnectorConfig(SalesforceOptions, ConnectorConfig):
        def connector_options(self) -> SalesforceOptions: ...

    AnyConnectorConfig = ConnectorConfig
else:
    AnyConnectorConfig = connector_union()


def __getattr__(name: str) -> Any:
    """``HubSpotConnectorConfig`` and every other registered type's config class."""
    for cls in connector_configs().values():
        if cls.__name__ == name:
            return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --------------------------------------------------------------------------- settings


class StateSettings(BaseModel):
    """Where syncd keeps its state."""

    model_config = ConfigDict(extra="forbid")

    #: A relative SQLite file is relative to the config file's directory; without
    #: ``url``, the state is ``syncd-state.db`` in the working directory.
    url: str = "sqlite:///./syncd-state.db"
    #: A connector lock whose holder stopped renewing it for this long is free to
    #: take (SQLite lease; PostgreSQL closes the holder's lock session).
    lock_lease: Duration = timedelta(minutes=2)

    @field_validator("lock_lease")
    @classmethod
    def _lease_bounds(cls, v: timedelta) -> timedelta:
        return check_bound("lock_lease", v)  # type: ignore[no-any-return]

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
    #: After SIGTERM (or Ctrl-C) the running cycles get this long to stop at their
    #: next page or batch; then the process exits anyway. A second signal exits at once.
    shutdown_grace: Duration = timedelta(seconds=30)

    @field_validator("misfire_grace")
    @classmethod
    def _grace_bounds(cls, v: timedelta) -> timedelta:
        return check_bound("misfire_grace", v)  # type: ignore[no-any-return]

    @field_validator("shutdown_grace")
    @classmethod
    def _shutdown_grace_bounds(cls, v: timedelta) -> timedelta:
        if v < SHUTDOWN_GRACE_MIN:
            raise ValueError("must be at least 1s: a cycle needs a moment to stop cleanly")
        if v > SHUTDOWN_GRACE_MAX:
            raise ValueError(
                "must be at most 10m: orchestrators kill a process that takes longer to stop"
            )
        return v


class Settings(BaseModel):
    """The whole configuration (``load_settings`` reads it: the file, then the
    environment's overrides; validating a mapping reads no environment)."""

    model_config = ConfigDict(extra="forbid")

    state: StateSettings = Field(default_factory=StateSettings)
    daemon: DaemonSettings = Field(default_factory=DaemonSettings)
    connectors: dict[str, AnyConnectorConfig] = Field(default_factory=dict)

    _warnings: list[ConfigIssue] = PrivateAttr(default_factory=list)

    @property
    def warnings(self) -> list[ConfigIssue]:
        """What ``load_settings`` ignored with a warning (unknown ``SYNCD_*`` variables)."""
        return self._warnings

    @field_validator("connectors")
    @classmethod
    def _names(cls, v: dict[str, Any]) -> dict[str, Any]:
        for name in v:
            if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", name):
                raise ValueError(f"connector name {name!r}: use letters, digits, - _ .")
        return v


# --------------------------------------------------------------------------- loading


def config_path(
    explicit: str | os.PathLike[str] | None, environ: Mapping[str, str] | None = None
) -> Path:
    """The config file to read: explicit, else ``$SYNCD_CONFIG``, else the default."""
    env = os.environ if environ is None else environ
    if explicit:
        return Path(explicit)
    if env.get("SYNCD_CONFIG"):
        return Path(env["SYNCD_CONFIG"])
    return DEFAULT_CONFIG


def resolve_sqlite_url(url: str, base: Path) -> str:
    """``url`` with a relative SQLite file made relative to ``base``."""
    m = re.match(r"^(sqlite(?:\+\w+)?:///)([^?]*)(\?.*)?$", url)
    if m is None or not m.group(2) or m.group(2).startswith((":memory:", "/", "file:")):
        return url
    return f"{m.group(1)}{Path(base, m.group(2))}{m.group(3) or ''}"


def _read(path: Path) -> str:
    source = str(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            [
                ConfigIssue(
                    source, None, "", "config file not found (use --config PATH or SYNCD_CONFIG)"
                )
            ]
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([ConfigIssue(source, None, "", f"cannot read: {exc}")]) from None


def load_settings(
    explicit: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Read, interpolate, override from the environment and validate the
    configuration; raises ``ConfigError`` listing every problem."""
    env = dict(os.environ if environ is None else environ)
    path = config_path(explicit, env)
    source = str(path)
    text, found = tokenise(_read(path))
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
        issues.append(
            ConfigIssue(
                source,
                line_of(lines, key_path),
                format_location(key_path),
                f"environment variable {name} is not set",
            )
        )
    if issues:
        raise ConfigError(issues)
    scoped = _settings_class()
    overrides = apply_env(data, env, scoped)
    issues = [ConfigIssue(var, None, "", msg) for var, msg in overrides.errors]
    base = Path(os.path.abspath(path)).parent
    data = normalise(overrides.data, scoped, base, {"model": resolve_model})
    state = data.get("state")
    if isinstance(state, dict) and isinstance(state.get("url"), str):
        state["url"] = resolve_sqlite_url(state["url"], base)
    try:
        settings = scoped.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors(include_input=False, include_url=False):
            issues.append(
                ConfigIssue(*place_error(err, data, lines, source, overrides.origin, scoped))
            )
    warnings = [ConfigIssue(var, None, "", msg) for var, msg in overrides.warnings]
    if issues:
        raise ConfigError(sorted(issues, key=lambda i: i.line or 0), warnings)
    settings._warnings = warnings
    return settings


def _settings_class() -> type[Settings]:
    """``Settings`` with the connector types registered now (a test may register
    one at run time, after this module was imported)."""

    class _Scoped(Settings):
        connectors: dict[str, connector_union()] = Field(  # type: ignore[valid-type]
            default_factory=dict
        )

    return _Scoped
