"""Reading stored contacts back as canonical JSON, grouped by account key.

A group is every stored contact sharing one account key (or one contact
without a key): the core's account signals (multi-stakeholder boosts) depend
only on the contacts of one key, so scoring whole groups gives exactly what
scoring every stored contact at once would.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa

from syncd.core import ContactError, contact_from_json
from syncd.state.pages import chunks
from syncd.state.records import StoredContact, Values
from syncd.state.schema import accounts, activities, contacts

__all__ = [
    "account_keys_of", "all_groups", "assemble", "dirty_groups", "load_contacts", "recheck_batches",
]


def _values(score: Any, tier: Any, reasons: Any, priority: Any) -> Values | None:
    if score is None and tier is None:
        return None
    return Values(score=score, tier=tier, reasons=reasons, priority=priority)


def assemble(conn: sa.Connection, connector: str, rows: Sequence[Any],
             with_activities: bool = True) -> list[StoredContact]:
    """Build canonical contact JSON (account and activities attached) for ``rows``."""
    acc_ids = sorted({r.account_id or r.resolved_account_id for r in rows
                      if r.account_id or r.resolved_account_id})
    accs: dict[str, Any] = {}
    for part in chunks(acc_ids):
        for aid, data in conn.execute(sa.select(accounts.c.id, accounts.c.data).where(
                accounts.c.connector == connector, accounts.c.id.in_(part))).all():
            accs[aid] = json.loads(data)
    acts: dict[str, list[tuple[str, str]]] = {}
    if with_activities:
        for part in chunks([r.id for r in rows]):
            for cid, key, data in conn.execute(
                    sa.select(activities.c.contact_id, activities.c.key, activities.c.data)
                    .where(activities.c.connector == connector,
                           activities.c.contact_id.in_(part))).all():
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
        crm = _values(r.crm_score, r.crm_tier, r.crm_reasons, r.crm_priority) if r.crm_read \
            else None
        out.append(StoredContact(
            id=r.id, kind=r.kind, writable=r.writable, json=obj, account_key=r.account_key,
            crm=crm, desired=_values(r.score, r.tier, r.reasons, r.priority),
            desired_mql=bool(r.mql), written=_values(r.w_score, r.w_tier, r.w_reasons,
                                                     r.w_priority),
            mql_at=r.mql_at, dead=r.dead, attempts=r.attempts,
            scored_at=r.scored_at))
    return out


def account_keys_of(conn: sa.Connection, connector: str,
                    ids: Sequence[str]) -> dict[str, str | None]:
    """The core's account key of each stored contact in ``ids`` (None when unusable)."""
    rows: list[Any] = []
    for part in chunks(list(ids)):
        rows.extend(conn.execute(sa.select(contacts).where(
            contacts.c.connector == connector, contacts.c.id.in_(part))))
    out: dict[str, str | None] = {}
    for sc in assemble(conn, connector, rows, with_activities=False):
        try:
            out[sc.id] = contact_from_json(sc.json).account_key
        except ContactError:
            out[sc.id] = None
    return out


def load_contacts(conn: sa.Connection, connector: str,
                  ids: Sequence[str]) -> list[StoredContact]:
    rows: list[Any] = []
    for part in chunks(list(ids)):
        rows.extend(conn.execute(sa.select(contacts).where(
            contacts.c.connector == connector, contacts.c.id.in_(part))))
    rows.sort(key=lambda r: r.id)
    return assemble(conn, connector, rows)


def _group_rows(conn: sa.Connection, connector: str, keys: Sequence[str],
                lone: Sequence[str]) -> list[Any]:
    rows: list[Any] = []
    for part in chunks(list(keys)):
        rows.extend(conn.execute(sa.select(contacts).where(
            contacts.c.connector == connector, contacts.c.account_key.in_(part))).all())
    for part in chunks(list(lone)):
        rows.extend(conn.execute(sa.select(contacts).where(
            contacts.c.connector == connector, contacts.c.id.in_(part),
            contacts.c.account_key.is_(None))).all())
    rows.sort(key=lambda r: r.id)
    return rows


def dirty_groups(engine: sa.Engine, connector: str,
                 chunk: int) -> Iterator[list[StoredContact]]:
    """Whole account groups containing at least one dirty contact, about
    ``chunk`` dirty contacts at a time (keyset-paged by id, so it terminates
    whether or not the caller clears the dirty flags)."""
    after = ""
    seen: set[str] = set()
    while True:
        with engine.connect() as conn:
            rows = conn.execute(sa.select(contacts.c.id, contacts.c.account_key).where(
                contacts.c.connector == connector, contacts.c.dirty.is_(True),
                contacts.c.id > after).order_by(contacts.c.id).limit(chunk)).all()
            if not rows:
                return
            after = rows[-1][0]
            keys = sorted({k for _i, k in rows if k is not None} - seen)
            seen.update(keys)
            lone = [i for i, k in rows if k is None]
            group = assemble(conn, connector, _group_rows(conn, connector, keys, lone))
        if group:
            yield group


def all_groups(engine: sa.Engine, connector: str, chunk: int) -> Iterator[list[StoredContact]]:
    """Every stored contact, in whole account groups of about ``chunk`` contacts."""
    after_key = ""
    while True:
        with engine.connect() as conn:
            keys = [k for (k,) in conn.execute(
                sa.select(contacts.c.account_key).where(
                    contacts.c.connector == connector, contacts.c.account_key.is_not(None),
                    contacts.c.account_key > after_key)
                .group_by(contacts.c.account_key).order_by(contacts.c.account_key)
                .limit(max(1, chunk // 4)))]
            if not keys:
                break
            after_key = keys[-1]
            group = assemble(conn, connector, _group_rows(conn, connector, keys, ()))
        yield group
    after = ""
    while True:
        with engine.connect() as conn:
            ids = [i for (i,) in conn.execute(sa.select(contacts.c.id).where(
                contacts.c.connector == connector, contacts.c.account_key.is_(None),
                contacts.c.id > after).order_by(contacts.c.id).limit(chunk))]
            if not ids:
                return
            after = ids[-1]
            group = assemble(conn, connector, _group_rows(conn, connector, (), ids))
        yield group


def recheck_batches(engine: sa.Engine, connector: str,
                    chunk: int) -> Iterator[list[StoredContact]]:
    """Contacts marked ``recheck`` and not ``dirty`` (dirty ones are rescored
    anyway), keyset-paged by id; JSON without activities."""
    after = ""
    while True:
        with engine.connect() as conn:
            rows = conn.execute(sa.select(contacts).where(
                contacts.c.connector == connector, contacts.c.recheck.is_(True),
                contacts.c.dirty.is_(False), contacts.c.id > after)
                .order_by(contacts.c.id).limit(chunk)).all()
            if not rows:
                return
            after = rows[-1].id
            batch = assemble(conn, connector, rows, with_activities=False)
        yield batch
