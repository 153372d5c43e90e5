"""The pinned REST API version against what the org serves and Salesforce's
published retirement schedule; My Domain and legacy-flow warnings of the options."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from connectors.salesforce.config import SalesforceOptions
from connectors.salesforce.limits import API_VERSION
from connectors.salesforce.versions import release_name, retirement_of, version_item
from syncd.sandbox.salesforce import SalesforceSandbox
from tests.kit.clock import ManualClock
from tests.kit.salesforce_connector import make_org

SERVED = [f"{v}.0" for v in range(31, 67)]


def test_the_pinned_version_is_recent_and_has_no_announced_retirement() -> None:
    assert float(API_VERSION) >= 66.0 and retirement_of(API_VERSION) is None
    assert release_name("66.0") == "Spring '26" and release_name("59.0") == "Winter '24"
    assert release_name("31.0") == "Summer '14" and release_name("68.0") == "Winter '27"


def test_a_version_the_org_lacks_fails_naming_it() -> None:
    item = version_item(["64.0", "65.0"], date(2026, 12, 1), "66.0")
    assert not item.ok and not item.warning
    assert item.detail == "the org does not serve REST API v66.0 (it serves up to v65.0)"
    assert "v65.0" in item.fix


@pytest.mark.parametrize(
    ("today", "warned"),
    [(date(2027, 5, 31), False), (date(2027, 6, 3), True), (date(2028, 3, 1), True)],
)
def test_a_version_within_a_year_of_retirement_warns(today: date, warned: bool) -> None:
    item = version_item(SERVED, today, "40.0")
    assert item.ok and item.warning == warned
    if warned:
        assert item.detail == (
            "v40.0 (Summer '17) is retired by Salesforce in Summer '28 (June 2028)"
        )


def test_check_reads_the_orgs_version_list(clock: ManualClock) -> None:
    with make_org(SalesforceSandbox(clock=clock, api_versions=["64.0", "65.0"]), clock) as org:
        items = {i.name: i for i in org.connector().check()}
    assert not items["api version"].ok
    assert "does not serve REST API v66.0" in items["api version"].detail


def _options(**raw: Any) -> SalesforceOptions:
    jwt = {"flow": "jwt", "username": "u@x.com", "consumer_key": "k", "private_key": "p"}
    return SalesforceOptions.model_validate({"auth": jwt, **raw})


def test_my_domain_is_preferred() -> None:
    assert _options(instance_url="https://acme.my.salesforce.com").config_warnings() == []
    (generic,) = _options().config_warnings()
    assert "generic login host; prefer the org's My Domain URL" in generic
    (instance,) = _options(instance_url="https://na123.salesforce.com").config_warnings()
    assert instance.startswith(
        "instance_url https://na123.salesforce.com names a Salesforce "
        "instance, which changes when the org moves"
    )
