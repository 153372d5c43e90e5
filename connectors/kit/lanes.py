"""Lanes: several sequences of stages read at once, for a pull whose stages are bound by
different rate limits (HubSpot: searches 5 a second, its other calls 190 per 10 s), so
the time one limit makes a lane wait is spent by the other lanes.

Each lane runs in its own thread, its stages in order (``Stage`` as in ``stream.py``);
the pages are handed out in the order they arrive. Every page's cursor is
``{"v": version, **cursor_of(positions)}``, where ``positions[i]`` is lane ``i``'s
``(stage, position)`` after its last page handed out so far (``(len(lane), None)``
once the lane is done), so a pull resumed from a committed page restarts each lane
right after its last page the engine took: pages read ahead and never taken are read
again. A lane reads at most one page ahead of the pages the engine has taken.

After each page the budget guard is asked, as ``drive`` does; a stop (the budget, an
error raised by any lane, the engine closing the pull) ends every lane before it hands
out another page, and the driver waits for their threads. The first lane error is
raised to the engine unchanged. A lane asks the guard too before it reads another
page, so a stopped budget is overrun by at most the page each lane was reading when the
guard said stop (one page in all when the stages are read one after another), and by
what the meter had not yet counted of the calls in flight at once.
"""

from __future__ import annotations

import dataclasses
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from connectors.base import JSON, Page
from connectors.kit.budget import Guard
from connectors.kit.stream import Stage, spent

__all__ = ["Position", "drive_lanes"]

#: A lane's stage index and the position inside that stage (None: its start).
Position = tuple[int, Any]

_DONE = object()
_SPENT = object()


def drive_lanes(
    lanes: Sequence[Sequence[Stage]],
    *,
    version: int,
    cursor_of: Callable[[list[Position]], JSON],
    meter: Guard,
    start: Sequence[Position],
    final: JSON | None = None,
) -> Iterator[Page]:
    """The pages of every lane from its ``start`` position on, then the final cursor."""
    arrived: queue.Queue[tuple[int, Any, Position | None]] = queue.Queue()
    stop = threading.Event()
    ahead = [threading.Semaphore(1) for _ in lanes]

    def run(i: int) -> None:
        first, at = start[i]
        try:
            for index in range(first, len(lanes[i])):
                pages = iter(lanes[i][index](at if index == first else None))
                while not meter.stop:  # no call for another page once the guard says stop
                    built = next(pages, None)
                    if built is None:
                        break
                    ahead[i].acquire()
                    if stop.is_set():
                        return
                    arrived.put((i, built[0], (index, built[1])))
                else:
                    arrived.put((i, _SPENT, None))
                    return
            arrived.put((i, _DONE, (len(lanes[i]), None)))
        except BaseException as exc:  # handed to the engine's thread, raised there
            arrived.put((i, exc, None))

    positions: list[Position] = [(int(s), p) for s, p in start]
    threads = [
        threading.Thread(target=run, args=(i,), name=f"pull-lane-{i}", daemon=True)
        for i in range(len(lanes))
    ]
    for thread in threads:
        thread.start()
    try:
        live = len(lanes)
        while live:
            i, item, where = arrived.get()
            if isinstance(item, BaseException):
                raise item
            if item is _SPENT or where is None:
                raise spent()
            positions[i] = where
            if item is _DONE:
                live -= 1
                continue
            yield dataclasses.replace(item, cursor={"v": version, **cursor_of(list(positions))})
            ahead[i].release()
            if meter.stop:
                raise spent()
    finally:
        stop.set()
        for slot in ahead:
            slot.release()
        for thread in threads:
            thread.join()
    if final is not None:
        yield Page(cursor={"v": version, **final})
