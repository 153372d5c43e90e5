"""`syncd export` writes what `syncd score` reads without a warning, for the
contacts of both real connectors (pulled from the sandbox CRMs)."""

from __future__ import annotations

from contextlib import ExitStack, closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from syncd.cli import main
from syncd.cli.demo_fakes import SkipClock, config_text, connector_factory, start_fakes
from syncd.modelfile import SHIPPED_DIR
from syncd.settings import load_settings
from syncd.sync import Engine, run_cycle


def test_export_output_scores_without_warnings(tmp_path: Path) -> None:
    clock = SkipClock()
    factory = connector_factory(clock)
    model = SHIPPED_DIR / "default.yaml"
    with ExitStack() as stack:
        fakes = start_fakes(
            stack, clock, seed=3, contacts=40, now=datetime.now(UTC) - timedelta(minutes=10)
        )
        config = tmp_path / "syncd.yaml"
        config.write_text(config_text(tmp_path / "state.db", model, fakes), encoding="utf-8")
        settings = load_settings(config, {})
        engine = stack.enter_context(closing(Engine.open(settings, factory)))
        for fake in fakes:
            conn = engine.connector(fake.connector)
            conn.ensure_fields(create=True, tiers=engine.model(fake.connector).tier_names)
            assert run_cycle(engine, fake.connector, full=True).status == "ok"
        runner = CliRunner()
        for fake in fakes:
            exported = tmp_path / f"{fake.connector}.jsonl"
            r = runner.invoke(
                main,
                [
                    "export",
                    "--connector",
                    fake.connector,
                    "--config",
                    str(config),
                    "--output",
                    str(exported),
                ],
                obj={"factory": factory},
            )
            assert r.exit_code == 0, r.output
            assert len(exported.read_text(encoding="utf-8").splitlines()) >= 40
            r = runner.invoke(
                main,
                [
                    "score",
                    "--model",
                    str(model),
                    "--input",
                    str(exported),
                    "--as-of",
                    "2026-12-01T00:00:00Z",
                ],
            )
            assert r.exit_code == 0, r.output
            assert "warning" not in r.output
