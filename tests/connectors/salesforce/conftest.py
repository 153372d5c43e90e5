"""Fixtures: the fake org on loopback and a connector built against it (JWT bearer)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sf_connector_support import Clock, Org, make_org

from syncd.sandbox.salesforce import SalesforceSandbox


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def org(clock: Clock) -> Iterator[Org]:
    with make_org(SalesforceSandbox(clock=clock, sleep=lambda s: None), clock) as made:
        yield made
