"""What went wrong, in the user's terms: a network failure named by its cause and the
setting to change, and whether an error answer came from HubSpot at all."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import urllib3


def from_hubspot(correlation_id: str | None, body: Mapping[str, Any]) -> bool:
    """Whether an error answer carries HubSpot's marks (the X-HubSpot-Correlation-Id
    header, or its error body's correlation id or category and message)."""
    if correlation_id is not None:
        return True
    return "correlationId" in body or ("category" in body and "message" in body)


def network_error(exc: BaseException, base_url: str) -> str:
    """One line naming the URL, what went wrong and the setting to change."""
    reason: BaseException = getattr(exc, "reason", None) or exc
    cause = reason.__cause__ or reason.__context__
    errors = urllib3.exceptions
    if isinstance(reason, errors.NameResolutionError):
        what = "its host name does not resolve"
    elif isinstance(cause, ConnectionRefusedError):
        what = "the connection was refused (nothing listens on that host and port)"
    elif isinstance(reason, errors.ConnectTimeoutError):
        what = "connecting timed out"
    elif isinstance(reason, errors.SSLError):
        what = "the TLS handshake failed (is it https on a plain-http port, or a bad certificate?)"
    elif isinstance(reason, errors.ReadTimeoutError):
        what = "no answer within timeout"
    elif isinstance(reason, errors.NewConnectionError):
        what = "the connection could not be opened"
    elif isinstance(reason, errors.ProtocolError):
        what = "the connection was dropped mid-answer"
    else:
        what = f"network error ({type(reason).__name__})"
    return f"cannot reach HubSpot at {base_url}: {what}; check base_url and the network"
