"""The connector factory the commands hand to the engine: configured type ->
the connector package's ``build``."""

from __future__ import annotations

from connectors.base import Connector, FatalError
from syncd.settings import ConnectorConfig, SalesforceConnectorConfig

__all__ = ["build_connector"]


def build_connector(name: str, cfg: ConnectorConfig) -> Connector:
    """A real connector for ``cfg`` (no network call until first use)."""
    if isinstance(cfg, SalesforceConnectorConfig):
        from connectors.salesforce.connector import build

        return build(name, cfg.connector_options())
    raise FatalError(f"connector {name}: no connector for type {cfg.type!r} in this build")
