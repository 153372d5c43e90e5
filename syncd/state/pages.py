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
from collections.abc import Iterable, Sequence
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


def _upsert_contacts(conn: sa.Connection, connector: str, recs: Sequence[ContactRecord],
                     stats: PageStats) -> None:
    ids = [r.id for r in recs]
    existing: dict[str, Any] = {}
    for part in chunks(ids):
        for row in conn.execute(sa.select(contacts).where(
                contacts.c.connector == connector, contacts.c.id.in_(part))):
            existing[row.id] = row
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
        old = existing.get(rec.id)
        if old is None:
            conn.execute(sa.insert(contacts).values(connector=connector, id=rec.id, dirty=True,
                                                    **values))
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
        conn.execute(sa.update(contacts).where(contacts.c.connector == connector,
                                               contacts.c.id == rec.id)
                     .values(dirty=True, **values))


def _upsert_accounts(conn: sa.Connection, connector: str, page: Page, stats: PageStats) -> None:
    for acc in page.accounts:
        data = dict(acc.data)
        data["id"] = acc.id
        text = canonical(data)
        old = conn.execute(sa.select(accounts.c.data).where(
            accounts.c.connector == connector, accounts.c.id == acc.id)).scalar_one_or_none()
        if old == text:
            continue
        stats.accounts += 1
        dom = data.get("domain")
        name = data.get("name")
        domain_key = account_key(None, None, dom, None) if isinstance(dom, str) and dom else None
        name_key = account_key(None, None, None, name) if isinstance(name, str) and name else None
        row = {"data": text, "domain_key": domain_key, "name_key": name_key}
        if old is None:
            conn.execute(sa.insert(accounts).values(connector=connector, id=acc.id, **row))
        else:
            conn.execute(sa.update(accounts).where(accounts.c.connector == connector,
                                                   accounts.c.id == acc.id).values(**row))
        _mark(conn, connector, sa.or_(contacts.c.account_id == acc.id,
                                      contacts.c.resolved_account_id == acc.id))
        keys = [k for k in (domain_key, name_key) if k]
        if keys:  # accountless contacts that may now resolve to this account
            _mark(conn, connector, sa.and_(contacts.c.account_id.is_(None), sa.or_(
                contacts.c.email_key.in_(keys), contacts.c.company_key.in_(keys))))


def _valid_activity(data: dict[str, Any]) -> str | None:
    try:
        contact_from_json({"id": "x", "activities": [data]})
    except ContactError as exc:
        return str(exc)
    return None


def _upsert_activities(conn: sa.Connection, connector: str, page: Page,
                       stats: PageStats) -> None:
    for act in page.activities:
        reason = _valid_activity(dict(act.data))
        if reason is not None:
            stats.skipped += 1
            log.warning("activity skipped", extra={
                "connector": connector, "event": "skipped", "record_id": act.key,
                "contact_id": act.contact_id, "reason": reason})
            continue
        stats.activities += 1
        text = canonical(act.data)
        where = (activities.c.connector == connector, activities.c.key == act.key,
                 activities.c.contact_id == act.contact_id)
        old = conn.execute(sa.select(activities.c.data).where(*where)).scalar_one_or_none()
        if old == text:
            continue
        stats.new_activities += 1
        if old is None:
            conn.execute(sa.insert(activities).values(connector=connector, key=act.key,
                                                      contact_id=act.contact_id, data=text))
        else:
            conn.execute(sa.update(activities).where(*where).values(data=text))
        _mark(conn, connector, contacts.c.id == act.contact_id)


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


def resolve_accounts(conn: sa.Connection, connector: str) -> int:
    """Link dirty accountless contacts to a stored account: by corporate e-mail
    domain, else by normalised company name (lowest account id on ties).
    Returns how many links changed."""
    changed = 0
    rows = conn.execute(sa.select(contacts.c.id, contacts.c.email_key, contacts.c.company_key,
                                  contacts.c.resolved_account_id).where(
        contacts.c.connector == connector, contacts.c.dirty.is_(True),
        contacts.c.account_id.is_(None))).all()
    for cid, email_key, company_key, current in rows:
        found = None
        for col, key in ((accounts.c.domain_key, email_key), (accounts.c.name_key, company_key)):
            if key is None:
                continue
            found = conn.execute(sa.select(sa.func.min(accounts.c.id)).where(
                accounts.c.connector == connector, col == key)).scalar_one_or_none()
            if found is not None:
                break
        if found != current:
            conn.execute(sa.update(contacts).where(contacts.c.connector == connector,
                                                   contacts.c.id == cid)
                         .values(resolved_account_id=found))
            changed += 1
    return changed


def refresh_keys(conn: sa.Connection, connector: str, key_of: Any) -> None:
    """Recompute ``account_key`` of dirty contacts with ``key_of(contact_id)``;
    when a key changes, the old key's contacts are marked dirty too."""
    ids = [r[0] for r in conn.execute(sa.select(contacts.c.id).where(
        contacts.c.connector == connector, contacts.c.dirty.is_(True)))]
    for cid in ids:
        old = conn.execute(sa.select(contacts.c.account_key).where(
            contacts.c.connector == connector, contacts.c.id == cid)).scalar_one()
        new = key_of(cid)
        if new != old:
            conn.execute(sa.update(contacts).where(contacts.c.connector == connector,
                                                   contacts.c.id == cid)
                         .values(account_key=new))
            if old is not None:
                _mark(conn, connector, contacts.c.account_key == old)
