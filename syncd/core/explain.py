"""One-line explanations for CRM text fields.

Contract: ``summary(result)`` lists the result's reasons in order
("title.exec +20; pricing_page +15 (x2); inactivity -10"), skipping reasons
worth 0 points, and never exceeds ``limit`` (255) characters: when it would,
the tail is replaced by "…+N more". A disqualified result reads
"disqualified: <rule>". A result routed among several models
(``ScoreResult.routed``) starts with "model: <ref>; ".
"""

from __future__ import annotations

from .reasons_text import MAX_REASONS, ReasonItem, format_reasons
from .types import Reason, ScoreResult, format_points

__all__ = ["MAX_SUMMARY", "reason_text", "summary"]

MAX_SUMMARY = MAX_REASONS


def _item(r: Reason) -> ReasonItem:
    return ReasonItem(r.rule, format_points(r.points), r.count)


def reason_text(r: Reason) -> str:
    return _item(r).text()


def summary(result: ScoreResult, limit: int = MAX_SUMMARY) -> str:
    """See module docstring; the text's format (and its parser) is
    ``reasons_text.format_reasons``."""
    model = result.model if result.routed else None
    if result.disqualified:
        return format_reasons(
            [ReasonItem(r.rule, 0) for r in result.reasons],
            disqualified=True,
            limit=limit,
            model=model,
        )
    return format_reasons(
        [i for i in map(_item, result.reasons) if i.points != 0], limit=limit, model=model
    )
