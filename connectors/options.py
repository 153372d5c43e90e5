"""Value types shared by every connector's options and the engine's settings.

``Duration`` is how a config file writes a span of time, everywhere:
``30s``, ``15m``, ``2h``, ``1d`` (one number, one unit). ISO 8601 (``PT10M``) and
plain seconds are accepted too, as pydantic reads a ``timedelta``.

``check_bound`` holds the limits of the options whose nonsense values would
lose data or hammer a CRM (a negative ``lookback`` skips changes for good),
each with the reason the message gives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, field_validator, model_validator

__all__ = [
    "BOUNDS",
    "Bound",
    "Duration",
    "HttpOptions",
    "PredictiveOptions",
    "RetrainOptions",
    "check_bound",
    "parse_duration",
    "refuse_renamed",
]

_DURATION = re.compile(r"^\s*([-+]?\d+)\s*(s|m|h|d)\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> timedelta:
    """``"15m"`` -> 15 minutes; units s, m, h, d."""
    m = _DURATION.match(text)
    if m is None:
        raise ValueError(f"{text!r} is not a duration such as 30s, 15m, 2h or 1d")
    return timedelta(seconds=int(m.group(1)) * _UNITS[m.group(2)])


def _before(value: Any) -> Any:
    """``15m`` style strings become a ``timedelta`` (anything else that is not
    ISO 8601 gets the project's message, not pydantic's); ISO 8601 strings and
    numbers go on to pydantic."""
    if isinstance(value, str) and not value.strip().upper().startswith(("P", "-P")):
        return parse_duration(value)
    return value


Duration = Annotated[timedelta, BeforeValidator(_before)]


@dataclass(frozen=True, slots=True)
class Bound:
    """Allowed range of a duration (seconds) or share, and why."""

    low: float | None
    high: float | None
    why_low: str
    why_high: str = ""
    #: ``low`` itself is refused (a share must be more than 0).
    low_open: bool = False


_DAY = 86_400.0
#: Option name -> its bound, wherever the option appears (each connector, the state store).
BOUNDS: dict[str, Bound] = {
    "lookback": Bound(
        0,
        _DAY,
        "a negative lookback starts reading after the stored cursor, "
        "so changes made just before it are never synced",
        "it is re-read on every cycle",
    ),
    "safety_lag": Bound(
        0,
        3600,
        "a negative lag reads past now, so changes made meanwhile are skipped",
        "every change would wait that long to be synced",
    ),
    "timeout": Bound(
        0,
        600,
        "a call needs some time to answer",
        "a stalled call would hold the cycle that long",
        low_open=True,
    ),
    "bulk_poll": Bound(
        0,
        300,
        "it is a wait between status polls",
        "a finished job would wait that long to be read",
    ),
    "lock_lease": Bound(
        10,
        3600,
        "a shorter lease can run out between two heartbeats, and "
        "another process would sync the same connector",
        "a crashed holder on another host blocks the connector that long",
    ),
    "misfire_grace": Bound(
        1,
        _DAY,
        "a scheduled run must be allowed to start late a little",
        "a run that late is better skipped",
    ),
    "budget_share": Bound(
        0,
        1,
        "it is the share of the daily API allowance syncd may spend",
        "it is the share of the daily API allowance syncd may spend",
        low_open=True,
    ),
}


def _show(seconds: float, duration: bool) -> str:
    if not duration or seconds == 0:
        return f"{seconds:g}"
    for unit, size in (("d", _DAY), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def check_bound(name: str, value: Any) -> Any:
    """``value`` when it is within ``BOUNDS[name]`` (no bound: always); else
    ``ValueError`` with the limit and the reason."""
    bound = BOUNDS.get(name)
    if bound is None or value is None:
        return value
    duration = isinstance(value, timedelta) or name.endswith("_s")
    n = value.total_seconds() if isinstance(value, timedelta) else float(value)
    if bound.low is not None and (n < bound.low or (bound.low_open and n <= bound.low)):
        words = "more than" if bound.low_open else "at least"
        if bound.low == 0 and not bound.low_open and duration:
            raise ValueError(f"must not be negative: {bound.why_low}")
        raise ValueError(f"must be {words} {_show(bound.low, duration)}: {bound.why_low}")
    if bound.high is not None and n > bound.high:
        raise ValueError(f"must be at most {_show(bound.high, duration)}: {bound.why_high}")
    return value


def refuse_renamed(data: Any, renamed: dict[str, str]) -> Any:
    """For a ``model_validator(mode="before")``: an old key names its new one
    (``timeout_s`` -> ``timeout``, a duration) instead of failing as "unknown key"."""
    if isinstance(data, dict):
        for old, new in renamed.items():
            if old in data:
                raise ValueError(
                    f"{old} was renamed {new}: write a duration such as "
                    f"{new}: {_example(data[old])}"
                )
    return data


def _example(value: Any) -> str:
    try:
        return f"{int(float(value))}s"
    except (TypeError, ValueError):
        return "30s"


class RetrainOptions(BaseModel):
    """Scheduled retraining of a predictive model from the connector's outcomes."""

    model_config = ConfigDict(extra="forbid")

    #: How often a cycle retrains the model (the first cycle with this set
    #: retrains at once); the new model replaces the file only if it is at
    #: least as good on the newest held-out rows.
    every: Duration

    @field_validator("every")
    @classmethod
    def _positive(cls, v: timedelta) -> timedelta:
        if v <= timedelta(0):
            raise ValueError("must be a positive duration such as 7d")
        return v


class PredictiveOptions(BaseModel):
    """A predictive model (``syncd learn --out``) the daemon scores every
    contact with, besides the points model: its conversion probability (0–1)
    goes to syncd's ``syncd_conversion_probability`` field, created and
    verified with the other fields only when this is set."""

    model_config = ConfigDict(extra="forbid")

    #: The model file ``syncd learn`` wrote (checked when the config loads).
    model: Path
    #: Opt-in scheduled retraining (``{every: 7d}``); unset, the file changes
    #: only when someone replaces it.
    retrain: RetrainOptions | None = None


class HttpOptions(BaseModel):
    """The option every connector that talks HTTP shares: ``timeout``, a duration.
    Subclasses name more renamed keys in ``RENAMED`` (old key -> new key)."""

    RENAMED: ClassVar[dict[str, str]] = {"timeout_s": "timeout"}

    #: How long one HTTP request may take.
    timeout: Duration = timedelta(seconds=30)
    #: A predictive model whose conversion probability is written to the CRM
    #: (``{model: PATH}``); unset, the probability field is neither created nor written.
    predictive: PredictiveOptions | None = None

    @property
    def timeout_s(self) -> float:
        """``timeout`` in seconds, as HTTP libraries take it."""
        return self.timeout.total_seconds()

    @model_validator(mode="before")
    @classmethod
    def _renamed(cls, data: Any) -> Any:
        return refuse_renamed(data, cls.RENAMED)

    @field_validator("timeout")
    @classmethod
    def _timeout_in_bounds(cls, v: timedelta) -> timedelta:
        checked: timedelta = check_bound("timeout", v)
        return checked
