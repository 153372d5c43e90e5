"""The HubSpot connector built against a fake portal on loopback, on the manual clock."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import SecretStr

from connectors.base import Connector
from connectors.hubspot.config import HubSpotOptions
from connectors.hubspot.connector import build
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.server import SandboxServer
from tests.kit.clock import ManualClock

#: The HubSpot tests' fixed instant (2027-01-15T08:00:00Z) in epoch seconds.
T0 = 1_800_000_000.0

#: The ``serve`` fixture: starts a fake portal on 127.0.0.1 (stopped after the test).
Serve = Callable[[HubSpotSandbox], SandboxServer]


def options(url: str, **extra: Any) -> HubSpotOptions:
    """Options for a portal at ``url``: a private-app token unless ``oauth`` is given."""
    values: dict[str, Any] = {"base_url": url}
    if "oauth" not in extra:
        values["access_token"] = SecretStr("sandbox-token")
    values.update(extra)
    return HubSpotOptions.model_validate(values)


def connect(url: str, clock: ManualClock, **extra: Any) -> Connector:
    """A connector for the portal at ``url`` whose time and sleeps are ``clock``'s."""
    return build("hubspot-test", options(url, **extra), clock=clock, sleep=clock.sleep)
