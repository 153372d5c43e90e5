"""When `syncd status` says the next run is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from syncd.cli.status import next_run
from syncd.settings import load_settings
from tests.kit.seed import MODEL

NOW = datetime(2026, 11, 23, 12, 7, 30, tzinfo=UTC)


def test_next_run_for_cron_and_interval(tmp_path: Path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        f"""\
connectors:
  a: {{type: hubspot, access_token: t, model: {MODEL}, schedule: {{cron: "*/10 * * * *"}}}}
  b: {{type: hubspot, access_token: t, model: {MODEL}, schedule: {{every: 15m}}}}
""",
        encoding="utf-8",
    )
    s = load_settings(cfg, {})
    assert next_run(s.connectors["a"], None, NOW) == NOW.replace(minute=10, second=0)
    last = NOW - timedelta(minutes=5)
    assert next_run(s.connectors["b"], last, NOW) == last + timedelta(minutes=15)
    assert next_run(s.connectors["b"], NOW - timedelta(hours=1), NOW) == NOW
    assert next_run(s.connectors["b"], None, NOW) == NOW
