"""Reading stored contacts back: their canonical JSON (``load_contacts``,
``assemble``: what ``syncd export`` and ``syncd inspect`` show) and the
contacts to re-diff (``recheck_batches``). The scoring reads (``all_groups``,
``dirty_groups``) live in ``scoring_reads``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa

from syncd.state.contact_state import STATE_COLUMNS, STATE_NAMES, state_of
from syncd.state.pages import chunks
from syncd.state.records import ContactState, StoredContact
from syncd.state.schema import accounts, activities, contacts
from syncd.state.scoring_reads import all_groups, dirty_groups

__all__ = ["all_groups", "assemble", "dirty_groups", "load_contacts", "recheck_batches"]


def assemble(
    conn: sa.Connection, connector: str, rows: Sequence[Any], with_activities: bool = True
) -> list[StoredContact]:
    """Build canonical contact JSON (account and activities attached) for ``rows``."""
    acc_ids = sorted(
        {
            r.account_id or r.resolved_account_id
            for r in rows
            if r.account_id or r.resolved_account_id
        }
    )
    accs: dict[str, Any] = {}
    for part in chunks(acc_ids):
        for aid, data in conn.execute(
            sa.select(accounts.c.id, accounts.c.data).where(
                accounts.c.connector == connector, accounts.c.id.in_(part)
            )
        ).all():
            accs[aid] = json.loads(data)
    acts: dict[str, list[tuple[str, str]]] = {}
    if with_activities:
        for part in chunks([r.id for r in rows]):
            for cid, key, data in conn.execute(
                sa.select(activities.c.contact_id, activities.c.key, activities.c.data).where(
                    activities.c.connector == connector, activities.c.contact_id.in_(part)
                )
            ).all():
                acts.setdefault(cid, []).append((key, data))
    out: list[StoredContact] = []
    for r in rows:
        obj = json.loads(r.data)
        aid = r.account_id or r.resolved_account_id
        if aid and aid in accs:
            obj["account"] = accs[aid]
        elif r.account_id:
            obj["account"] = {"id": r.account_id}
        if with_activities:
            own = acts.get(r.id)
            if own:
                own.sort()  # by key: keys are unique per contact
                obj["activities"] = json.loads("[" + ",".join([d for _k, d in own]) + "]")
            else:
                obj["activities"] = []
        out.append(state_of(StoredContact, [getattr(r, n) for n in STATE_NAMES], json=obj))
    return out


def load_contacts(conn: sa.Connection, connector: str, ids: Sequence[str]) -> list[StoredContact]:
    rows: list[Any] = []
    for part in chunks(list(ids)):
        rows.extend(
            conn.execute(
                sa.select(contacts).where(
                    contacts.c.connector == connector, contacts.c.id.in_(part)
                )
            )
        )
    rows.sort(key=lambda r: r.id)
    return assemble(conn, connector, rows)


def recheck_batches(engine: sa.Engine, connector: str, chunk: int) -> Iterator[list[ContactState]]:
    """Contacts marked ``recheck`` and not ``dirty`` (dirty ones are rescored
    anyway), keyset-paged by id."""
    after = ""
    while True:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(*STATE_COLUMNS)
                .where(
                    contacts.c.connector == connector,
                    contacts.c.recheck.is_(True),
                    contacts.c.dirty.is_(False),
                    contacts.c.id > after,
                )
                .order_by(contacts.c.id)
                .limit(chunk)
            ).all()
            if not rows:
                return
            after = rows[-1].id
        yield [state_of(ContactState, r) for r in rows]
