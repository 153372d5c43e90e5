"""`syncd demo`: the whole story against two fake CRMs running in this process.

Starts the HubSpot and Salesforce sandboxes on 127.0.0.1 with generated data,
creates syncd's fields, runs a full cycle of each connector with progress bars,
then shows tier counts, the top leads with their reasons, the accounts that got
buying-committee or priority boosts, and the API calls used against the
minimum the CRMs' limits allow. Then it changes the model (MQL from 50 to 40),
previews the change with a rescore-only dry run (the tier-transition matrix;
nothing is written), and runs a second cycle with the unchanged model, which
re-reads the records our own writes touched and writes none of them.

Everything lives in a temporary directory that is removed at the end.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack, closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
import yaml
from rich.console import Console

from syncd.cli.demo_progress import CycleProgress, progress_bars
from syncd.cli.demo_report import (
    CrmRun,
    account_boost_table,
    calls_table,
    cycle_table,
    matrix_table,
    tier_table,
    top_leads_table,
)
from syncd.cli.exit_codes import ExitCode
from syncd.cli.factory import build_connector
from syncd.cli.sandbox import build_app
from syncd.core import ContactError, contact_from_json, score_batch
from syncd.sandbox.faults import FaultSpec
from syncd.sandbox.server import SandboxApp, SandboxServer
from syncd.settings import Settings, load_settings
from syncd.state import Store
from syncd.sync import CycleReport, Engine, run_cycle

__all__ = ["demo"]

TOKEN = "demo-hubspot-token"
CRMS = ("salesforce",)
NAMES = {"hubspot": "hubspot-demo", "salesforce": "salesforce-demo"}
DEFAULT_MODEL = Path("config/models/default.yaml")
NEW_MQL_MIN = 40


def _config_text(state: Path, model: Path, urls: dict[str, str]) -> str:
    conns: dict[str, Any] = {}
    if "hubspot" in urls:
        conns[NAMES["hubspot"]] = {
            "type": "hubspot", "base_url": urls["hubspot"], "access_token": TOKEN,
            "tier": "pro", "model": str(model)}
    if "salesforce" in urls:
        conns[NAMES["salesforce"]] = {
            "type": "salesforce", "instance_url": urls["salesforce"],
            "login_url": urls["salesforce"], "model": str(model),
            "auth": {"flow": "password", "username": "demo@syncd.example",
                     "password": "demo-password", "consumer_key": "syncd-demo",
                     "consumer_secret": "demo-consumer-secret"}}
    return yaml.safe_dump({"state": {"url": f"sqlite:///{state}"}, "connectors": conns},
                          sort_keys=False)


def _changed_model(model: Path, tmp: Path) -> Path:
    """A copy of ``model`` (with the files beside it, which it may refer to)
    whose MQL tier starts at NEW_MQL_MIN."""
    folder = shutil.copytree(model.parent, tmp / "models-changed")
    out = folder / model.name
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    mql = data.get("mql_tier", "mql")
    for tier in data["tiers"]:
        if tier.get("name") == mql:
            tier["min"] = NEW_MQL_MIN
    out.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return out


def _settings(path: Path, text: str) -> Settings:
    path.write_text(text, encoding="utf-8")
    return load_settings(path, {})


def _cycles(console: Console, engine: Engine, names: Sequence[str], *,
            full: bool) -> list[tuple[str, CycleReport, float]]:
    out: list[tuple[str, CycleReport, float]] = []
    with progress_bars(console) as bars:
        for name in names:
            bar = CycleProgress(bars, name)
            begun = time.monotonic()
            report = run_cycle(engine, name, full=full, progress=bar)
            bar.done(f"{report.status}, {report.written} written")
            out.append((name, report, time.monotonic() - begun))
    return out


def _results(engine: Engine, run: CrmRun) -> None:
    """Replay the stored contacts through the core, as of the cycle's start:
    the scores the cycle wrote (``syncd export`` + ``syncd score``)."""
    contacts = []
    for obj in engine.store.export(run.connector):
        run.contacts[str(obj["id"])] = obj
        try:
            contacts.append(contact_from_json(obj))
        except ContactError:
            continue  # the cycle skipped it too
    run.results = score_batch(engine.model(run.connector), contacts, run.full.started_at)


def run_demo(console: Console, *, contacts: int, seed: int, model: Path) -> int:
    """The whole story; returns the exit status."""
    begun = time.monotonic()
    logging.getLogger("syncd").setLevel(logging.ERROR)  # the tables tell the story
    with tempfile.TemporaryDirectory(prefix="syncd-demo-") as tmp_name, ExitStack() as stack:
        tmp = Path(tmp_name)
        # the generated history ends two seconds ago: the CRMs' modification stamps have
        # one-second precision and a cycle reads only whole seconds before its start, so
        # data stamped in the first cycle's own second would wait for the second cycle
        now = datetime.now(UTC) - timedelta(seconds=2)
        apps: dict[str, SandboxApp] = {}
        urls: dict[str, str] = {}
        console.rule("[bold]syncd demo")
        for crm in CRMS:
            app, _how = build_app(crm, seed=seed, contacts=contacts, tier="pro", token=TOKEN,
                                  faults=FaultSpec(), now=now)
            server = stack.enter_context(SandboxServer(app))
            apps[crm], urls[crm] = app, server.url
            counts = ", ".join(f"{n} {k}" for k, n in app.object_counts().items() if n)
            console.print(f"fake {crm} on {server.url}: {counts}")
        settings = _settings(tmp / "syncd.yaml", _config_text(tmp / "state.db", model, urls))
        names = list(settings.connectors)
        for name in names:
            conn = build_connector(name, settings.connectors[name])
            try:
                fields = conn.ensure_fields(create=True)
            finally:
                conn.close()
            console.print(f"{name}: syncd's fields ready ({len(fields.created)} created, "
                          f"{len(fields.present)} present)")
        engine = Engine(settings, stack.enter_context(closing(Store.open(settings.state.url))),
                        build_connector)

        console.rule("Full sync")
        first = _cycles(console, engine, names, full=True)
        console.print(cycle_table("Full cycle of each connector", first))
        runs = []
        for (name, report, seconds), crm in zip(first, CRMS, strict=True):
            run = CrmRun(name, crm, report, object_counts=dict(apps[crm].object_counts()),
                         seconds=seconds)
            _results(engine, run)
            runs.append(run)
        tiers = engine.model(names[0]).tiering.names
        console.print(tier_table(runs, tiers))
        console.print(top_leads_table(runs))
        console.print(account_boost_table(runs))
        console.print(calls_table(runs))

        console.rule(f"Model change: MQL from 50 to {NEW_MQL_MIN}")
        new_model = _changed_model(model, tmp)
        changed = Engine(_settings(tmp / "syncd-new.yaml",
                                   _config_text(tmp / "state.db", new_model, urls)),
                         engine.store, build_connector)
        console.print("$ syncd resync --connector NAME --rescore-only --dry-run  "
                      "(no API reads, nothing written)")
        for name in names:
            preview = run_cycle(changed, name, rescore_only=True, dry_run=True)
            if preview.dry_run is None or preview.status != "ok":
                console.print(f"[red]{name}: dry run {preview.status}: {preview.error}")
                return int(ExitCode.FAILED)
            console.print(matrix_table(name, preview.dry_run, tiers))

        console.rule("Second cycle (model unchanged)")
        second = _cycles(console, engine, names, full=False)
        console.print(cycle_table("Incremental cycle: our own writes are re-read, none rewritten",
                                  second))
        failed = [n for n, r, _ in first + second if r.status != "ok"]
        rewrote = [n for n, r, _ in second if r.written]
        elapsed = time.monotonic() - begun
        if failed or rewrote:
            console.print(f"[red]demo failed: cycles not ok: {failed}; second cycle wrote: "
                          f"{rewrote}")
            return int(ExitCode.FAILED)
        console.print(f"demo finished in {elapsed:.1f}s")
        return int(ExitCode.OK)


@click.command()
@click.option("--contacts", default=2000, show_default=True,
              help="Contacts generated in each fake CRM.")
@click.option("--seed", default=1, show_default=True, help="Seed of the generated data.")
@click.option("--model", type=click.Path(dir_okay=False, path_type=Path),
              default=DEFAULT_MODEL, show_default=True, help="Scoring model to sync with.")
def demo(contacts: int, seed: int, model: Path) -> None:
    """Run the whole story against two fake CRMs in this process: full sync,
    tiers, top leads, account boosts, API calls, a model change previewed with
    a dry run, and a second cycle that writes nothing."""
    if not model.is_file():
        click.echo(f"{model}: model not found (run from the repository root or pass --model)",
                   err=True)
        raise SystemExit(ExitCode.UNUSABLE)
    console = Console()
    if not console.is_terminal:  # a log or a README transcript: wide enough for the tables
        console = Console(width=120)
    raise SystemExit(run_demo(console, contacts=contacts, seed=seed, model=model))
