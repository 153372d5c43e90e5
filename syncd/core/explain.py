"""One-line explanations for CRM text fields.

Contract: ``summary(result)`` lists the result's reasons in order
("title.exec +20; pricing_page +15 (x2); inactivity -10"), skipping reasons
worth 0 points, and never exceeds ``limit`` (255) characters: when it would,
the tail is replaced by "…+N more". A disqualified result reads
"disqualified: <rule>".
"""

from __future__ import annotations

from .types import Reason, ScoreResult, format_points

__all__ = ["MAX_SUMMARY", "reason_text", "summary"]

MAX_SUMMARY = 255


def reason_text(r: Reason) -> str:
    p = format_points(r.points)
    sign = "+" if p >= 0 else ""
    times = f" (x{r.count})" if r.count > 1 else ""
    return f"{r.rule} {sign}{p}{times}"


def summary(result: ScoreResult, limit: int = MAX_SUMMARY) -> str:
    """See module docstring."""
    if result.disqualified:
        rules = ", ".join(r.rule for r in result.reasons) or "?"
        text = f"disqualified: {rules}"
        return text if len(text) <= limit else text[: limit - 1] + "…"
    parts = [reason_text(r) for r in result.reasons if format_points(r.points) != 0]
    if not parts:
        return "no rules fired"
    out = "; ".join(parts)
    if len(out) <= limit:
        return out
    for keep in range(len(parts) - 1, -1, -1):
        tail = f"…+{len(parts) - keep} more"
        head = "; ".join(parts[:keep])
        text = f"{head}; {tail}" if head else tail
        if len(text) <= limit:
            return text
    return f"…+{len(parts)} more"[:limit]
