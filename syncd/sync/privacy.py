"""The cycle's retention duty (docs/privacy.md): the daily pass prunes the
activities no model of the connector can still see."""

from __future__ import annotations

import logging
from datetime import datetime

from syncd.core.usage import Horizon, activity_horizon
from syncd.sync.engine import Engine

__all__ = ["prune"]

log = logging.getLogger("syncd.sync")


def prune(app: Engine, connector: str, run_id: str, now: datetime) -> int:
    """Delete the activities past retention (the daily pass); returns how many."""
    retention = app.config(connector).privacy.retention
    if retention is None:
        models = app.router(connector).models
        horizon: Horizon = Horizon.widest(activity_horizon(m) for m in models)
    else:
        horizon = Horizon({}, retention.total_seconds() / 86400)
    n = app.store.prune_activities(connector, horizon, now)
    log.log(
        logging.INFO if n else logging.DEBUG,
        "activities pruned",
        extra={"connector": connector, "run_id": run_id, "event": "retention", "pruned": n},
    )
    return n
