"""`syncd demo` tells the whole story on a small generated data set and exits 0."""

from __future__ import annotations

import io
import re
from pathlib import Path

from click.testing import CliRunner
from rich.console import Console

from syncd.cli import main
from syncd.cli.demo import story
from syncd.modelfile import resolve_model


def test_demo_runs_the_whole_story() -> None:
    result = CliRunner().invoke(main, ["demo", "--contacts", "150", "--seed", "3"])
    out = result.output
    assert result.exit_code == 0, out
    for heading in (
        "Full cycle of each connector",
        "hubspot-demo: contacts per tier",
        "salesforce-demo: score distribution",
        "salesforce-demo: top 10 leads",
        "hubspot-demo: accounts (priority first",
        "API calls of the full sync vs the minimum the limits allow",
        "Model change: MQL from 50 to 40",
        "tier transitions (rows: now, columns: with",
        "Second cycle: syncd's own writes read back",
        "Third cycle: nothing changed, nothing written",
    ):
        assert heading in out, heading
    assert re.search(r"demo finished in \d+\.\ds", out)
    # the later cycles' rows: status ok and 0 written
    later = out.split("Second cycle: syncd's own writes read back", 1)[1]
    rows = [line for line in later.splitlines() if "-demo" in line and "│" in line]
    assert len(rows) == 4 and all(
        re.search(r"│ ok\s+│\s+\d+ │\s+\d+ │\s+0 │\s+\d+ │\s+0 │", row) for row in rows
    ), rows


def test_the_demo_cycles_as_the_daemon_does_and_its_quiet_cycle_is_cheap() -> None:
    """One engine across the cycles, on the fakes' clock: the cycle after the full
    sync reads back what it wrote (Salesforce stamps syncd's writes too) and
    writes nothing; the next finds nothing changed and pulls nothing."""
    console = Console(file=io.StringIO(), width=120)
    run = story(console, contacts=150, seed=3, model=resolve_model(Path("default"), Path.cwd()))
    assert run.status == 0, console.file.getvalue()  # type: ignore[attr-defined]
    full = {name: report for name, report, _s, _w in run.full}
    second = {name: report for name, report, _s, _w in run.second}
    quiet = {name: report for name, report, _s, _w in run.quiet}
    assert set(quiet) == {"hubspot-demo", "salesforce-demo"}
    # Salesforce: the written records come back once, then nothing
    sf_written = full["salesforce-demo"].written + full["salesforce-demo"].accounts_written
    assert sf_written > 0
    assert second["salesforce-demo"].pulled == full["salesforce-demo"].written
    for report in (*second.values(), *quiet.values()):
        assert report.status == "ok" and report.written == report.accounts_written == 0
        assert "write" not in report.api_calls and "meta" not in report.api_calls
    assert quiet["salesforce-demo"].pulled == 0
    assert quiet["hubspot-demo"].pulled == 0
    # one query per Salesforce stream (8: Account, Lead, Contact, Task, Event,
    # CampaignMember, Opportunity, OpportunityContactRole), no look-ups
    assert sum(quiet["salesforce-demo"].api_calls.values()) == 8, quiet["salesforce-demo"]
    # HubSpot's quiet cycle: the connector's reads only (no field check, no plan
    # probe, no campaign names: the engine kept them, no page views: no contact
    # read shows a visit): a search each for companies, contacts, calls, e-mails,
    # meetings and notes, e-mail events, archived contacts and companies, and the
    # deals search of the outcome stream (the floor bench/ states: 10)
    assert sum(quiet["hubspot-demo"].api_calls.values()) <= 10, quiet["hubspot-demo"]
