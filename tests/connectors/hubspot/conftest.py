"""Fixtures for the HubSpot connector tests: the fake portal on 127.0.0.1 and a manual
clock shared by the fake and the connector (the connector's sleeps advance it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.server import SandboxServer
from tests.kit.clock import ManualClock
from tests.kit.hubspot import T0, Serve


@pytest.fixture()
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture()
def serve() -> Iterator[Serve]:
    servers: list[SandboxServer] = []

    def start(app: HubSpotSandbox) -> SandboxServer:
        server = SandboxServer(app).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
