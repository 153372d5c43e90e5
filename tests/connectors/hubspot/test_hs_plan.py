"""The connector learns the portal's plan once (one probe), keeps it with its probe
time, probes again after a day (injected clock), and never fails a cycle for it:
Enterprise reads page views portal-wide, a portal refusing the portal-wide form is
read contact by contact, a lower plan gets the contacts' last page seen."""

from __future__ import annotations

from datetime import UTC, datetime

from connectors.base import Page
from connectors.hubspot.plan import NO_PAGE_VIEWS, REPROBE_S
from syncd.sandbox.generator import generate
from syncd.sandbox.hubspot import HubSpotSandbox
from tests.kit.clock import ManualClock
from tests.kit.hubspot import T0, Serve, connect

EVENTS = "GET /events/event-occurrences/2026-09"
OLD = int((T0 - 7200) * 1000)


def _portal(clock: ManualClock, plan: str = "enterprise") -> HubSpotSandbox:
    app = HubSpotSandbox(clock=clock, rate_limits=False, plan=plan)  # type: ignore[arg-type]
    for i in range(6):
        cid = app.store.add("contacts", {"email": f"p{i}@x.io"}, created_ms=OLD)
        for k in range(3):
            app.store.add_page_view(cid, OLD + 1000 * (i * 3 + k), f"https://v.io/{i}/{k}")
    return app


def _views(pages: list[Page]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for page in pages:
        for act in page.activities:
            if act.data["type"] == "page_view":
                out.setdefault(act.contact_id, set()).add(str(act.data["url"]))
    return out


def test_enterprise_reads_every_view_portal_wide_and_reprobes_after_a_day(
    serve: Serve, clock: ManualClock
) -> None:
    app = _portal(clock)
    conn = connect(serve(app).url, clock)
    pages = list(conn.changes(None, clock.utc()))
    assert sum(len(urls) for urls in _views(pages).values()) == 18
    assert app.log.count(EVENTS) == 2  # the probe, one portal-wide page
    assert pages[-1].cursor is not None and "notes" not in pages[-1].cursor
    app.log.reset()
    clock.advance(3600)
    first, second = sorted(app.store.records["contacts"])[:2]
    app.store.add_page_view(first, int(clock() * 1000) - 600_000, "https://v.io/new")
    later = list(conn.changes(pages[-1].cursor, clock.utc()))
    assert app.log.count(EVENTS) == 1  # the plan is remembered: no probe
    assert _views(later) == {first: {"https://v.io/new"}}
    app.plan = "professional"  # a downgrade: the read meets a 403, the cycle goes on
    clock.advance(3600)
    app.store.add_page_view(second, int(clock() * 1000) - 600_000, "https://v.io/newer")
    done = list(conn.changes(later[-1].cursor, clock.utc()))
    assert done[-1].cursor is not None and done[-1].cursor["notes"] == [NO_PAGE_VIEWS]
    app.plan = "enterprise"  # an upgrade shows after a day
    app.log.reset()
    clock.advance(REPROBE_S)
    again = list(conn.changes(done[-1].cursor, clock.utc()))
    assert app.log.count(EVENTS) == 2 and "notes" not in (again[-1].cursor or {})


def test_a_refused_portal_wide_form_reads_contact_by_contact(
    serve: Serve, clock: ManualClock
) -> None:
    app = _portal(clock)
    app.portal_wide_events = False
    conn = connect(serve(app).url, clock)
    pages = list(conn.changes(None, clock.utc()))
    assert sum(len(urls) for urls in _views(pages).values()) == 18
    assert app.log.count(EVENTS, status=400) == 1 and app.log.count(EVENTS, status=200) == 6


def test_below_enterprise_the_last_page_seen_stands_in(serve: Serve, clock: ManualClock) -> None:
    app = _portal(clock, plan="starter")
    conn = connect(serve(app).url, clock)
    pages = list(conn.changes(None, clock.utc()))
    views = _views(pages)
    assert len(views) == 6 and all(len(urls) == 1 for urls in views.values())
    assert {next(iter(u)).rsplit("/", 1)[-1] for u in views.values()} == {"2"}
    assert app.log.count(EVENTS) == 1 and app.log.count(EVENTS, status=403) == 1
    assert pages[-1].cursor is not None and pages[-1].cursor["notes"] == [NO_PAGE_VIEWS]
    # a restarted engine: the plan comes back with the cursor, no new probe
    app.log.reset()
    clock.advance(3600)
    restarted = connect(serve(app).url, clock)
    list(restarted.changes(pages[-1].cursor, clock.utc()))
    assert app.log.count(EVENTS) == 0


def test_a_cycle_without_visits_leaves_its_page_view_window_open(
    serve: Serve, clock: ManualClock
) -> None:
    app = _portal(clock)
    conn = connect(serve(app).url, clock)
    pages = list(conn.changes(None, clock.utc()))
    clock.advance(3600)
    # a view half an hour ago; its contact's modification date then moves past the
    # next window's end (an edit a moment before the cycle), so that cycle cannot see
    # the visit: it skips page views and keeps its window open
    cid = sorted(app.store.records["contacts"])[0]
    app.store.add_page_view(cid, int(clock() * 1000) - 1_800_000, "https://v.io/late")
    app.store.update("contacts", cid, {"firstname": "Late"})
    clock.advance(5)  # past the search lag
    app.log.reset()
    blind = list(conn.changes(pages[-1].cursor, clock.utc()))
    assert app.log.count(EVENTS) == 0 and not _views(blind)
    cursor = blind[-1].cursor
    assert cursor is not None and isinstance(cursor.get("views_lo"), int)
    clock.advance(3600)
    seen = list(conn.changes(cursor, clock.utc()))  # reads the contact, then the whole window
    assert _views(seen) == {cid: {"https://v.io/late"}}
    assert app.log.count(EVENTS) == 1 and "views_lo" not in (seen[-1].cursor or {})


def test_a_quiet_cycle_costs_ten_calls_and_polls_no_form(serve: Serve, clock: ManualClock) -> None:
    app = HubSpotSandbox(
        generate(3, 60, datetime.fromtimestamp(T0 - 7200, tz=UTC)), clock=clock, rate_limits=False
    )
    assert len(app.store.forms) > 5
    conn = connect(serve(app).url, clock)
    pages = list(conn.changes(None, clock.utc()))
    app.log.reset()
    clock.advance(3600)
    quiet = list(conn.changes(pages[-1].cursor, clock.utc()))
    assert not any(p.contacts or p.activities for p in quiet)
    # companies, contacts, 4 engagement searches, e-mail events, 2 archived lists, and
    # deals (outcomes); no page views: no contact was seen since the last window
    assert app.log.count() == 10
    assert sum(r.path.endswith("/deals/search") for r in app.log.requests()) == 1
    assert app.log.count(EVENTS) == 0
    assert app.log.count("GET /form-integrations/v1/submissions/forms/{form_id}") == 0


def test_an_incremental_polls_only_the_form_a_contact_converted_on(
    serve: Serve, clock: ManualClock
) -> None:
    app = HubSpotSandbox(clock=clock, rate_limits=False)
    contact = app.store.add("contacts", {"email": "p@x.io"}, created_ms=OLD)
    forms = [app.store.add_form(f"Form {i}") for i in range(5)]
    conn = connect(serve(app).url, clock)
    pages = list(conn.changes(None, clock.utc()))
    app.log.reset()
    clock.advance(3600)
    app.store.add_submission(forms[3], int(clock() * 1000) - 600_000, {"email": "p@x.io"})
    clock.advance(600)
    later = list(conn.changes(pages[-1].cursor, clock.utc()))
    got = [(a.contact_id, a.data["form"]) for p in later for a in p.activities]
    assert got == [(contact, "Form 3")]
    assert app.log.count("GET /form-integrations/v1/submissions/forms/{form_id}") == 1
    assert app.log.count("GET /marketing/v3/forms") == 0  # the list is remembered
