"""Shared test helpers, imported as ``tests.kit.<module>`` (never from a conftest)."""
