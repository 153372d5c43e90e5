"""Erasing one person from the state store (``syncd forget``).

Contract:

* ``find_ids`` names the stored contacts of a connector by record id or by
  e-mail address (case-insensitive; the stored canonical JSON's ``email``, a
  full address or its ``email_token``).
* ``erase`` removes, in one transaction, everything syncd holds about those
  contacts: the contact row (its canonical JSON, stored form, the CRM's and the
  written values, the write ledger), its activities, its score history, its
  CRM outcomes and its shadow-model scores; texts that name its id elsewhere
  (an account's summary "top:
  …", a run's report and error, a cursor) get ``(erased)`` instead (a cursor
  gets an empty id: the next cycle re-reads that instant). It then records one
  audit row per person holding no personal data: a salted SHA-256 of the
  connector and record id (the salt lives in the state store, so the same
  person always gives the same hash there and nowhere else), the time, who
  asked, the rows erased per kind and whether the CRM's fields were cleared.
  With ``dry_run`` the same transaction is rolled back: the counts are what a
  real run would erase.
* Nothing else remembers the person: when the record changes in the CRM again
  the next cycle stores it as a new contact.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from syncd.state.erase import CONTACT_TABLES
from syncd.state.schema import (
    accounts,
    contacts,
    forget_audit,
    meta,
    privacy_salt,
    runs,
)

__all__ = [
    "ERASED",
    "Erased",
    "email_token",
    "erase",
    "find_ids",
    "privacy_salt_of",
    "subject_hash",
]

#: What replaces an erased id inside texts that other rows keep.
ERASED = "(erased)"


@dataclass
class Erased:
    """Rows erased (or rewritten) per kind, and the audit subjects recorded."""

    rows: dict[str, int] = field(default_factory=dict)
    subjects: list[str] = field(default_factory=list)

    def add(self, kind: str, n: int) -> None:
        if n:
            self.rows[kind] = self.rows.get(kind, 0) + n


def privacy_salt_of(engine: sa.Engine) -> str:
    """The state store's privacy salt (created on first use)."""
    with engine.begin() as conn:
        return _salt(conn)


def email_token(salt: str, email: str) -> str:
    """A stored e-mail address without the person: ``h.<16 hex>@domain``, the
    hex a salted SHA-256 of the whole address (case-insensitive), so the
    domain still matches accounts and ``syncd forget --email`` still finds it."""
    address = email.strip().casefold()
    digest = hashlib.sha256(f"{salt}\x00{address}".encode()).hexdigest()[:16]
    return f"h.{digest}@{address.rsplit('@', 1)[-1]}"


def find_ids(
    engine: sa.Engine, connector: str, *, contact_id: str | None = None, email: str | None = None
) -> list[str]:
    """Ids of the connector's stored contacts with this id or e-mail address."""
    c = contacts.c
    with engine.connect() as conn:
        if contact_id is not None:
            q = sa.select(c.id).where(c.connector == connector, c.id == contact_id)
            return [str(i) for i in conn.execute(q).scalars()]
        wanted = (email or "").strip().casefold()
        if "@" not in wanted:
            return []
        salt = conn.execute(sa.select(privacy_salt.c.salt)).scalar()
        forms = {wanted} | ({email_token(str(salt), wanted)} if salt is not None else set())
        domain = wanted.rsplit("@", 1)[1]
        q = sa.select(c.id, c.data).where(
            c.connector == connector, sa.func.lower(c.data).contains(domain)
        )
        out = []
        for cid, data in conn.execute(q):
            stored = json.loads(data).get("email")
            if isinstance(stored, str) and stored.strip().casefold() in forms:
                out.append(str(cid))
        return out


def _salt(conn: sa.Connection) -> str:
    row = conn.execute(sa.select(privacy_salt.c.salt).where(privacy_salt.c.id == 1)).scalar()
    if row is not None:
        return str(row)
    salt = secrets.token_hex(32)
    conn.execute(privacy_salt.insert().values(id=1, salt=salt))
    return salt


def subject_hash(salt: str, connector: str, contact_id: str) -> str:
    """The audit's name for a person: SHA-256 of salt, connector and id (hex)."""
    text = f"{salt}\x00{connector}\x00{contact_id}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _pattern(ids: Sequence[str]) -> re.Pattern[str]:
    alts = "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alts})(?![\w-])")


def _scrub(
    conn: sa.Connection,
    table: sa.Table,
    key: sa.Column[str],
    columns: Sequence[str],
    connector: str,
    ids: Sequence[str],
    replacement: str,
) -> int:
    """Replace the ids inside ``columns`` of the connector's rows; rows changed."""
    pat = _pattern(ids)
    cols = [table.c[name] for name in columns]
    hit = sa.or_(*(col.contains(i) for col in cols for i in ids))
    q = sa.select(key, *cols).where(table.c.connector == connector, hit)
    changed = 0
    for row in conn.execute(q).all():
        values = {
            name: pat.sub(replacement, text)
            for name, text in zip(columns, row[1:], strict=True)
            if isinstance(text, str)
        }
        conn.execute(
            table.update().where(table.c.connector == connector, key == row[0]).values(**values)
        )
        changed += 1
    return changed


def erase(
    engine: sa.Engine,
    connector: str,
    ids: Sequence[str],
    *,
    requested_by: str,
    now: datetime,
    crm_cleared: bool = False,
    dry_run: bool = False,
) -> Erased:
    """Erase the contacts ``ids`` of ``connector`` (see module docstring)."""
    done = Erased()
    if not ids:
        return done
    with engine.connect() as conn:
        tx = conn.begin()
        try:
            for kind, table, column in CONTACT_TABLES:
                res = conn.execute(
                    table.delete().where(
                        table.c.connector == connector, table.c[column].in_(list(ids))
                    )
                )
                done.add(kind, res.rowcount or 0)
            done.add(
                "account summary",
                _scrub(
                    conn, accounts, accounts.c.id, ["summary", "w_summary"], connector, ids, ERASED
                ),
            )
            done.add(
                "run record",
                _scrub(conn, runs, runs.c.run_id, ["report", "error"], connector, ids, ERASED),
            )
            done.add("cursor", _scrub(conn, meta, meta.c.connector, ["cursor"], connector, ids, ""))
            salt = _salt(conn)
            erased = json.dumps(done.rows, sort_keys=True)
            for cid in ids:
                subject = subject_hash(salt, connector, cid)
                done.subjects.append(subject)
                conn.execute(
                    forget_audit.insert().values(
                        connector=connector,
                        subject=subject,
                        at=now,
                        requested_by=requested_by[:200],
                        erased=erased,
                        crm_cleared=crm_cleared,
                    )
                )
        except BaseException:
            tx.rollback()
            raise
        if dry_run:
            tx.rollback()
        else:
            tx.commit()
    return done
