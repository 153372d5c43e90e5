"""Fixtures for the HubSpot connector tests: the fake portal on 127.0.0.1 and a manual
clock shared by the fake and the connector (the connector's sleeps advance it)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import SecretStr

from connectors.base import Connector, Page
from connectors.hubspot.config import HubSpotOptions
from connectors.hubspot.connector import build
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.server import SandboxServer

T0 = 1_800_000_000.0  # 2027-01-15T08:00:00Z


class ManualClock:
    """Seconds; ``sleep`` moves time forward instead of waiting."""

    def __init__(self, start: float = T0) -> None:
        self.now = start
        self.slept = 0.0  # seconds slept in all
        self.sleeps = 0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept += seconds
            self.sleeps += 1
            self.now += max(0.0, seconds)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds

    def utc(self) -> datetime:
        return datetime.fromtimestamp(self(), tz=UTC)


@pytest.fixture()
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture()
def serve() -> Iterator[Callable[[HubSpotSandbox], SandboxServer]]:
    servers: list[SandboxServer] = []

    def start(app: HubSpotSandbox) -> SandboxServer:
        server = SandboxServer(app).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def options(url: str, **extra: Any) -> HubSpotOptions:
    values: dict[str, Any] = {"base_url": url}
    if "oauth" not in extra:
        values["access_token"] = SecretStr("sandbox-token")
    values.update(extra)
    return HubSpotOptions.model_validate(values)


def connect(url: str, clock: ManualClock, **extra: Any) -> Connector:
    return build("hubspot-test", options(url, **extra), clock=clock, sleep=clock.sleep)


def drain(pages: Iterator[Page]) -> list[Page]:
    return list(pages)
