"""The daemon's metrics: no `_created` series, no sentinels for unknown values,
API answers by status code, and the state store's contacts per tier and score
distribution refreshed after each cycle."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from syncd.daemon.metrics import DaemonMetrics, StoredCounts, state_reader
from syncd.state.reports import run_records
from syncd.sync import run_cycle
from tests.daemon.fakes import FakeReport
from tests.kit.memory_crm import MemoryCRM
from tests.kit.seed import seed
from tests.sync.helpers import NAME, NOW, Clock, make_engine, write_config


def _samples(metrics: DaemonMetrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = metrics.exposition().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_no_created_series_and_no_sentinels() -> None:
    m = DaemonMetrics(["hs"])
    m.record_cycle(FakeReport("hs"))
    text = m.exposition().decode()
    assert "_created" not in text
    assert 'syncd_cycles_total{connector="hs",kind="incremental",status="ok"} 1.0' in text
    assert 'syncd_api_budget_remaining{connector="hs"} 900.0' in text
    assert 'syncd_api_responses_total{code="429",connector="hs"} 1.0' in text
    # unknown budget, uncountable pending writes (the store failed): absent, not -1
    m.record_cycle(FakeReport("hs", budget_remaining=None, pending=-1, accounts_pending=-1))
    text = m.exposition().decode()
    assert "-1" not in text
    for name in (
        "syncd_api_budget_remaining",
        "syncd_pending_writes",
        "syncd_account_writes_pending",
    ):
        assert f'{name}{{connector="hs"}}' not in text, name
    m.record_cycle(FakeReport("hs", http_429=3, api_responses={200: 4, 404: 1, 429: 3}))
    text = m.exposition().decode()
    assert 'syncd_api_responses_total{code="429",connector="hs"} 5.0' in text
    assert 'syncd_api_responses_total{code="200",connector="hs"} 16.0' in text
    assert 'syncd_api_responses_total{code="404",connector="hs"} 1.0' in text
    assert 'code="500"' not in text  # only codes seen


def test_contacts_per_tier_and_score_histogram_follow_each_cycle(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stored = {"hs": StoredCounts({"mql": 2, "nurture": 1}, {55: 1, 60: 1, 30: 1})}
    failing = False

    def reader(connector: str) -> StoredCounts:
        if failing:
            raise OSError("database is locked")
        return stored[connector]

    m = DaemonMetrics(["hs"])
    m.watch_state(reader)  # read at once, before any cycle
    s = _samples(m)
    assert s[("syncd_contacts", (("connector", "hs"), ("tier", "mql")))] == 2
    assert s[("syncd_contacts", (("connector", "hs"), ("tier", "nurture")))] == 1
    bucket = "syncd_contact_scores_bucket"
    assert s[(bucket, (("connector", "hs"), ("le", "30.0")))] == 1
    assert s[(bucket, (("connector", "hs"), ("le", "50.0")))] == 1
    assert s[(bucket, (("connector", "hs"), ("le", "60.0")))] == 3
    assert s[(bucket, (("connector", "hs"), ("le", "+Inf")))] == 3
    assert s[("syncd_contact_scores_count", (("connector", "hs"),))] == 3
    assert s[("syncd_contact_scores_sum", (("connector", "hs"),))] == 145

    stored["hs"] = StoredCounts({"mql": 3}, {55: 1, 60: 1, 70: 1})
    m.record_cycle(FakeReport("hs"))
    s = _samples(m)
    assert s[("syncd_contacts", (("connector", "hs"), ("tier", "mql")))] == 3
    assert ("syncd_contacts", (("connector", "hs"), ("tier", "nurture"))) not in s
    assert s[(bucket, (("connector", "hs"), ("le", "50.0")))] == 0

    failing = True  # a failed read keeps the last counts and says why
    caplog.set_level(logging.WARNING, logger="syncd.daemon")
    m.record_cycle(FakeReport("hs"))
    assert _samples(m)[("syncd_contacts", (("connector", "hs"), ("tier", "mql")))] == 3
    assert any("database is locked" in r.getMessage() for r in caplog.records)


def test_state_reader_counts_the_stored_contacts(tmp_path: Path) -> None:
    crm = MemoryCRM()
    seed(crm)
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'state.db'}")
    engine, _ = make_engine(config, crm, clock=Clock(NOW))
    try:
        report = run_cycle(engine, NAME)
        m = DaemonMetrics([NAME])
        m.watch_state(state_reader(engine.store.engine))
        s = _samples(m)
    finally:
        engine.close()
    tiers = {dict(k[1])["tier"]: v for k, v in s.items() if k[0] == "syncd_contacts"}
    assert sum(tiers.values()) == len(crm.contacts) and report.scored == len(crm.contacts)
    assert s[("syncd_contact_scores_count", (("connector", NAME),))] == report.scored


def test_each_cycle_exports_the_crm_answers_by_status_code(tmp_path: Path) -> None:
    crm = MemoryCRM()
    seed(crm)
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'state.db'}")
    engine, _ = make_engine(config, crm, clock=Clock(NOW))
    m = DaemonMetrics([NAME])
    try:
        first = run_cycle(engine, NAME)
        m.record_cycle(first)
        crm.rate_limited = True
        second = run_cycle(engine, NAME)
        m.record_cycle(second)
        stored = {r.run_id: r.report for r in run_records(engine.store.engine, NAME)}
    finally:
        engine.close()
    calls = sum(first.api_calls.values())
    assert calls > 0 and first.api_responses == {200: calls}
    assert stored[first.run_id]["api_responses"] == {"200": calls}  # with the run report
    # the second cycle's answers only (the connector counts over the engine's life)
    assert second.api_responses.get(429, 0) >= 1 and second.http_429 == second.api_responses[429]
    assert second.api_responses.get(200, 0) == sum(second.api_calls.values()) - second.http_429
    s = _samples(m)
    key = "syncd_api_responses_total"
    assert s[(key, (("code", "200"), ("connector", NAME)))] == calls + second.api_responses.get(
        200, 0
    )
    assert s[(key, (("code", "429"), ("connector", NAME)))] == second.http_429
