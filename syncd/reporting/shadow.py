"""The shadow-model section of ``syncd report``: the live model and each
shadow model compared on the outcomes that arrived after they scored
(``syncd.evaluate.ab``). Empty when the connector has no stored shadow
scores."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from rich.table import Table

from syncd.core.outcomes import OutcomeRule
from syncd.evaluate.ab import Flag, ModelAB, compare_flags
from syncd.settings import EngineOptions
from syncd.state.outcomes import load_outcomes
from syncd.state.shadow import load_shadow_scores

__all__ = ["ab_json", "ab_table", "gather_ab", "outcome_rule"]


def outcome_rule(cfg: EngineOptions) -> OutcomeRule:
    """The connector's ``outcome`` setting (``{target, window}``) as an ``OutcomeRule``."""
    return cfg.outcome.rule()


def gather_ab(engine: sa.Engine, connector: str, rule: OutcomeRule, now: datetime) -> list[ModelAB]:
    """Live model(s) first, then shadow models, each by ref."""
    stored = load_shadow_scores(engine, connector)
    if not stored:
        return []
    with engine.connect() as conn:
        outcomes = load_outcomes(conn, connector)
    out = []
    for (ref, live), rows in sorted(stored.items(), key=lambda kv: (not kv[0][1], kv[0][0])):
        flags = [Flag(r.contact_id, r.first_at or now, r.mql_at) for r in rows]
        out.append(compare_flags(ref, live, flags, outcomes, rule, now))
    return out


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def ab_table(connector: str, rule: OutcomeRule, models: list[ModelAB]) -> Table:
    t = Table(
        title=f"{connector}: live vs shadow models",
        title_justify="left",
    )
    t.add_column("model", no_wrap=True)
    for col in ("scored", "MQLs", "converted", "precision", "caught", "recall", "lead days"):
        t.add_column(col, justify="right")
    for m in models:
        t.add_row(
            f"{m.model} (live)" if m.live else m.model,
            str(m.scored),
            str(m.mqls),
            f"{m.converted}/{m.judged_mqls}",
            _pct(m.precision),
            f"{m.caught}/{m.converters}",
            _pct(m.recall),
            "-" if m.median_lead_days is None else f"{m.median_lead_days:.1f}",
        )
    t.caption = (
        f"converted: MQLs reaching {rule.target} within {rule.window.days}d of the flag "
        "(young flags count once converted); caught: converters flagged before converting"
    )
    return t


def ab_json(models: list[ModelAB]) -> list[dict[str, Any]]:
    return [
        {
            "model": m.model,
            "live": m.live,
            "scored": m.scored,
            "mqls": m.mqls,
            "judged_mqls": m.judged_mqls,
            "converted": m.converted,
            "precision": m.precision,
            "converters": m.converters,
            "caught": m.caught,
            "recall": m.recall,
            "median_lead_days": m.median_lead_days,
        }
        for m in models
    ]
