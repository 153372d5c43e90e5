"""Value types shared by every connector's options and the engine's settings.

``Duration`` is how a config file writes a span of time, everywhere:
``30s``, ``15m``, ``2h``, ``1d`` (one number, one unit). ISO 8601 (``PT10M``) and
plain seconds are accepted too, as pydantic reads a ``timedelta``.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, field_validator, model_validator

__all__ = ["Duration", "HttpOptions", "parse_duration", "refuse_renamed"]

_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|h|d)\s*$")
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


class HttpOptions(BaseModel):
    """The option every connector that talks HTTP shares: ``timeout``, a duration.
    Subclasses name more renamed keys in ``RENAMED`` (old key -> new key)."""

    RENAMED: ClassVar[dict[str, str]] = {"timeout_s": "timeout"}

    #: How long one HTTP request may take.
    timeout: Duration = timedelta(seconds=30)

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
    def _positive(cls, v: timedelta) -> timedelta:
        if v <= timedelta(0):
            raise ValueError("must be more than 0s")
        return v
