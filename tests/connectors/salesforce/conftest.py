"""Fixtures: the fake org on loopback and a connector built against it (JWT bearer)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from syncd.sandbox.salesforce import SalesforceSandbox
from tests.kit.clock import ManualClock
from tests.kit.salesforce_connector import Org, make_org


@pytest.fixture()
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture()
def org(clock: ManualClock) -> Iterator[Org]:
    with make_org(SalesforceSandbox(clock=clock, sleep=lambda s: None), clock) as made:
        yield made
