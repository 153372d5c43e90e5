"""Features: what a row is turned into before the model sees it.

``raw_values(row, now)`` reduces one row to named raw values: its properties
(account properties as ``account.NAME``) and, when the input has activities,
a summary of them as of the row's decision point (``row.as_of``, else
``now``): a decayed count per activity type (``activity.TYPE``) and per URL
path / form name (``url./pricing``, ``form.contact us``; half-life
``HALF_LIFE_DAYS``), the total, days since the newest one
(``activity.days_since_last``) and the velocity (the last 14 days' count
minus the 14 days' before, ``activity.velocity_14d``).

``fit(rows)`` decides per column whether it is numeric (almost every present
value parses as a number: standardised, missing values imputed with the mean
plus a ``(missing)`` indicator) or categorical (one-hot; categories seen
fewer than ``min_count`` times pooled into ``(other)``, missing values its
own ``(missing)`` category), and drops columns that carry nothing (a single
value, or every category pooled). The result, ``FeatureSpec``, is plain
data: ``to_json`` / ``from_json`` round-trip it inside the model file, and
``transform`` applies it with numpy only.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import numpy.typing as npt

from syncd.predictive.errors import InputError
from syncd.predictive.io import Row

__all__ = [
    "HALF_LIFE_DAYS",
    "Column",
    "FeatureSpec",
    "fit",
    "raw_values",
]

HALF_LIFE_DAYS = 30.0
_DAY = 86400.0
_OTHER = "(other)"
_MISSING = "(missing)"
#: A column is numeric when at least this share of its present values are numbers.
_NUMERIC_SHARE = 0.98

Matrix = npt.NDArray[np.float64]


def _number(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        f = float(value)
    else:
        try:
            f = float(str(value))
        except ValueError:
            return None
    return f if math.isfinite(f) else None


def _pattern(act_type: str, target: str | None) -> str | None:
    if target is None:
        return None
    if act_type in ("page_view", "email_click"):
        path = urlsplit(target).path if "//" in target else target
        path = path.strip("/").split("/")[0]
        return f"url./{path.casefold()}" if path else "url./"
    if act_type in ("form_submit", "content_download"):
        return f"form.{target.strip().casefold()[:60]}"
    return None


def raw_values(row: Row, now: float | None) -> dict[str, Any]:
    """The row's named raw values (see the module docstring)."""
    out: dict[str, Any] = dict(row.properties)
    ref = row.as_of if row.as_of is not None else now
    if ref is None or (not row.activities and now is None):
        return out
    total = 0.0
    last: float | None = None
    recent = before = 0
    for act in row.activities:
        if act.at >= ref:
            continue
        age = (ref - act.at) / _DAY
        weight = 0.5 ** (age / HALF_LIFE_DAYS)
        key = f"activity.{act.type}"
        out[key] = out.get(key, 0.0) + weight
        pattern = _pattern(act.type, act.target)
        if pattern is not None:
            out[pattern] = out.get(pattern, 0.0) + weight
        total += weight
        last = act.at if last is None or act.at > last else last
        if age <= 14:
            recent += 1
        elif age <= 28:
            before += 1
    out["activity.total"] = total
    out["activity.days_since_last"] = None if last is None else (ref - last) / _DAY
    out["activity.velocity_14d"] = float(recent - before)
    return out


def _is_activity(name: str) -> bool:
    return name.startswith(("activity.", "url./", "form.")) and name != "activity.days_since_last"


@dataclass(frozen=True, slots=True)
class Column:
    """One raw column's preprocessing. Numeric: ``mean``/``std`` and whether
    a missing indicator follows. Categorical: its kept ``categories`` (in
    output order, ``(other)`` / ``(missing)`` included when used)."""

    name: str
    kind: str  # "numeric" | "categorical"
    mean: float = 0.0
    std: float = 1.0
    indicator: bool = False
    default: float | None = None
    categories: tuple[str, ...] = ()

    @property
    def width(self) -> int:
        if self.kind == "numeric":
            return 2 if self.indicator else 1
        return len(self.categories)

    def feature_names(self) -> list[str]:
        if self.kind == "numeric":
            return [self.name] + ([f"{self.name} (missing)"] if self.indicator else [])
        return [f"{self.name}={c}" for c in self.categories]

    def to_json(self) -> dict[str, Any]:
        if self.kind == "numeric":
            return {
                "name": self.name,
                "kind": "numeric",
                "mean": self.mean,
                "std": self.std,
                "indicator": self.indicator,
                "default": self.default,
            }
        return {"name": self.name, "kind": "categorical", "categories": list(self.categories)}


def _category(value: Any) -> str:
    if value is None:
        return _MISSING
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    """The fitted preprocessing: its columns in output order."""

    columns: tuple[Column, ...]

    @property
    def feature_names(self) -> list[str]:
        return [n for c in self.columns for n in c.feature_names()]

    def slices(self) -> list[tuple[int, int]]:
        """Each column's [start, end) in the feature vector."""
        out: list[tuple[int, int]] = []
        start = 0
        for c in self.columns:
            out.append((start, start + c.width))
            start += c.width
        return out

    def transform(self, raws: Sequence[Mapping[str, Any]]) -> Matrix:
        """The feature matrix (rows x features) of raw-value mappings."""
        x = np.zeros((len(raws), sum(c.width for c in self.columns)), dtype=np.float64)
        for col, (start, _end) in zip(self.columns, self.slices(), strict=True):
            name = col.name
            if col.kind == "numeric":
                for i, raw in enumerate(raws):
                    v = _number(raw.get(name, col.default))
                    if v is None:
                        if col.indicator:
                            x[i, start + 1] = 1.0
                    else:
                        x[i, start] = (v - col.mean) / col.std
            else:
                index = {c: start + k for k, c in enumerate(col.categories)}
                other = index.get(_OTHER)
                missing = index.get(_MISSING, other)
                for i, raw in enumerate(raws):
                    v = raw.get(name)
                    j = missing if v is None else index.get(_category(v), other)
                    if j is not None:
                        x[i, j] = 1.0
        return x

    def to_json(self) -> dict[str, Any]:
        return {"columns": [c.to_json() for c in self.columns]}

    @classmethod
    def from_json(cls, obj: object, where: str) -> FeatureSpec:
        try:
            assert isinstance(obj, dict)
            cols: list[Column] = []
            for c in obj["columns"]:
                if c["kind"] == "numeric":
                    std = float(c["std"])
                    assert std > 0
                    default = c.get("default")
                    cols.append(
                        Column(
                            name=str(c["name"]),
                            kind="numeric",
                            mean=float(c["mean"]),
                            std=std,
                            indicator=bool(c["indicator"]),
                            default=None if default is None else float(default),
                        )
                    )
                elif c["kind"] == "categorical":
                    cats = tuple(str(v) for v in c["categories"])
                    cols.append(Column(name=str(c["name"]), kind="categorical", categories=cats))
                else:
                    raise AssertionError
        except (AssertionError, KeyError, TypeError, ValueError):
            raise InputError(f"{where}: 'features' is not a valid feature list") from None
        return cls(tuple(cols))


def fit(
    raws: Sequence[Mapping[str, Any]], *, exclude: Iterable[str] = (), min_count: int | None = None
) -> tuple[FeatureSpec, list[str]]:
    """The preprocessing fitted on ``raws`` (training rows), leaving out the
    ``exclude`` names; also the names dropped because they carry nothing."""
    n = len(raws)
    if min_count is None:
        min_count = max(5, math.ceil(0.005 * n))
    skip = set(exclude)
    names: dict[str, None] = {}
    for raw in raws:
        for k in raw:
            if k not in skip:
                names.setdefault(k, None)
    columns: list[Column] = []
    empty: list[str] = []
    for name in names:
        default = 0.0 if _is_activity(name) else None
        values = [raw.get(name, default) for raw in raws]
        col = _fit_column(name, values, default, min_count)
        if col is None:
            empty.append(name)
        else:
            columns.append(col)
    return FeatureSpec(tuple(columns)), empty


def _fit_column(
    name: str, values: Sequence[Any], default: float | None, min_count: int
) -> Column | None:
    present = [v for v in values if v is not None]
    if not present:
        return None
    numbers = [_number(v) for v in present]
    parsed = [f for f in numbers if f is not None]
    all_bool = all(isinstance(v, bool) for v in present)
    if not all_bool and len(parsed) >= _NUMERIC_SHARE * len(present):
        arr = np.asarray(parsed, dtype=np.float64)
        std = float(arr.std())
        if std == 0.0 and len(parsed) == len(values):
            return None
        return Column(
            name=name,
            kind="numeric",
            mean=float(arr.mean()),
            std=std if std > 0 else 1.0,
            indicator=len(parsed) < len(values),
            default=default,
        )
    counts = Counter(_category(v) for v in values)
    kept = sorted(c for c, k in counts.items() if k >= min_count and c != _MISSING)
    pooled = any(k < min_count for c, k in counts.items() if c != _MISSING)
    cats = [*kept, *([_OTHER] if pooled else []), *([_MISSING] if _MISSING in counts else [])]
    if len(kept) == 0 or len(cats) < 2:
        return None
    return Column(name=name, kind="categorical", categories=tuple(cats))
