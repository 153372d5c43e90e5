"""What a long-lived HubSpot connector remembers follows merges: an address or an
event that still names a merged-away contact lands on the record it was merged into
(a daemon's connector keeps its e-mail map across cycles)."""

from __future__ import annotations

from connectors.hubspot.memory import Memory


def test_remembered_addresses_and_ids_follow_merges_and_chains() -> None:
    m = Memory(clock=lambda: 0.0)
    m.emails.update({"a@x.io": "1", "b@x.io": "2", "c@x.io": None})
    m.merge({"1": "10"})
    assert m.emails == {"a@x.io": "10", "b@x.io": "2", "c@x.io": None}
    m.merge({"10": "20", "2": "20"})  # the survivor merged again
    assert m.emails == {"a@x.io": "20", "b@x.io": "20", "c@x.io": None}
    assert (m.current("1"), m.current("10"), m.current("7")) == ("20", "20", "7")
    m.merge({})
    assert m.current("2") == "20"
