"""Keep only what scoring needs of a person before a page is stored: the
properties the connector's models read (``syncd.core.needs``) and, unless the
connector keeps full addresses (``privacy.store_email``), the e-mail address
replaced by ``syncd.state.forget.email_token``: a salted hash at its domain
(``h.1a2b…@acme.io``), all that account matching and ``email_domain`` rules use,
and what ``syncd forget --email`` finds. Ids, ``company`` and ``created_at``
stay."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from connectors.base import ContactRecord, Page
from syncd.core.keys import email_domain
from syncd.state.forget import email_token, privacy_salt_of

__all__ = ["minimise_page", "privacy_salt_of"]


def _minimised(data: Any, keep: frozenset[str] | None, salt: str | None) -> Any:
    if not isinstance(data, dict):
        return data
    out = dict(data)
    props = out.get("properties")
    if keep is not None and isinstance(props, dict):
        out["properties"] = {k: v for k, v in props.items() if k in keep}
    email = out.get("email")
    if salt is not None and isinstance(email, str) and email:
        if email_domain(email):
            out["email"] = email_token(salt, email)
        else:
            out.pop("email")
    return out


def minimise_page(page: Page, keep: frozenset[str] | None, salt: str | None) -> Page:
    """``page`` with each contact's data minimised (``keep`` None: every
    property; ``salt`` None: full e-mail addresses)."""
    if keep is None and salt is None:
        return page
    contacts: list[ContactRecord] = [
        replace(c, data=_minimised(c.data, keep, salt)) for c in page.contacts
    ]
    return replace(page, contacts=contacts)
