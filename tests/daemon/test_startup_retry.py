"""Opening the state store at start-up: which failures are worth a retry
(real errors from real drivers), the backoff (a manual clock), and `syncd run`
giving up with exit 75 on a store that stays unreachable."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from syncd.cli import main
from syncd.cli.startup import StartupRetry, StateUnavailable, is_transient, open_with_retry
from syncd.daemon.logs import unconfigure_logging
from syncd.settings import ConnectorConfig
from tests.kit.clock import ManualClock
from tests.kit.memory_crm import MemoryConnector, MemoryCRM
from tests.kit.seed import MODEL


def _failure(url: str) -> BaseException:
    engine = sa.create_engine(url)
    try:
        with engine.connect():
            pass
    except Exception as exc:
        return exc
    finally:
        engine.dispose()
    raise AssertionError(f"{url} opened")


def test_a_server_that_is_not_up_is_transient(tmp_path: Path) -> None:
    assert is_transient(_failure(f"postgresql+psycopg://syncd:pw@/syncd?host={tmp_path}"))


def test_a_sqlite_file_that_cannot_be_opened_is_permanent(tmp_path: Path) -> None:
    assert not is_transient(_failure(f"sqlite:///{tmp_path / 'missing' / 'state.db'}"))


def test_a_database_not_created_yet_is_transient(pg_server: Any) -> None:
    url = str(pg_server.get_uri(database="no_such_database_here", driver="psycopg"))
    assert is_transient(_failure(url))


def test_a_busy_sqlite_file_is_transient(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'state.db'}"
    holder = sa.create_engine(url)
    waiter = sa.create_engine(url, connect_args={"timeout": 0})
    try:
        with holder.connect() as conn:
            conn.exec_driver_sql("BEGIN EXCLUSIVE")
            with pytest.raises(sa.exc.OperationalError) as caught, waiter.connect() as other:
                other.exec_driver_sql("SELECT * FROM sqlite_master")
            conn.exec_driver_sql("ROLLBACK")
        assert is_transient(caught.value)
    finally:
        holder.dispose()
        waiter.dispose()


def test_other_errors_are_permanent() -> None:
    assert not is_transient(sa.exc.ArgumentError("bad URL"))
    assert not is_transient(ModuleNotFoundError("psycopg"))
    assert is_transient(ConnectionRefusedError())


class _Flaky:
    """Fails with a real transient error ``failures`` times, then opens."""

    def __init__(self, failures: int, error: BaseException) -> None:
        self.failures = failures
        self.error = error
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return "store"


@pytest.fixture()
def unreachable(tmp_path: Path) -> BaseException:
    return _failure(f"postgresql+psycopg://syncd:pw@/syncd?host={tmp_path}")


def test_retries_with_doubling_waits_until_the_store_answers(unreachable: BaseException) -> None:
    clock = ManualClock()
    retry = StartupRetry(
        give_up_after=60, first_delay=1, max_delay=15, sleep=clock.sleep, clock=clock
    )
    flaky = _Flaky(5, unreachable)
    assert open_with_retry(flaky, retry, str) == "store"
    assert flaky.calls == 6 and clock.sleeps == [1, 2, 4, 8, 15]


def test_gives_up_at_the_end_of_the_window(unreachable: BaseException) -> None:
    clock = ManualClock()
    retry = StartupRetry(
        give_up_after=20, first_delay=1, max_delay=8, sleep=clock.sleep, clock=clock
    )
    flaky = _Flaky(100, unreachable)
    with pytest.raises(StateUnavailable) as caught:
        open_with_retry(flaky, retry, str)
    assert clock.sleeps == [1, 2, 4, 8, 5]  # the last wait is cut to the window
    assert caught.value.attempts == 6 and caught.value.cause is unreachable


def test_a_permanent_failure_is_not_retried(tmp_path: Path) -> None:
    clock = ManualClock()
    retry = StartupRetry(sleep=clock.sleep, clock=clock)
    error = _failure(f"sqlite:///{tmp_path / 'missing' / 'state.db'}")
    flaky = _Flaky(1, error)
    with pytest.raises(sa.exc.OperationalError):
        open_with_retry(flaky, retry, str)
    assert flaky.calls == 1 and clock.sleeps == []


@pytest.fixture()
def _logging_restored() -> Iterator[None]:
    yield
    unconfigure_logging()


@pytest.mark.usefixtures("_logging_restored")
def test_syncd_run_exits_75_when_the_store_stays_unreachable(tmp_path: Path) -> None:
    config = tmp_path / "syncd.yaml"
    config.write_text(
        f"""\
state:
  url: "postgresql://syncd:db-pass-321@/syncd?host={tmp_path / "nowhere"}"
daemon:
  port: 0
  log_format: json
connectors:
  mem:
    type: hubspot
    access_token: tok-startup-4242
    model: {MODEL}
""",
        encoding="utf-8",
    )
    clock = ManualClock()

    def factory(name: str, _cfg: ConnectorConfig) -> MemoryConnector:
        return MemoryConnector(name, MemoryCRM())

    retry = StartupRetry(give_up_after=30, sleep=clock.sleep, clock=clock)
    result = CliRunner().invoke(
        main, ["run", "--config", str(config)], obj={"factory": factory, "startup_retry": retry}
    )
    assert result.exit_code == 75, result.output
    assert clock.sleeps == [1, 2, 4, 8, 15]
    logged = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["event"] for r in logged] == ["state_unreachable"] * 5
    assert [r["retry_in_s"] for r in logged] == clock.sleeps
    [message] = result.stderr.splitlines()
    assert message.startswith("state store postgresql://syncd:***@/syncd?host=")
    assert "not reachable (6 attempt(s)): OperationalError: " in message
    assert message.endswith("; try again later")
    assert "db-pass-321" not in result.output
