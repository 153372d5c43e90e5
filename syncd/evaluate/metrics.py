"""Ranking and tier metrics of one model's replayed scores.

``EvalRow`` is one labelled contact: its exact score (``-inf`` when
disqualified, so it ranks below everything), tier, MQL flag and the rules that
fired. ROC-AUC is the Mann-Whitney statistic with average ranks for ties (the
probability that a random converter outranks a random non-converter, ties
counting half). Deciles split the contacts ranked by score (ties by id) into
ten near-equal groups, best first; a decile's lift is its conversion over the
overall conversion. Tier calibration: conversion per tier, and whether it
rises with the tier (a tier converting worse than the tier below it is named).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = [
    "Decile",
    "EvalRow",
    "ModelEvaluation",
    "TierStat",
    "deciles",
    "evaluate",
    "roc_auc",
]


@dataclass(frozen=True, slots=True)
class EvalRow:
    id: str
    exact: float
    tier: str
    mql: bool
    rules: frozenset[str]
    positive: bool


def roc_auc(scores: Sequence[float], labels: Sequence[bool]) -> float | None:
    """Area under the ROC curve; None without both classes."""
    pos = sum(1 for y in labels if y)
    neg = len(labels) - pos
    if pos == 0 or neg == 0:
        return None
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    rank_sum = 0.0
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        avg = (i + j) / 2 + 1  # ranks are 1-based
        rank_sum += avg * sum(1 for k in range(i, j + 1) if labels[order[k]])
        i = j + 1
    return (rank_sum - pos * (pos + 1) / 2) / (pos * neg)


@dataclass(frozen=True, slots=True)
class Decile:
    index: int
    contacts: int
    positives: int
    conversion: float
    lift: float
    min_score: float
    max_score: float


def _ranked(rows: Sequence[EvalRow]) -> list[EvalRow]:
    return sorted(rows, key=lambda r: (-r.exact, r.id))


def deciles(rows: Sequence[EvalRow], n: int = 10) -> list[Decile]:
    """``n`` groups of the ranked rows, best first (empty groups omitted)."""
    ranked = _ranked(rows)
    total = len(ranked)
    base = sum(1 for r in ranked if r.positive) / total if total else 0.0
    out: list[Decile] = []
    for d in range(n):
        part = ranked[d * total // n : (d + 1) * total // n]
        if not part:
            continue
        pos = sum(1 for r in part if r.positive)
        conv = pos / len(part)
        out.append(
            Decile(
                d + 1,
                len(part),
                pos,
                conv,
                conv / base if base else 0.0,
                part[-1].exact,
                part[0].exact,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class TierStat:
    """One tier: its volume, conversion (the precision of flagging it),
    share of all converters it holds (recall) and share of all contacts."""

    tier: str
    contacts: int
    positives: int
    conversion: float
    recall: float
    share: float


@dataclass(frozen=True, slots=True)
class ModelEvaluation:
    model: str
    contacts: int
    positives: int
    roc_auc: float | None
    deciles: list[Decile]
    tiers: list[TierStat]
    #: Tiers converting worse than the tier below them (calibration problems).
    miscalibrated: list[str]
    mql_contacts: int
    mql_precision: float | None
    mql_recall: float | None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def conversion(self) -> float:
        return self.positives / self.contacts if self.contacts else 0.0

    @property
    def top_decile_lift(self) -> float | None:
        return self.deciles[0].lift if self.deciles and self.positives else None


def _tiers(rows: Sequence[EvalRow], order: Sequence[str]) -> list[TierStat]:
    total = len(rows)
    all_pos = sum(1 for r in rows if r.positive)
    out = []
    for tier in order:
        inside = [r for r in rows if r.tier == tier]
        if not inside and tier == "disqualified":
            continue
        pos = sum(1 for r in inside if r.positive)
        out.append(
            TierStat(
                tier,
                len(inside),
                pos,
                pos / len(inside) if inside else 0.0,
                pos / all_pos if all_pos else 0.0,
                len(inside) / total if total else 0.0,
            )
        )
    return out


def _miscalibrated(tiers: Sequence[TierStat]) -> list[str]:
    """Tiers (model order, lowest first; disqualified left out) that convert
    worse than the populated tier below them."""
    ranked = [t for t in tiers if t.tier != "disqualified" and t.contacts]
    return [b.tier for a, b in itertools.pairwise(ranked) if b.conversion < a.conversion]


def evaluate(model: str, rows: Sequence[EvalRow], tier_order: Sequence[str]) -> ModelEvaluation:
    """Every metric of one model; ``tier_order`` lowest tier first (the
    model's ``tier_names``)."""
    positives = sum(1 for r in rows if r.positive)
    mqls = [r for r in rows if r.mql]
    mql_pos = sum(1 for r in mqls if r.positive)
    tiers = _tiers(rows, tier_order)
    return ModelEvaluation(
        model=model,
        contacts=len(rows),
        positives=positives,
        roc_auc=roc_auc([r.exact for r in rows], [r.positive for r in rows]),
        deciles=deciles(rows),
        tiers=tiers,
        miscalibrated=_miscalibrated(tiers),
        mql_contacts=len(mqls),
        mql_precision=mql_pos / len(mqls) if mqls else None,
        mql_recall=mql_pos / positives if positives else None,
    )
