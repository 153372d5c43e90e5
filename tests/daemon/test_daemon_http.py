"""The endpoint: /healthz, /readyz and /metrics over loopback."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from syncd.daemon.health import Health
from syncd.daemon.http import HealthServer
from syncd.daemon.metrics import DaemonMetrics
from tests.daemon.fakes import FakeReport
from tests.kit.http import http_get


class _Probe:
    def __init__(self) -> None:
        self.problem: str | None = None

    def __call__(self) -> str | None:
        return self.problem


@pytest.fixture()
def parts() -> Iterator[tuple[str, Health, DaemonMetrics, _Probe]]:
    probe = _Probe()
    health = Health(["hs", "sf"], probe)
    metrics = DaemonMetrics(["hs", "sf"])
    server = HealthServer(health, metrics, port=0, redact=lambda s: s.replace("hunter22", "***"))
    server.start()
    host, port = server.address
    try:
        yield f"http://{host}:{port}", health, metrics, probe
    finally:
        server.stop()


def test_healthz_is_live_and_details_each_connector(
    parts: tuple[str, Health, DaemonMetrics, _Probe],
) -> None:
    url, health, _, probe = parts
    status, ctype, body = http_get(url + "/healthz")
    assert (status, ctype) == (200, "application/json")
    assert json.loads(body) == {
        "status": "ok",
        "ready": True,
        "checks": {"config": "ok", "state": "ok"},
        "connectors": {
            "hs": {"last_cycle": "none", "detail": "ok"},
            "sf": {"last_cycle": "none", "detail": "ok"},
        },
        "reload": {"status": "none"},
    }
    health.cycle_finished("sf", "failed", "auth revoked (password hunter22)")
    probe.problem = "database is locked"
    health.reloaded("refused", "model.yaml:3: tiers: required")
    status, _, body = http_get(url + "/healthz")
    details = json.loads(body)
    assert status == 200  # liveness: the process answers, whatever it reports
    assert details["ready"] is False
    assert details["connectors"]["sf"] == {
        "last_cycle": "failed",
        "detail": "last cycle failed: auth revoked (password ***)",
    }
    assert details["reload"] == {"status": "refused", "reason": "model.yaml:3: tiers: required"}


def test_readyz_follows_config_and_state_never_a_crm(
    parts: tuple[str, Health, DaemonMetrics, _Probe],
) -> None:
    url, health, _, probe = parts
    status, ctype, body = http_get(url + "/readyz")
    assert (status, ctype) == (200, "application/json")
    assert json.loads(body) == {
        "ready": True,
        "checks": {"config": "ok", "state": "ok"},
        "connectors": {"hs": "ok", "sf": "ok"},
    }

    health.cycle_finished("sf", "failed", "auth revoked (password hunter22)")
    health.cycle_finished("hs", "error", "ConnectionError")
    status, _, body = http_get(url + "/readyz")
    assert status == 200  # a CRM outage: still able to run cycles
    assert json.loads(body)["connectors"] == {
        "hs": "last cycle error: ConnectionError",
        "sf": "last cycle failed: auth revoked (password ***)",
    }

    health.cycle_finished("sf", "stopped", None)  # an interrupted cycle changes nothing
    assert json.loads(http_get(url + "/readyz")[2])["connectors"]["sf"].startswith("last cycle")
    health.cycle_finished("sf", "ok", None)
    assert json.loads(http_get(url + "/readyz")[2])["connectors"]["sf"] == "ok"

    probe.problem = "database is locked"
    status, _, body = http_get(url + "/readyz")
    assert status == 503 and json.loads(body)["checks"]["state"] == "database is locked"
    probe.problem = None
    assert http_get(url + "/readyz")[0] == 200


def test_connectors_follow_a_reload(parts: tuple[str, Health, DaemonMetrics, _Probe]) -> None:
    url, health, _, _ = parts
    health.cycle_finished("sf", "failed", "boom")
    health.set_connectors(["sf", "new"])
    assert json.loads(http_get(url + "/readyz")[2])["connectors"] == {
        "new": "ok",
        "sf": "last cycle failed: boom",
    }
    assert health.last_status("hs") == "none"


def test_metrics_exposition_moves_with_cycles(
    parts: tuple[str, Health, DaemonMetrics, _Probe],
) -> None:
    url, _, metrics, _ = parts
    status, ctype, body = http_get(url + "/metrics")
    assert status == 200 and ctype.startswith("text/plain")
    assert 'syncd_records_pulled_total{connector="hs"} 0.0' in body
    assert "syncd_api_budget_remaining{" not in body  # unknown until a CRM reports it
    assert 'syncd_build_info{version="' in body

    metrics.record_cycle(FakeReport("hs"))
    metrics.record_cycle(FakeReport("hs", status="failed", budget_remaining=None))
    body = http_get(url + "/metrics")[2]
    for line in (
        'syncd_cycles_total{connector="hs",kind="incremental",status="ok"} 1.0',
        'syncd_cycles_total{connector="hs",kind="incremental",status="failed"} 1.0',
        'syncd_records_pulled_total{connector="hs"} 20.0',
        'syncd_records_scored_total{connector="hs"} 16.0',
        'syncd_records_written_total{connector="hs"} 6.0',
        'syncd_writes_skipped_unchanged_total{connector="hs"} 10.0',
        'syncd_write_failures_total{connector="hs"} 2.0',
        'syncd_drift_repaired_total{connector="hs"} 2.0',
        'syncd_api_calls_total{connector="hs",kind="read"} 10.0',
        'syncd_api_429_total{connector="hs"} 2.0',
        'syncd_dead_letters_total{connector="hs"} 4.0',
        'syncd_pending_writes{connector="hs"} 4.0',
        'syncd_records_skipped_total{connector="hs"} 6.0',
        'syncd_accounts_written_total{connector="hs"} 4.0',
        'syncd_account_writes_pending{connector="hs"} 1.0',
        'syncd_last_success_timestamp_seconds{connector="hs"} 1.796126402e+09',
        'syncd_last_cycle_failed{connector="hs"} 1.0',
        'syncd_cycle_duration_seconds_count{connector="hs"} 2.0',
        'syncd_cycle_duration_seconds_bucket{connector="hs",le="2.5"} 2.0',
        'syncd_records_pulled_total{connector="sf"} 0.0',
    ):
        assert line in body, line
    assert "syncd_api_budget_remaining{" not in body  # the last report had no budget


def test_unknown_path_and_method(parts: tuple[str, Health, DaemonMetrics, _Probe]) -> None:
    url = parts[0]
    assert http_get(url + "/nope")[0] == 404
    request = urllib.request.Request(url + "/healthz", data=b"x", method="POST")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request, timeout=5)
    assert err.value.code == 405 and err.value.headers["Allow"] == "GET, HEAD"


def test_metrics_use_their_own_registry() -> None:
    from prometheus_client import REGISTRY

    DaemonMetrics(["a"])
    DaemonMetrics(["a"])  # a second instance must not clash with the first
    assert REGISTRY.get_sample_value("syncd_records_pulled_total", {"connector": "a"}) is None
