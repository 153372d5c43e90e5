"""Where a HubSpot pull stands: its stages, a full pull's lanes, and the stored cursor
read back (``{"since": ms, "cycle": {...}, "views_lo": ms, "plan": {...}}``; the cycle
names the window and, for an incremental pull, its ``stage`` and ``pos``, for a full
pull each lane's ``[stage, pos]``)."""

from __future__ import annotations

from typing import Any

from connectors.base import JSON
from connectors.kit.lanes import Position
from connectors.kit.stream import open_cursor, unreadable

__all__ = [
    "CURSOR_VERSION",
    "ENGAGEMENT_PROPERTIES",
    "LANES",
    "SEARCHED",
    "STAGES",
    "check_cursor",
    "lanes_of",
]

ENGAGEMENT_PROPERTIES: dict[str, tuple[str, ...]] = {
    "calls": ("hs_timestamp", "hs_call_title"),
    "emails": ("hs_timestamp", "hs_email_direction", "hs_email_subject"),
    "meetings": ("hs_timestamp", "hs_meeting_title"),
    "notes": ("hs_timestamp", "hs_note_body"),
}
STAGES = (
    "companies",
    "contacts",
    *ENGAGEMENT_PROPERTIES,
    "email_events",
    "forms",
    "archived_contacts",
    "archived_companies",
    "deals",
    "page_views",
)
CURSOR_VERSION = 1
#: Stages a full pull searches too (a position is a record id): engagements and deals.
SEARCHED = (*ENGAGEMENT_PROPERTIES, "deals")
#: A full pull's lanes, read at once (``connectors.kit.lanes``): the stages bound by the
#: burst limit (list endpoints, marketing APIs), and the searched ones (5 a second).
LANES = (tuple(name for name in STAGES if name not in SEARCHED), SEARCHED)


def lanes_of(stage: int, pos: Any) -> list[Position]:
    """A full pull's lane positions from a position of a release that read its stages
    one after another: each lane from its first stage not yet done; a position kept
    only for a listed stage (a searched stage was listed then: its token is no id)."""
    out: list[Position] = []
    for lane in LANES:
        later = [j for j, name in enumerate(lane) if STAGES.index(name) >= stage]
        first = later[0] if later else len(lane)
        same = first < len(lane) and lane[first] == STAGES[stage] and lane[first] not in SEARCHED
        out.append((first, pos if same else None))
    return out


def check_cursor(cursor: JSON | None) -> JSON | None:
    """A stored cursor this connector wrote, or a clear error (never a KeyError later)."""
    body = open_cursor(cursor, CURSOR_VERSION, "HubSpot")
    if body is None:
        return None
    problem = None
    since = body.get("since")
    cycle = body.get("cycle")
    if since is not None and not isinstance(since, int):
        problem = f"since: {since!r} is not epoch milliseconds"
    elif cycle is not None and not (
        isinstance(cycle, dict)
        and isinstance(cycle.get("hi"), int)
        and isinstance(cycle.get("lo", 0), int)
        and (_lanes_ok(cycle["lanes"]) if "lanes" in cycle else _stage_ok(cycle.get("stage")))
    ):
        problem = "cycle: not a position this connector wrote"
    elif not isinstance(body.get("views_lo", 0), int):
        problem = f"views_lo: {body['views_lo']!r} is not epoch milliseconds"
    if problem:
        raise unreadable("HubSpot", problem)
    return body


def _stage_ok(stage: Any) -> bool:
    return isinstance(stage, int) and 0 <= stage < len(STAGES)


def _lanes_ok(lanes: Any) -> bool:
    return (
        isinstance(lanes, list)
        and len(lanes) == len(LANES)
        and all(
            isinstance(at, list)
            and len(at) == 2
            and isinstance(at[0], int)
            and 0 <= at[0] <= len(lane)
            for at, lane in zip(lanes, LANES, strict=True)
        )
    )
