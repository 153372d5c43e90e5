"""The soak's two fake CRMs, served from the soak's own process on the real clock, and
the syncd configs that point child ``syncd`` processes at them."""

from __future__ import annotations

import random
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from syncd.cli.demo_fakes import connector_entry
from syncd.sandbox.faults import FaultSpec
from syncd.sandbox.generator import generate
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.salesforce import SalesforceSandbox
from syncd.sandbox.server import SandboxServer

TOKEN = "soak-hubspot-token"
NAMES = {"hubspot": "hs-soak", "salesforce": "sf-soak"}
MODEL = Path(__file__).resolve().parents[1] / "syncd" / "models" / "default.yaml"


def faults(seed: int) -> FaultSpec:
    """The faults of a faulty cycle: 10% 429, 5% 500, 2% 503, 2% dropped connections,
    5% partial batch-write failures."""
    return FaultSpec(
        rate_429=0.10, rate_500=0.05, rate_503=0.02, drop_rate=0.02, partial_rate=0.05, seed=seed
    )


@dataclass
class Fakes:
    hubspot: HubSpotSandbox
    salesforce: SalesforceSandbox
    urls: dict[str, str]
    rng: random.Random

    def set_faults(self, on: bool) -> None:
        for app in (self.hubspot, self.salesforce):
            app.faults.replace(faults(self.rng.randrange(1 << 30)) if on else FaultSpec())

    def crm_scores(self) -> dict[str, dict[str, tuple[int | None, str | None]]]:
        """Every live contact's (and lead's) syncd score and tier as the CRM holds them."""
        hs: dict[str, tuple[int | None, str | None]] = {}
        with self.hubspot.lock:
            for rec in self.hubspot.store.live("contacts"):
                raw = rec.properties.get("syncd_score") or None
                hs[rec.id] = (
                    None if raw is None else int(float(raw)),
                    rec.properties.get("syncd_tier"),
                )
        sf: dict[str, tuple[int | None, str | None]] = {}
        for kind in ("Contact", "Lead"):
            for rec in self.salesforce.store.records(kind):
                if kind == "Lead" and rec.get("IsConverted"):
                    continue
                raw = rec.get("Syncd_Score__c")
                sf[rec["Id"]] = (None if raw is None else int(raw), rec.get("Syncd_Tier__c"))
        return {"hubspot": hs, "salesforce": sf}


def start(stack: ExitStack, *, seed: int, contacts: int, rate_limits: bool) -> Fakes:
    now = datetime.now(UTC)
    hs = HubSpotSandbox(
        generate(seed, contacts, now), token=TOKEN, tier="pro", rate_limits=rate_limits
    )
    sf = SalesforceSandbox(generate(seed + 1, contacts, now), daily_api_limit=50_000_000)
    urls = {
        "hubspot": stack.enter_context(SandboxServer(hs)).url,
        "salesforce": stack.enter_context(SandboxServer(sf)).url,
    }
    return Fakes(hs, sf, urls, random.Random(seed))


def write_config(
    path: Path, state_url: str, fakes: Fakes, *, lease: str = "10s", every: str | None = None
) -> Path:
    """A config with one connector per fake; ``every`` schedules them (daemon runs)."""
    conns: dict[str, Any] = {
        NAMES[crm]: connector_entry(crm, fakes.urls[crm], MODEL, token=TOKEN)
        for crm in ("hubspot", "salesforce")
    }
    conns[NAMES["hubspot"]]["safety_lag"] = "5s"
    if every:
        for conn in conns.values():
            conn["schedule"] = {"every": every}
    doc = {"state": {"url": state_url, "lock_lease": lease}, "connectors": conns}
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path
