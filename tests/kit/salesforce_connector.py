"""The fake Salesforce org on loopback, wired for connector tests: a JWT connected app,
connectors built against it with the manual clock, request counts from its log."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from connectors.base import Connector, Page
from connectors.salesforce.config import SalesforceOptions
from connectors.salesforce.connector import SalesforceConnector, build
from syncd.sandbox.salesforce import SalesforceSandbox
from syncd.sandbox.server import SandboxServer
from tests.kit.clock import ManualClock

CONSUMER_KEY = "syncd-test-app"
_KEYS: dict[str, tuple[str, str]] = {}


def new_key_pair() -> tuple[str, str]:
    """A fresh RSA key pair, PEM: (PKCS#8 private key, SubjectPublicKeyInfo public key)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def key_pair() -> tuple[str, str]:
    """One RSA key pair per test session (generating one costs ~50 ms)."""
    if "k" not in _KEYS:
        _KEYS["k"] = new_key_pair()
    return _KEYS["k"]


@dataclass
class Org:
    app: SalesforceSandbox
    server: SandboxServer
    clock: ManualClock

    def options(self, **overrides: Any) -> SalesforceOptions:
        private, _ = key_pair()
        raw: dict[str, Any] = {
            "instance_url": self.server.url,
            "login_url": self.server.url,
            "auth": {
                "flow": "jwt",
                "username": "integration@syncd.example",
                "consumer_key": CONSUMER_KEY,
                "private_key": private,
            },
            "bulk_poll": "0s",
            "lookback": "PT0S",
        }
        raw.update(overrides)
        return SalesforceOptions.model_validate(raw)

    def connector(self, **overrides: Any) -> SalesforceConnector:
        conn = build(
            "sf-test",
            self.options(**overrides),
            clock=self.clock,
            sleep=self.clock.sleep,
        )
        assert isinstance(conn, SalesforceConnector)
        return conn

    def requests(self, endpoint_part: str = "") -> int:
        return sum(
            1
            for r in self.app.log.requests()
            if endpoint_part in r.endpoint and not r.path.startswith("/__sandbox")
        )


@contextlib.contextmanager
def make_org(app: SalesforceSandbox, clock: ManualClock) -> Iterator[Org]:
    _, public = key_pair()
    app.register_connected_app(CONSUMER_KEY, public)
    with SandboxServer(app) as server:
        yield Org(app, server, clock)


def drain(
    conn: Connector, cursor: dict[str, Any] | None, until: dt.datetime, full: bool = False
) -> tuple[list[Page], dict[str, Any] | None]:
    pages = list(conn.changes(cursor, until, full=full))
    last = pages[-1].cursor if pages else cursor
    return pages, last


def create_fields(org: Org) -> None:
    """Make syncd's fields exist and usable, as `syncd setup` does."""
    report = org.connector().ensure_fields(create=True)
    assert report.ok, report.advice
