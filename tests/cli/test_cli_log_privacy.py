"""Log lines carry record ids, never personal data: the DEBUG logs (formatted
as the daemon writes them) of cycles against a fake HubSpot portal and a fake
Salesforce org (setup, cycles, a rescore, an explain) hold none of the
sandbox's e-mail addresses, names or titles."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from syncd.cli import main
from syncd.cli.demo_fakes import TOKEN, Fake, SkipClock, config_text, connector_factory
from syncd.daemon.logs import JsonFormatter, TextFormatter
from syncd.redact import Redactor
from syncd.sandbox.generator import generate
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.salesforce import SalesforceSandbox
from syncd.sandbox.server import SandboxServer


def _personal(app: HubSpotSandbox) -> set[str]:
    out: set[str] = set()
    for rec in app.store.live("contacts"):
        p = rec.properties
        for key in ("email", "firstname", "lastname", "jobtitle"):
            value = str(p.get(key) or "")
            if len(value) >= 4:  # short words ("CEO") occur in ordinary text
                out.add(value.casefold())
        first, last = p.get("firstname"), p.get("lastname")
        if first and last:
            out.add(f"{first} {last}".casefold())
    return out


def test_debug_logs_of_cycles_hold_no_names_emails_or_titles(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = SkipClock()
    data = generate(31, 40, datetime.now(UTC) - timedelta(minutes=10))
    hubspot = HubSpotSandbox(data, clock=clock, sleep=clock.sleep, token=TOKEN)
    salesforce = SalesforceSandbox(data, clock=clock, sleep=clock.sleep)
    people = _personal(hubspot)
    assert len(people) > 40
    with SandboxServer(hubspot) as hs, SandboxServer(salesforce) as sf:
        fakes = [
            Fake("hubspot", "hs", hubspot, hs.url),
            Fake("salesforce", "sf", salesforce, sf.url),
        ]
        config = tmp_path / "syncd.yaml"
        text = config_text(tmp_path / "state.db", Path("default"), fakes)
        doc = yaml.safe_load(text)
        for conn in doc["connectors"].values():
            conn["model"] = "default"
        config.write_text(yaml.safe_dump(doc), encoding="utf-8")
        obj = {"factory": connector_factory(clock)}

        def cli(*args: str) -> None:
            r = CliRunner().invoke(main, [*args, "--config", str(config)], obj=obj)
            assert r.exit_code in (0, 1), r.output

        caplog.set_level(logging.DEBUG)
        cli("setup", "--connector", "sf")
        cli("run", "--once")
        cli("resync", "--connector", "hs", "--rescore-only")
        cli(
            "explain", "--connector", "hs", next(iter(r.id for r in hubspot.store.live("contacts")))
        )
        cli("run", "--once")
    assert len(caplog.records) > 20
    lines = []
    for fmt in (JsonFormatter(Redactor()), TextFormatter(Redactor())):
        lines += [fmt.format(r).casefold() for r in caplog.records]
    found = sorted({p for p in people for line in lines if p in line})
    assert found == [], found[:5]
