"""HubSpot's entry in the connector registry (``syncd.connectors`` entry point)."""

from __future__ import annotations

from connectors.hubspot import limits
from connectors.hubspot.config import HubSpotOptions
from connectors.registry import ConnectorType

CONNECTOR = ConnectorType(
    "hubspot", "HubSpot", HubSpotOptions, "connectors.hubspot.connector:build", limits
)
