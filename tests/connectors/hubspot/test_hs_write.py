"""Write-back: syncd's properties, ⌈N/100⌉ batch calls, 207 ids, whole-batch 400 splitting."""

from __future__ import annotations

import dataclasses
import math
from datetime import UTC, datetime

from connectors.base import AccountUpdate, Connector, ContactUpdate, WrittenValues
from syncd.sandbox.hubspot import HubSpotSandbox
from tests.kit.clock import ManualClock
from tests.kit.hubspot import T0, Serve, connect
from tests.kit.writes import written

UPDATE = "POST /crm/objects/2026-09/{object_type}/batch/update"
TIERS = ("unqualified", "nurture", "mql", "hot")


def _portal(clock: ManualClock, contacts: int) -> HubSpotSandbox:
    app = HubSpotSandbox(clock=clock, rate_limits=False)
    old = int(T0 * 1000) - 86_400_000
    for i in range(contacts):
        app.store.add("contacts", {"email": f"p{i}@acme.io"}, created_ms=old + i)
    return app


def _update(cid: str, score: int) -> ContactUpdate:
    moment = datetime.fromtimestamp(T0, tz=UTC)
    return ContactUpdate(
        id=cid,
        kind="contact",
        score=score,
        tier=TIERS[score % 4],
        reasons=f"title.exec +{score}",
        priority=score % 2 == 0,
        scored_at=moment,
        mql_at=moment if score % 4 >= 2 else None,
    )


def _ready(serve: Serve, clock: ManualClock, contacts: int) -> tuple[HubSpotSandbox, Connector]:
    app = _portal(clock, contacts)
    conn = connect(serve(app).url, clock)
    assert conn.ensure_fields(create=True).ok
    app.log.reset()
    return app, conn


def test_fields_are_created_once_in_their_group(serve: Serve, clock: ManualClock) -> None:
    app = _portal(clock, 1)
    conn = connect(serve(app).url, clock)
    before = conn.ensure_fields(create=False)
    assert not before.ok and len(before.missing) == 8 and before.advice
    checked = [c for c in conn.check() if not c.name.startswith("API ")]
    assert all(c.ok for c in checked)  # the next cycle creates them by itself
    assert [c.name for c in checked[:3]] == ["credentials", "read companies", "fields"]
    later = [c for c in checked if c.name.startswith("field ")]
    assert len(later) == 8 and {c.detail for c in later} == {
        "will be created by the next cycle (or `syncd setup`)"
    }
    assert "field contacts.syncd_score (number)" in {c.name for c in later}
    first = conn.ensure_fields(create=True)
    assert len(first.created) == 8 and first.ok
    again = conn.ensure_fields(create=True)
    assert len(again.present) == 8 and not again.created
    assert app.log.count("POST /crm/properties/2026-09/{object_type}/groups") == 2  # once per type
    tier = app.store.properties["contacts"]["syncd_tier"]
    assert tier.type == "enumeration" and tier.group_name == "syncd"
    assert all(c.ok for c in conn.check())


def test_n_updates_take_ceil_n_over_100_calls_and_none_on_repeat(
    serve: Serve, clock: ManualClock
) -> None:
    app, conn = _ready(serve, clock, 250)
    ids = [r.id for r in app.store.live("contacts")]
    updates = [_update(cid, 40 + i % 50) for i, cid in enumerate(ids)]
    outcomes = written(conn, updates)
    assert [o.id for o in outcomes] == ids and {o.status for o in outcomes} == {"ok"}
    print(f"\n{len(updates)} updates: {app.log.count(UPDATE)} batch calls")
    assert app.log.count(UPDATE) == math.ceil(len(updates) / 100) == 3
    stored = app.store.records["contacts"][ids[7]].properties
    assert stored["syncd_score"] == "47" and stored["syncd_tier"] == "hot"
    assert stored["syncd_priority"] == "false" and stored["syncd_scored_at"].startswith("2027-01")
    # our writes bump lastmodifieddate: the next pull re-reads them, with the written values
    clock.advance(600)
    pages = list(conn.changes(None, clock.utc()))
    read_back = {c.id: c.crm_values for p in pages for c in p.contacts}
    again = [
        u
        for u in updates
        if read_back[u.id] != WrittenValues(u.score, u.tier, u.reasons, u.priority)
    ]
    app.log.reset()
    assert again == [] and written(conn, again) == []
    assert app.log.count() == 0


def test_207_failures_come_back_with_their_ids(serve: Serve, clock: ManualClock) -> None:
    app, conn = _ready(serve, clock, 5)
    ids = [r.id for r in app.store.live("contacts")]
    bad_tier = dataclasses.replace(_update(ids[1], 3), tier="legendary")
    updates = [_update(ids[0], 1), bad_tier, _update("999999", 2), _update(ids[2], 3)]
    outcomes = written(conn, updates)
    assert [(o.id, o.status) for o in outcomes] == [
        (ids[0], "ok"),
        (ids[1], "rejected"),
        ("999999", "rejected"),
        (ids[2], "ok"),
    ]
    assert "legendary" in outcomes[1].reason and "OBJECT_NOT_FOUND" in outcomes[2].reason
    assert app.log.count(UPDATE) == 1


def test_whole_batch_400_is_split_until_the_bad_input_is_isolated(
    serve: Serve, clock: ManualClock
) -> None:
    app, conn = _ready(serve, clock, 100)
    app.invalid_mode = "whole_batch"
    ids = [r.id for r in app.store.live("contacts")]
    updates = [_update(cid, i) for i, cid in enumerate(ids)]
    updates[37] = dataclasses.replace(updates[37], tier="legendary")
    outcomes = written(conn, updates)
    assert [o.status for o in outcomes].count("ok") == 99
    assert outcomes[37].status == "rejected" and "legendary" in outcomes[37].reason
    stored = [cid for cid in ids if "syncd_score" in app.store.records["contacts"][cid].properties]
    assert len(stored) == 99 and ids[37] not in stored
    calls = app.log.count(UPDATE)
    print(f"\nwhole-batch 400 isolated in {calls} calls")
    assert calls <= 1 + 2 * math.ceil(math.log2(100))


def test_account_scores_go_to_company_properties(serve: Serve, clock: ManualClock) -> None:
    app, conn = _ready(serve, clock, 1)
    company = app.store.add("companies", {"name": "Acme"})
    contact = app.store.live("contacts")[0].id
    outcomes = written(conn, [AccountUpdate(company, 88, "3 engaged"), _update(contact, 5)])
    assert [(o.id, o.status) for o in outcomes] == [(company, "ok"), (contact, "ok")]
    props = app.store.records["companies"][company].properties
    assert props["syncd_account_score"] == "88" and props["syncd_account_summary"] == "3 engaged"


B2C = ("nurture", "mql", "disqualified")
CUSTOM = ("cold", "warm", "sales_ready", "disqualified")


def test_tier_options_come_from_the_model_and_are_added_by_patch(
    serve: Serve, clock: ManualClock
) -> None:
    app = _portal(clock, 1)
    conn = connect(serve(app).url, clock)
    assert conn.ensure_fields(create=True, tiers=B2C).ok
    tier = app.store.properties["contacts"]["syncd_tier"]
    assert tier.options == B2C

    # another model: verifying names the lacking options, nothing is changed
    report = conn.ensure_fields(create=False, tiers=CUSTOM)
    assert not report.ok and [f.name for f in report.missing] == ["syncd_tier"]
    assert "lacks the options cold, warm, sales_ready" in report.advice[0]
    assert app.log.count("PATCH /crm/properties/2026-09/{object_type}/{name}") == 0

    # a write of a tier that is not an option is refused by the portal
    cid = app.store.live("contacts")[0].id
    custom = dataclasses.replace(_update(cid, 40), tier="warm")
    assert [o.status for o in written(conn, [custom])] == ["rejected"]

    added = conn.ensure_fields(create=True, tiers=CUSTOM)
    assert added.ok and [f.name for f in added.created] == ["syncd_tier"]
    assert app.log.count("PATCH /crm/properties/2026-09/{object_type}/{name}") == 1
    assert list(tier.options) == [*B2C, "cold", "warm", "sales_ready"]  # existing ones kept
    assert [o.status for o in written(conn, [custom])] == ["ok"]
    assert app.store.records["contacts"][cid].properties["syncd_tier"] == "warm"

    again = conn.ensure_fields(create=True, tiers=CUSTOM)
    assert again.ok and not again.created
    assert app.log.count("PATCH /crm/properties/2026-09/{object_type}/{name}") == 1


def test_fake_property_patch_is_as_strict_as_hubspot(serve: Serve, clock: ManualClock) -> None:
    import requests

    app = _portal(clock, 1)
    server = serve(app)
    conn = connect(server.url, clock)
    assert conn.ensure_fields(create=True).ok
    session = requests.Session()
    base = f"{server.url}/crm/v3/properties/contacts"
    headers = {"Authorization": "Bearer sandbox-token"}
    missing = session.patch(f"{base}/nope", json={"label": "x"}, headers=headers)
    assert missing.status_code == 404
    for name, body in (
        ("syncd_score", {"options": [{"label": "a", "value": "a"}]}),  # a number
        ("syncd_tier", {"options": [{"label": "a"}]}),  # no value
        ("syncd_tier", {"options": [{"label": "a", "value": "a"}] * 2}),  # duplicate
        ("email", {"label": "E-mail"}),  # HubSpot-defined
    ):
        answer = session.patch(f"{base}/{name}", json=body, headers=headers)
        assert answer.status_code == 400, (name, answer.text)
    ok = session.patch(f"{base}/syncd_tier", json={"label": "Tier"}, headers=headers)
    assert ok.status_code == 200 and ok.json()["label"] == "Tier"
    assert len(ok.json()["options"]) == 5  # options untouched when not given
