"""Typing for tests that drive simple-salesforce against the fake org."""

from __future__ import annotations

from typing import Any, cast

#: A ``simple_salesforce.Salesforce``. Its stubs type ``sf.<SObject>`` (resolved
#: by ``__getattr__``) as a union with the bulk handlers and its answers as
#: ``int | dict``, so tests that read answers by key hold the client untyped.
SalesforceClient = Any


def errors_of(exc: BaseException) -> Any:
    """The decoded JSON error body of a simple-salesforce exception (its stubs
    type ``content`` as ``int``)."""
    return cast(Any, exc).content
