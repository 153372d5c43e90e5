"""Pure parts of the HubSpot connector: mapping tables and activity typing (the meter,
pacing and batching it uses are the kit's: tests/connectors/kit)."""

from __future__ import annotations

from connectors.hubspot import activity_mapping as acts
from connectors.hubspot.config import HubSpotFieldNames
from connectors.hubspot.mapping import industry_name, map_company, map_contact

FIELDS = HubSpotFieldNames()


def test_industry_codes_map_to_the_models_names_and_config_extends_them() -> None:
    assert industry_name("COMPUTER_SOFTWARE", {}) == "Technology"
    assert industry_name("HOSPITAL_HEALTH_CARE", {}) == "Healthcare"
    assert industry_name("WINE_AND_SPIRITS", {}) == "Wine And Spirits"
    assert industry_name("WINE_AND_SPIRITS", {"WINE_AND_SPIRITS": "Retail"}) == "Retail"
    company = map_company(
        "7",
        {
            "name": "Acme",
            "domain": "https://www.Acme.io/about",
            "industry": "INTERNET",
            "numberofemployees": "120",
            "hs_is_target_account": "true",
        },
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
    note = acts.engagement(
        "notes",
        "9",
        {"hs_timestamp": "1790000000000", "hs_note_body": "product_usage: metric=logins; value=12"},
    )
    assert note is not None and note.data == {
        "type": "product_usage",
        "at": "2026-09-21T14:13:20Z",
        "metric": "logins",
        "value": 12,
    }
    outgoing = {"hs_timestamp": "1790000000000", "hs_email_direction": "EMAIL"}
    assert acts.engagement("emails", "5", outgoing) is None


def test_seen_since_follows_time_last_seen() -> None:
    at = 1_780_000_000_000
    seen = {"hs_analytics_last_timestamp": "2026-05-28T20:26:40.000Z"}  # == at
    assert acts.seen_since(seen, at) and not acts.seen_since(seen, at + 1)
    assert acts.seen_since({"hs_analytics_last_timestamp": str(at)}, at)  # epoch ms too
    for blank in ({}, {"hs_analytics_last_timestamp": None}, {"hs_analytics_last_timestamp": "x"}):
        assert not acts.seen_since(blank, 0)  # never seen on the site: no page view to read
