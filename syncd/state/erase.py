"""Erasing contacts that left the CRM (deleted, or merged into another record).

A contact's rows are its ``syncd_contact`` row (which carries its write ledger,
its stored form and activities, its scoring evidence, its scores and CRM
values), its ``syncd_activity``, ``syncd_score_history``, ``syncd_outcome`` and
``syncd_shadow_score`` rows; nothing else in the state store is keyed by a
contact.
Accounts and run records are shared and stay. Erasing marks the contact's account-mates
dirty (their account signals lose a member).
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from syncd.state.schema import activities, contacts, outcomes, score_history, shadow_scores

__all__ = ["CONTACT_TABLES", "erase_contacts"]

#: Every table holding rows of one contact: what a row is, the table, the column
#: naming the contact.
CONTACT_TABLES: tuple[tuple[str, sa.Table, str], ...] = (
    ("contact", contacts, "id"),
    ("activity", activities, "contact_id"),
    ("score history", score_history, "contact_id"),
    ("outcome", outcomes, "contact_id"),
    ("shadow score", shadow_scores, "contact_id"),
)


def erase_contacts(conn: sa.Connection, connector: str, ids: Iterable[str]) -> int:
    """Delete every row of the contacts ``ids`` on ``conn`` (the caller commits);
    returns how many contact rows existed."""
    wanted = sorted(set(ids))
    found = 0
    for start in range(0, len(wanted), 500):
        part = wanted[start : start + 500]
        keys = {
            key
            for (key,) in conn.execute(
                sa.select(contacts.c.account_key).where(
                    contacts.c.connector == connector, contacts.c.id.in_(part)
                )
            )
        }
        for _, table, column in CONTACT_TABLES:
            done = conn.execute(
                sa.delete(table).where(table.c.connector == connector, table.c[column].in_(part))
            )
            if table is contacts:
                found += done.rowcount
        keys.discard(None)
        if keys:
            conn.execute(
                sa.update(contacts)
                .where(contacts.c.connector == connector, contacts.c.account_key.in_(sorted(keys)))
                .values(dirty=True)
            )
    return found
