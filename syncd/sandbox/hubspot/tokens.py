"""Opaque paging tokens: clients must hand them back unchanged, never do arithmetic on them."""

from __future__ import annotations

import base64

from syncd.sandbox.hubspot import errors

_PREFIX = "sbx:"


def encode(position: int) -> str:
    """A token for `position` that does not look like a number."""
    raw = f"{_PREFIX}{position}".encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode(token: str | None, name: str) -> int:
    """The position a token stands for (0 for none); 400 when it is not one of ours."""
    if token is None or token == "":
        return 0
    try:
        padded = token + "=" * (-len(token) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode()
        if not text.startswith(_PREFIX):
            raise ValueError(text)
        position = int(text[len(_PREFIX) :])
    except (ValueError, UnicodeError):
        raise errors.fail(400, f"{name}: invalid paging token {token!r}") from None
    if position < 0:
        raise errors.fail(400, f"{name}: invalid paging token {token!r}")
    return position
