"""One redaction layer for every output syncd produces: CLI tables and JSON,
errors kept in the state store, log lines, the HTTP endpoint.

``Redactor(secrets).text(s)`` replaces

* every configured secret value (``SecretStr`` fields of the settings, the state
  URL's password) at least ``MIN_SECRET_LENGTH`` long, also in its JSON-escaped
  and URL-encoded spellings, and
* anything credential-shaped a CRM may echo in an error message: bearer and
  basic ``Authorization`` values, ``key=value`` / ``"key": "value"`` pairs whose
  key names a credential (``access_token``, ``refresh_token``, ``client_secret``,
  ``password``, ``security_token``, ``api_key``, ``session_id``, ``sid``, ...),
  JWT-looking strings (``eyJ...``), Salesforce session ids (``00D...!...``),
  HubSpot private-app and service keys (``pat-...``) and the password of a URL
  (``scheme://user:password@host``)

with ``***``. Pure: no I/O, no state beyond the secrets it was given.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from pydantic import BaseModel, SecretBytes, SecretStr

__all__ = [
    "MASK",
    "MIN_SECRET_LENGTH",
    "Redactor",
    "collect_secrets",
    "configured_secrets",
    "url_password",
]

MASK = "***"
#: Shorter configured values are not masked: they would mangle ordinary words.
MIN_SECRET_LENGTH = 4

_KEYS = (
    r"access[_-]?token|refresh[_-]?token|id[_-]?token|auth[_-]?token|client[_-]?secret"
    r"|consumer[_-]?secret|security[_-]?token|api[_-]?key|apikey|private[_-]?key"
    r"|password|passwd|pwd|secret|session[_-]?id|sessionid|sid|token"
)

#: (pattern, replacement), applied in order.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Authorization: Bearer <token> / Basic <base64>
    (re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=-]{6,}"), rf"\1\2{MASK}"),
    # key=value, key: value, "key": "value", key='value' (query strings, JSON, forms)
    (
        re.compile(
            rf"(?i)(?<![A-Za-z0-9/.-])((?:{_KEYS})[\"']?\s*[:=]\s*[\"']?)"
            r"(?!\*\*\*)[^\s\"'&,;)}\]]+"
        ),
        rf"\1{MASK}",
    ),
    # JWTs: three base64url parts, the first a JSON object ("eyJ")
    (re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"), MASK),
    # Salesforce session ids: org id, "!", the session part
    (re.compile(r"\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9._-]{16,}"), MASK),
    # HubSpot private-app tokens and service keys
    (re.compile(r"\bpat-[a-z]{2,4}\d?-[0-9a-fA-F-]{16,}"), MASK),
    # the password of a URL
    (re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]+:)[^\s@/]+@"), rf"\1{MASK}@"),
)


class Redactor:
    """Masks configured secrets and credential-shaped text. ``bool(redactor)``
    says whether any configured secret is known (the patterns always apply)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        values = {s for s in secrets if len(s) >= MIN_SECRET_LENGTH}
        # spellings the value takes once serialised: JSON strings, URLs
        values |= {json.dumps(s)[1:-1] for s in values}
        values |= {quote(s, safe="") for s in values}
        self._secrets = sorted(values, key=len, reverse=True)

    def __bool__(self) -> bool:
        return bool(self._secrets)

    def __call__(self, value: str) -> str:
        return self.text(value)

    def text(self, value: str) -> str:
        """``value`` with every secret and credential-shaped part masked."""
        for secret in self._secrets:
            if secret in value:
                value = value.replace(secret, MASK)
        for pattern, replacement in _PATTERNS:
            value = pattern.sub(replacement, value)
        return value

    def value(self, value: Any) -> Any:
        """``value`` with secrets masked in every string inside it (mappings,
        sequences; other objects become their masked ``str``)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {self.text(str(k)): self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple | set | frozenset):
            return [self.value(v) for v in value]
        if value is None or isinstance(value, bool | int | float):
            return value
        return self.text(str(value))


def url_password(url: str) -> str | None:
    """The password inside a URL (``postgresql://user:pw@host/db``), if any."""
    try:
        return urlsplit(url).password
    except ValueError:
        return None


def collect_secrets(obj: Any) -> set[str]:
    """Every ``SecretStr``/``SecretBytes`` value inside a settings object
    (pydantic models, mappings and sequences, at any depth)."""
    found: set[str] = set()
    stack: list[Any] = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, SecretStr):
            found.add(item.get_secret_value())
        elif isinstance(item, SecretBytes):
            found.add(item.get_secret_value().decode("utf-8", "replace"))
        elif isinstance(item, BaseModel):
            stack.extend(getattr(item, name) for name in type(item).model_fields)
        elif isinstance(item, Mapping):
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(item)
    return {s for s in found if s}


def configured_secrets(settings: Any) -> set[str]:
    """Every secret of a ``Settings`` object: its ``SecretStr`` values and the
    password inside its state URL."""
    found = collect_secrets(settings)
    state = getattr(settings, "state", None)
    password = url_password(getattr(state, "url", "") or "")
    if password:
        found.add(password)
    return found
