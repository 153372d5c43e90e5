"""One-line explanations for CRM text fields.

Contract: ``summary(result)`` lists the result's reasons in order
("title.exec +20; pricing_page +15 (x2); inactivity -10"), skipping reasons
worth 0 points, and never exceeds ``limit`` (255) characters: when it would,
the tail is replaced by "…+N more". A disqualified result reads
"disqualified: <rule>".
"""

from __future__ import annotations

from math import floor

from .reasons_text import MAX_REASONS, ReasonItem, format_reasons, join_items
from .types import Reason, ScoreResult, format_points

__all__ = ["MAX_SUMMARY", "reason_text", "summary"]

MAX_SUMMARY = MAX_REASONS


def _item(r: Reason) -> ReasonItem:
    return ReasonItem(r.rule, format_points(r.points), r.count)


def reason_text(r: Reason) -> str:
    return _item(r).text()


#: Shown items' texts by (rule, points in tenths, count): a population's
#: reasons repeat, so most texts are looked up, not formatted (bounded).
_SHOWN: dict[tuple[str, int, int], str] = {}
_SHOWN_MAX = 8192


def summary(result: ScoreResult, limit: int = MAX_SUMMARY) -> str:
    """See module docstring; the text's format (and its parser) is
    ``reasons_text.format_reasons``."""
    if result.disqualified:
        return format_reasons(
            [ReasonItem(r.rule, 0) for r in result.reasons], disqualified=True, limit=limit
        )
    parts = []
    for r in result.reasons:
        tenths = floor(r.points * 10 + 0.5)  # format_points' rounding (half up)
        if not tenths:  # shows as 0: skipped
            continue
        key = (r.rule, tenths, r.count)
        text = _SHOWN.get(key)
        if text is None:
            if len(_SHOWN) >= _SHOWN_MAX:
                _SHOWN.clear()
            text = _SHOWN[key] = reason_text(r)
        parts.append(text)
    return join_items(parts, limit)
