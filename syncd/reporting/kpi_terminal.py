"""The funnel KPIs (``syncd.reporting.kpis``) as rich tables for ``syncd report``."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from syncd.reporting.kpis import Change, Cohort, Group, Kpis, Move

__all__ = ["days", "kpi_tables", "money", "move_rows", "pct"]


def pct(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.1%}"


def days(value: float | None) -> str:
    return "-" if value is None else f"{value:g} d"


def money(value: float) -> str:
    return f"{value:,.0f}"


def _titled(title: str) -> Table:
    return Table(title=title, title_justify="left", caption_justify="left", min_width=len(title))


def _groups_table(title: str, first: str, groups: Sequence[Group], scores: bool) -> Table:
    t = _titled(title)
    t.add_column(first, no_wrap=True)
    if scores:
        t.add_column("scores", justify="right", no_wrap=True)
    for name in ("contacts", "converted", "rate", "won amount"):
        t.add_column(name, justify="right", no_wrap=True)
    for g in groups:
        cells = [str(g.contacts), str(g.converted), pct(g.rate), money(g.won_amount)]
        t.add_row(g.label, *([f"{g.low}–{g.high}"] if scores else []), *cells)
    return t


def cohort_rows(k: Kpis) -> list[tuple[str, str, str, str]]:
    """(figure, all MQLs, before the model change, after it) rows, as text."""
    cohorts: list[Cohort | None] = [k.cohort, k.before, k.after]

    def each(f: str) -> tuple[str, str, str]:
        out = []
        for c in cohorts:
            if c is None:
                out.append("")
            elif f == "mqls":
                out.append(f"{c.mqls} (+{c.maturing} maturing)")
            elif f == "sql":
                out.append(pct(c.sql_rate))
            elif f == "target":
                out.append(pct(c.rate))
            elif f == "cycle":
                out.append(days(c.cycle_days))
            elif f == "week":
                out.append("-" if c.per_week is None else f"{c.per_week:g}")
            else:
                out.append(money(c.won_amount))
        return out[0], out[1], out[2]

    return [
        ("MQLs with a full window", *each("mqls")),
        ("MQL → SQL", *each("sql")),
        (f"MQL → {k.target}", *each("target")),
        (f"median days MQL → {k.target}", *each("cycle")),
        ("MQLs per week", *each("week")),
        ("won amount", *each("won")),
    ]


def _side(m: Move, value: float | None, enough: bool) -> str:
    if value is None:
        return "-" if enough or m.kpi.startswith("MQL") or "cycle" in m.kpi else "too few"
    if "conversion" in m.kpi or m.kpi.startswith("MQL"):
        return pct(value)
    return days(value) if "cycle" in m.kpi else money(value)


def _delta(m: Move) -> str:
    d = m.delta
    if d is None:
        return ""
    if "conversion" in m.kpi or m.kpi.startswith("MQL"):
        return f"{d:+.1f} pts"
    return f"{d:+g} d" if "cycle" in m.kpi else f"{d:+,.0f}"


def move_rows(target: str, c: Change) -> list[tuple[str, str, str, str]]:
    """(KPI, before, after, move) rows, as text; "too few" where a period has too few
    outcomes to judge (rates in %, moves in points)."""
    out = []
    for m in c.moves:
        name = m.kpi.replace("target", target) + (f" {m.label}" if m.label else "")
        before = _side(m, m.before, c.before.enough)
        after = _side(m, m.after, c.after.enough)
        out.append((name, before, after, _delta(m)))
    return out


def _change_table(connector: str, k: Kpis, c: Change) -> Table:
    t = _titled(f"{connector}: since the last model change ({c.at:%Y-%m-%d})")
    for name, right in (("", False), ("before", True), ("after", True), ("move", True)):
        t.add_column(name, justify="right" if right else "left", no_wrap=True)
    for row in move_rows(k.target, c):
        t.add_row(*row)
    t.caption = (
        f"contacts by MQL date, else first score: {c.before.matured} matured before "
        f"({c.before.positives} converted), {c.after.matured} since "
        f"({c.after.positives}); docs/outcomes.md"
    )
    return t


def kpi_tables(connector: str, k: Kpis) -> list[RenderableType]:
    """Conversion by tier and decile, the MQL cohort (before/after the last model
    change), and what data is missing."""
    window = f"{k.window_days:g}-day window"
    head = Text(
        f"{connector}: outcomes: {k.positives} of {k.contacts} scored contacts reached "
        f"{k.target} ({window} for MQL cohorts)",
        style="bold",
    )
    out: list[RenderableType] = [head]
    out.append(
        _groups_table(f"{connector}: conversion to {k.target} per tier", "tier", k.by_tier, False)
    )
    out.append(
        _groups_table(
            f"{connector}: conversion to {k.target} per score decile (1 = top 10%)",
            "decile",
            k.by_decile,
            True,
        )
    )
    t = _titled(f"{connector}: MQL funnel")
    t.add_column("", no_wrap=True)
    t.add_column("all MQLs", justify="right", no_wrap=True)
    changed = k.model_changed_at
    if changed is not None:
        t.add_column(f"before {changed:%Y-%m-%d}", justify="right", no_wrap=True)
        t.add_column("since (this model)", justify="right", no_wrap=True)
        t.caption = f"the current model has scored since {changed:%Y-%m-%d %H:%M} UTC"
    for name, every, before, after in cohort_rows(k):
        t.add_row(name, every, *((before, after) if changed is not None else ()))
    out.append(t)
    if k.change is not None:
        out.append(_change_table(connector, k, k.change))
    out += [Text(note, style="yellow") for note in k.notes]
    return out
