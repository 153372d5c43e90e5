"""Committing one pulled page, account resolution and account keys.

``commit_page`` stores a page's contacts, accounts, activities, deletions and
merges and its cursor in one transaction, and marks ``dirty`` every contact
whose score may have changed: a new or changed contact (data or account
link), a contact with a new or changed activity, every contact linked to a
changed or deleted account, accountless contacts that may now resolve to a
new account, and the account-mates of deleted contacts.
Each new or changed contact is validated by the core once, and its stored
form (``syncd.core.stored``: its own fields, and its activities newest first)
is kept beside its canonical JSON, so scoring rebuilds it without parsing.
The contact's stored scoring evidence (``evidence``, ``evidence_ref``) is
derived from that form, its activities' form and its account: every statement
here that writes ``form`` or ``acts`` with new values clears it, and every
change of what else a contact's scoring reads (its account's data, its account
link, resolved account or account key: ``_upsert_accounts``, deleted accounts,
``resolve_accounts``, ``refresh_keys``) happens only to contacts marked
``dirty`` in the same transaction, whose evidence is never read.
When the stored copy of the CRM's values of syncd's own fields changes while
the data does not (our own write read back, a stale read of the CRM's search
index, or a hand edit; the record's modification stamp is kept with them), the row is
marked ``recheck`` (contacts and accounts): the write-back decision
(``syncd.sync.writeback``) re-diffs it without rescoring. Re-reading
identical records marks nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from connectors.base import ContactRecord, OutcomeRecord, Page, SkippedRecord
from syncd.core import Activity, ContactError, account_key, contact_from_json
from syncd.core.outcomes import OUTCOME_KINDS
from syncd.core.stored import (
    EMPTY_ACTIVITIES,
    activities_form,
    contact_form,
    parse_activities,
)
from syncd.state.erase import erase_contacts
from syncd.state.outcomes import merge_outcomes, save_outcomes
from syncd.state.records import PageStats, canonical
from syncd.state.schema import accounts, activities, contacts, meta

__all__ = ["chunks", "commit_page", "refresh_keys", "resolve_accounts"]

IN_CHUNK = 500


def chunks(items: Sequence[str], n: int = IN_CHUNK) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def _contact_keys(data: dict[str, Any]) -> tuple[str, str | None, str | None]:
    """(stored form, e-mail domain key, company name key) of a contact's own
    fields (the contact's one parse by the core); raises ``ContactError``."""
    c = contact_from_json(data)
    email_key = account_key(None, c.email_domain, None, None) if c.email_domain else None
    company_key = account_key(None, None, None, c.company) if c.company else None
    return contact_form(c), email_key, company_key


#: What every write of a contact's ``form`` or ``acts`` also sets: the stored
#: scoring evidence is derived from them (``contacts.all_groups``).
_NO_EVIDENCE: dict[str, Any] = {"evidence": None, "evidence_ref": None}


def _mark(conn: sa.Connection, connector: str, where: sa.ColumnElement[bool]) -> None:
    conn.execute(
        sa.update(contacts).where(contacts.c.connector == connector, where).values(dirty=True)
    )


def _upsert_contacts(
    conn: sa.Connection,
    connector: str,
    recs: Sequence[ContactRecord],
    stats: PageStats,
    new_ids: set[str],
) -> None:
    recs = list({r.id: r for r in recs}.values())  # a page may repeat a record: last wins
    ids = [r.id for r in recs]
    existing: dict[str, Any] = {}
    inserts: list[dict[str, Any]] = []
    for part in chunks(ids):
        for row in conn.execute(
            sa.select(contacts).where(contacts.c.connector == connector, contacts.c.id.in_(part))
        ):
            existing[row.id] = row
    for rec in recs:
        data = {k: v for k, v in rec.data.items() if k not in ("account", "activities")}
        data["id"] = rec.id
        try:
            form, email_key, company_key = _contact_keys(data)
        except ContactError as exc:
            stats.skip(SkippedRecord(rec.id, rec.kind, str(exc)))
            continue
        stats.contacts += 1
        text = canonical(data)
        crm = rec.crm_values
        values: dict[str, Any] = {
            "kind": rec.kind,
            "data": text,
            "form": form,
            "account_id": rec.account_id,
            "email_key": email_key,
            "company_key": company_key,
            "writable": rec.writable,
        }
        if crm is not None:
            values.update(
                crm_read=True,
                crm_score=crm.score,
                crm_tier=crm.tier,
                crm_reasons=crm.reasons,
                crm_priority=crm.priority,
                crm_probability=crm.probability,
                crm_modified_at=rec.modified_at,
            )
        old = existing.get(rec.id)
        if old is None:
            if crm is None:
                values.update(
                    crm_read=False,
                    crm_score=None,
                    crm_tier=None,
                    crm_reasons=None,
                    crm_priority=None,
                    crm_probability=None,
                    crm_modified_at=None,
                )
            inserts.append(
                {
                    "connector": connector,
                    "id": rec.id,
                    "dirty": True,
                    "acts": EMPTY_ACTIVITIES,
                    **values,
                }
            )
            new_ids.add(rec.id)
            stats.changed_contacts += 1
            continue
        same_data = (
            old.data == text
            and old.form == form
            and old.account_id == rec.account_id
            and old.kind == rec.kind
            and old.writable == rec.writable
        )
        same_crm = crm is None or (
            old.crm_read
            and old.crm_score == crm.score
            and old.crm_tier == crm.tier
            and old.crm_reasons == crm.reasons
            and old.crm_priority == crm.priority
            and old.crm_probability == crm.probability
            and old.crm_modified_at == rec.modified_at
        )
        if same_data and same_crm:
            continue
        where = (contacts.c.connector == connector, contacts.c.id == rec.id)
        if same_data:  # the stored copy of syncd's own fields moved: re-diff, no rescore
            # (form and data are rewritten unchanged: the stored evidence still holds)
            conn.execute(sa.update(contacts).where(*where).values(recheck=True, **values))
            continue
        stats.changed_contacts += 1
        if old.account_id != rec.account_id:
            values["resolved_account_id"] = None
        conn.execute(sa.update(contacts).where(*where).values(dirty=True, **_NO_EVIDENCE, **values))
    if inserts:
        conn.execute(sa.insert(contacts), inserts)


def _upsert_accounts(conn: sa.Connection, connector: str, page: Page, stats: PageStats) -> None:
    changed: list[str] = []
    keys: set[str] = set()
    for acc in page.accounts:
        data = dict(acc.data)
        data["id"] = acc.id
        text = canonical(data)
        where = (accounts.c.connector == connector, accounts.c.id == acc.id)
        found = conn.execute(sa.select(accounts.c.data, accounts.c.crm_score).where(*where)).first()
        old = None if found is None else found.data
        if found is not None and found.crm_score != acc.crm_score:
            # the stored copy of syncd's own account field moved: re-diff
            conn.execute(
                sa.update(accounts).where(*where).values(crm_score=acc.crm_score, recheck=True)
            )
        if old == text:
            continue
        stats.accounts += 1
        dom = data.get("domain")
        name = data.get("name")
        domain_key = account_key(None, None, dom, None) if isinstance(dom, str) and dom else None
        name_key = account_key(None, None, None, name) if isinstance(name, str) and name else None
        row = {"data": text, "domain_key": domain_key, "name_key": name_key}
        if old is None:
            conn.execute(
                sa.insert(accounts).values(
                    connector=connector, id=acc.id, crm_score=acc.crm_score, **row
                )
            )
        else:
            conn.execute(
                sa.update(accounts)
                .where(accounts.c.connector == connector, accounts.c.id == acc.id)
                .values(**row)
            )
        changed.append(acc.id)
        keys.update(k for k in (domain_key, name_key) if k)
    # one statement per chunk and per indexed column (an OR of two columns would scan
    # every contact once per changed account)
    for part in chunks(changed):
        _mark(conn, connector, contacts.c.account_id.in_(part))
        _mark(conn, connector, contacts.c.resolved_account_id.in_(part))
    for part in chunks(sorted(keys)):  # accountless contacts that may now resolve to them
        _mark(
            conn,
            connector,
            sa.and_(contacts.c.account_id.is_(None), contacts.c.email_key.in_(part)),
        )
        _mark(
            conn,
            connector,
            sa.and_(contacts.c.account_id.is_(None), contacts.c.company_key.in_(part)),
        )


def _parse_activity(data: dict[str, Any]) -> Activity | str:
    """The activity ``data`` describes, or why it is not one."""
    try:
        (act,) = parse_activities([data])
    except ContactError as exc:
        return str(exc)
    return act


def _upsert_activities(
    conn: sa.Connection, connector: str, page: Page, stats: PageStats, touched_ids: set[str]
) -> None:
    good: dict[tuple[str, str], tuple[str, Activity]] = {}  # canonical JSON, parsed
    for act in page.activities:
        parsed = _parse_activity(dict(act.data))
        if isinstance(parsed, str):
            stats.skip(SkippedRecord(act.key, "activity", f"contact {act.contact_id}: {parsed}"))
            continue
        stats.activities += 1
        good[(act.key, act.contact_id)] = (canonical(act.data), parsed)
    if not good:
        return
    old: dict[tuple[str, str], str] = {}
    keys = sorted({k for k, _c in good})
    for part in chunks(keys):
        for key, cid, data in conn.execute(
            sa.select(activities.c.key, activities.c.contact_id, activities.c.data).where(
                activities.c.connector == connector, activities.c.key.in_(part)
            )
        ):
            old[(key, cid)] = data
    new_keys = [k for k in good if k not in old]
    changed_keys = [k for k in good if k in old and old[k] != good[k][0]]
    if new_keys:
        conn.execute(
            sa.insert(activities),
            [
                {
                    "connector": connector,
                    "key": k,
                    "contact_id": c,
                    "data": good[(k, c)][0],
                    "type": good[(k, c)][1].type,
                    "ts": good[(k, c)][1].ts,
                }
                for k, c in new_keys
            ],
        )
    if changed_keys:
        conn.execute(
            sa.update(activities)
            .where(
                activities.c.connector == connector,
                activities.c.key == sa.bindparam("b_key"),
                activities.c.contact_id == sa.bindparam("b_contact"),
            )
            .values(
                data=sa.bindparam("b_data"), type=sa.bindparam("b_type"), ts=sa.bindparam("b_ts")
            ),
            [
                {
                    "b_key": k,
                    "b_contact": c,
                    "b_data": good[(k, c)][0],
                    "b_type": good[(k, c)][1].type,
                    "b_ts": good[(k, c)][1].ts,
                }
                for k, c in changed_keys
            ],
        )
    touched = sorted({c for _k, c in (*new_keys, *changed_keys)})
    stats.new_activities += len(new_keys) + len(changed_keys)
    touched_ids.update(touched)
    for part in chunks(touched):
        _mark(conn, connector, contacts.c.id.in_(part))


def _store_activity_forms(conn: sa.Connection, connector: str, ids: set[str]) -> None:
    """Recompute the stored form of the activities of the contacts ``ids``."""
    for part in chunks(sorted(ids)):
        own: dict[str, list[tuple[str, str]]] = {cid: [] for cid in part}
        for cid, key, data in conn.execute(
            sa.select(activities.c.contact_id, activities.c.key, activities.c.data).where(
                activities.c.connector == connector, activities.c.contact_id.in_(part)
            )
        ):
            own[cid].append((key, data))
        rows = []
        for cid, acts in own.items():
            acts.sort()  # by key (unique per contact), like the canonical JSON
            try:
                form: str | None = activities_form(
                    parse_activities([json.loads(d) for _k, d in acts])
                )
            except ContactError:
                form = None  # each was valid alone: never happens; scoring reports it
            rows.append({"b_id": cid, "b_acts": form})
        conn.execute(
            sa.update(contacts)
            .where(contacts.c.connector == connector, contacts.c.id == sa.bindparam("b_id"))
            .values(acts=sa.bindparam("b_acts"), **_NO_EVIDENCE),
            rows,
        )


def _valid_outcomes(page: Page, stats: PageStats) -> list[OutcomeRecord]:
    """The page's outcomes that the core accepts; the others are skipped."""
    valid: list[OutcomeRecord] = []
    for r in page.outcomes:
        if r.kind not in OUTCOME_KINDS:
            stats.skip(SkippedRecord(r.contact_id, "outcome", f"{r.key}: unknown kind {r.kind!r}"))
        elif r.at.tzinfo is None:
            stats.skip(SkippedRecord(r.contact_id, "outcome", f"{r.key}: time without a zone"))
        else:
            valid.append(r)
    return valid


def _delete_contact(conn: sa.Connection, connector: str, cid: str) -> None:
    erase_contacts(conn, connector, (cid,))


def _merge(
    conn: sa.Connection, connector: str, loser: str, survivor: str, touched_ids: set[str]
) -> None:
    rows = conn.execute(
        sa.select(activities.c.key, activities.c.data, activities.c.type, activities.c.ts).where(
            activities.c.connector == connector, activities.c.contact_id == loser
        )
    ).all()
    for key, data, typ, ts in rows:
        exists = conn.execute(
            sa.select(activities.c.key).where(
                activities.c.connector == connector,
                activities.c.key == key,
                activities.c.contact_id == survivor,
            )
        ).first()
        if exists is None:
            conn.execute(
                sa.insert(activities).values(
                    connector=connector, key=key, contact_id=survivor, data=data, type=typ, ts=ts
                )
            )
    merge_outcomes(conn, connector, loser, survivor)
    _delete_contact(conn, connector, loser)
    _mark(conn, connector, contacts.c.id == survivor)
    touched_ids.add(survivor)


def commit_page(conn: sa.Connection, connector: str, page: Page, now: datetime) -> PageStats:
    """Store ``page`` and its cursor on ``conn``; the caller commits. Returns
    what changed."""
    stats = PageStats()
    for s in page.skipped:
        stats.skip(s)
    new_ids: set[str] = set()
    touched_ids: set[str] = set()
    _upsert_accounts(conn, connector, page, stats)
    _upsert_contacts(conn, connector, page.contacts, stats, new_ids)
    _upsert_activities(conn, connector, page, stats, touched_ids)
    if page.outcomes:
        stats.new_outcomes += save_outcomes(conn, connector, _valid_outcomes(page, stats))
    for cid in page.deleted_contacts:
        _delete_contact(conn, connector, cid)
        stats.deleted += 1
    for aid in page.deleted_accounts:
        conn.execute(
            sa.delete(accounts).where(accounts.c.connector == connector, accounts.c.id == aid)
        )
        _mark(
            conn,
            connector,
            sa.or_(contacts.c.account_id == aid, contacts.c.resolved_account_id == aid),
        )
        conn.execute(
            sa.update(contacts)
            .where(contacts.c.connector == connector, contacts.c.resolved_account_id == aid)
            .values(resolved_account_id=None)
        )
        stats.deleted += 1
    for loser, survivor in page.merged.items():
        _merge(conn, connector, loser, survivor, touched_ids)
        stats.merged += 1
    # new contacts whose activities came first, and contacts whose activities changed
    _store_activity_forms(conn, connector, touched_ids | new_ids)
    if page.cursor is not None:
        text = json.dumps(page.cursor, sort_keys=True)
        done = conn.execute(
            sa.update(meta).where(meta.c.connector == connector).values(cursor=text, updated_at=now)
        )
        if done.rowcount == 0:
            conn.execute(sa.insert(meta).values(connector=connector, cursor=text, updated_at=now))
    return stats


def _dirty_pages(
    conn: sa.Connection,
    connector: str,
    *cols: sa.ColumnElement[Any],
    where: sa.ColumnElement[bool] | None = None,
) -> Iterable[Sequence[Any]]:
    """Dirty contacts' rows (``cols``, id first) in keyset-paged chunks."""
    after = ""
    while True:
        q = sa.select(contacts.c.id, *cols).where(
            contacts.c.connector == connector, contacts.c.dirty.is_(True), contacts.c.id > after
        )
        if where is not None:
            q = q.where(where)
        rows = conn.execute(q.order_by(contacts.c.id).limit(IN_CHUNK)).all()
        if not rows:
            return
        after = rows[-1][0]
        yield rows


def _first_account(
    conn: sa.Connection, connector: str, col: sa.Column[Any], keys: set[str]
) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in chunks(sorted(keys)):
        for key, aid in conn.execute(
            sa.select(col, sa.func.min(accounts.c.id))
            .where(accounts.c.connector == connector, col.in_(part))
            .group_by(col)
        ):
            found[key] = aid
    return found


def resolve_accounts(conn: sa.Connection, connector: str) -> int:
    """Link dirty accountless contacts to a stored account: by corporate e-mail
    domain, else by normalised company name (lowest account id on ties).
    Returns how many links changed."""
    changed = 0
    for rows in _dirty_pages(
        conn,
        connector,
        contacts.c.email_key,
        contacts.c.company_key,
        contacts.c.resolved_account_id,
        where=contacts.c.account_id.is_(None),
    ):
        by_domain = _first_account(
            conn, connector, accounts.c.domain_key, {r[1] for r in rows if r[1]}
        )
        by_name = _first_account(conn, connector, accounts.c.name_key, {r[2] for r in rows if r[2]})
        updates = []
        for cid, email_key, company_key, current in rows:
            found = by_domain.get(email_key) if email_key else None
            if found is None and company_key:
                found = by_name.get(company_key)
            if found != current:
                updates.append({"b_id": cid, "b_acc": found})
        if updates:
            conn.execute(
                sa.update(contacts)
                .where(contacts.c.connector == connector, contacts.c.id == sa.bindparam("b_id"))
                .values(resolved_account_id=sa.bindparam("b_acc")),
                updates,
            )
            changed += len(updates)
    return changed


def refresh_keys(conn: sa.Connection, connector: str) -> None:
    """Recompute ``account_key`` of dirty contacts from their stored columns
    (the core's ``account_key`` order: the linked or resolved stored account's
    id, else the e-mail domain key, else the company key); when a key changes,
    the old key's contacts are marked dirty too."""
    stale: set[str] = set()
    acc = accounts.alias("acc")
    found = (
        sa.select(acc.c.id)
        .where(acc.c.connector == connector, acc.c.id == contacts.c.resolved_account_id)
        .exists()
    )
    for rows in _dirty_pages(
        conn,
        connector,
        contacts.c.account_key,
        contacts.c.account_id,
        contacts.c.resolved_account_id,
        found,
        contacts.c.email_key,
        contacts.c.company_key,
    ):
        updates = []
        for cid, old, account_id, resolved, resolved_found, email_key, company_key in rows:
            aid = account_id or (resolved if resolved_found else None)
            new = account_key(aid, None, None, None) if aid else (email_key or company_key)
            if new != old:
                updates.append({"b_id": cid, "b_key": new})
                if old is not None:
                    stale.add(old)
        if updates:
            conn.execute(
                sa.update(contacts)
                .where(contacts.c.connector == connector, contacts.c.id == sa.bindparam("b_id"))
                .values(account_key=sa.bindparam("b_key")),
                updates,
            )
    for part in chunks(sorted(stale)):
        _mark(conn, connector, contacts.c.account_key.in_(part))
