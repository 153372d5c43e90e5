"""Retention: pruning activities no score can still see (docs/privacy.md).

``prune_activities`` deletes every stored activity older than its type's
horizon (``syncd.core.usage.Horizon``, or one configured age for every type),
except the newest activity of each type of each contact (engagement recency:
inactivity and velocity read it), and refreshes the stored activity form of
the contacts it touched. With the model's own horizon no score changes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa

from syncd.core import parse_datetime
from syncd.core.usage import Horizon
from syncd.state.pages import _store_activity_forms, chunks
from syncd.state.schema import activities

__all__ = ["prune_activities"]

_DAY = 86400.0


def prune_activities(
    conn: sa.Connection,
    connector: str,
    horizon: Horizon | Callable[[str], float | None],
    now: datetime,
) -> int:
    """Delete the activities of ``connector`` older than their horizon (days, by
    activity type; ``None``: kept) as of ``now``; returns how many."""
    days = horizon.days if isinstance(horizon, Horizon) else horizon
    now_ts = now.timestamp()
    ids = list(
        conn.execute(
            sa.select(activities.c.contact_id)
            .where(activities.c.connector == connector)
            .distinct()
            .order_by(activities.c.contact_id)
        ).scalars()
    )
    pruned = 0
    touched: set[str] = set()
    for part in chunks(ids):
        newest: dict[tuple[str, str], tuple[float, str]] = {}
        rows: list[tuple[str, str, str, float]] = []
        for cid, key, data in conn.execute(
            sa.select(activities.c.contact_id, activities.c.key, activities.c.data).where(
                activities.c.connector == connector, activities.c.contact_id.in_(part)
            )
        ):
            obj = _load(data)
            at = parse_datetime(obj.get("at")) if obj is not None else None
            if obj is None or at is None:
                continue  # never stored (validated on the way in): left alone
            typ, ts = str(obj.get("type")), at.timestamp()
            rows.append((cid, key, typ, ts))
            best = newest.get((cid, typ))
            if best is None or (ts, key) > best:
                newest[(cid, typ)] = (ts, key)
        gone: list[dict[str, str]] = []
        for cid, key, typ, ts in rows:
            limit = days(typ)
            if limit is None or now_ts - ts <= limit * _DAY:
                continue
            if newest[(cid, typ)][1] == key:
                continue
            gone.append({"b_key": key, "b_contact": cid})
            touched.add(cid)
        if gone:
            conn.execute(
                sa.delete(activities).where(
                    activities.c.connector == connector,
                    activities.c.key == sa.bindparam("b_key"),
                    activities.c.contact_id == sa.bindparam("b_contact"),
                ),
                gone,
            )
            pruned += len(gone)
    _store_activity_forms(conn, connector, touched)
    return pruned


def _load(text: str) -> dict[str, object] | None:
    try:
        obj = json.loads(text)
    except ValueError:
        return None
    return obj if isinstance(obj, dict) else None
