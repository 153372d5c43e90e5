"""Salesforce's entry in the connector registry (``syncd.connectors`` entry point)."""

from __future__ import annotations

from connectors.salesforce import limits
from connectors.salesforce.config import SalesforceOptions
from connectors.registry import ConnectorType

CONNECTOR = ConnectorType(
    "salesforce", "Salesforce", SalesforceOptions, "connectors.salesforce.connector:build", limits
)
