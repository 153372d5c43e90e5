"""The run report and the ``cycle_finished`` log fields it builds: one source, the
log's names and order pinned (log pipelines key on them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from syncd.sync import CycleReport

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _report(**changes: object) -> CycleReport:
    fields: dict[str, object] = {
        "connector": "hs",
        "run_id": "r1",
        "kind": "incremental",
        "started_at": T0,
        "finished_at": T0 + timedelta(seconds=2.3456),
        "status": "stopped",
        "pulled": 10,
        "scored": 8,
        "written": 3,
        "unchanged": 5,
        "write_failures": 1,
        "dead_letters": 2,
        "pending": 4,
        "drift_repaired": 6,
        "api_calls": {"read": 5, "write": 2},
        "http_429": 1,
        "budget_remaining": 900,
        "error": "API budget guard: spent",
        "skipped": 7,
        "accounts_written": 9,
        "accounts_pending": 11,
        "api_responses": {429: 1, 200: 6},
    }
    fields.update(changes)
    return CycleReport(**fields)  # type: ignore[arg-type]


def test_cycle_finished_fields_come_from_the_report_in_the_logs_order() -> None:
    fields = _report().log_fields()
    assert list(fields.items()) == [
        ("kind", "incremental"),
        ("status", "stopped"),
        ("duration_s", 2.346),
        ("calls", 7),
        ("api_calls", {"read": 5, "write": 2}),
        ("pulled", 10),
        ("scored", 8),
        ("written", 3),
        ("failures", 1),
        ("dead_letters", 2),
        ("pending", 4),
        ("drift_repaired", 6),
        ("error", "API budget guard: spent"),
    ]


def test_a_report_without_calls_or_error_logs_zero_calls_and_no_error() -> None:
    fields = _report(api_calls={}, error=None, status="ok").log_fields()
    assert (fields["calls"], fields["api_calls"], fields["error"]) == (0, {}, None)


def test_the_run_record_json_keeps_its_shape() -> None:
    d = _report().to_json()
    assert d["started_at"] == T0.isoformat()
    assert d["api_responses"] == {"200": 6, "429": 1}
    assert "dry_run" not in d and d["write_failures"] == 1 and d["accounts_pending"] == 11
