"""The stream driver: a pull as ordered stages of pages, each page carrying the
versioned opaque cursor to store once it is committed, and the budget guard asked
between pages.

A connector describes its pull as a list of ``Stage`` functions: given the position to
resume from (``None``: the stage's start), a stage yields ``(page, position)`` pairs,
``position`` being where the next page of the stage starts. The driver stamps every
page with ``{"v": version, **cursor_of(stage_index, position)}`` and, once the stages
are done, yields a last page holding only the final cursor (when there is one).

After each page the driver asks the budget meter; when it says stop, the driver raises
``BudgetExhausted`` as the engine asks for the next page (the page yielded last, with
its cursor, stands: the next cycle resumes right after it).

``open_cursor`` reads a stored cursor back: one this connector wrote (its version), or
a ``FatalError`` telling the operator to run a full resync, never a ``KeyError`` later.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from connectors.base import JSON, BudgetExhausted, FatalError, Page
from connectors.kit.budget import Guard

__all__ = ["Stage", "drive", "open_cursor", "spent"]

Stage = Callable[[Any], Iterator[tuple[Page, Any]]]


def open_cursor(cursor: JSON | None, version: int, crm: str) -> JSON | None:
    """The stored cursor's body (without ``v``), None for no cursor; ``FatalError``
    for a cursor of another version or shape."""
    if cursor is None:
        return None
    if not isinstance(cursor, dict) or cursor.get("v") != version:
        found = cursor.get("v") if isinstance(cursor, dict) else None
        raise FatalError(
            f"the stored {crm} cursor is unreadable (unknown version {found!r}); "
            "run a full resync to start over"
        )
    return {k: v for k, v in cursor.items() if k != "v"}


def unreadable(crm: str, problem: str) -> FatalError:
    """The error for a stored cursor whose body this connector cannot read."""
    return FatalError(
        f"the stored {crm} cursor is unreadable ({problem}); run a full resync to start over"
    )


def spent() -> BudgetExhausted:
    """The error a pull raises once the budget guard says stop."""
    return BudgetExhausted(
        "budget guard: the API allowance share is spent; the pull resumes "
        "from the last committed page next cycle"
    )


def drive(
    stages: Sequence[Stage],
    *,
    version: int,
    cursor_of: Callable[[int, Any], JSON],
    meter: Guard,
    start_stage: int = 0,
    start_position: Any = None,
    final: JSON | None = None,
) -> Iterator[Page]:
    """The pages of ``stages`` from ``start_stage`` (at ``start_position``) on."""
    for index in range(start_stage, len(stages)):
        position = start_position if index == start_stage else None
        for page, resume in stages[index](position):
            cursor = {"v": version, **cursor_of(index, resume)}
            yield dataclasses.replace(page, cursor=cursor)
            if meter.stop:
                raise spent()
    if final is not None:
        yield Page(cursor={"v": version, **final})
