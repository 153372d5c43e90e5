"""Pure parts of the HubSpot connector: mapping tables, activity typing, the usage meter,
the pacing buckets and the retry-wait rule."""

from __future__ import annotations

from connectors.hubspot import activity_mapping as acts
from connectors.hubspot.config import HubSpotFieldNames
from connectors.hubspot.mapping import industry_name, map_company, map_contact
from connectors.hubspot.pacing import TokenBucket
from connectors.hubspot.usage import UsageMeter
from connectors.hubspot.writes import chunks
from tests.kit.clock import ManualClock

FIELDS = HubSpotFieldNames()


def test_industry_codes_map_to_the_models_names_and_config_extends_them() -> None:
    assert industry_name("COMPUTER_SOFTWARE", {}) == "Technology"
    assert industry_name("HOSPITAL_HEALTH_CARE", {}) == "Healthcare"
    assert industry_name("WINE_AND_SPIRITS", {}) == "Wine And Spirits"
    assert industry_name("WINE_AND_SPIRITS", {"WINE_AND_SPIRITS": "Retail"}) == "Retail"
    company = map_company(
        "7",
        {"name": "Acme", "domain": "https://www.Acme.io/about", "industry": "INTERNET",
         "numberofemployees": "120", "hs_is_target_account": "true"},
        {},
        FIELDS,
    ).record
    assert company.data == {
        "id": "7",
        "name": "Acme",
        "domain": "acme.io",
        "properties": {"industry": "Technology", "employees": 120, "priority": True},
    }


def test_contact_mapping_reads_syncd_values_and_field_map() -> None:
    props = {
        "email": "Ana@Acme.io",
        "jobtitle": "VP Sales",
        "job_function": "Sales",
        "associatedcompanyid": "12",
        "createdate": "2026-11-20T10:00:00.000Z",
        FIELDS.score: "67",
        FIELDS.tier: "mql",
        FIELDS.priority: "false",
    }
    mapped = map_contact("3", props, {"title": "jobtitle", "department": "job_function"}, FIELDS)
    record = mapped.record
    assert not mapped.warnings
    assert record.data["email"] == "ana@acme.io" and record.account_id == "12"
    assert record.data["properties"] == {"title": "VP Sales", "department": "Sales"}
    assert record.data["created_at"] == "2026-11-20T10:00:00Z"
    assert (record.crm_values.score, record.crm_values.tier) == (67, "mql")
    assert record.crm_values.priority is False


def test_negative_syncd_scores_read_back_as_written() -> None:
    """Scores have no floor: a negative score written by syncd must read back equal,
    or every cycle would see drift and rewrite it."""
    props = {FIELDS.score: "-10", FIELDS.tier: "unqualified", FIELDS.priority: "false"}
    record = map_contact("4", props, {}, FIELDS).record
    assert record.crm_values is not None and record.crm_values.score == -10
    company = map_company("8", {"name": "Acme", FIELDS.account_score: "-3"}, {}, FIELDS)
    assert company.record.crm_score == -3


def test_activity_typing_defaults() -> None:
    filtered = {"id": "e1", "type": "OPEN", "created": 1_790_000_000_000, "filteredEvent": True}
    assert acts.email_event(filtered, "Nov", include_filtered=False) is None
    assert acts.email_event(filtered, "Nov", include_filtered=True) is not None
    delivered = {"id": "e2", "type": "DELIVERED", "created": 1_790_000_000_000}
    assert acts.email_event(delivered, None, include_filtered=True) is None
    submission = {"conversionId": "c1", "submittedAt": 1_790_000_000_000, "values": []}
    demo = acts.form_submission("Book a DEMO", submission, "demo")
    other = acts.form_submission("Contact us", submission, "demo")
    assert demo is not None and demo.data["type"] == "demo_request"
    assert other is not None and other.data["type"] == "form_submit"
    note = acts.engagement("notes", "9", {"hs_timestamp": "1790000000000",
                                          "hs_note_body": "product_usage: metric=logins; value=12"})
    assert note is not None and note.data == {
        "type": "product_usage", "at": "2026-09-21T14:13:20Z", "metric": "logins", "value": 12
    }
    outgoing = {"hs_timestamp": "1790000000000", "hs_email_direction": "EMAIL"}
    assert acts.engagement("emails", "5", outgoing) is None


def test_usage_meter_uses_headers_when_sent_and_its_own_count_otherwise() -> None:
    meter = UsageMeter(daily_limit=1000, share=0.5)
    for _ in range(10):
        meter.count("search")  # search and OAuth answers carry no daily headers
    usage = meter.snapshot()
    assert (usage.budget_remaining, usage.calls_left, usage.stop) == (990, 490, False)
    meter.headers(
        {"X-HubSpot-RateLimit-Daily": "1000", "X-HubSpot-RateLimit-Daily-Remaining": "600"}
    )
    meter.count("read")
    usage = meter.snapshot()
    assert (usage.budget_remaining, usage.calls_left, usage.stop) == (599, 99, False)
    meter.headers(
        {"x-hubspot-ratelimit-daily": "1000", "x-hubspot-ratelimit-daily-remaining": "500"}
    )
    assert meter.snapshot().stop is True


def test_token_bucket_paces_on_the_injected_clock() -> None:
    clock = ManualClock()
    bucket = TokenBucket(10, 1.0, clock=clock, sleep=clock.sleep)
    for _ in range(25):
        bucket.acquire()
    assert 1.4 < sum(clock.sleeps) < 1.6  # 10 at once, then 10 per second


def test_token_bucket_keeps_a_reserve_of_the_burst_but_refills_at_the_full_rate() -> None:
    """A client bucket exactly as deep as HubSpot's runs a fraction of a token ahead of
    it when requests arrive unevenly late; the reserve absorbs that."""
    now = [1_800_000_000.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    bucket = TokenBucket(10, 1.0, clock=lambda: now[0], sleep=sleep, reserve=2)
    for _ in range(8):
        bucket.acquire()
    assert waits == []  # 8 at once: the burst less the reserve
    for _ in range(10):
        bucket.acquire()
    assert 0.99 < sum(waits) < 1.01  # then 10 per second, HubSpot's rate


def test_chunks_respect_the_batch_limit_and_never_repeat_an_id() -> None:
    items: list[tuple[str, dict[str, str]]] = [(str(i), {}) for i in range(250)]
    assert [len(b) for b in chunks(items)] == [100, 100, 50]
    twice = [("1", {}), ("2", {}), ("1", {"x": "later"})]
    assert [[i for i, _ in b] for b in chunks(twice)] == [["1", "2"], ["1"]]
