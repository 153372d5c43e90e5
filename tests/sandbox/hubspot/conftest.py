"""Fixtures shared by the HubSpot sandbox tests; each test file supplies its own `app`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hubspot import HubSpot

from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.server import SandboxServer


@pytest.fixture()
def server(app: HubSpotSandbox) -> Iterator[SandboxServer]:
    with SandboxServer(app) as srv:
        yield srv


@pytest.fixture()
def hs(server: SandboxServer) -> HubSpot:
    return HubSpot(access_token="sandbox-token", host=server.url)
