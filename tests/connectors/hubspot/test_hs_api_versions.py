"""``api_version``: one path table per version, legacy paths with their sunsets in
``check``, endpoints HubSpot stopped serving skipped, validation-rule rejections."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.base import ContactUpdate, FatalError
from connectors.hubspot import paths
from syncd.sandbox.generator import generate
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.hubspot.versions import ValidationRule, is_legacy
from tests.kit.clock import ManualClock
from tests.kit.hubspot import Serve, connect

PACKAGE = Path(paths.__file__).parent
#: 2027-10-01: past every legacy sunset.
AFTER_SUNSET = datetime(2027, 10, 1, tzinfo=UTC).timestamp()
NO_DATED = {"email.events", "email.campaign", "forms.list", "forms.submissions"}


def _app(clock: ManualClock, contacts: int = 60) -> HubSpotSandbox:
    dataset = generate(5, contacts, datetime.fromtimestamp(clock() - 3600, tz=UTC))
    return HubSpotSandbox(dataset, clock=clock, rate_limits=False)


def _templates(app: HubSpotSandbox) -> set[str]:
    return {r.template for r in app.log.requests()}


def test_no_path_is_spelt_outside_the_table() -> None:
    literal = re.compile(r"[\"'f]/(crm|email|events|marketing|form-integrations|oauth)/")
    offenders = [
        f.name
        for f in PACKAGE.glob("*.py")
        if f.name != "paths.py" and literal.search(f.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_each_version_has_every_endpoint_and_legacy_only_where_no_dated_exists() -> None:
    dated, legacy = paths.table("2026-09"), paths.table("legacy")
    assert set(dated) == set(legacy)
    assert all(e.legacy for e in legacy.values())
    assert {k for k, e in dated.items() if e.legacy} == NO_DATED
    assert all("2026-09" in e.template for k, e in dated.items() if k not in NO_DATED)
    assert dated["objects.search"].path(object_type="contacts") == (
        "/crm/objects/2026-09/contacts/search"
    )


def test_legacy_version_calls_only_legacy_paths_and_reads_the_same(
    serve: Serve, clock: ManualClock
) -> None:
    app = _app(clock)
    url = serve(app).url
    counts = {}
    for version in ("legacy", "2026-09"):
        app.log.reset()
        conn = connect(url, clock, api_version=version)
        pages = list(conn.changes(None, clock.utc()))
        counts[version] = (
            sum(len(p.contacts) for p in pages),
            sum(len(p.activities) for p in pages),
        )
        called = _templates(app)
        if version == "legacy":
            assert called and all(is_legacy(t) for t in called), called
        else:
            legacy = {t for t in called if is_legacy(t)}
            allowed = {paths.table("2026-09")[k].template for k in NO_DATED}
            assert legacy <= allowed
        conn.close()
    assert counts["legacy"] == counts["2026-09"] and counts["legacy"][0] == 60


def test_check_lists_each_api_with_its_version_and_warns_near_a_sunset(
    serve: Serve, clock: ManualClock
) -> None:
    app = _app(clock, 5)
    url = serve(app).url
    items = {c.name: c for c in connect(url, clock).check()}
    assert items["API CRM objects"].ok and "2026-09" in items["API CRM objects"].detail
    events = items["API marketing e-mail events"]
    assert events.ok and not events.warning and "sunset 2027-09-01" in events.detail
    assert "API OAuth tokens" not in items  # not the auth mode here
    legacy = {c.name: c for c in connect(url, clock, api_version="legacy").check()}
    assoc = legacy["API associations"]  # v4: sunset 2027-03-30, 74 days after T0
    assert assoc.ok and assoc.warning and "2027-03-30" in assoc.detail
    assert "api_version: 2026-09" in assoc.fix
    clock.now = datetime(2027, 7, 1, tzinfo=UTC).timestamp()
    near = {c.name: c for c in connect(url, clock).check()}["API forms"]
    assert near.ok and near.warning and "no dated equivalent" in near.fix
    clock.now = AFTER_SUNSET
    past = {c.name: c for c in connect(url, clock).check()}["API form submissions"]
    assert past.ok and past.warning and "past its sunset" in past.detail  # cycles skip it
    gone = {c.name: c for c in connect(url, clock, api_version="legacy").check()}
    assert not gone["API CRM objects"].ok and "api_version: 2026-09" in gone["API CRM objects"].fix


def test_an_endpoint_answering_410_is_skipped_and_not_called_again(
    serve: Serve, clock: ManualClock
) -> None:
    app = _app(clock)
    app.sunsets.mark()
    conn = connect(serve(app).url, clock)
    pages = list(conn.changes(None, clock.utc()))
    assert sum(len(p.contacts) for p in pages) == 60
    gone = [r.template for r in app.log.requests() if r.status == 410]
    assert sorted(gone) == sorted({*gone})  # each at most once
    assert "/email/public/v1/events" in " ".join(gone)
    again = len(app.log.requests())
    list(conn.changes(None, clock.utc()))
    assert not [r for r in app.log.requests()[again:] if r.status == 410]


def test_past_the_sunset_nothing_legacy_is_called(serve: Serve) -> None:
    clock = ManualClock(AFTER_SUNSET)
    app = _app(clock)
    conn = connect(serve(app).url, clock)
    pages = list(conn.changes(None, clock.utc()))
    assert sum(len(p.contacts) for p in pages) == 60
    conn.write(
        [
            ContactUpdate(
                id=c.id,
                kind="contact",
                score=1,
                tier="nurture",
                reasons="",
                priority=False,
                scored_at=clock.utc(),
                mql_at=None,
            )
            for p in pages[:1]
            for c in p.contacts[:3]
        ]
    )
    assert not [t for t in _templates(app) if is_legacy(t)]


def test_legacy_version_past_its_sunset_is_fatal_and_names_the_fix(serve: Serve) -> None:
    clock = ManualClock(AFTER_SUNSET)
    conn = connect(serve(_app(clock, 3)).url, clock, api_version="legacy")
    with pytest.raises(FatalError, match="set api_version: 2026-09"):
        list(conn.changes(None, clock.utc()))


def test_validation_rule_rejection_is_final_with_the_rules_message(
    serve: Serve, clock: ManualClock
) -> None:
    app = HubSpotSandbox(clock=clock, rate_limits=False)
    ids = [app.store.add("contacts", {"email": f"p{i}@acme.io"}) for i in range(5)]
    conn = connect(serve(app).url, clock)
    assert conn.ensure_fields(create=True).ok
    app.validation_rules.append(
        ValidationRule(
            "contacts", "syncd_score", lambda v: int(v) < 90, "Scores of 90 and above need approval"
        )
    )
    updates = [
        ContactUpdate(
            id=cid,
            kind="contact",
            score=95 if i == 2 else 10 + i,
            tier="nurture",
            reasons="",
            priority=False,
            scored_at=clock.utc(),
            mql_at=None,
        )
        for i, cid in enumerate(ids)
    ]
    outcomes = [o for batch in conn.write(updates) for o in batch]
    assert [o.status for o in outcomes] == ["ok", "ok", "rejected", "ok", "ok"]
    refused = outcomes[2]
    assert refused.final and "Scores of 90 and above need approval" in refused.reason
    assert all(not o.final for o in outcomes if o.status == "ok")
    records = [app.store.get("contacts", cid) for cid in ids]
    landed = [r.properties.get("syncd_score") if r else None for r in records]
    assert landed[:2] == ["10", "11"] and landed[3:] == ["13", "14"]
    assert not landed[2]


def test_website_is_the_domain_when_domain_is_empty(serve: Serve, clock: ManualClock) -> None:
    app = HubSpotSandbox(clock=clock, rate_limits=False)
    only_site = app.store.add("companies", {"name": "Acme", "website": "https://www.Acme.io/x"})
    conn = connect(serve(app).url, clock)
    accounts = [a for p in conn.changes(None, clock.utc()) for a in p.accounts]
    assert [a.data.get("domain") for a in accounts if a.id == only_site] == ["acme.io"]
