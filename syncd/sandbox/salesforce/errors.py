"""Record-level errors of the fake org, in Salesforce's shape."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class WriteError(Exception):
    """A record-level error in Salesforce's shape (`statusCode`, `message`, `fields`)."""

    def __init__(self, code: str, message: str, fields: Iterable[str] = ()) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.fields = list(fields)

    def to_json(self) -> dict[str, Any]:
        return {"statusCode": self.code, "message": self.message, "fields": self.fields}
