"""The one error a user's mistake in predictive input becomes."""

from __future__ import annotations

__all__ = ["InputError"]


class InputError(Exception):
    """Unusable input or model file; the message is one line naming where
    (file, line, column or key) and what is wrong."""
