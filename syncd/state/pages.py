"""Committing one pulled page, account resolution and account keys.

``commit_page`` stores a page's contacts, accounts, activities, deletions and
merges and its cursor in one transaction, and marks ``dirty`` every contact
whose score may have changed: a new or changed contact (data, account link or
CRM values of syncd's fields), a contact with a new or changed activity, every
contact linked to a changed or deleted account, accountless contacts that may
now resolve to a new account, and the account-mates of deleted contacts.
Re-reading identical records changes nothing and marks nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from connectors.base import ContactRecord, Page, SkippedRecord
from syncd.core import ContactError, account_key, contact_from_json
from syncd.state.records import PageStats, canonical
from syncd.state.schema import accounts, activities, contacts, meta

__all__ = ["chunks", "commit_page", "refresh_keys", "resolve_accounts"]

log = logging.getLogger("syncd.sync")
IN_CHUNK = 500


def chunks(items: Sequence[str], n: int = IN_CHUNK) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


def _contact_keys(data: dict[str, Any]) -> tuple[str | None, str | None]:
    """(e-mail domain key, company name key) of an accountless contact."""
    c = contact_from_json({k: v for k, v in data.items() if k not in ("account", "activities")})
    email_key = account_key(None, c.email_domain, None, None) if c.email_domain else None
    company_key = account_key(None, None, None, c.company) if c.company else None
    return email_key, company_key


def _mark(conn: sa.Connection, connector: str, where: sa.ColumnElement[bool]) -> None:
    conn.execute(sa.update(contacts).where(contacts.c.connector == connector, where)
                 .values(dirty=True))


def _many(conn: sa.Connection, stmt: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Execute ``stmt`` once per row as one executemany per set of keys (every row of
    one executemany must bind the same parameters)."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    for group in groups.values():
        conn.execute(stmt, group)


def _update_contacts(conn: sa.Connection, rows: Sequence[dict[str, Any]]) -> None:
    """UPDATE contacts row by row (``b_connector``/``b_id`` pick the row; every other
    key is a column), as executemany."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(k for k in row if not k.startswith("b_"))),
                          []).append(row)
    for cols, group in groups.items():
        stmt = (sa.update(contacts)
                .where(contacts.c.connector == sa.bindparam("b_connector"),
                       contacts.c.id == sa.bindparam("b_id"))
                .values({c: sa.bindparam(c) for c in cols}))
        conn.execute(stmt, group)


def _upsert_contacts(conn: sa.Connection, connector: str, recs: Sequence[ContactRecord],
                     stats: PageStats) -> None:
    ids = [r.id for r in recs]
    existing: dict[str, Any] = {}
    for part in chunks(ids):
        for row in conn.execute(sa.select(contacts).where(
                contacts.c.connector == connector, contacts.c.id.in_(part))):
            existing[row.id] = row
    inserts: dict[str, dict[str, Any]] = {}
    updates: list[dict[str, Any]] = []
    for rec in recs:
        data = {k: v for k, v in rec.data.items() if k not in ("account", "activities")}
        data["id"] = rec.id
        try:
            email_key, company_key = _contact_keys(data)
        except ContactError as exc:
            stats.skipped += 1
            log.warning("record skipped", extra={"connector": connector, "event": "skipped",
                                                 "record_id": rec.id, "reason": str(exc)})
            continue
        stats.contacts += 1
        text = canonical(data)
        crm = rec.crm_values
        values: dict[str, Any] = {
            "kind": rec.kind, "data": text, "account_id": rec.account_id,
            "email_key": email_key, "company_key": company_key, "writable": rec.writable,
        }
        if crm is not None:
            values.update(crm_read=True, crm_score=crm.score, crm_tier=crm.tier,
                          crm_reasons=crm.reasons, crm_priority=crm.priority)
        if rec.id in inserts:  # the same record twice in one page: the last one wins
            inserts[rec.id].update(values)
            continue
        old = existing.get(rec.id)
        if old is None:
            inserts[rec.id] = {"connector": connector, "id": rec.id, "dirty": True, **values}
            stats.changed_contacts += 1
            continue
        same = (old.data == text and old.account_id == rec.account_id and old.kind == rec.kind
                and old.writable == rec.writable
                and (crm is None or (old.crm_read and old.crm_score == crm.score
                                     and old.crm_tier == crm.tier
                                     and old.crm_reasons == crm.reasons
                                     and old.crm_priority == crm.priority)))
        if same:
            continue
        stats.changed_contacts += 1
        if old.account_id != rec.account_id:
            values["resolved_account_id"] = None
        updates.append({"b_connector": connector, "b_id": rec.id, "dirty": True, **values})
    _many(conn, sa.insert(contacts), list(inserts.values()))
    _update_contacts(conn, updates)


def _upsert_accounts(conn: sa.Connection, connector: str, page: Page, stats: PageStats) -> None:
    stored: dict[str, str] = {}
    for part in chunks([a.id for a in page.accounts]):
        stored.update(conn.execute(sa.select(accounts.c.id, accounts.c.data).where(
            accounts.c.connector == connector, accounts.c.id.in_(part))).all())
    inserts: dict[str, dict[str, Any]] = {}
    updates: dict[str, dict[str, Any]] = {}
    keys: set[str] = set()
    for acc in page.accounts:
        data = dict(acc.data)
        data["id"] = acc.id
        text = canonical(data)
        old = stored.get(acc.id)
        if old == text:
            continue
        stats.accounts += 1
        dom = data.get("domain")
        name = data.get("name")
        domain_key = account_key(None, None, dom, None) if isinstance(dom, str) and dom else None
        name_key = account_key(None, None, None, name) if isinstance(name, str) and name else None
        row = {"data": text, "domain_key": domain_key, "name_key": name_key}
        if old is None and acc.id not in inserts:
            inserts[acc.id] = {"connector": connector, "id": acc.id, **row}
        elif acc.id in inserts:
            inserts[acc.id].update(row)
        else:
            updates[acc.id] = {"b_connector": connector, "b_id": acc.id, **row}
        stored[acc.id] = text
        keys.update(k for k in (domain_key, name_key) if k)
    if inserts:
        conn.execute(sa.insert(accounts), list(inserts.values()))
    if updates:
        conn.execute(sa.update(accounts).where(
            accounts.c.connector == sa.bindparam("b_connector"),
            accounts.c.id == sa.bindparam("b_id")).values(
            data=sa.bindparam("data"), domain_key=sa.bindparam("domain_key"),
            name_key=sa.bindparam("name_key")), list(updates.values()))
    changed = sorted([*inserts, *updates])
    for part in chunks(changed):
        _mark(conn, connector, sa.or_(contacts.c.account_id.in_(part),
                                      contacts.c.resolved_account_id.in_(part)))
    for part in chunks(sorted(keys)):  # accountless contacts that may now resolve to them
        _mark(conn, connector, sa.and_(contacts.c.account_id.is_(None), sa.or_(
            contacts.c.email_key.in_(part), contacts.c.company_key.in_(part))))


def _valid_activity(data: dict[str, Any]) -> str | None:
    try:
        contact_from_json({"id": "x", "activities": [data]})
    except ContactError as exc:
        return str(exc)
    return None


def _upsert_activities(conn: sa.Connection, connector: str, page: Page,
                       stats: PageStats) -> None:
    valid: list[tuple[str, str, str]] = []
    for act in page.activities:
        reason = _valid_activity(dict(act.data))
        if reason is not None:
            stats.skipped += 1
            log.warning("activity skipped", extra={
                "connector": connector, "event": "skipped", "record_id": act.key,
                "contact_id": act.contact_id, "reason": reason})
            continue
        stats.activities += 1
        valid.append((act.key, act.contact_id, canonical(act.data)))
    stored: dict[tuple[str, str], str] = {}
    for part in chunks(sorted({key for key, _c, _t in valid})):
        for key, cid, data in conn.execute(sa.select(
                activities.c.key, activities.c.contact_id, activities.c.data).where(
                activities.c.connector == connector, activities.c.key.in_(part))):
            stored[(key, cid)] = data
    inserts: dict[tuple[str, str], dict[str, Any]] = {}
    updates: dict[tuple[str, str], dict[str, Any]] = {}
    touched: set[str] = set()
    for key, cid, text in valid:
        where = (key, cid)
        if stored.get(where) == text:
            continue
        stats.new_activities += 1
        if where in inserts:
            inserts[where]["data"] = text
        elif where in stored:
            updates[where] = {"b_connector": connector, "b_key": key, "b_cid": cid, "data": text}
        else:
            inserts[where] = {"connector": connector, "key": key, "contact_id": cid,
                              "data": text}
        stored[where] = text
        touched.add(cid)
    if inserts:
        conn.execute(sa.insert(activities), list(inserts.values()))
    if updates:
        conn.execute(sa.update(activities).where(
            activities.c.connector == sa.bindparam("b_connector"),
            activities.c.key == sa.bindparam("b_key"),
            activities.c.contact_id == sa.bindparam("b_cid")).values(
            data=sa.bindparam("data")), list(updates.values()))
    for part in chunks(sorted(touched)):
        _mark(conn, connector, contacts.c.id.in_(part))


def _delete_contact(conn: sa.Connection, connector: str, cid: str) -> None:
    key = conn.execute(sa.select(contacts.c.account_key).where(
        contacts.c.connector == connector, contacts.c.id == cid)).scalar_one_or_none()
    conn.execute(sa.delete(contacts).where(contacts.c.connector == connector,
                                           contacts.c.id == cid))
    conn.execute(sa.delete(activities).where(activities.c.connector == connector,
                                             activities.c.contact_id == cid))
    if key is not None:
        _mark(conn, connector, contacts.c.account_key == key)


def _merge(conn: sa.Connection, connector: str, loser: str, survivor: str) -> None:
    rows = conn.execute(sa.select(activities.c.key, activities.c.data).where(
        activities.c.connector == connector, activities.c.contact_id == loser)).all()
    for key, data in rows:
        exists = conn.execute(sa.select(activities.c.key).where(
            activities.c.connector == connector, activities.c.key == key,
            activities.c.contact_id == survivor)).first()
        if exists is None:
            conn.execute(sa.insert(activities).values(connector=connector, key=key,
                                                      contact_id=survivor, data=data))
    _delete_contact(conn, connector, loser)
    _mark(conn, connector, contacts.c.id == survivor)


def commit_page(conn: sa.Connection, connector: str, page: Page, now: datetime,
                *, store_cursor: bool = True) -> PageStats:
    """Store ``page`` (and, with ``store_cursor``, its cursor) on ``conn``; the
    caller commits. Returns what changed."""
    stats = PageStats()
    for s in page.skipped:
        _log_skipped(connector, s)
    stats.skipped += len(page.skipped)
    _upsert_accounts(conn, connector, page, stats)
    _upsert_contacts(conn, connector, page.contacts, stats)
    _upsert_activities(conn, connector, page, stats)
    for cid in page.deleted_contacts:
        _delete_contact(conn, connector, cid)
        stats.deleted += 1
    for aid in page.deleted_accounts:
        conn.execute(sa.delete(accounts).where(accounts.c.connector == connector,
                                               accounts.c.id == aid))
        _mark(conn, connector, sa.or_(contacts.c.account_id == aid,
                                      contacts.c.resolved_account_id == aid))
        conn.execute(sa.update(contacts).where(contacts.c.connector == connector,
                                               contacts.c.resolved_account_id == aid)
                     .values(resolved_account_id=None))
        stats.deleted += 1
    for loser, survivor in page.merged.items():
        _merge(conn, connector, loser, survivor)
        stats.merged += 1
    if store_cursor and page.cursor is not None:
        text = json.dumps(page.cursor, sort_keys=True)
        done = conn.execute(sa.update(meta).where(meta.c.connector == connector)
                            .values(cursor=text, updated_at=now))
        if done.rowcount == 0:
            conn.execute(sa.insert(meta).values(connector=connector, cursor=text, updated_at=now))
    return stats


def _log_skipped(connector: str, s: SkippedRecord) -> None:
    log.warning("record skipped", extra={"connector": connector, "event": "skipped",
                                         "record_id": s.record_id, "kind": s.kind,
                                         "reason": s.reason})


def _first_account(conn: sa.Connection, connector: str, col: Any,
                   keys: Iterable[str]) -> dict[str, str]:
    """key -> lowest account id with that key in ``col``."""
    found: dict[str, str] = {}
    for part in chunks(sorted(set(keys))):
        found.update(conn.execute(sa.select(col, sa.func.min(accounts.c.id)).where(
            accounts.c.connector == connector, col.in_(part)).group_by(col)).all())
    return found


def resolve_accounts(conn: sa.Connection, connector: str) -> int:
    """Link dirty accountless contacts to a stored account: by corporate e-mail
    domain, else by normalised company name (lowest account id on ties).
    Returns how many links changed."""
    rows = conn.execute(sa.select(contacts.c.id, contacts.c.email_key, contacts.c.company_key,
                                  contacts.c.resolved_account_id).where(
        contacts.c.connector == connector, contacts.c.dirty.is_(True),
        contacts.c.account_id.is_(None))).all()
    by_domain = _first_account(conn, connector, accounts.c.domain_key,
                               (r[1] for r in rows if r[1] is not None))
    by_name = _first_account(conn, connector, accounts.c.name_key,
                             (r[2] for r in rows if r[2] is not None))
    changes: list[dict[str, Any]] = []
    for cid, email_key, company_key, current in rows:
        found = by_domain.get(email_key) if email_key is not None else None
        if found is None and company_key is not None:
            found = by_name.get(company_key)
        if found != current:
            changes.append({"b_connector": connector, "b_id": cid, "resolved_account_id": found})
    _update_contacts(conn, changes)
    return len(changes)


def refresh_keys(conn: sa.Connection, connector: str,
                 keys_of: Callable[[Sequence[Any]], dict[str, str | None]]) -> None:
    """Recompute ``account_key`` of dirty contacts with ``keys_of(rows)`` (contact
    rows -> id -> key, a chunk at a time); when a key changes, the old key's
    contacts are marked dirty too."""
    ids = [r[0] for r in conn.execute(sa.select(contacts.c.id).where(
        contacts.c.connector == connector, contacts.c.dirty.is_(True)))]
    old_keys: set[str] = set()
    for part in chunks(ids):
        rows = conn.execute(sa.select(contacts).where(
            contacts.c.connector == connector, contacts.c.id.in_(part))).all()
        new = keys_of(rows)
        changes = []
        for row in rows:
            key = new.get(row.id)
            if key != row.account_key:
                changes.append({"b_connector": connector, "b_id": row.id, "account_key": key})
                if row.account_key is not None:
                    old_keys.add(row.account_key)
        _update_contacts(conn, changes)
    for part in chunks(sorted(old_keys)):
        _mark(conn, connector, contacts.c.account_key.in_(part))
