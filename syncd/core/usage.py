"""How far back in time a compiled model can see each activity type (retention;
the properties it reads are ``needs``).

Contract:

* ``activity_horizon(model)``: per activity type, the age (days) beyond which
  no rule, window or decay of the model can still change a score, ``None``
  when an activity of that type counts at any age (an activity rule without
  decay, an activity disqualifier). ``default`` is the horizon of every type
  the model names in no activity rule. A decayed occurrence older than its
  horizon is worth less than ``DECAY_FLOOR`` points. The newest activity of
  each type of a contact must be kept whatever its age (engagement recency:
  inactivity, velocity, multi-stakeholder read it).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .compiler import CompiledModel
from .schema import HalfLife

__all__ = ["DECAY_FLOOR", "Horizon", "activity_horizon"]

#: Points below which a decayed occurrence is treated as gone (a millionth of a
#: point: far below the 0.1 of a reason and the 1 of a score).
DECAY_FLOOR = 1e-6


@dataclass(frozen=True, slots=True)
class Horizon:
    """Days after which an activity no longer counts, by type (``None``: never
    expires); ``default`` for the types no activity rule names."""

    by_type: Mapping[str, float | None]
    default: float

    def days(self, activity_type: str) -> float | None:
        return self.by_type.get(activity_type, self.default)

    @classmethod
    def widest(cls, horizons: Iterable[Horizon]) -> Horizon:
        """The horizon that keeps what any of ``horizons`` keeps (routed models)."""
        items = list(horizons)
        types = {t for h in items for t in h.by_type}
        by_type: dict[str, float | None] = {}
        for t in types:
            days = [h.days(t) for h in items]
            by_type[t] = (
                None if any(d is None for d in days) else max(d for d in days if d is not None)
            )
        return cls(by_type, max((h.default for h in items), default=0.0))

    def longest(self) -> float | None:
        """The longest horizon of any type (``None``: some type never expires)."""
        values = [*self.by_type.values(), self.default]
        return None if any(v is None for v in values) else max(v for v in values if v is not None)


def _decay_days(points: float, half_life: HalfLife) -> float | None:
    if half_life == "none":
        return None
    if abs(points) <= DECAY_FLOOR:
        return 0.0
    return float(half_life) * math.log2(abs(points) / DECAY_FLOOR)


def activity_horizon(model: CompiledModel) -> Horizon:
    """How far back ``model`` sees each activity type (see module docstring)."""
    spec = model.spec
    windows = [0.0]
    if spec.velocity is not None:
        windows.append(spec.velocity.within_days)
    ms = spec.account.multi_stakeholder
    if ms is not None:
        windows.append(ms.within_days)
    bg = spec.account.buying_group
    if bg is not None:
        windows.append(bg.window_days)
        windows.append(bg.momentum.recent_days + bg.momentum.prior_days)
    window = max(windows)
    by_type: dict[str, float | None] = {}

    def see(t: str, days: float | None) -> None:
        old = by_type.get(t, window)
        by_type[t] = None if old is None or days is None else max(old, days)

    for r in spec.rules:
        if r.activity is None:
            continue
        hl = spec.half_life_days if r.half_life_days is None else r.half_life_days
        for t in r.activity:
            see(t, _decay_days(r.points, hl))
    for d in spec.disqualifiers:
        for t in d.activity or ():
            see(t, None)
    return Horizon(by_type, window)
