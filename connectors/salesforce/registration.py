"""Salesforce's entry in the connector registry (``syncd.connectors`` entry point)."""

from __future__ import annotations

from connectors.registry import ConnectorType
from connectors.salesforce import limits
from connectors.salesforce.config import SalesforceOptions

CONNECTOR = ConnectorType(
    "salesforce", "Salesforce", SalesforceOptions, "connectors.salesforce.connector:build", limits
)
