"""Retention: pruning activities no score can still see (docs/privacy.md).

``prune_activities`` deletes every stored activity older than its type's
horizon (``syncd.core.usage.Horizon``, or one configured age for every type),
except the newest activity of each type of each contact (engagement recency:
inactivity and velocity read it; ties by key), and refreshes the stored
activity form of the contacts it touched. With the model's own horizon no
score changes. It reads each activity's stored ``type`` and ``ts`` columns, in
SQL: its cost grows with the activities past their horizon, not with all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

import sqlalchemy as sa

from syncd.core.usage import Horizon
from syncd.state.pages import _store_activity_forms
from syncd.state.schema import activities

__all__ = ["prune_activities"]

_DAY = 86400.0


def _past_horizon(horizon: Horizon, now_ts: float, types: Iterable[str]) -> sa.ColumnElement[bool]:
    """``activities`` rows older than their type's horizon as of ``now_ts``."""
    a = activities.c
    named = {t: horizon.days(t) for t in types}
    never = sorted(t for t, d in named.items() if d is None)
    dated = {t: now_ts - d * _DAY for t, d in named.items() if d is not None}
    cutoff = (
        sa.case(dated, value=a.type, else_=now_ts - horizon.default * _DAY)
        if dated
        else sa.literal(now_ts - horizon.default * _DAY)
    )
    old = a.ts < cutoff
    return sa.and_(old, a.type.not_in(never)) if never else old


def prune_activities(
    conn: sa.Connection,
    connector: str,
    horizon: Horizon | Callable[[str], float | None],
    now: datetime,
) -> int:
    """Delete the activities of ``connector`` older than their horizon (days, by
    activity type; ``None``: kept) as of ``now``; returns how many. An activity
    whose type or time is not stored (NULL) is left alone."""
    a = activities.c
    if isinstance(horizon, Horizon):
        h, types = horizon, list(horizon.by_type)  # other types: the default
    else:
        stored = conn.execute(sa.select(a.type).where(a.connector == connector).distinct())
        types = [t for t in stored.scalars() if t is not None]
        h = Horizon({t: horizon(t) for t in types}, 0.0)  # every stored type is named
    newer = activities.alias("newer")
    n = newer.c
    superseded = sa.exists().where(
        n.connector == a.connector,
        n.contact_id == a.contact_id,
        n.type == a.type,
        sa.or_(n.ts > a.ts, sa.and_(n.ts == a.ts, n.key > a.key)),
    )
    gone = conn.execute(
        sa.select(a.contact_id, a.key).where(
            a.connector == connector,
            _past_horizon(h, now.timestamp(), types),
            superseded,
        )
    ).all()
    if not gone:
        return 0
    conn.execute(
        sa.delete(activities).where(
            a.connector == connector,
            a.key == sa.bindparam("b_key"),
            a.contact_id == sa.bindparam("b_contact"),
        ),
        [{"b_key": key, "b_contact": cid} for cid, key in gone],
    )
    _store_activity_forms(conn, connector, {cid for cid, _key in gone})
    return len(gone)
