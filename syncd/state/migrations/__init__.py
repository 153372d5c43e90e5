"""Alembic migrations of the state store, shipped with the package and
applied by ``syncd.state.migrate.upgrade`` whenever a store is opened."""
