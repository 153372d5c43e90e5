"""Fixtures: a fake Salesforce org on loopback and a simple-salesforce client for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from simple_salesforce.api import Salesforce

from syncd.sandbox.salesforce import SalesforceSandbox, loopback_session
from syncd.sandbox.server import SandboxServer
from tests.kit.clock import ManualClock


@pytest.fixture()
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture()
def app(clock: ManualClock) -> SalesforceSandbox:
    return SalesforceSandbox(clock=clock, sleep=clock.sleep)


@pytest.fixture()
def server(app: SalesforceSandbox) -> Iterator[SandboxServer]:
    with SandboxServer(app) as srv:
        yield srv


@pytest.fixture()
def sf(app: SalesforceSandbox, server: SandboxServer) -> Salesforce:
    return Salesforce(
        instance_url=app.instance_url,
        session_id=app.new_session(),
        session=loopback_session(server.url),
    )
