"""One-line explanations for CRM text fields.

Contract: ``summary(result)`` lists the result's reasons in order
("title.exec +20; pricing_page +15 (x2); inactivity -10"), skipping reasons
worth 0 points, and never exceeds ``limit`` (255) characters: when it would,
the tail is replaced by "…+N more". A disqualified result reads
"disqualified: <rule>". A result routed among several models
(``ScoreResult.routed``) starts with "model: <ref>; ".
"""

from __future__ import annotations

from functools import lru_cache

from .reasons_text import (
    MAX_REASONS,
    MODEL_PREFIX,
    ReasonItem,
    format_reasons,
    join_items,
    rules_only,
)
from .types import Reason, ScoreResult, format_points, round_half_up

__all__ = ["MAX_SUMMARY", "reason_text", "summary", "summary_and_rules"]

MAX_SUMMARY = MAX_REASONS


def _item(r: Reason) -> ReasonItem:
    return ReasonItem(r.rule, format_points(r.points), r.count)


def reason_text(r: Reason) -> str:
    return _item(r).text()


def _tenths(points: float) -> int:
    """``points`` in tenths, rounded as ``format_points`` rounds (half up); 0:
    the reason shows as 0 and is skipped."""
    return round_half_up(points * 10)


@lru_cache(maxsize=8192)
def _shown(rule: str, tenths: int, count: int) -> tuple[str, str]:
    """One item's text, and that text without its points
    (``reasons_text.rules_only``): a population's reasons repeat, so most
    texts are looked up, not formatted."""
    points = tenths // 10 if tenths % 10 == 0 else tenths / 10  # format_points' value
    return ReasonItem(rule, points, count).text(), f"{rule} (x{count})" if count > 1 else rule


def _items(result: ScoreResult) -> list[tuple[str, str]]:
    """``_shown`` of each reason that does not show as 0 points, in order."""
    return [_shown(r.rule, t, r.count) for r in result.reasons if (t := _tenths(r.points))]


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
    parts = [text for text, _rules in _items(result)]
    if model is not None:
        head = f"{MODEL_PREFIX}{model}; "
        return head + join_items(parts, max(1, limit - len(head)))
    return join_items(parts, limit)


def summary_and_rules(result: ScoreResult, limit: int = MAX_SUMMARY) -> tuple[str, str]:
    """``summary(result, limit)`` and its ``rules_only`` text (what
    ``same_rules`` compares), the latter built from the result's reasons
    without parsing the text when no item is cut."""
    if result.disqualified or result.routed:
        text = summary(result, limit)
        return text, rules_only(text)
    items = _items(result)
    whole = "; ".join([t for t, _rules in items])
    if items and len(whole) <= limit:  # what join_items gives when nothing is cut
        return whole, "; ".join([rules for _t, rules in items])
    text = join_items([t for t, _rules in items], limit)
    return text, rules_only(text)
