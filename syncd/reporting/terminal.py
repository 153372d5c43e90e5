"""A ``ConnectorReport`` as rich renderables for a terminal of any width:
tables wrap their text columns, and bars are scaled to the width given."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from syncd.reporting.data import ConnectorReport, histogram_bins, minimum_writes
from syncd.reporting.kpi_terminal import kpi_tables

__all__ = [
    "accounts_table",
    "calls_table",
    "histogram_table",
    "leads_table",
    "mql_weeks_table",
    "render",
    "tiers_table",
    "writes_table",
]


def _bar(n: int, most: int, width: int, style: str = "blue") -> Text:
    cells = 0 if most <= 0 else round(n / most * width)
    if n and not cells:
        return Text("▏", style=style)
    return Text("█" * cells, style=style)


def _bar_width(width: int, others: int) -> int:
    """Cells left for a bar when the table's other columns take ``others``."""
    return max(8, min(60, width - others))


def _titled(title: str) -> Table:
    """A table whose title stays on one line (the table is at least as wide)."""
    return Table(title=title, title_justify="left", caption_justify="left", min_width=len(title))


def tiers_table(r: ConnectorReport, width: int) -> Table:
    t = _titled(f"{r.connector}: contacts per tier")
    t.add_column("tier", no_wrap=True)
    t.add_column("from", justify="right", no_wrap=True)
    t.add_column("contacts", justify="right", no_wrap=True)
    t.add_column("share", justify="right", no_wrap=True)
    t.add_column("", no_wrap=True)
    starts = {x.tier: x.min for x in r.thresholds}
    total = max(1, r.contacts)
    most = max(r.tiers.values(), default=0)
    others = max(len(x) for x in [*r.tier_order, "total"]) + 35
    for tier in r.tier_order:
        n = r.tiers.get(tier, 0)
        start = starts.get(tier)
        t.add_row(
            tier,
            "" if start is None else f"{start:g}",
            str(n),
            f"{n / total:.0%}",
            _bar(n, most, _bar_width(width, others)),
        )
    t.add_row("[bold]total[/bold]", "", f"[bold]{r.contacts}[/bold]", "", "")
    return t


def histogram_table(r: ConnectorReport, width: int) -> Table:
    """Contacts by 5-point score bin, a marker row where each tier starts."""
    t = _titled(f"{r.connector}: score distribution")
    t.add_column("score", justify="right", no_wrap=True)
    t.add_column("contacts", justify="right", no_wrap=True)
    t.add_column("", no_wrap=True)
    bins = histogram_bins(r.scores)
    most = max((n for _, n in bins), default=0)
    starts = sorted((x.min, x.tier, x.mql) for x in r.thresholds if x.min is not None)
    for i, (start, n) in enumerate(bins):
        end = bins[i + 1][0] if i + 1 < len(bins) else start + 5
        marks = [(lo, tier, mql) for lo, tier, mql in starts if start <= lo < end]
        for lo, tier, mql in marks:
            t.add_row(
                "",
                "",
                Text(f"── {tier} from {lo:g}", style="bold magenta" if mql else "magenta"),
            )
        if _inside_empty_run(bins, i) and not marks:
            if not _inside_empty_run(bins, i - 1):
                t.add_row("…", "0", "")
            continue
        t.add_row(f"{start}–{end - 1}", str(n), _bar(n, most, _bar_width(width, 32)))
    return t


def _inside_empty_run(bins: Sequence[tuple[int, int]], i: int) -> bool:
    """Bin ``i`` is empty and so are its neighbours (a run shown as one "…" row)."""
    return 0 < i < len(bins) - 1 and bins[i][1] == 0 and bins[i - 1][1] == 0 and bins[i + 1][1] == 0


def mql_weeks_table(r: ConnectorReport, width: int) -> Table:
    t = _titled(f"{r.connector}: contacts entering MQL per week")
    t.add_column("week of", no_wrap=True)
    t.add_column("new MQLs", justify="right", no_wrap=True)
    t.add_column("", no_wrap=True)
    most = max((n for _, n in r.mql_weeks), default=0)
    for week, n in r.mql_weeks:
        t.add_row(week.isoformat(), str(n), _bar(n, most, _bar_width(width, 32), "dark_orange"))
    if not r.mql_weeks:
        t.caption = "no contact has entered an MQL tier yet"
    return t


def leads_table(r: ConnectorReport, width: int) -> Table:
    t = _titled(f"{r.connector}: top {len(r.leads)} leads")
    t.add_column("id", no_wrap=True)
    t.add_column("who", overflow="fold", ratio=1)
    t.add_column("score", justify="right", no_wrap=True)
    t.add_column("tier", no_wrap=True)
    t.add_column("why", overflow="fold", ratio=2)
    for x in r.leads:
        who = " · ".join(p for p in (x.title, x.company) if p) or x.email
        t.add_row(x.id, who, str(x.score), x.tier, x.reasons)
    return t


def accounts_table(r: ConnectorReport, width: int) -> Table:
    t = _titled(f"{r.connector}: accounts (priority first, then by account score)")
    t.add_column("account", overflow="fold")
    t.add_column("contacts", justify="right", no_wrap=True)
    t.add_column("score", justify="right", no_wrap=True)
    t.add_column("priority", no_wrap=True)
    t.add_column("buying group / summary", overflow="fold", ratio=1)
    for a in r.accounts:
        t.add_row(a.name, str(a.contacts), str(a.score), "yes" if a.priority else "", a.summary)
    if r.accounts_scored > len(r.accounts):
        t.caption = f"{r.accounts_scored} accounts scored; {len(r.accounts)} shown"
    elif not r.accounts:
        t.caption = "no account scores (the model scores no accounts, or none synced yet)"
    return t


def writes_table(r: ConnectorReport, width: int) -> Table:
    totals = r.totals()
    t = _titled(f"{r.connector}: writes, drift and dead letters")
    t.add_column("")
    t.add_column(f"in the {len(r.runs)} run(s) shown", justify="right")
    t.add_column("now", justify="right")
    led = r.ledger
    t.add_row("contacts written", str(totals["written"]), "")
    t.add_row("accounts written", str(totals["accounts_written"]), "")
    t.add_row("drift repaired", str(totals["drift_repaired"]), str(led.drift))
    t.add_row("write failures", str(totals["write_failures"]), "")
    t.add_row("dead-lettered", str(totals["dead_letters"]), str(led.dead + led.accounts_dead))
    t.add_row("pending writes", "", str(led.pending + led.accounts_pending))
    return t


def calls_table(r: ConnectorReport, width: int) -> Table:
    t = _titled(f"{r.connector}: API calls per run vs the write floor")
    t.add_column("started", no_wrap=True)
    t.add_column("kind", no_wrap=True)
    t.add_column("calls", justify="right", no_wrap=True)
    t.add_column("by kind", justify="right", no_wrap=True)
    t.add_column("write\ncalls", justify="right", no_wrap=True)
    t.add_column("write\nfloor", justify="right", no_wrap=True)
    for run in r.runs:
        calls = run.calls
        floor = minimum_writes(r.crm, run.count("written"), run.count("accounts_written"))
        t.add_row(
            f"{run.started_at:%m-%d %H:%M}",
            run.kind,
            str(sum(calls.values())),
            "\n".join(f"{k} {n}" for k, n in sorted(calls.items())) or "0",
            str(calls.get("write", 0)),
            "-" if floor is None else str(floor),
        )
    t.caption = (
        "write floor: the fewest write calls the run's written records need in the "
        "CRM's largest batches; reads have no floor here (it depends on record "
        "counts the state store does not hold)"
    )
    return t


def render(r: ConnectorReport, width: int) -> Sequence[RenderableType]:
    """Every section of the report, in order (only a line when nothing is stored)."""
    head = Text.assemble(
        (r.connector, "bold"),
        f" ({r.crm})  model {r.model or '?'}  {r.contacts} contacts",
        f"  since {r.since:%Y-%m-%d}" if r.since else "",
    )
    if not r.contacts and not r.runs:
        return [head, Text("nothing synced yet (`syncd run --once` runs a first cycle)")]
    return [
        head,
        tiers_table(r, width),
        histogram_table(r, width),
        mql_weeks_table(r, width),
        leads_table(r, width),
        accounts_table(r, width),
        writes_table(r, width),
        calls_table(r, width),
        *(kpi_tables(r.connector, r.kpis) if r.kpis is not None and r.kpis.contacts else []),
    ]
