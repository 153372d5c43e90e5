"""`syncd demo`: the whole story against two fake CRMs running in this process.

Starts the HubSpot and Salesforce sandboxes on 127.0.0.1 with generated data,
creates syncd's fields, runs a full cycle of each connector with progress bars,
then shows tier counts, the top leads with their reasons, the accounts that got
buying-committee or priority boosts, and the API calls used against the
minimum the CRMs' limits allow. Then it changes the model (MQL from 50 to 40),
previews the change with a rescore-only dry run (the tier-transition matrix;
nothing is written), and runs two more cycles with the unchanged model, each one
schedule interval after the one before, as ``syncd run`` does: the second reads
back what the first wrote (Salesforce stamps every write, syncd's too) and
writes nothing; the third finds nothing changed, reads nothing and writes
nothing. One engine lives across all cycles, on the demo's clock, as in the
daemon: its connectors, their field checks and what they learnt carry over, so
each cycle's calls are what the daemon would make.

The fakes enforce the real rate limits and the connectors pace themselves to
stay within them, on a clock that skips the waits (reported in the calls
table), so the demo takes seconds where a real HubSpot portal takes minutes.
Everything lives in a temporary directory that is removed at the end.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import yaml
from rich.console import Console

from syncd.cli.demo_fakes import Fake, SkipClock, config_text, connector_factory, start_fakes
from syncd.cli.demo_report import (
    CrmRun,
    calls_table,
    classify_calls,
    cycle_table,
    hubspot_minimum_reads,
    matrix_notes,
    matrix_table,
    salesforce_minimum_reads,
)
from syncd.cli.exit_codes import ExitCode
from syncd.cli.progress import CycleBar, progress_bars
from syncd.modelfile import resolve_model, shipped_models
from syncd.reporting import gather, thresholds_of
from syncd.reporting.terminal import accounts_table, histogram_table, leads_table, tiers_table
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.settings import EverySchedule, Settings, load_settings
from syncd.state import Store
from syncd.sync import CycleReport, Engine, run_cycle

__all__ = ["DemoRun", "demo", "run_demo", "story"]

DEFAULT_MODEL = "default"
NEW_MQL_MIN = 40
DATA_AGE = timedelta(minutes=10)

Cycle = tuple[str, CycleReport, float, float]  # name, report, seconds, skipped wait seconds

#: The gap between cycles when a connector's schedule is not ``every`` (a cron).
DEFAULT_GAP = timedelta(minutes=15)


@dataclass
class DemoRun:
    """What the story did: its exit status and each phase's cycles."""

    status: int = int(ExitCode.OK)
    full: list[Cycle] = field(default_factory=list)
    #: The next scheduled cycle: it reads back what the full cycle wrote.
    second: list[Cycle] = field(default_factory=list)
    #: The one after: nothing changed since the second.
    quiet: list[Cycle] = field(default_factory=list)


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


def _cycles(
    console: Console, engine: Engine, clock: SkipClock, names: Sequence[str], *, full: bool
) -> list[Cycle]:
    out: list[Cycle] = []
    with progress_bars(console) as bars:
        for name in names:
            bar = CycleBar(bars, name)
            begun, skipped = time.monotonic(), clock.skipped
            report = run_cycle(engine, name, full=full, progress=bar)
            seconds = time.monotonic() - begun
            bar.finish(report, seconds)
            out.append((name, report, seconds, clock.skipped - skipped))
    return out


def _crm_run(fake: Fake, cycle: Cycle) -> CrmRun:
    """The full cycle's API calls as the fake recorded them, and the fewest its data allows."""
    name, report, seconds, skipped = cycle
    app = fake.app
    min_reads = (
        hubspot_minimum_reads(app)
        if isinstance(app, HubSpotSandbox)
        else salesforce_minimum_reads(app.object_counts())
    )
    return CrmRun(
        name,
        fake.crm,
        report,
        min_reads=min_reads,
        seconds=seconds,
        skipped_wait_s=skipped,
        calls=classify_calls(fake.crm, app.log.requests()),
    )


def _outcome(console: Console, engine: Engine, fakes: Sequence[Fake]) -> None:
    """What `syncd report` shows of each connector: tiers, scores, top leads, accounts."""
    for fake in fakes:
        name = fake.connector
        report = gather(
            engine.store.engine,
            name,
            fake.crm,
            now=engine.clock(),
            thresholds=thresholds_of(engine.model(name)),
            model=engine.store.meta(name).model_ref,
        )
        for table in (tiers_table, histogram_table, leads_table, accounts_table):
            console.print(table(report, console.width))


def _setup_fields(console: Console, engine: Engine, names: Sequence[str]) -> None:
    """What `syncd setup` does: create syncd's fields in each CRM (through the
    engine, which keeps the passed check, as the daemon keeps its own)."""
    for name in names:
        fields = engine.ensure_fields(name, create=True, tiers=engine.model(name).tier_names)
        console.print(
            f"{name}: syncd's fields ready ({len(fields.created)} created, "
            f"{len(fields.present)} present)"
        )


def _preview(console: Console, engine: Engine, names: Sequence[str], tiers: Sequence[str]) -> bool:
    console.print(
        "A rescore-only dry run of each connector, as `syncd resync --connector "
        "NAME --rescore-only --dry-run` does: no API reads, nothing written."
    )
    for name in names:
        preview = run_cycle(engine, name, rescore_only=True, dry_run=True)
        if preview.dry_run is None or preview.status != "ok":
            console.print(f"[red]{name}: dry run {preview.status}: {preview.error}")
            return False
        console.print(
            f"[bold]{name}[/bold]: tier transitions (rows: now, columns: with the new model)"
        )
        console.print(matrix_table(preview.dry_run, tiers))
        console.print(matrix_notes(preview.dry_run))
    return True


def _gap(settings: Settings, names: Sequence[str]) -> timedelta:
    """The time between two scheduled cycles: the shortest ``every`` schedule."""
    gaps = [
        schedule.every
        for schedule in (settings.connectors[n].schedule for n in names)
        if isinstance(schedule, EverySchedule)
    ]
    return min(gaps, default=DEFAULT_GAP)


def run_demo(console: Console, *, contacts: int, seed: int, model: Path) -> int:
    """The whole story; returns the exit status."""
    return story(console, contacts=contacts, seed=seed, model=model).status


def story(console: Console, *, contacts: int, seed: int, model: Path) -> DemoRun:
    """The whole story, told on ``console``, and what it did. ``syncd`` log
    records below errors are muted meanwhile (the tables tell the story) and
    restored after."""
    logger = logging.getLogger("syncd")
    previous = logger.level
    logger.setLevel(logging.ERROR)
    try:
        return _story(console, contacts=contacts, seed=seed, model=model)
    finally:
        logger.setLevel(previous)


def _story(console: Console, *, contacts: int, seed: int, model: Path) -> DemoRun:
    begun = time.monotonic()
    clock = SkipClock()
    factory = connector_factory(clock)
    run = DemoRun()
    with tempfile.TemporaryDirectory(prefix="syncd-demo-") as tmp_name, ExitStack() as stack:
        tmp = Path(tmp_name)
        console.rule("[bold]syncd demo")
        # Data as of a few minutes ago: older than HubSpot's safety lag, so the
        # full cycle sees all of it and the later cycles find nothing new.
        fakes = start_fakes(
            stack, clock, seed=seed, contacts=contacts, now=datetime.now(UTC) - DATA_AGE
        )
        for fake in fakes:
            counts = ", ".join(f"{n} {k}" for k, n in fake.app.object_counts().items() if n)
            console.print(f"fake {fake.crm} on {fake.url}: {counts}")
        settings = _settings(tmp / "syncd.yaml", config_text(tmp / "state.db", model, fakes))
        names = [fake.connector for fake in fakes]
        store = stack.enter_context(closing(Store.open(settings.state.url)))
        # One engine for every cycle, on the fakes' clock: what `syncd run` keeps.
        engine = Engine(settings, store, factory, clock=clock.now)
        _setup_fields(console, engine, names)

        console.rule("Full sync")
        for fake in fakes:
            fake.app.log.reset()  # count the full cycle's calls only
        run.full = _cycles(console, engine, clock, names, full=True)
        console.print(cycle_table("Full cycle of each connector", run.full))
        runs = [_crm_run(fake, cycle) for fake, cycle in zip(fakes, run.full, strict=True)]
        tiers = engine.model(names[0]).tiering.names
        _outcome(console, engine, fakes)
        console.print(calls_table(runs))

        console.rule(f"Model change: MQL from 50 to {NEW_MQL_MIN}")
        new_model = _changed_model(model, tmp)
        changed = Engine(
            _settings(tmp / "syncd-new.yaml", config_text(tmp / "state.db", new_model, fakes)),
            store,
            factory,
            clock=clock.now,
        )
        if not _preview(console, changed, names, tiers):
            run.status = int(ExitCode.FAILED)
            return run

        gap = _gap(settings, names)
        minutes = f"{gap.total_seconds() / 60:g} minutes"
        console.rule("Next scheduled cycles (model unchanged)")
        console.print(
            f"The daemon's schedule runs a cycle every {minutes}; the demo's clock skips "
            "the wait. The first reads back the records syncd wrote (a write changes a "
            "record's modification stamp) and finds nothing to write."
        )
        clock.sleep(gap.total_seconds())
        run.second = _cycles(console, engine, clock, names, full=False)
        console.print(cycle_table("Second cycle: syncd's own writes read back", run.second))
        clock.sleep(gap.total_seconds())
        run.quiet = _cycles(console, engine, clock, names, full=False)
        console.print(cycle_table("Third cycle: nothing changed, nothing written", run.quiet))
        later = run.second + run.quiet
        failed = [c[0] for c in run.full + later if c[1].status != "ok"]
        rewrote = [c[0] for c in later if c[1].written or c[1].accounts_written]
        if failed or rewrote:
            console.print(
                f"[red]demo failed: cycles not ok: {failed}; later cycles wrote: {rewrote}"
            )
            run.status = int(ExitCode.FAILED)
            return run
        console.print(f"demo finished in {time.monotonic() - begun:.1f}s")
        return run


@click.command()
@click.option(
    "--contacts",
    type=click.IntRange(1, 1_000_000),
    default=2000,
    show_default=True,
    help="Contacts generated in each fake CRM.",
)
@click.option("--seed", default=1, show_default=True, help="Seed of the generated data.")
@click.option(
    "--model",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_MODEL,
    show_default=True,
    help="Scoring model to sync with: a shipped model by name or a YAML file.",
)
def demo(contacts: int, seed: int, model: Path) -> None:
    """Run the whole story against two fake CRMs in this process: full sync,
    tiers, top leads, account boosts, API calls, a model change previewed with
    a dry run, and the next two scheduled cycles: syncd's writes read back,
    then nothing changed; neither writes anything."""
    model = resolve_model(model, Path.cwd())
    if not model.is_file():
        click.echo(
            f"{model}: model not found (name a shipped model: "
            f"{', '.join(shipped_models())}, or a YAML file)",
            err=True,
        )
        raise SystemExit(ExitCode.UNUSABLE)
    console = Console()
    if not console.is_terminal:  # a log or a README transcript: wide enough for the tables
        console = Console(width=120)
    raise SystemExit(run_demo(console, contacts=contacts, seed=seed, model=model))
