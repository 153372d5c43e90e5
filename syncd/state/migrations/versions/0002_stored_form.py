"""The stored form of contacts (``form``, ``acts``: a rescore reads each contact
in one ordered query and rebuilds it without parsing or sorting again), the
account ``recheck`` flag, and the contact key index ordered by id within a key.
Existing contacts get their stored form computed from their stored JSON and
activities.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_BATCH = 500


def _fill_forms(conn: sa.Connection) -> None:
    from syncd.core import ContactError, contact_from_json
    from syncd.core.stored import activities_form, contact_form, parse_activities

    c = sa.table(
        "syncd_contact",
        sa.column("connector"),
        sa.column("id"),
        sa.column("data"),
        sa.column("form"),
        sa.column("acts"),
    )
    a = sa.table(
        "syncd_activity",
        sa.column("connector"),
        sa.column("key"),
        sa.column("contact_id"),
        sa.column("data"),
    )
    after = ("", "")
    while True:
        rows = conn.execute(
            sa.select(c.c.connector, c.c.id, c.c.data)
            .where(sa.tuple_(c.c.connector, c.c.id) > sa.tuple_(*after))
            .order_by(c.c.connector, c.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        after = (rows[-1][0], rows[-1][1])
        acts: dict[tuple[str, str], list[tuple[str, Any]]] = {}
        for connector in {r[0] for r in rows}:
            ids = [r[1] for r in rows if r[0] == connector]
            for cid, key, data in conn.execute(
                sa.select(a.c.contact_id, a.c.key, a.c.data).where(
                    a.c.connector == connector, a.c.contact_id.in_(ids)
                )
            ):
                acts.setdefault((connector, cid), []).append((key, json.loads(data)))
        updates = []
        for connector, cid, data in rows:
            obj = {k: v for k, v in json.loads(data).items() if k not in ("account", "activities")}
            try:
                form: str | None = contact_form(contact_from_json(obj))
            except ContactError:
                form = None  # not scorable: reported when it is scored
            own = sorted(acts.get((connector, cid), []), key=lambda kv: kv[0])
            try:
                stored: str | None = activities_form(parse_activities([d for _k, d in own]))
            except ContactError:
                stored = None
            updates.append({"b_conn": connector, "b_id": cid, "b_form": form, "b_acts": stored})
        conn.execute(
            sa.update(c)
            .where(c.c.connector == sa.bindparam("b_conn"), c.c.id == sa.bindparam("b_id"))
            .values(form=sa.bindparam("b_form"), acts=sa.bindparam("b_acts")),
            updates,
        )


def upgrade() -> None:
    with op.batch_alter_table("syncd_contact") as batch:
        batch.add_column(sa.Column("form", sa.Text(), nullable=True))
        batch.add_column(sa.Column("acts", sa.Text(), nullable=True))
        batch.drop_index("ix_syncd_contact_key")
        batch.create_index("ix_syncd_contact_key", ["connector", "account_key", "id"], unique=False)
    with op.batch_alter_table("syncd_account") as batch:
        batch.add_column(
            sa.Column("recheck", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.create_index("ix_syncd_account_recheck", ["connector", "recheck"], unique=False)
    _fill_forms(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("syncd_account") as batch:
        batch.drop_index("ix_syncd_account_recheck")
        batch.drop_column("recheck")
    with op.batch_alter_table("syncd_contact") as batch:
        batch.drop_index("ix_syncd_contact_key")
        batch.create_index("ix_syncd_contact_key", ["connector", "account_key"], unique=False)
        batch.drop_column("acts")
        batch.drop_column("form")
