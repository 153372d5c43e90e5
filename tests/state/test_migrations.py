"""The shipped migrations create exactly the tables ``schema.py`` describes."""

from __future__ import annotations

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
