"""Reading stored contacts for scoring, in whole account groups.

A group is every stored contact sharing one account key (or one contact
without a key): the core's account signals (multi-stakeholder boosts) depend
only on the contacts of one key, so scoring whole groups gives exactly what
scoring every stored contact at once would.

``all_groups`` and ``dirty_groups`` take each chunk in one ordered query
(contacts joined to their account, by account key then id) and rebuild each
contact from its stored form (``syncd.core.stored``): no activity rows, no
sorting, no JSON assembly; or, given the ref its evidence was saved under,
hand back a clean contact's stored scoring evidence instead of rebuilding it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa

from syncd.core import ContactError
from syncd.core.evidence import evidence_from_text
from syncd.core.stored import account_from_json, contact_from_form
from syncd.core.types import AccountTables
from syncd.state.contact_state import STATE_COLUMNS, STATE_WIDTH, state_of
from syncd.state.pages import chunks
from syncd.state.records import ScoringRow
from syncd.state.schema import accounts, contacts

__all__ = ["all_groups", "dirty_groups"]

_N = STATE_WIDTH

_ACC = accounts.alias("acc")
#: the contact's account: the CRM's link, else the resolved one
_JOINED = contacts.outerjoin(
    _ACC,
    sa.and_(
        _ACC.c.connector == contacts.c.connector,
        _ACC.c.id == sa.func.coalesce(contacts.c.account_id, contacts.c.resolved_account_id),
    ),
)
_SCORING = sa.select(
    *STATE_COLUMNS,
    contacts.c.dirty,
    contacts.c.recheck,
    contacts.c.form,
    contacts.c.acts,
    contacts.c.account_id,
    _ACC.c.data.label("account_data"),
    sa.null().label("evidence"),
).select_from(_JOINED)
#: the stored evidence is usable: matched under the caller's ref, contact not dirty
_REF = sa.bindparam("b_evidence_ref", type_=sa.String())
_USABLE = sa.and_(
    contacts.c.evidence_ref == _REF,
    contacts.c.dirty.is_(False),
    contacts.c.evidence.is_not(None),
)


def _unless_usable(col: sa.ColumnElement[Any], name: str) -> sa.ColumnElement[Any]:
    """``col``, or NULL where the stored evidence is usable (not transferred)."""
    return sa.case((_USABLE, sa.null()), else_=col).label(name)


#: as ``_SCORING``, but a row with usable evidence brings its evidence text
#: instead of its form, activities and account data
_SCORING_EVIDENCE = sa.select(
    *STATE_COLUMNS,
    contacts.c.dirty,
    contacts.c.recheck,
    _unless_usable(contacts.c.form, "form"),
    _unless_usable(contacts.c.acts, "acts"),
    contacts.c.account_id,
    _unless_usable(_ACC.c.data, "account_data"),
    sa.case((_USABLE, contacts.c.evidence), else_=sa.null()).label("evidence"),
).select_from(_JOINED)


class _Read:
    """One scoring read's query: with stored evidence under ``ref`` or without."""

    def __init__(self, connector: str, ref: str | None) -> None:
        self.connector = connector
        self.query = _SCORING if ref is None else _SCORING_EVIDENCE
        self.params = {} if ref is None else {"b_evidence_ref": ref}

    def rows(self, conn: sa.Connection, query: sa.Select[Any]) -> list[Any]:
        return list(conn.execute(query, self.params).all())


def _rebuilt(
    r: Sequence[Any], built: dict[str, AccountTables | ContactError], flags: dict[str, bool]
) -> ScoringRow:
    """The row with its contact rebuilt from the stored form (or ``error``);
    ``built``: the accounts built so far in this chunk, by their JSON text."""
    _dirty, _recheck, form, acts, account_id, data, _evidence = r[_N:]
    if data is None and account_id:
        data = '{"id":' + json.dumps(account_id) + "}"
    acc: AccountTables | ContactError | None = None
    if data is not None:
        acc = built.get(data)
        if acc is None:
            try:
                acc = AccountTables.of(account_from_json(json.loads(data)))
            except ContactError as exc:
                acc = exc
            built[data] = acc
    if isinstance(acc, ContactError):
        return state_of(ScoringRow, r, error=f"account: {acc}", **flags)
    if form is None or acts is None:
        return state_of(ScoringRow, r, error="contact data not valid (see the pull's log)", **flags)
    try:
        contact = contact_from_form(r[0], form, acts, acc)
    except ContactError as exc:
        return state_of(ScoringRow, r, error=str(exc), **flags)
    return state_of(ScoringRow, r, contact=contact, **flags)


def _scoring_rows(conn: sa.Connection, read: _Read, rows: Sequence[Any]) -> list[ScoringRow]:
    """Scoring rows of ``rows`` (the query's order): usable stored evidence
    decoded (no contact), else contacts rebuilt from their stored form
    (accounts built once per chunk). Evidence that does not decode is
    ignored: that row is read again without it and rebuilt."""
    built: dict[str, AccountTables | ContactError] = {}
    out: list[ScoringRow | None] = []
    undecodable: dict[str, int] = {}
    for r in rows:
        flags = {"dirty": bool(r[_N]), "recheck": bool(r[_N + 1])}
        text = r[_N + 6]
        if text is not None:
            try:
                evidence = evidence_from_text(text)
            except ContactError:
                undecodable[r[0]] = len(out)
                out.append(None)
            else:
                out.append(state_of(ScoringRow, r, evidence=evidence, **flags))
            continue
        out.append(_rebuilt(r, built, flags))
    if undecodable:
        for part in chunks(sorted(undecodable)):
            for r in conn.execute(
                _SCORING.where(contacts.c.connector == read.connector, contacts.c.id.in_(part))
            ).all():
                flags = {"dirty": bool(r[_N]), "recheck": bool(r[_N + 1])}
                out[undecodable[r[0]]] = _rebuilt(r, built, flags)
    return [sr for sr in out if sr is not None]


def _connector_rows(conn: sa.Connection, read: _Read, *where: sa.ColumnElement[bool]) -> list[Any]:
    return read.rows(
        conn,
        read.query.where(contacts.c.connector == read.connector, *where).order_by(
            contacts.c.account_key, contacts.c.id
        ),
    )


def dirty_groups(
    engine: sa.Engine, connector: str, chunk: int, evidence_ref: str | None = None
) -> Iterator[list[ScoringRow]]:
    """Whole account groups containing at least one dirty contact, about
    ``chunk`` dirty contacts at a time (keyset-paged by id, so it terminates
    whether or not the caller clears the dirty flags); ``evidence_ref``: as
    for ``all_groups``."""
    read = _Read(connector, evidence_ref)
    after = ""
    seen: set[str] = set()
    while True:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(contacts.c.id, contacts.c.account_key)
                .where(
                    contacts.c.connector == connector,
                    contacts.c.dirty.is_(True),
                    contacts.c.id > after,
                )
                .order_by(contacts.c.id)
                .limit(chunk)
            ).all()
            if not rows:
                return
            after = rows[-1][0]
            keys = sorted({k for _i, k in rows if k is not None} - seen)
            seen.update(keys)
            lone = [i for i, k in rows if k is None]
            found: list[Any] = []
            for part in chunks(keys):
                found += _connector_rows(conn, read, contacts.c.account_key.in_(part))
            for part in chunks(lone):
                found += _connector_rows(
                    conn, read, contacts.c.id.in_(part), contacts.c.account_key.is_(None)
                )
            group = _scoring_rows(conn, read, found)
        if group:
            yield group


def all_groups(
    engine: sa.Engine, connector: str, chunk: int, evidence_ref: str | None = None
) -> Iterator[list[ScoringRow]]:
    """Every stored contact, in whole account groups of about ``chunk``
    contacts (one ordered query per chunk, by account key then id; a group
    larger than ``chunk`` comes whole).

    With an ``evidence_ref``, a contact that is not ``dirty`` and whose stored
    evidence was saved under that ref comes with its ``evidence`` decoded and
    no ``contact``: its form, activities and account are not read. Evidence is
    derived from the contact's form, activities and account: every write of
    ``form`` or ``acts`` clears it (``pages``, retention), and every change of
    the account, its link or the account key marks the contact ``dirty``.
    Any other contact is rebuilt from its stored form, as without a ref."""
    read = _Read(connector, evidence_ref)
    key, cid = "", ""
    while True:
        with engine.connect() as conn:
            rows = read.rows(
                conn,
                read.query.where(
                    contacts.c.connector == connector,
                    contacts.c.account_key.is_not(None),
                    # the range lets the planner seek the key index to the keyset
                    # (with the OR alone SQLite walks the keys before it)
                    contacts.c.account_key >= key,
                    sa.or_(contacts.c.account_key > key, contacts.c.id > cid),
                )
                .order_by(contacts.c.account_key, contacts.c.id)
                .limit(chunk),
            )
            if not rows:
                break
            key, cid = rows[-1].account_key, rows[-1].id
            # the rest of the last group
            rows += _connector_rows(conn, read, contacts.c.account_key == key, contacts.c.id > cid)
            cid = rows[-1].id
            group = _scoring_rows(conn, read, rows)
        yield group
    after = ""
    while True:
        with engine.connect() as conn:
            rows = read.rows(
                conn,
                read.query.where(
                    contacts.c.connector == connector,
                    contacts.c.account_key.is_(None),
                    contacts.c.id > after,
                )
                .order_by(contacts.c.id)
                .limit(chunk),
            )
            if not rows:
                return
            after = rows[-1].id
            group = _scoring_rows(conn, read, rows)
        yield group
