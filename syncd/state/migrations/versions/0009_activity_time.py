"""Each stored activity's type and time (``type``, ``ts`` in epoch seconds)
beside its canonical JSON, so that retention finds the activities past their
horizon in SQL instead of parsing every activity. Existing activities get
both from their JSON (an activity whose JSON lacks them keeps NULLs and is
left alone by retention).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_BATCH = 2000


def _fill(conn: sa.Connection) -> None:
    from syncd.core import ContactError
    from syncd.core.stored import parse_activities

    a = sa.table(
        "syncd_activity",
        sa.column("connector"),
        sa.column("key"),
        sa.column("contact_id"),
        sa.column("data"),
        sa.column("type"),
        sa.column("ts"),
    )
    update = (
        sa.update(a)
        .where(
            a.c.connector == sa.bindparam("b_connector"),
            a.c.key == sa.bindparam("b_key"),
            a.c.contact_id == sa.bindparam("b_contact"),
        )
        .values(type=sa.bindparam("b_type"), ts=sa.bindparam("b_ts"))
    )
    after = ("", "", "")
    while True:
        rows = conn.execute(
            sa.select(a.c.connector, a.c.key, a.c.contact_id, a.c.data)
            .where(sa.tuple_(a.c.connector, a.c.key, a.c.contact_id) > sa.tuple_(*after))
            .order_by(a.c.connector, a.c.key, a.c.contact_id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        after = (rows[-1][0], rows[-1][1], rows[-1][2])
        params = []
        for connector, key, cid, data in rows:
            try:
                obj = json.loads(data)
            except ValueError:
                continue
            try:
                (act,) = parse_activities([obj])
            except (ContactError, ValueError):
                continue
            params.append(
                {
                    "b_connector": connector,
                    "b_key": key,
                    "b_contact": cid,
                    "b_type": act.type,
                    "b_ts": act.ts,
                }
            )
        if params:
            conn.execute(update, params)


def upgrade() -> None:
    with op.batch_alter_table("syncd_activity") as batch:
        batch.add_column(sa.Column("type", sa.Text(), nullable=True))
        batch.add_column(sa.Column("ts", sa.Float(), nullable=True))
    _fill(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("syncd_activity") as batch:
        batch.drop_column("ts")
        batch.drop_column("type")
