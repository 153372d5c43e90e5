"""The demo's two fake CRMs, the clock they share with the connectors, and the
config that points syncd at them."""

from __future__ import annotations

import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from connectors.base import Connector
from syncd.cli.wiring import build_connector
from syncd.sandbox.generator import generate
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.salesforce import SalesforceSandbox
from syncd.sandbox.server import SandboxApp, SandboxServer
from syncd.settings import ConnectorConfig
from syncd.sync import ConnectorFactory

__all__ = ["TOKEN", "Fake", "SkipClock", "config_text", "connector_factory", "start_fakes"]

TOKEN = "demo-hubspot-token"
NAMES = {"hubspot": "hubspot-demo", "salesforce": "salesforce-demo"}


class SkipClock:
    """Epoch seconds that jump over every wait: ``sleep(s)`` returns at once and
    moves this clock ``s`` ahead. The fakes' rate limiters and the connectors'
    pacing share it, so every documented limit still holds on this clock while
    the demo spends no wall time waiting.

    By default it starts at the wall clock. Given ``start`` (an aware datetime)
    it starts there instead and runs on at the pace of ``time.monotonic``, so
    a test can put the fakes, the connectors and the engine on the same fixed
    time line as the data it generated for that instant."""

    def __init__(self, start: datetime | None = None) -> None:
        if start is not None and start.utcoffset() is None:
            raise ValueError("start must be timezone-aware")
        self._origin = time.time() if start is None else start.timestamp()
        self._began = time.monotonic()
        self._skipped = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self._origin + (time.monotonic() - self._began) + self._skipped

    def now(self) -> datetime:
        """This clock as an aware datetime: the engine's clock in the demo, so
        syncd's cycles and the fakes' stamps share one time line, as a daemon
        and a real CRM do."""
        return datetime.fromtimestamp(self(), UTC)

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self._skipped += max(0.0, seconds)

    @property
    def skipped(self) -> float:
        """Seconds of waiting skipped so far."""
        return self._skipped


@dataclass(frozen=True)
class Fake:
    crm: str
    connector: str
    app: SandboxApp
    url: str


def start_fakes(
    stack: ExitStack, clock: SkipClock, *, seed: int, contacts: int, now: datetime
) -> list[Fake]:
    """Both fakes seeded with ``contacts`` generated contacts each, serving on
    127.0.0.1 until ``stack`` closes. HubSpot is a pro-tier portal."""
    fakes = []
    for crm in NAMES:
        data = generate(seed, contacts, now)
        app: SandboxApp = (
            HubSpotSandbox(data, token=TOKEN, tier="pro", clock=clock, sleep=clock.sleep)
            if crm == "hubspot"
            else SalesforceSandbox(data, clock=clock, sleep=clock.sleep)
        )
        server = stack.enter_context(SandboxServer(app))
        fakes.append(Fake(crm, NAMES[crm], app, server.url))
    return fakes


def connector_entry(crm: str, url: str, model: Path, token: str = TOKEN) -> dict[str, Any]:
    """The config entry of a connector to a fake ``crm`` (hubspot or salesforce)
    served at ``url``, scoring with ``model``."""
    if crm == "hubspot":
        return {
            "type": "hubspot",
            "base_url": url,
            "access_token": token,
            "tier": "pro",
            "model": str(model),
        }
    return {
        "type": "salesforce",
        "instance_url": url,
        "login_url": url,
        "model": str(model),
        "auth": {
            "flow": "password",
            "username": "demo@syncd.example",
            "password": "demo-password",
            "consumer_key": "syncd-demo",
            "consumer_secret": "demo-consumer-secret",
        },
    }


def config_text(state: Path, model: Path, fakes: list[Fake]) -> str:
    """A syncd config with one connector per fake."""
    conns = {fake.connector: connector_entry(fake.crm, fake.url, model) for fake in fakes}
    return yaml.safe_dump(
        {"state": {"url": f"sqlite:///{state}"}, "connectors": conns}, sort_keys=False
    )


def connector_factory(clock: SkipClock) -> ConnectorFactory:
    """The real connectors, on the demo's clock."""

    def factory(name: str, cfg: ConnectorConfig) -> Connector:
        return build_connector(name, cfg, clock=clock, sleep=clock.sleep)

    return factory
