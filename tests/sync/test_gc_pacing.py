"""The collector's gen-0 threshold is raised inside a cycle and restored after."""

from __future__ import annotations

import gc

from syncd.sync.gc_pacing import GEN0_THRESHOLD, fewer_gc_passes


def test_raised_inside_nested_blocks_and_restored_after() -> None:
    before = gc.get_threshold()
    with fewer_gc_passes():
        assert gc.get_threshold()[0] == max(before[0], GEN0_THRESHOLD)
        with fewer_gc_passes():
            assert gc.get_threshold()[0] == max(before[0], GEN0_THRESHOLD)
        assert gc.get_threshold()[0] == max(before[0], GEN0_THRESHOLD)
    assert gc.get_threshold() == before


def test_restored_when_the_block_raises() -> None:
    before = gc.get_threshold()
    try:
        with fewer_gc_passes():
            raise RuntimeError("cycle failed")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before
