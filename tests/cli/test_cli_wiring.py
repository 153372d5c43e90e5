"""The real connector factory of the commands: a Salesforce connector built from
a JWT config logs in (the factory hands the connector an epoch-seconds clock)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from connectors.salesforce.config import SalesforceOptions
from syncd.cli.wiring import build_connector
from syncd.sandbox.generator import generate
from syncd.sandbox.salesforce import SalesforceSandbox
from syncd.sandbox.server import SandboxServer
from syncd.settings import SalesforceConnectorConfig

MODEL = Path(__file__).resolve().parents[2] / "syncd" / "models" / "default.yaml"


def test_salesforce_jwt_login_through_the_factory() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    app = SalesforceSandbox(generate(2, 5, datetime.now(UTC)))
    app.register_connected_app("syncd-wiring-test", public)
    with SandboxServer(app) as server:
        cfg = SalesforceConnectorConfig.model_validate(
            {
                "type": "salesforce",
                "model": MODEL,
                "instance_url": server.url,
                "login_url": server.url,
                "auth": {
                    "flow": "jwt",
                    "username": "integration@syncd.example",
                    "consumer_key": "syncd-wiring-test",
                    "private_key": private,
                },
            }
        )
        assert isinstance(cfg, SalesforceOptions)
        conn = build_connector("sf", cfg)
        try:
            first = conn.check()[0]
        finally:
            conn.close()
    assert (first.name, first.ok) == ("credentials", True), first
