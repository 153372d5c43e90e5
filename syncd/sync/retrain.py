"""Opt-in scheduled retraining of a connector's predictive model
(``predictive: {model: PATH, retrain: {every: 7d}}``).

When retraining is due (the first cycle with ``retrain`` set, then once every
``every``, by the connector's ``retrained_at`` in the state store), the cycle
learns a new model from the contacts and outcomes in the store exactly as
``syncd learn --connector NAME --out PATH --if-better`` does, and the new
model replaces the file only if it is at least as good on its held-out rows
(the newest period under a time split; ``predictive.champion``). Either way
the verdict is logged (``predictive_retrained`` or ``predictive_kept``); a
replaced file is then applied to every contact by the same cycle. Retraining
that cannot run (too little labelled data, scikit-learn not installed) is
logged as ``predictive_retrain_skipped`` and never fails the cycle; it is
tried again after ``every``. The last verdict (with both held-out ROC-AUCs, or
the reason it was skipped) is kept in the connector's ``Meta.retrain`` for
``syncd report``. Never in a dry run. The file is replaced
atomically (written beside it, then renamed).

A model trained with a points model's components is retrained with the same
points model scoring applies it with (the connector's live one when it names
that, else the file it names), so old and new are judged on equal terms; only
when that one can no longer be had (the file gone or changed: the old model
cannot be applied at all) is the new one learned without points components,
and it replaces the old.
"""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from syncd.core import CompiledModel, ModelError
from syncd.core.outcomes import OutcomeRule
from syncd.predictive.artefact import Artefact, save
from syncd.predictive.errors import InputError
from syncd.predictive.outcome_rows import rows_from_store
from syncd.sync.engine import Engine
from syncd.sync.predictive import trained_points

__all__ = ["maybe_retrain"]

log = logging.getLogger("syncd.sync")


def _rule(cfg: object) -> OutcomeRule:
    """The connector's outcome rule when it configures one, else the default."""
    rule = getattr(cfg, "outcome", None)
    if isinstance(rule, OutcomeRule):
        return rule
    to_rule = getattr(rule, "rule", None)
    made = to_rule() if callable(to_rule) else None
    return made if isinstance(made, OutcomeRule) else OutcomeRule()


def _points(old: Artefact, path: Path, app: Engine, connector: str) -> CompiledModel | None:
    """The points model the old model was trained with (the one scoring
    applies it with, ``trained_points``), for the new one too; None when it
    has none, or when that one can no longer be had: the old model then
    cannot be applied and the champion check lets the new one replace it."""
    live = app.model(connector)
    try:
        return trained_points(old, path, live, app.load)
    except (InputError, ModelError, OSError):
        return None


def _replace_file(artefact: Artefact, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.retrain")
    save(artefact, tmp)
    os.replace(tmp, path)


def maybe_retrain(app: Engine, connector: str, now: datetime, dry_run: bool) -> None:
    """Retrain the connector's predictive model when due (see the module docstring)."""
    cfg = app.config(connector)
    predictive = getattr(cfg, "predictive", None)
    every = getattr(getattr(predictive, "retrain", None), "every", None)
    path = getattr(predictive, "model", None)
    if dry_run or every is None or not isinstance(path, Path):
        return
    last = app.store.meta(connector).retrained_at
    if last is not None and now - last < every:
        return
    extra = {"connector": connector, "model_file": str(path)}
    record: dict[str, object] = {"at": now.isoformat(), "new_auc": None, "old_auc": None}
    try:
        from syncd.predictive.champion import challenge
        from syncd.predictive.train import Options
        from syncd.predictive.train import learn as learn_model

        old = app.artefacts.get(path).artefact
        points = _points(old, path, app, connector)
        rows = rows_from_store(
            app.store.export(connector), app.store.outcomes(connector), _rule(cfg), connector
        )
        wanted = old.points_model
        options = Options(
            label="outcome",
            source=f"connector {connector}",
            points_path=wanted[1] if points is not None and wanted is not None else None,
        )
        result = learn_model(rows, options, now=now.timestamp(), points=points)
        verdict = challenge(old, result, points)
        record.update(new_auc=verdict.new_auc, old_auc=verdict.old_auc, reason=verdict.reason)
        if verdict.replace:
            art = replace(result.artefact, id_column=old.id_column, time_column=old.time_column)
            _replace_file(art, path)
            record["verdict"] = "retrained"
            log.info(
                "predictive model retrained",
                extra={**extra, "event": "predictive_retrained", "reason": verdict.reason},
            )
        else:
            record["verdict"] = "kept"
            log.info(
                "predictive model kept (the new one is worse)",
                extra={**extra, "event": "predictive_kept", "reason": verdict.reason},
            )
    except (InputError, OSError) as exc:
        record.update(verdict="skipped", reason=str(exc))
        log.warning(
            "predictive retraining skipped",
            extra={**extra, "event": "predictive_retrain_skipped", "reason": str(exc)},
        )
    app.store.set_meta(connector, app.clock(), retrained_at=now, retrain=record)
