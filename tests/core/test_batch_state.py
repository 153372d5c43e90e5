"""score_batch leaves interpreter state alone (no gc toggling)."""

from __future__ import annotations

import gc

from syncd.core import score_batch
from tests.kit.scoring import AS_OF, act, contact, model


def test_score_batch_does_not_touch_the_garbage_collector() -> None:
    m = model("""
        rules:
          - id: opens
            activity: email_open
            points: 5
    """)
    cs = [contact(f"c{i}", activities=[act("email_open", 1)]) for i in range(3)]
    was = gc.isenabled()
    try:
        gc.enable()
        score_batch(m, cs, AS_OF)
        assert gc.isenabled()
        gc.disable()
        score_batch(m, cs, AS_OF)
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()
        else:
            gc.disable()
