"""Helpers shared by the Salesforce sandbox tests (unique module name on purpose)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from syncd.sandbox.salesforce import SalesforceSandbox
from syncd.sandbox.server import SandboxServer


@contextlib.contextmanager
def serve(app: SalesforceSandbox) -> Iterator[SandboxServer]:
    """Serve `app` on loopback for the duration of a test."""
    with SandboxServer(app) as srv:
        yield srv
