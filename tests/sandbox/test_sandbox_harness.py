"""The shared sandbox harness: routing, stats, faults, keep-alive and rate-limit buckets."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests
from requests.adapters import HTTPAdapter

from syncd.sandbox.faults import FaultSpec, FaultSpecError
from syncd.sandbox.http import Request, Response, Router
from syncd.sandbox.ratelimit import DailyCounter, TokenBucket
from syncd.sandbox.server import SandboxApp, SandboxServer
from tests.kit.clock import ManualClock


class EchoApp(SandboxApp):
    name = "echo"

    def register(self, router: Router) -> None:
        router.add("GET", "/items/{item_id}", self.get_item)
        router.add("POST", "/items", self.create)

    def get_item(self, request: Request) -> Response:
        return Response(200, {"id": request.params["item_id"], "q": request.arg("q")})

    def create(self, request: Request) -> Response:
        return Response(201, {"got": request.json()})

    def object_counts(self) -> dict[str, int]:
        return {"items": 3}


@pytest.fixture()
def server() -> Iterator[SandboxServer]:
    with SandboxServer(EchoApp(sleep=lambda s: None)) as srv:
        yield srv


def test_routes_params_and_stats_by_template(server: SandboxServer) -> None:
    session = requests.Session()
    assert session.get(f"{server.url}/items/42?q=x").json() == {"id": "42", "q": "x"}
    assert session.get(f"{server.url}/items/43").json()["id"] == "43"
    assert session.post(f"{server.url}/items", json={"a": 1}).status_code == 201
    assert session.get(f"{server.url}/nothing").status_code == 404
    assert session.delete(f"{server.url}/items").status_code == 405
    stats = session.get(f"{server.url}/__sandbox/stats").json()
    assert stats["total"] == 5
    assert stats["by_endpoint"]["GET /items/{item_id}"] == 2
    assert stats["by_status"] == {"200": 2, "201": 1, "404": 1, "405": 1}
    assert stats["objects"] == {"items": 3}
    recorded = server.app.log.requests()
    assert json.loads(recorded[2].body) == {"a": 1}
    session.post(f"{server.url}/__sandbox/reset-stats")
    assert session.get(f"{server.url}/__sandbox/stats").json()["total"] == 0


def test_keep_alive_reuses_one_connection(server: SandboxServer) -> None:
    session = requests.Session()
    for _ in range(20):
        assert session.get(f"{server.url}/items/1").status_code == 200
    adapter = session.get_adapter(server.url)
    assert isinstance(adapter, HTTPAdapter)
    assert len(adapter.poolmanager.pools) == 1


def test_faults_replaced_at_run_time(server: SandboxServer) -> None:
    session = requests.Session()
    answer = session.post(f"{server.url}/__sandbox/faults", json={"rate_429": 1.0})
    assert answer.status_code == 200
    limited = session.get(f"{server.url}/items/1")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "1"
    session.post(f"{server.url}/__sandbox/faults", json={"spec": "500=1"})
    assert session.get(f"{server.url}/items/1").status_code == 500
    session.post(f"{server.url}/__sandbox/faults", json={"spec": "drop=1"})
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{server.url}/items/1")
    bad = session.post(f"{server.url}/__sandbox/faults", json={"rate_429": 3})
    assert bad.status_code == 400 and "rate_429" in bad.json()["message"]
    session.post(f"{server.url}/__sandbox/faults", json={})
    assert session.get(f"{server.url}/items/1").status_code == 200
    assert server.app.log.count(status=None) >= 1


def test_fault_spec_parse_and_errors() -> None:
    spec = FaultSpec.parse("429=0.1,500=0.05,slow=0.2:1500,drop=0.01,partial=0.3,latency=5,seed=7")
    assert (spec.rate_429, spec.rate_500, spec.slow_rate, spec.slow_ms) == (0.1, 0.05, 0.2, 1500)
    assert (spec.drop_rate, spec.partial_rate, spec.latency_ms, spec.seed) == (0.01, 0.3, 5, 7)
    with pytest.raises(FaultSpecError, match="bogus"):
        FaultSpec.parse("bogus=1")
    with pytest.raises(FaultSpecError, match="not a number"):
        FaultSpec.parse("429=lots")
    with pytest.raises(FaultSpecError, match="unknown keys"):
        FaultSpec.from_json({"nope": 1})


def test_latency_and_slow_answers_use_injected_sleep() -> None:
    clock = ManualClock()
    app = EchoApp(FaultSpec(latency_ms=5, slow_rate=1.0, slow_ms=100), sleep=clock.sleep)
    with SandboxServer(app) as srv:
        requests.get(f"{srv.url}/items/1")
    assert clock.sleeps == [pytest.approx(0.105)]


def test_token_bucket_refills_with_injected_clock() -> None:
    clock = ManualClock()
    bucket = TokenBucket(10, 10.0, clock=clock)
    assert all(bucket.take().allowed for _ in range(10))
    refused = bucket.take()
    assert not refused.allowed and refused.retry_after_s == pytest.approx(1.0)
    clock.advance(1.0)
    assert bucket.take().allowed
    assert not bucket.take().allowed


def test_daily_counter() -> None:
    counter = DailyCounter(2)
    assert counter.take() and counter.take() and not counter.take()
    assert counter.used == 2 and counter.remaining == 0
