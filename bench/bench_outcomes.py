"""The calls that pulling outcomes adds to a cycle, against both fakes.

    python bench/bench_outcomes.py [N]        # N generated contacts per CRM (default 2,000)

For each CRM: a full pull, an incremental pull after 30 deals/opportunities changed, and
an incremental pull after nothing changed. Prints the calls of each pull, those spent on
outcomes (HubSpot: deal reads and deal->contact association reads; Salesforce: the
Opportunity and OpportunityContactRole queries), their share, and one JSON line last.
Lifecycle dates (HubSpot) and Lead conversion (Salesforce) ride on the contact reads
and cost no call.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from syncd.sandbox.generator import generate
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.salesforce import SalesforceSandbox
from syncd.sandbox.server import SandboxServer
from tests.kit.clock import ManualClock
from tests.kit.hubspot import connect
from tests.kit.salesforce_connector import make_org

CHANGED = 30


def _line(crm: str, pull: str, calls: int, outcome_calls: int, records: int) -> dict[str, Any]:
    share = outcome_calls / calls if calls else 0.0
    print(
        f"{crm:<10} {pull:<34} {calls:>5} calls, {outcome_calls:>2} for outcomes "
        f"({share:.1%}), {records} outcome records"
    )
    return {"crm": crm, "pull": pull, "calls": calls, "outcome_calls": outcome_calls,
            "share": round(share, 4), "outcome_records": records}  # fmt: skip


def hubspot(n: int) -> list[dict[str, Any]]:
    clock = ManualClock()
    app = HubSpotSandbox(generate(7, n, clock.utc() - dt.timedelta(days=1)), clock=clock,
                         rate_limits=False)  # fmt: skip
    out = []
    with SandboxServer(app) as server:
        conn = connect(server.url, clock)
        cursor = None
        for name, change in (("full", None), (f"incremental, {CHANGED} deals changed", True),
                             ("incremental, nothing changed", False)):  # fmt: skip
            if change:
                for deal in list(app.store.live("deals"))[:CHANGED]:
                    app.store.update("deals", deal.id, {"amount": "1234"})
            clock.advance(3600)
            app.log.reset()
            pages = list(conn.changes(cursor, clock.utc()))
            cursor = pages[-1].cursor
            reqs = app.log.requests()
            deal_calls = sum(1 for r in reqs if "deals" in r.path)
            out.append(_line("hubspot", name, len(reqs), deal_calls,
                             sum(len(p.outcomes) for p in pages)))  # fmt: skip
    return out


def salesforce(n: int) -> list[dict[str, Any]]:
    clock = ManualClock()
    app = SalesforceSandbox(generate(7, n, clock.utc() - dt.timedelta(days=1)), clock=clock,
                            sleep=lambda s: None)  # fmt: skip
    out = []
    with make_org(app, clock) as org:
        conn = org.connector()
        cursor = None
        for name, change in (("full", None), (f"incremental, {CHANGED} opps changed", True),
                             ("incremental, nothing changed", False)):  # fmt: skip
            if change:
                for opp in app.store.records("Opportunity")[:CHANGED]:
                    app.store.update("Opportunity", opp["Id"], {"Amount": 1234})
            clock.advance(3600)
            app.log.reset()
            pages = list(conn.changes(cursor, clock.utc()))
            cursor = pages[-1].cursor
            reqs = [r for r in app.log.requests() if not r.path.startswith("/__sandbox")]
            opp_calls = sum(1 for r in reqs if "FROM Opportunity" in str(r.query.get("q", "")))
            out.append(_line("salesforce", name, len(reqs), opp_calls,
                             sum(len(p.outcomes) for p in pages)))  # fmt: skip
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    rows = hubspot(n) + salesforce(n)
    print(json.dumps({"bench": "outcomes", "contacts": n, "pulls": rows}))


if __name__ == "__main__":
    main()
