"""Fewer passes of Python's cyclic garbage collector while a cycle runs.

A cycle allocates many short-lived container objects (contacts, their
activities and look-up tables, score results, rows): with the default gen-0
threshold (700 allocations) the collector runs thousands of times per cycle
and finds almost nothing, since these objects are freed by reference counting.
It cost about a fifth of a rescore-only cycle's CPU time (``bench/bench_rescore.py``).
Inside ``fewer_gc_passes()`` the gen-0 threshold is raised to ``GEN0_THRESHOLD``:
the collector still runs (cyclic garbage stays bounded), a hundred times less
often. Threshold changes are process-wide, so nested and concurrent cycles
share one raise, undone when the last of them ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["GEN0_THRESHOLD", "fewer_gc_passes"]

GEN0_THRESHOLD = 70_000

_lock = threading.Lock()
_active = 0
_saved: tuple[int, int, int] = gc.get_threshold()


@contextmanager
def fewer_gc_passes() -> Iterator[None]:
    """Raise the collector's gen-0 threshold for the duration of the block
    (never lowers it: a larger threshold set by the process stays)."""
    global _active, _saved
    with _lock:
        if _active == 0:
            _saved = gc.get_threshold()
            gen0, gen1, gen2 = _saved
            gc.set_threshold(max(gen0, GEN0_THRESHOLD), gen1, gen2)
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0:
                gc.set_threshold(*_saved)
