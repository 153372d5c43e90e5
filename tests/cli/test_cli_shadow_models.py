"""Shadow models through the CLI against the fake Salesforce org: scored and
stored every cycle, nothing of them in any request to the CRM (the fake's
request log), compared with the live model by `syncd report`."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from click.testing import CliRunner

from connectors.base import OutcomeRecord, Page
from syncd.cli import main
from syncd.cli.demo_fakes import NAMES, Fake, SkipClock, config_text, connector_factory
from syncd.modelfile import load_model
from syncd.sandbox.generator import generate
from syncd.sandbox.salesforce import SalesforceSandbox
from syncd.sandbox.server import SandboxServer
from syncd.state import Store
from tests.kit.seed import MODEL

CONNECTOR = NAMES["salesforce"]

#: Everyone with an e-mail scores 777 in a tier no live model has.
SHADOW = """\
name: shadow-challenger
tiers:
  - name: cold
  - name: shadowtier
    min: 700
mql_tier: shadowtier
rules:
  - id: everyone
    points: 777
    when: {email: {exists: true}}
"""


def test_shadow_scores_are_stored_never_written_and_reported(tmp_path: Path) -> None:
    shadow = tmp_path / "shadow.yaml"
    shadow.write_text(SHADOW, encoding="utf-8")
    shadow_ref = load_model(shadow).ref
    live_ref = load_model(MODEL).ref
    clock = SkipClock()
    data = generate(5, 150, datetime.now(UTC) - timedelta(minutes=10))
    app = SalesforceSandbox(data, clock=clock, sleep=clock.sleep)
    state = tmp_path / "state.db"
    config = tmp_path / "syncd.yaml"
    obj = {"factory": connector_factory(clock)}
    runner = CliRunner()
    with SandboxServer(app) as server:
        fake = Fake("salesforce", CONNECTOR, app, server.url)
        doc = yaml.safe_load(config_text(state, MODEL.resolve(), [fake]))
        doc["connectors"][CONNECTOR]["shadow_models"] = [str(shadow)]
        config.write_text(yaml.safe_dump(doc), encoding="utf-8")
        for args in (("setup", "--connector", CONNECTOR), ("run", "--once")):
            result = runner.invoke(main, [*args, "--config", str(config)], obj=obj)
            assert result.exit_code == 0, result.output
        requests = app.log.requests()

    writes = [r for r in requests if r.method in ("POST", "PATCH", "PUT")]
    assert writes, "the live model wrote scores"
    for r in requests:
        seen = f"{r.path} {dict(r.query)} {r.body.decode('utf-8', 'replace')}"
        assert "shadowtier" not in seen and shadow_ref not in seen and "777" not in seen

    with sqlite3.connect(state) as db:
        rows = db.execute(
            "SELECT model_ref, live, score, tier, mql_at IS NOT NULL FROM syncd_shadow_score"
        ).fetchall()
        scored = db.execute("SELECT count(*) FROM syncd_contact").fetchone()[0]
    by_model = {ref: [r for r in rows if r[0] == ref] for ref in (live_ref, shadow_ref)}
    assert len(by_model[shadow_ref]) == len(by_model[live_ref]) == scored > 0
    assert {(r[1], r[2], r[3], r[4]) for r in by_model[shadow_ref] if r[2] == 777} == {
        (0, 777, "shadowtier", 1)
    }
    assert all(r[1] == 1 for r in by_model[live_ref])

    # outcomes arrive for three contacts: the shadow model had flagged them all
    store = Store.open(f"sqlite:///{state}")
    try:
        with sqlite3.connect(state) as db:
            ids = [
                r[0]
                for r in db.execute(
                    "SELECT contact_id FROM syncd_shadow_score WHERE score = 777 "
                    "ORDER BY contact_id LIMIT 3"
                )
            ]
        later = datetime.now(UTC) + timedelta(days=1)
        store.commit_page(
            CONNECTOR,
            Page(outcomes=[OutcomeRecord(i, "opp:1", "opportunity", later) for i in ids]),
            later,
        )
    finally:
        store.close()
    result = runner.invoke(main, ["report", "--config", str(config), "--json"], obj=obj)
    assert result.exit_code == 0, result.output
    compared = json.loads(result.stdout)["shadow_models"][CONNECTOR]
    assert [(m["model"], m["live"]) for m in compared] == [(live_ref, True), (shadow_ref, False)]
    challenger = compared[1]
    assert (challenger["converters"], challenger["caught"], challenger["converted"]) == (3, 3, 3)
    assert challenger["recall"] == 1.0
    assert compared[0]["converters"] == 3

    text = runner.invoke(main, ["report", "--config", str(config)], obj=obj)
    assert text.exit_code == 0, text.output
    assert "live vs shadow models" in text.stdout and shadow_ref in text.stdout
