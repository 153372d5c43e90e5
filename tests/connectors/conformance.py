"""Harnesses for the connector conformance suite (``test_conformance.py``): one per
connector, each driving its connector against its fake the same way.

A harness makes contacts in the fake (``add``: several at one instant, so they tie on
the CRM's modification stamp), changes, deletes and merges them, makes the fake
answer 429 to everything (``rate_limit``), leaves the budget guard ``calls`` more calls
(``spend_budget``) and moves the fake's time past the CRM's read lags (``settle``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from connectors import registry
from connectors.base import Connector, ContactUpdate
from connectors.hubspot.limits import DAILY
from syncd.sandbox.faults import FaultSpec
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.salesforce import SalesforceSandbox
from syncd.sandbox.server import SandboxServer
from tests.kit.clock import ManualClock
from tests.kit.hubspot import T0, connect
from tests.kit.memory_crm import MemoryConnector, MemoryCRM
from tests.kit.salesforce_connector import create_fields, make_org

NOW = datetime(2027, 1, 15, 8, 0, tzinfo=UTC)


class Harness(Protocol):
    name: str

    def connector(self) -> Connector: ...
    def now(self) -> datetime: ...
    def settle(self) -> None: ...
    def add(self, n: int) -> list[str]: ...
    def touch(self, cid: str) -> None: ...
    def delete(self, cid: str) -> None: ...
    def merge(self, loser: str, survivor: str) -> str: ...
    def rate_limit(self) -> None: ...
    def spend_budget(self, calls: int) -> None: ...


def update(cid: str, score: int, at: datetime) -> ContactUpdate:
    return ContactUpdate(cid, "contact", score, "nurture", f"rule.{score} +{score}", False, at)


# --------------------------------------------------------------------------- in memory


@dataclasses.dataclass
class MemoryHarness:
    """The test kit's in-memory CRM and its connector (the engine tests' CRM)."""

    name: str = "memory"
    crm: MemoryCRM = dataclasses.field(default_factory=MemoryCRM)
    make: Callable[[MemoryCRM], Connector] = lambda crm: MemoryConnector("memory", crm)
    built: Connector | None = None
    n: int = 0

    def connector(self) -> Connector:
        self.built = self.built or self.make(self.crm)
        return self.built

    def now(self) -> datetime:
        return NOW

    def settle(self) -> None:
        pass

    def add(self, n: int) -> list[str]:
        ids = [f"c{self.n + i}" for i in range(n)]
        self.n += n
        for cid in ids:
            self.crm.add_contact(cid, email=f"{cid}@acme.io")
        return ids

    def touch(self, cid: str) -> None:
        self.crm.add_contact(cid, email=f"{cid}@acme.io", title="VP")

    def delete(self, cid: str) -> None:
        self.crm.delete_contact(cid)

    def merge(self, loser: str, survivor: str) -> str:
        self.crm.merge_contacts(loser, survivor)
        return survivor

    def rate_limit(self) -> None:
        self.crm.rate_limited = True

    def spend_budget(self, calls: int) -> None:
        self.crm.budget = sum(self.crm.calls.values()) + calls


# --------------------------------------------------------------------------- HubSpot


@dataclasses.dataclass
class HubSpotHarness:
    """The HubSpot connector against the fake portal (private-app token, free tier)."""

    app: HubSpotSandbox
    url: str
    clock: ManualClock
    name: str = "hubspot"
    built: Connector | None = None

    def connector(self) -> Connector:
        if self.built is None:
            self.built = connect(self.url, self.clock)
            assert self.built.ensure_fields(create=True).ok
        return self.built

    def now(self) -> datetime:
        return self.clock.utc()

    def settle(self) -> None:
        self.clock.advance(300)  # past the connector's safety lag and the search index lag

    def add(self, n: int) -> list[str]:
        return [
            self.app.store.add("contacts", {"email": f"p{i}@acme.io", "jobtitle": "VP"})
            for i in range(n)
        ]

    def touch(self, cid: str) -> None:
        self.app.store.update("contacts", cid, {"jobtitle": "CEO"})

    def delete(self, cid: str) -> None:
        self.app.store.archive("contacts", cid)

    def merge(self, loser: str, survivor: str) -> str:
        """Merge; returns the merged record's id (a new one in HubSpot)."""
        return self.app.store.merge("contacts", survivor, loser).id

    def rate_limit(self) -> None:
        self.app.faults.replace(FaultSpec(rate_429=1.0))

    def spend_budget(self, calls: int) -> None:
        self.app.daily.used = int(DAILY["free"] * 0.8) - calls


@contextlib.contextmanager
def hubspot() -> Iterator[HubSpotHarness]:
    clock = ManualClock(T0)
    app = HubSpotSandbox(clock=clock, sleep=clock.sleep, rate_limits=True)
    with SandboxServer(app) as server:
        yield HubSpotHarness(app, server.url, clock)


# --------------------------------------------------------------------------- Salesforce


@dataclasses.dataclass
class SalesforceHarness:
    """The Salesforce connector against the fake org (JWT bearer, no lookback)."""

    app: SalesforceSandbox
    org: Any
    clock: ManualClock
    name: str = "salesforce"
    built: Connector | None = None
    n: int = 0

    def connector(self) -> Connector:
        if self.built is None:
            create_fields(self.org)
            self.built = self.org.connector()
            assert self.built.ensure_fields(create=False).ok
        return self.built

    def now(self) -> datetime:
        return self.clock.utc()

    def settle(self) -> None:
        self.clock.advance(5)  # past the second of the last write (whole-second stamps)

    def add(self, n: int) -> list[str]:
        self.n += n
        return [self.app.store.insert("Contact", {"LastName": f"C{self.n + i}"}) for i in range(n)]

    def touch(self, cid: str) -> None:
        self.app.store.update("Contact", cid, {"Title": "CEO"})

    def delete(self, cid: str) -> None:
        self.app.store.delete("Contact", cid)

    def merge(self, loser: str, survivor: str) -> str:
        """Merge; returns the merged record's id (the survivor's in Salesforce)."""
        self.app.store.merge("Contact", survivor, [loser])
        return survivor

    def rate_limit(self) -> None:
        self.app.faults.replace(FaultSpec(rate_429=1.0))

    def spend_budget(self, calls: int) -> None:
        usage = self.app.api_usage
        usage.limit = int((usage.used + calls) / 0.8) + 1


@contextlib.contextmanager
def salesforce() -> Iterator[SalesforceHarness]:
    clock = ManualClock(T0)
    app = SalesforceSandbox(clock=clock, sleep=lambda s: None)
    with make_org(app, clock) as org:
        yield SalesforceHarness(app, org, clock)


# --------------------------------------------------------------------------- the toy


@contextlib.contextmanager
def toy_registered(tmp: Path) -> Iterator[registry.ConnectorType]:
    """Register the toy connector (``tests/connectors/toy``) as an installed
    distribution would: a ``*.dist-info`` with a ``syncd.connectors`` entry point, on
    ``sys.path`` for the test's duration, read through ``registry.refresh()``."""
    info = tmp / "syncd_toy_connector-0.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: syncd-toy-connector\nVersion: 0.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[syncd.connectors]\ntoy = tests.connectors.toy.registration:CONNECTOR\n", encoding="utf-8"
    )
    sys.path.insert(0, str(tmp))
    importlib.invalidate_caches()
    try:
        yield registry.refresh()["toy"]
    finally:
        sys.path.remove(str(tmp))
        importlib.invalidate_caches()
        registry.refresh()


def toy(toy_type: registry.ConnectorType) -> MemoryHarness:
    """The toy connector, built through the registry, over an in-memory CRM."""
    from tests.connectors.toy.connector import CRMS

    harness = MemoryHarness(name="toy")
    CRMS["conformance"] = harness.crm
    options = toy_type.options.model_validate({"crm": "conformance"})
    harness.make = lambda _crm: toy_type.build(
        "toy", options, clock=lambda: 0.0, sleep=lambda s: None
    )
    return harness
