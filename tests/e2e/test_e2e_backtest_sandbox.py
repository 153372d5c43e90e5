"""The loop closed on a sandbox: the fake Salesforce org's generated outcomes
depend on title, industry and pricing-page visits (docs/outcomes.md, "Sandbox
outcomes"); after one cycle pulls them, `syncd backtest --connector` ranks the
shipped model (which scores those signals) above a challenger that scores
e-mail opens only, by ROC-AUC and by top-decile lift, and suggests a threshold
that fits a given sales capacity.

Time is pinned: the generated data depends on its `now` (the marketing
calendar, hence every random draw after it), so the data, the fakes, the
connectors and the engine all run on one SkipClock started at a fixed instant;
the wall clock never decides the verdict."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from syncd.cli import main
from syncd.cli.demo_fakes import NAMES, Fake, SkipClock, config_text, connector_factory
from syncd.sandbox.generator import generate
from syncd.sandbox.salesforce import SalesforceSandbox
from syncd.sandbox.server import SandboxServer

CONNECTOR = NAMES["salesforce"]
ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "syncd" / "models" / "default.yaml"
BLIND = ROOT / "config" / "examples" / "backtest-blind.yaml"
NOW = datetime(2026, 12, 5, 5, 0, tzinfo=UTC)


def test_backtest_on_sandbox_outcomes_prefers_the_model_that_scores_the_signals(
    tmp_path: Path,
) -> None:
    clock = SkipClock(NOW)
    data = generate(11, 1200, NOW - timedelta(minutes=10))
    app = SalesforceSandbox(data, clock=clock, sleep=clock.sleep)
    config = tmp_path / "syncd.yaml"
    obj = {"factory": connector_factory(clock), "clock": clock.now}
    runner = CliRunner()
    with SandboxServer(app) as server:
        fake = Fake("salesforce", CONNECTOR, app, server.url)
        config.write_text(config_text(tmp_path / "state.db", DEFAULT, [fake]), encoding="utf-8")
        for args in (("setup", "--connector", CONNECTOR), ("run", "--once")):
            result = runner.invoke(main, [*args, "--config", str(config)], obj=obj)
            assert result.exit_code == 0, result.output
    result = runner.invoke(
        main,
        [
            "backtest",
            "--config",
            str(config),
            "--connector",
            CONNECTOR,
            "--model",
            str(DEFAULT),
            "--model",
            str(BLIND),
            "--capacity",
            "10/week",
            "--json",
        ],
        obj=obj,
    )
    assert result.exit_code == 0, result.output
    champion, challenger = (json.loads(line) for line in result.output.splitlines())
    assert champion["positives"] >= 10 and champion["contacts"] > champion["positives"]
    assert champion["roc_auc"] > challenger["roc_auc"] + 0.05
    assert champion["top_decile_lift"] > challenger["top_decile_lift"]
    assert champion["suggested_threshold"] is not None
