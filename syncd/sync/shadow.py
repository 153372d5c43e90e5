"""Shadow models: a connector's ``shadow_models`` scored every cycle from the
same contacts as its live model, and stored (``syncd.state.shadow``) with the
live model's results, so ``syncd report`` and ``syncd backtest`` can compare
them on the outcomes that arrive. Nothing of a shadow model is ever written
to the CRM, and a shadow model that cannot be loaded is logged and skipped
(it never fails the cycle). Without ``shadow_models`` nothing is stored.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from syncd.core import CompiledModel, Contact, ModelError, ScoreResult, score_batch
from syncd.state.shadow import ShadowRow
from syncd.sync.engine import Engine

__all__ = ["record_shadows", "shadow_models"]

log = logging.getLogger("syncd.sync")


def shadow_models(app: Engine, connector: str) -> list[CompiledModel]:
    """The connector's loadable shadow models, from the engine's model cache
    (each unusable one logged)."""
    out = []
    for path in app.config(connector).shadow_models:
        try:
            out.append(app.load(path))
        except (ModelError, OSError) as exc:
            log.warning(
                "shadow model not usable",
                extra={"connector": connector, "event": "shadow_skipped", "reason": str(exc)},
            )
    return out


def _rows(results: Sequence[ScoreResult]) -> list[ShadowRow]:
    return [ShadowRow(r.id, r.score, r.tier, r.mql) for r in results]


def record_shadows(
    app: Engine,
    connector: str,
    contacts: Sequence[Contact],
    live: tuple[str, Sequence[ScoreResult]],
    now: datetime,
) -> None:
    """Score ``contacts`` (one chunk of whole account groups) with each shadow
    model as of ``now`` and store those scores and the live model's
    ``live`` = (model ref, results); nothing without shadow models. Called by
    the cycle's scoring loop (never in a dry run)."""
    models = shadow_models(app, connector)
    if not models:
        return
    ref, results = live
    store = app.store
    store.save_shadow_scores(connector, ref, True, _rows(results), now)
    for model in models:
        if model.ref == ref:
            continue
        shadow = score_batch(model, contacts, now)
        store.save_shadow_scores(connector, model.ref, False, _rows(shadow), now)
