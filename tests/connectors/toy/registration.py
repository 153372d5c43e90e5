"""The toy's entry in the connector registry (``syncd.connectors`` entry point ``toy``)."""

from __future__ import annotations

from connectors.registry import ConnectorType
from tests.connectors.toy.options import ToyOptions

CONNECTOR = ConnectorType("toy", "Toy", ToyOptions, "tests.connectors.toy.connector:build")
