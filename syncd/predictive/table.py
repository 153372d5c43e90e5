"""Every raw value of every row: what learning and scoring both start from.

``raw_table(rows, now, points, source)`` is ``features.raw_values`` per row,
plus the account signal that needs the other rows (``account.engaged_
stakeholders``: how many *other* contacts of the same account had an activity
in the ``ENGAGED_DAYS`` before this row's decision point; only for rows with
an account), plus the points model's components when one is given
(``syncd.predictive.points``). Learning and scoring call this one function,
so a model always sees rows the way it was trained on them.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from syncd.core import CompiledModel
from syncd.predictive.features import raw_values
from syncd.predictive.io import Row
from syncd.predictive.points import points_values

__all__ = ["ENGAGED_DAYS", "raw_table"]

ENGAGED_DAYS = 30.0


def _engaged(rows: Sequence[Row], now: float | None) -> dict[int, int]:
    by_account: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        if r.account is not None:
            by_account[r.account].append(i)
    out: dict[int, int] = {}
    window = ENGAGED_DAYS * 86400.0
    for members in by_account.values():
        times = {i: [a.at for a in rows[i].activities] for i in members}
        for i in members:
            ref = rows[i].as_of if rows[i].as_of is not None else now
            if ref is None:
                continue
            count = 0
            for j in members:
                if j == i:
                    continue
                ts = times[j]
                k = bisect.bisect_left(ts, ref)  # activities before ref
                if k > 0 and ts[k - 1] >= ref - window:
                    count += 1
            out[i] = count
    return out


def raw_table(
    rows: Sequence[Row], now: float | None, points: CompiledModel | None, source: str
) -> list[dict[str, Any]]:
    """The raw values of ``rows`` (see the module docstring)."""
    raws = [raw_values(r, now) for r in rows]
    for i, count in _engaged(rows, now).items():
        raws[i]["account.engaged_stakeholders"] = float(count)
    if points is not None:
        for raw, extra in zip(raws, points_values(points, rows, now, source), strict=True):
            raw.update(extra)
    return raws
