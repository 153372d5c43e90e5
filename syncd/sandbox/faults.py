"""Fault injection for the sandbox servers.

A `FaultSpec` says how often a request is answered badly on purpose: with 429,
500 or 503, slowly, or not at all (the connection is dropped), plus a fixed
artificial latency for every request. `partial` is the probability that a batch
write answers with a partial failure (207 on HubSpot, per-record errors on
Salesforce); the vendor fakes ask `FaultInjector.partial()` for it. `repeat` is the
probability that a page read past the first hands out, as the token of the next page,
the very token the request carried (`repeat_cursor`: HubSpot `paging.next.after` and
`offset`, Salesforce `nextRecordsUrl` and the Bulk `Sforce-Locator`), a pagination
loop as a misbehaving server would serve it.

Specs come from the CLI (`429=0.1,500=0.05,slow=0.1:1500,drop=0.01,repeat=1,latency=5`)
or from JSON posted to `/__sandbox/faults` (`{"rate_429": 0.1, ...}`).
Decisions come from one seeded `random.Random`, so a run is repeatable.
"""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, fields, replace
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from syncd.sandbox.http import Request, Response

_PROBABILITIES = (
    "rate_429",
    "rate_500",
    "rate_503",
    "slow_rate",
    "drop_rate",
    "partial_rate",
    "repeat_rate",
)

_SHORT_KEYS = {
    "429": "rate_429",
    "500": "rate_500",
    "503": "rate_503",
    "slow": "slow_rate",
    "drop": "drop_rate",
    "partial": "partial_rate",
    "repeat": "repeat_rate",
    "latency": "latency_ms",
    "seed": "seed",
}


class FaultSpecError(ValueError):
    """A fault spec that cannot be used; the message names the offending key."""


@dataclass(frozen=True, slots=True)
class FaultSpec:
    """Probabilities (0..1) of each injected fault, and fixed latency in ms."""

    rate_429: float = 0.0
    rate_500: float = 0.0
    rate_503: float = 0.0
    slow_rate: float = 0.0
    slow_ms: float = 2000.0
    drop_rate: float = 0.0
    partial_rate: float = 0.0
    repeat_rate: float = 0.0
    latency_ms: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        for name in _PROBABILITIES:
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise FaultSpecError(f"{name}: probability must be between 0 and 1, got {value}")
        for name in ("slow_ms", "latency_ms"):
            if getattr(self, name) < 0:
                raise FaultSpecError(f"{name}: must not be negative")

    @classmethod
    def parse(cls, text: str) -> FaultSpec:
        """Parse `429=0.1,500=0.05,503=0,slow=0.1:1500,drop=0.01,partial=0.2,latency=5,seed=7`."""
        values: dict[str, Any] = {}
        for raw in filter(None, (part.strip() for part in text.split(","))):
            key, sep, value = raw.partition("=")
            key = key.strip()
            if not sep or key not in _SHORT_KEYS:
                known = ", ".join(_SHORT_KEYS)
                raise FaultSpecError(
                    f"fault spec item {raw!r}: expected KEY=VALUE with KEY in {known}"
                )
            try:
                if key == "slow" and ":" in value:
                    rate, ms = value.split(":", 1)
                    values["slow_rate"], values["slow_ms"] = float(rate), float(ms)
                elif key == "seed":
                    values["seed"] = int(value)
                else:
                    values[_SHORT_KEYS[key]] = float(value)
            except ValueError:
                message = f"fault spec item {raw!r}: {value!r} is not a number"
                raise FaultSpecError(message) from None
        return cls(**values)

    @classmethod
    def from_json(cls, data: object) -> FaultSpec:
        """Build from a JSON object with the field names of this class."""
        if not isinstance(data, dict):
            raise FaultSpecError("fault spec: expected a JSON object")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise FaultSpecError(f"fault spec: unknown keys {unknown}; known: {sorted(known)}")
        try:
            values: dict[str, Any] = {
                k: (int(v) if k == "seed" else float(v)) for k, v in data.items()
            }
            return cls(**values)
        except (TypeError, ValueError) as exc:
            raise FaultSpecError(f"fault spec: {exc}") from None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Fault(Enum):
    """What the harness does to one request instead of (or before) answering it."""

    NONE = "none"
    RATE_LIMIT = "429"
    SERVER_ERROR = "500"
    UNAVAILABLE = "503"
    DROP = "drop"


class FaultInjector:
    """Thread-safe, seeded decisions drawn from the current `FaultSpec`."""

    def __init__(self, spec: FaultSpec | None = None) -> None:
        self._lock = threading.Lock()
        self._spec = spec or FaultSpec()
        self._rng = random.Random(self._spec.seed)

    @property
    def spec(self) -> FaultSpec:
        return self._spec

    def replace(self, spec: FaultSpec) -> None:
        """Swap the spec at run time; the random stream restarts from its seed."""
        with self._lock:
            self._spec = spec
            self._rng = random.Random(spec.seed)

    def update(self, **changes: Any) -> None:
        self.replace(replace(self._spec, **changes))

    def _hit(self, probability: float) -> bool:
        return probability > 0 and self._rng.random() < probability

    def draw(self) -> tuple[Fault, float]:
        """The fault for the next request and the delay (seconds) to apply first."""
        with self._lock:
            spec = self._spec
            delay = spec.latency_ms / 1000.0
            if self._hit(spec.slow_rate):
                delay += spec.slow_ms / 1000.0
            for probability, fault in (
                (spec.drop_rate, Fault.DROP),
                (spec.rate_429, Fault.RATE_LIMIT),
                (spec.rate_500, Fault.SERVER_ERROR),
                (spec.rate_503, Fault.UNAVAILABLE),
            ):
                if self._hit(probability):
                    return fault, delay
            return Fault.NONE, delay

    def partial(self) -> bool:
        """Whether the current batch write should partially fail."""
        with self._lock:
            return self._hit(self._spec.partial_rate)

    def repeat(self) -> bool:
        """Whether the current page read should hand out its own token again."""
        with self._lock:
            return self._hit(self._spec.repeat_rate)


def repeat_cursor(request: Request, response: Response) -> None:
    """Make a page read past the first name itself as the next page (see the module
    docstring); other answers are left alone."""
    body = response.body
    if isinstance(body, dict):
        paging = (body.get("paging") or {}).get("next")
        sent = request.arg("after")
        if isinstance(paging, dict) and paging.get("after") and sent:
            paging["after"] = sent
        if body.get("hasMore") and body.get("offset") and request.arg("offset"):
            body["offset"] = request.arg("offset")
        last = request.path.rstrip("/").rsplit("/", 1)[-1]
        if body.get("nextRecordsUrl") and last not in ("query", "queryAll"):
            body["nextRecordsUrl"] = request.path
    locator = request.arg("locator")
    if locator and response.headers.get("Sforce-Locator", "null") != "null":
        response.headers["Sforce-Locator"] = locator
