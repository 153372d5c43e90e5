"""SIGKILL during a cycle against the sandboxes through the real connectors
(mid-pull, after the CRM applied a write the engine had not recorded yet);
a restart ends with every score field equal to what the core computes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from syncd.cli.wiring import build_connector
from syncd.core import contact_from_json, score_batch, summary
from syncd.modelfile import load_model
from syncd.sandbox.generator import generate
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.salesforce import SalesforceSandbox
from syncd.sandbox.server import SandboxServer
from syncd.settings import load_settings
from syncd.sync import Engine, run_cycle, utc_now
from tests.e2e.test_e2e_salesforce import CONSUMER_KEY, keys  # noqa: F401 (fixture)
from tests.kit.seed import MODEL, ROOT

HS_TOKEN = "hs-crash-token"


@pytest.fixture
def crms(keys: tuple[str, str]) -> Iterator[tuple[HubSpotSandbox, SalesforceSandbox, str, str]]:  # noqa: F811
    past = utc_now() - timedelta(minutes=5)
    hs = HubSpotSandbox(generate(4, 20, past), token=HS_TOKEN, rate_limits=False, search_lag_s=0.0)
    sf = SalesforceSandbox(generate(6, 20, past), sleep=lambda s: None)
    sf.register_connected_app(CONSUMER_KEY, keys[1])
    with SandboxServer(hs) as h, SandboxServer(sf) as s:
        yield hs, sf, h.url, s.url


def _config(tmp_path: Path, which: str, hs_url: str, sf_url: str) -> Path:
    blocks = {
        "hubspot": f"""\
  crm:
    type: hubspot
    base_url: {hs_url}
    access_token: ${{HUBSPOT_TOKEN}}
    model: {MODEL}
    safety_lag: PT0S
""",
        "salesforce": f"""\
  crm:
    type: salesforce
    instance_url: {sf_url}
    login_url: {sf_url}
    auth: {{flow: jwt, username: integration@syncd.example, consumer_key: {CONSUMER_KEY},
            private_key: "${{SF_KEY}}"}}
    model: {MODEL}
    bulk_poll: 0s
""",
    }
    cfg = tmp_path / "syncd.yaml"
    cfg.write_text(
        f'state: {{url: "sqlite:///{tmp_path / "state.db"}"}}\nconnectors:\n' + blocks[which],
        encoding="utf-8",
    )
    return cfg


def _fields(
    which: str, hs: HubSpotSandbox, sf: SalesforceSandbox, engine: Engine
) -> dict[str, tuple[Any, ...]]:
    out: dict[str, tuple[Any, ...]] = {}
    for obj in engine.store.export("crm"):
        sc = engine.store.contact("crm", obj["id"])
        assert sc is not None
        if not sc.writable:
            continue
        if which == "hubspot":
            p = hs.store.records["contacts"][sc.id].properties
            out[sc.id] = (p.get("syncd_score"), p.get("syncd_tier"), p.get("syncd_reasons"))
        else:
            rec = sf.store.get("Lead" if sc.kind == "lead" else "Contact", sc.id)
            assert rec is not None
            score = rec.get("Syncd_Score__c")
            out[sc.id] = (
                None if score is None else str(int(score)),
                rec.get("Syncd_Tier__c"),
                rec.get("Syncd_Reasons__c"),
            )
    return out


@pytest.mark.parametrize(
    ("which", "kill_at"),
    [("hubspot", "page:2"), ("hubspot", "write-after:1"), ("salesforce", "write-after:1")],
)
def test_sigkill_against_the_sandbox_then_restart(
    tmp_path: Path,
    keys: tuple[str, str],  # noqa: F811
    crms: tuple[HubSpotSandbox, SalesforceSandbox, str, str],
    which: str,
    kill_at: str,
) -> None:
    hs, sf, hs_url, sf_url = crms
    config = _config(tmp_path, which, hs_url, sf_url)
    env = {"HUBSPOT_TOKEN": HS_TOKEN, "SF_KEY": keys[0]}
    settings = load_settings(config, env)
    setup = build_connector("crm", settings.connectors["crm"])
    assert setup.ensure_fields(create=True).ok
    setup.close()
    as_of = utc_now()
    p = subprocess.run(
        [sys.executable, "-m", "tests.kit.run_real", str(config), as_of.isoformat(), kill_at],
        cwd=ROOT,
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert p.returncode == -signal.SIGKILL, p.stdout + p.stderr

    engine = Engine.open(settings, build_connector, clock=lambda: as_of)
    try:
        r = run_cycle(engine, "crm")
        assert r.status == "ok", r.error
        assert run_cycle(engine, "crm").written == 0
        contacts = [contact_from_json(o) for o in engine.store.export("crm")]
        core = {
            x.id: (str(x.score), x.tier, summary(x))
            for x in score_batch(load_model(MODEL), contacts, as_of)
        }
        crm = _fields(which, hs, sf, engine)
        assert crm and crm == {k: v for k, v in core.items() if k in crm}
        assert json.dumps(r.to_json()).find(HS_TOKEN) == -1
    finally:
        engine.close()
