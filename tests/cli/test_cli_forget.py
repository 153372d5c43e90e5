"""`syncd forget` against a synced fake HubSpot portal, on SQLite and
PostgreSQL: afterwards no table of the state store holds the person's id,
e-mail or name (a dump of every table), the audit row holds none of them
either, `--clear-crm-fields` emptied syncd's fields on the CRM record, and the
person, changed again in the CRM, comes back as a new contact."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from click.testing import CliRunner, Result

from syncd.cli import main
from syncd.cli.demo_fakes import TOKEN, SkipClock, connector_factory
from syncd.sandbox.generator import generate
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.server import SandboxServer
from syncd.state.migrate import create_engine

NAME = "hs"
OWN = ("syncd_score", "syncd_tier", "syncd_reasons", "syncd_priority")


@dataclass
class Portal:
    app: HubSpotSandbox
    config: Path
    obj: dict[str, Any]
    clock: SkipClock

    def invoke(self, *args: str) -> Result:
        return CliRunner().invoke(main, [*args, "--config", str(self.config)], obj=self.obj)


@pytest.fixture
def portal(tmp_path: Path, state_url: str) -> Iterator[Portal]:
    clock = SkipClock()
    app = HubSpotSandbox(
        generate(21, 30, datetime.now(UTC) - timedelta(minutes=10)),
        clock=clock,
        sleep=clock.sleep,
        token=TOKEN,
    )
    with SandboxServer(app) as server:
        config = tmp_path / "syncd.yaml"
        conn = {
            "type": "hubspot",
            "base_url": server.url,
            "access_token": TOKEN,
            "model": "default",
        }
        config.write_text(
            yaml.safe_dump({"state": {"url": state_url}, "connectors": {NAME: conn}}),
            encoding="utf-8",
        )
        p = Portal(app, config, {"factory": connector_factory(clock)}, clock)
        result = p.invoke("run", "--once")
        assert result.exit_code == 0, result.output
        yield p


def _dump(url: str) -> list[tuple[str, str]]:
    """(table, row as text) for every row of every table."""
    engine = create_engine(url)
    try:
        md = sa.MetaData()
        md.reflect(engine)
        with engine.connect() as conn:
            return [
                (t.name, " | ".join(str(v) for v in row))
                for t in md.sorted_tables
                for row in conn.execute(sa.select(t))
            ]
    finally:
        engine.dispose()


def _person(app: HubSpotSandbox) -> tuple[str, str, str, str]:
    """A scored contact named in its company's account summary (when one is)."""
    records = [r for r in app.store.live("contacts") if r.properties.get("syncd_score")]
    summaries = " ".join(
        str(c.properties.get("syncd_account_summary") or "") for c in app.store.live("companies")
    )
    rec = next((r for r in records if r.id in summaries), records[0])
    p = rec.properties
    return rec.id, str(p["email"]), str(p["firstname"]), str(p["lastname"])


def _holds(rows: list[tuple[str, str]], cid: str, email: str, first: str, last: str) -> list[str]:
    import re

    ident = re.compile(rf"(?<![\w-]){re.escape(cid)}(?![\w-])")
    return [
        f"{table}: {text[:120]}"
        for table, text in rows
        if ident.search(text)
        or email.casefold() in text.casefold()
        or (first in text and last in text)
    ]


def test_forget_erases_every_trace_and_clears_the_crm_fields(
    portal: Portal, state_url: str
) -> None:
    cid, email, first, last = _person(portal.app)
    assert _holds(_dump(state_url), cid, email, first, last)  # the check can fail

    dry = portal.invoke("forget", "--connector", NAME, "--email", email.upper(), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert dry.output.startswith(f"{NAME}: would erase 1 contact(s): ")
    assert _holds(_dump(state_url), cid, email, first, last)

    done = portal.invoke(
        "forget", "--connector", NAME, "--email", email, "--clear-crm-fields",
        "--requested-by", "dpo-ticket-4711",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert f"{NAME}: erased 1 contact(s): " in done.output
    rows = _dump(state_url)
    assert _holds(rows, cid, email, first, last) == []
    audit = [text for table, text in rows if table == "syncd_forget_audit"]
    assert len(audit) == 1 and "dpo-ticket-4711" in audit[0]
    assert "True" in audit[0] or "1" in audit[0].split(" | ")[-1]  # CRM fields cleared
    rec = portal.app.store.get("contacts", cid)
    assert rec is not None
    assert [rec.properties.get(k) for k in OWN] == ["", "", "", ""]

    again = portal.invoke("forget", "--connector", NAME, "--id", cid)
    assert (again.exit_code, again.output) == (
        0,
        f"{NAME}: no stored contact matches; nothing to erase\n",
    )

    # the person changes in the CRM again: a new contact, scored and written anew
    at = datetime.now(UTC) - timedelta(minutes=3)  # within the CLI cycle's lookback
    portal.app.store.update("contacts", cid, {"jobtitle": "CEO"}, at_ms=int(at.timestamp() * 1000))
    assert portal.invoke("run", "--once").exit_code == 0
    rec = portal.app.store.get("contacts", cid)
    assert rec is not None and rec.properties.get("syncd_score") not in (None, "")


def test_forget_needs_exactly_one_of_id_and_email(portal: Portal) -> None:
    r = portal.invoke("forget", "--connector", NAME)
    assert r.exit_code == 2 and "give exactly one of --id or --email" in r.output
    r = portal.invoke("forget", "--connector", NAME, "--id", "1", "--email", "a@b.c")
    assert r.exit_code == 2


def test_export_contact_prints_everything_held_about_one_person(portal: Portal) -> None:
    import json

    cid, email, _first, _last = _person(portal.app)
    r = portal.invoke("export", "--connector", NAME, "--contact", cid)
    assert r.exit_code == 0, r.output
    held = json.loads(r.output)
    assert held["contact"]["id"] == cid
    # by default only a salted hash of the address is kept, at its domain
    stored = held["contact"]["data"]["email"]
    assert stored.startswith("h.") and stored.endswith("@" + email.split("@")[1])
    assert not {"first_name", "last_name", "phone"} & set(held["contact"]["data"]["properties"])
    assert held["contact"]["score"] is not None and held["contact"]["w_reasons"]
    assert len(held["score_history"]) >= 1
    assert {a["contact_id"] for a in held["activities"]} <= {cid}
    assert set(held) == {"connector", "contact", "activities", "score_history", "outcomes"}
    missing = portal.invoke("export", "--connector", NAME, "--contact", "nobody")
    assert missing.exit_code == 1 and "no stored contact 'nobody'" in missing.output
