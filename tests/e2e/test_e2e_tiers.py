"""Tier names come from the model: a cycle with a model whose tiers the HubSpot
tier property does not offer adds them (one PATCH) and writes them; a
Salesforce cycle refuses to start while a restricted tier picklist lacks them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.salesforce import SalesforceSandbox
from syncd.sandbox.server import SandboxServer
from syncd.sync import run_cycle
from tests.e2e import test_e2e_hubspot as hs
from tests.e2e import test_e2e_salesforce as sf
from tests.e2e.test_e2e_hubspot import portal  # noqa: F401 (fixture)
from tests.e2e.test_e2e_salesforce import keys, org  # noqa: F401 (fixtures)
from tests.kit.clock import ManualClock

B2C = Path(__file__).resolve().parents[2] / "syncd" / "models" / "b2c-auto-dealer.yaml"


def _custom_model(tmp_path: Path) -> Path:
    text = B2C.read_text(encoding="utf-8")
    text = text.replace("- name: nurture", "- name: warm")
    text = text.replace("- name: mql", "- name: hot_lead")
    path = tmp_path / "custom.yaml"
    path.write_text(text.replace("mql_tier: mql", "mql_tier: hot_lead"), encoding="utf-8")
    return path


def test_hubspot_cycle_adds_the_models_tiers_and_writes_them(
    tmp_path: Path,
    portal: tuple[HubSpotSandbox, SandboxServer, ManualClock],  # noqa: F811
) -> None:
    app, server, clock = portal
    setup = hs._engine(tmp_path, server.url, clock, f"sqlite:///{tmp_path / 'a.db'}")
    conn = setup.connector(hs.NAME)
    assert conn.ensure_fields(create=True).ok  # an older syncd made the default options
    conn.close()
    setup.close()
    engine = hs._engine(
        tmp_path, server.url, clock, f"sqlite:///{tmp_path / 's.db'}", model=_custom_model(tmp_path)
    )
    try:
        report = run_cycle(engine, hs.NAME)
        assert report.status == "ok", report.error
        assert report.write_failures == 0 and report.written > 0
        options = app.store.properties["contacts"]["syncd_tier"].options
        assert {"warm", "hot_lead", "disqualified", "nurture", "mql"} <= set(options)
        written = {r.properties.get("syncd_tier") for r in app.store.live("contacts")}
        assert written - {None} <= {"warm", "hot_lead", "disqualified"}
        assert "warm" in written
    finally:
        engine.close()


def test_salesforce_cycle_names_a_restricted_picklist_lacking_tiers(
    tmp_path: Path,
    keys: tuple[str, str],  # noqa: F811
    org: tuple[SalesforceSandbox, SandboxServer, sf.Clock],  # noqa: F811
) -> None:
    _app, server, clock = org
    engine = sf._engine(tmp_path, server.url, clock, keys[0], f"sqlite:///{tmp_path / 's.db'}")
    try:
        conn: Any = engine.connector(sf.NAME)
        for obj in ("Lead", "Contact"):
            conn.client.tooling("create", "sobjects/CustomField", "POST", {
                "FullName": f"{obj}.Syncd_Tier__c",
                "Metadata": {"type": "Picklist", "label": "Tier", "valueSet": {
                    "restricted": True,
                    "valueSetDefinition": {"value": [{"fullName": "hot"}]}}},
            })  # fmt: skip
        # creates the other fields and grants access, cannot add picklist values
        setup = conn.ensure_fields(create=True, tiers=engine.model(sf.NAME).tier_names)
        assert [f.name for f in setup.missing] == ["Syncd_Tier__c", "Syncd_Tier__c"]
        conn.close()
        clock.now += 60
        report = run_cycle(engine, sf.NAME)
        assert report.status == "failed"
        assert "Lead.Syncd_Tier__c (Picklist)" in (report.error or "")
    finally:
        engine.close()
