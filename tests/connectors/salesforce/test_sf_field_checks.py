"""A passed field check is kept between the connectors of one process (no describe
calls on later cycles) and forgotten when a query or write fails on a field."""

from __future__ import annotations

import pytest

from connectors.base import ContactUpdate, FatalError
from connectors.salesforce.field_checks import FieldChecks
from syncd.sandbox.generator import generate
from syncd.sandbox.salesforce import SalesforceSandbox
from tests.kit.clock import ManualClock
from tests.kit.salesforce_connector import Org, create_fields, make_org

DESCRIBE = "/describe"


def _describes(org: Org) -> int:
    return sum(1 for r in org.app.log.requests() if r.path.endswith(DESCRIBE))


def _revoke_read(org: Org, field: str) -> None:
    """The admin removes the API user's access to ``field`` ("Lead.Syncd_Score__c")."""
    store = org.app.store
    for record in list(store.records("FieldPermissions")):
        if str(record["Field"]).lower() == field.lower():
            store.delete("FieldPermissions", str(record["Id"]))


@pytest.fixture
def org(clock: ManualClock):  # type: ignore[no-untyped-def]
    app = SalesforceSandbox(generate(31, 40, clock.utc()), clock=clock, sleep=lambda s: None)
    with make_org(app, clock) as org:
        create_fields(org)
        clock.advance(5)
        yield org


def test_later_cycles_reuse_the_passed_check(org: Org) -> None:
    org.field_checks = FieldChecks()  # a new process
    org.app.log.reset()
    for _ in range(3):  # three cycles, a connector each, as the engine builds them
        conn = org.connector()
        report = conn.ensure_fields(create=False)
        assert report.ok and len(report.present) == 14 and not report.created
        list(conn.changes(None, org.clock.utc(), full=True))
        conn.close()
    assert _describes(org) == 3  # Lead, Contact, Account once, by the first cycle


def test_setup_always_describes_and_a_failed_check_is_not_kept(org: Org) -> None:
    org.app.log.reset()
    assert org.connector().ensure_fields(create=True).ok
    assert _describes(org) == 3
    _revoke_read(org, "Lead.Syncd_Score__c")
    org.field_checks = FieldChecks()
    org.app.log.reset()
    for _ in range(2):
        report = org.connector().ensure_fields(create=False)
        assert [(f.object, f.name) for f in report.missing] == [("Lead", "Syncd_Score__c")]
    assert _describes(org) == 6  # a failed check is described again every cycle


def test_a_field_gone_after_the_check_fails_the_read_then_is_reported(org: Org) -> None:
    _revoke_read(org, "Lead.Syncd_Score__c")
    conn = org.connector()
    assert conn.ensure_fields(create=False).ok  # kept from setup: no describe
    with pytest.raises(FatalError) as failed:
        list(conn.changes(None, org.clock.utc(), full=True))
    assert "INVALID_FIELD" in str(failed.value) and "Syncd_Score__c" in str(failed.value)
    assert "the next cycle checks the fields again" in str(failed.value)
    org.app.log.reset()
    report = org.connector().ensure_fields(create=False)
    assert [(f.object, f.name) for f in report.missing] == [("Lead", "Syncd_Score__c")]
    assert _describes(org) == 3


def test_a_write_refused_on_a_field_makes_the_next_cycle_check_again(org: Org) -> None:
    conn = org.connector()
    assert conn.ensure_fields(create=False).ok
    pages = list(conn.changes(None, org.clock.utc(), full=True))
    lead = next(c for p in pages for c in p.contacts if c.kind == "lead" and c.writable)
    _revoke_read(org, "Lead.Syncd_Tier__c")
    update = ContactUpdate(lead.id, "lead", 10, "nurture", "", False, org.clock.utc())
    [outcome] = org.connector().write([update])
    assert outcome.status == "rejected" and "INVALID_FIELD" in outcome.reason
    org.app.log.reset()
    report = org.connector().ensure_fields(create=False)
    assert [(f.object, f.name) for f in report.missing] == [("Lead", "Syncd_Tier__c")]
    assert _describes(org) == 3


def test_a_kept_check_is_reused_only_for_the_same_tiers(org: Org) -> None:
    org.field_checks = FieldChecks()
    org.app.log.reset()
    tiers = ("unqualified", "nurture", "mql", "hot", "disqualified")
    assert org.connector().ensure_fields(create=False, tiers=tiers).ok
    assert org.connector().ensure_fields(create=False, tiers=tiers).ok
    assert _describes(org) == 3  # the second cycle reused the check
    org.connector().ensure_fields(create=False, tiers=("nurture", "mql"))
    assert _describes(org) == 6  # another model's tiers: the picklist is checked again
