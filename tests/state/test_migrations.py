"""The shipped migrations create exactly the tables ``schema.py`` describes."""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from syncd.state import Store
from syncd.state.schema import metadata


def test_migrations_match_schema(state_url: str) -> None:
    store = Store.open(state_url)
    try:
        Store.open(state_url).close()  # applying again is a no-op
        with store.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
        assert diff == []
    finally:
        store.close()


def test_0002_gives_existing_contacts_their_stored_form(state_url: str) -> None:
    """A database at 0001 holding contacts and activities: after the upgrade
    every contact has the stored form that rebuilds exactly what its canonical
    JSON gives, and accounts start without a recheck."""
    from alembic import command
    from alembic.config import Config

    from syncd.core import contact_from_json
    from syncd.core.stored import account_from_json, contact_from_form
    from syncd.state.migrate import _MIGRATIONS, create_engine

    engine = create_engine(state_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(
            sa.text(
                "INSERT INTO syncd_account (connector, id, data, pending, attempts, dead) "
                "VALUES ('c', 'A1', :d, false, 0, false)"
            ),
            {"d": json.dumps({"id": "A1", "name": "Acme", "properties": {"tier": "gold"}})},
        )
        for cid, data in (
            ("1", {"id": "1", "email": "jo@acme.io", "properties": {"title": "CTO"}}),
            ("2", {"id": "2", "created_at": "tomorrow"}),
        ):  # not valid
            conn.execute(
                sa.text(
                    "INSERT INTO syncd_contact (connector, id, kind, data, account_id, writable, "
                    "dirty, recheck, crm_read, pending, drift, rank, attempts, dead) VALUES "
                    "('c', :id, 'contact', :data, 'A1', true, false, false, false, false, false, "
                    "0, 0, false)"
                ),
                {"id": cid, "data": json.dumps(data)},
            )
        for key, at in (("k1", "2026-11-20T10:00:00Z"), ("k2", "2026-11-21T10:00:00Z")):
            conn.execute(
                sa.text(
                    "INSERT INTO syncd_activity (connector, key, contact_id, data) "
                    "VALUES ('c', :k, '1', :d)"
                ),
                {"k": key, "d": json.dumps({"type": "page_view", "at": at, "url": "/p"})},
            )
    engine.dispose()
    store = Store.open(state_url)
    try:
        with store.engine.connect() as conn:
            rows = {
                r.id: r
                for r in conn.execute(
                    sa.text("SELECT id, form, acts FROM syncd_contact ORDER BY id")
                )
            }
            assert conn.execute(sa.text("SELECT recheck FROM syncd_account")).scalar_one() in (
                False,
                0,
            )
            times: dict[str, float] = {
                k: t for k, t in conn.execute(sa.text("SELECT key, ts FROM syncd_activity"))
            }
            assert set(
                conn.execute(sa.text("SELECT DISTINCT type FROM syncd_activity")).scalars()
            ) == {"page_view"}
        assert times == {"k1": 1795168800.0, "k2": 1795255200.0}  # 0009 filled them
        assert rows["2"].form is None  # reported as not scorable when it is scored
        [sc] = [s for s in store.export("c") if s["id"] == "1"]
        want = contact_from_json(sc)
        got = contact_from_form(
            "1", rows["1"].form, rows["1"].acts, account_from_json(sc["account"])
        )
        assert got == want and got.activities == want.activities
    finally:
        store.close()


def test_0010_ends_the_flag_indexes_with_the_id_and_goes_back(state_url: str) -> None:
    """The ``dirty`` and ``recheck`` indexes end with the contact id after 0010
    (flagged contacts are paged through by id) and lose it again on downgrade."""
    from alembic import command
    from alembic.config import Config

    from syncd.state.migrate import _MIGRATIONS, create_engine

    engine = create_engine(state_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))

    def flag_indexes() -> dict[str, list[str | None]]:
        with engine.connect() as conn:
            found = sa.inspect(conn).get_indexes("syncd_contact")
        return {
            i["name"]: i["column_names"]
            for i in found
            if i["name"] in ("ix_syncd_contact_dirty", "ix_syncd_contact_recheck")
        }

    try:
        for step, target, tail in (
            (command.upgrade, "0009", []),
            (command.upgrade, "0010", ["id"]),
            (command.downgrade, "0009", []),
            (command.upgrade, "head", ["id"]),
        ):
            with engine.begin() as conn:
                cfg.attributes["connection"] = conn
                step(cfg, target)
            assert flag_indexes() == {
                "ix_syncd_contact_dirty": ["connector", "dirty", *tail],
                "ix_syncd_contact_recheck": ["connector", "recheck", *tail],
            }, target
    finally:
        engine.dispose()


def test_0011_adds_the_evidence_columns_and_goes_back(state_url: str) -> None:
    """0011 adds the contacts' ``evidence_ref`` and ``evidence`` (empty for
    existing contacts), the downgrade drops them and keeps the contacts."""
    from alembic import command
    from alembic.config import Config

    from syncd.state.migrate import _MIGRATIONS, create_engine

    engine = create_engine(state_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))

    def evidence_columns() -> list[str]:
        with engine.connect() as conn:
            found = sa.inspect(conn).get_columns("syncd_contact")
        return sorted(c["name"] for c in found if c["name"].startswith("evidence"))

    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0010")
            conn.execute(
                sa.text(
                    "INSERT INTO syncd_contact (connector, id, kind, data, writable, dirty, "
                    "recheck, crm_read, pending, drift, rank, attempts, dead) VALUES "
                    "('c', '1', 'contact', '{}', true, false, false, false, false, false, 0, 0, "
                    "false)"
                )
            )
        assert evidence_columns() == []
        for step, target, want in (
            (command.upgrade, "0011", ["evidence", "evidence_ref"]),
            (command.downgrade, "0010", []),
            (command.upgrade, "head", ["evidence", "evidence_ref"]),
        ):
            with engine.begin() as conn:
                cfg.attributes["connection"] = conn
                step(cfg, target)
            assert evidence_columns() == want, target
            with engine.connect() as conn:
                assert conn.execute(sa.text("SELECT id FROM syncd_contact")).scalars().all() == [
                    "1"
                ]
        with engine.connect() as conn:
            assert conn.execute(
                sa.text("SELECT evidence, evidence_ref FROM syncd_contact")
            ).one() == (None, None)
    finally:
        engine.dispose()


def test_0012_orders_the_pending_index_as_the_write_queue_reads_and_goes_back(
    state_url: str,
) -> None:
    """After 0012 the ``pending`` index is (connector, pending, rank desc, id),
    the write queue's order; the downgrade gives back (connector, pending, rank)."""
    from alembic import command
    from alembic.config import Config

    from syncd.state.migrate import _MIGRATIONS, create_engine

    engine = create_engine(state_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))

    def pending_index() -> list[tuple[str, bool]]:
        """The index's (column, descending) pairs, in order."""
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                info = conn.exec_driver_sql("PRAGMA index_xinfo('ix_syncd_contact_pending')")
                return [(r.name, bool(r.desc)) for r in info if r.key]
            [found] = [
                i
                for i in sa.inspect(conn).get_indexes("syncd_contact")
                if i["name"] == "ix_syncd_contact_pending"
            ]
        sorting = found.get("column_sorting", {})
        return [(str(c), "desc" in sorting.get(str(c), ())) for c in found["column_names"]]

    old = [("connector", False), ("pending", False), ("rank", False)]
    new = [("connector", False), ("pending", False), ("rank", True), ("id", False)]
    try:
        for step, target, want in (
            (command.upgrade, "0011", old),
            (command.upgrade, "0012", new),
            (command.downgrade, "0011", old),
            (command.upgrade, "head", new),
        ):
            with engine.begin() as conn:
                cfg.attributes["connection"] = conn
                step(cfg, target)
            assert pending_index() == want, target
    finally:
        engine.dispose()
