"""Fixtures: a fake Salesforce org on loopback and a simple-salesforce client for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sf_sandbox_support import serve
from simple_salesforce import Salesforce

from syncd.sandbox.salesforce import SalesforceSandbox, loopback_session
from syncd.sandbox.server import SandboxServer


class Clock:
    def __init__(self, start: float = 1_790_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def app(clock: Clock) -> SalesforceSandbox:
    return SalesforceSandbox(clock=clock, sleep=lambda s: None)


@pytest.fixture()
def server(app: SalesforceSandbox) -> Iterator[SandboxServer]:
    with serve(app) as srv:
        yield srv


@pytest.fixture()
def sf(app: SalesforceSandbox, server: SandboxServer) -> Salesforce:
    return Salesforce(
        instance_url=app.instance_url,
        session_id=app.new_session(),
        session=loopback_session(server.url),
    )
