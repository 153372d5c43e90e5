"""The report's plots as inline SVG text, drawn by matplotlib's SVG backend
on ``Figure`` objects (no pyplot, no global figure state, no display).

Text stays text (``svg.fonttype: none``) so the browser draws it with its own
fonts: the SVG refers to nothing outside itself. Element ids are salted with a
fixed string so the same data gives the same SVG.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import matplotlib as mpl
from matplotlib.figure import Figure

from syncd.reporting.data import ConnectorReport, histogram_bins, minimum_writes
from syncd.reporting.kpis import Kpis

__all__ = ["calls_svg", "conversion_svg", "histogram_svg", "mql_weeks_svg"]

_RC: dict[Any, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "syncd-report",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
#: No RDF block (it names web addresses, although nothing is loaded from them).
_NO_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}
_BAR = "#4c72b0"
_MQL = "#dd8452"
_LINE = "#c44e52"


def _svg(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata=_NO_METADATA)
    text = buf.getvalue()
    return text[text.index("<svg") :]  # drop the XML prolog and DOCTYPE: inline in HTML


def histogram_svg(report: ConnectorReport) -> str:
    """Contacts by score (5-point bins), a dashed line where each tier starts."""
    with mpl.rc_context(_RC):
        fig = Figure(figsize=(8, 3.2))
        ax = fig.add_subplot()
        bins = histogram_bins(report.scores)
        if bins:
            starts = [b for b, _ in bins]
            counts = [n for _, n in bins]
            ax.bar(starts, counts, width=4.6, align="edge", color=_BAR, label="contacts")
        for t in report.thresholds:
            if t.min is None:
                continue
            ax.axvline(t.min, color=_MQL if t.mql else _LINE, linestyle="--", linewidth=1.2)
            ax.annotate(
                f"{t.tier} ≥ {t.min:g}",
                xy=(t.min, 1),
                xycoords=("data", "axes fraction"),
                xytext=(3, -2),
                textcoords="offset points",
                va="top",
                fontsize=8,
                color=_MQL if t.mql else _LINE,
            )
        ax.set_xlabel("score")
        ax.set_ylabel("contacts")
        ax.set_title(
            f"{report.connector}: score distribution "
            f"({sum(report.scores.values())} scored contacts)",
            loc="left",
        )
        return _svg(fig)


def mql_weeks_svg(report: ConnectorReport) -> str:
    """Contacts that became MQL, by ISO week."""
    with mpl.rc_context(_RC):
        fig = Figure(figsize=(8, 2.8))
        ax = fig.add_subplot()
        weeks = report.mql_weeks
        labels = [w.isoformat() for w, _ in weeks]
        ax.bar(range(len(weeks)), [n for _, n in weeks], color=_MQL)
        ax.set_xticks(
            range(len(weeks)),
            labels,
            rotation=45 if len(weeks) > 6 else 0,
            ha="right" if len(weeks) > 6 else "center",
        )
        ax.set_xlim(-0.5, max(len(weeks), 8) - 0.5)  # one bar is not as wide as the plot
        ax.set_xlabel("week starting (Monday, UTC)")
        ax.set_ylabel("new MQLs")
        ax.set_title(f"{report.connector}: contacts entering MQL per week", loc="left")
        if not weeks:
            ax.text(0.5, 0.5, "no MQLs", transform=ax.transAxes, ha="center")
        return _svg(fig)


def calls_svg(report: ConnectorReport) -> str:
    """API calls of each reported run, stacked by kind (writes at the bottom),
    with the write floor (fewest write calls the run's writes allow) marked."""
    runs = report.runs
    # writes at the bottom of each bar, where the write floor mark can be read against them
    kinds: Sequence[str] = sorted(
        {k for r in runs for k in r.calls}, key=lambda k: (k != "write", k)
    )
    with mpl.rc_context(_RC):
        fig = Figure(figsize=(8, 3))
        ax = fig.add_subplot()
        x = list(range(len(runs)))
        bottom = [0] * len(runs)
        for kind in kinds:
            values = [r.calls.get(kind, 0) for r in runs]
            ax.bar(x, values, bottom=bottom, label=kind)
            bottom = [a + b for a, b in zip(bottom, values, strict=True)]
        floors = [
            minimum_writes(report.crm, r.count("written"), r.count("accounts_written"))
            for r in runs
        ]
        if any(f is not None for f in floors):
            ax.scatter(
                [i for i, f in zip(x, floors, strict=True) if f is not None],
                [f for f in floors if f is not None],
                marker="_",
                s=300,
                color="black",
                label="write floor",
                zorder=3,
            )
        ax.set_xticks(
            x,
            [f"{r.started_at:%m-%d %H:%M}\n{r.kind}" for r in runs],
            fontsize=7,
            rotation=0 if len(runs) <= 8 else 60,
        )
        ax.set_ylabel("API calls")
        ax.set_title(f"{report.connector}: API calls per run", loc="left")
        if kinds:
            ax.legend(fontsize=7, frameon=False)
        else:
            ax.text(0.5, 0.5, "no runs", transform=ax.transAxes, ha="center")
        return _svg(fig)


def conversion_svg(connector: str, kpis: Kpis) -> str:
    """Conversion to the outcome target per score decile (1 = the top 10 %)."""
    with mpl.rc_context(_RC):
        fig = Figure(figsize=(8, 2.8))
        ax = fig.add_subplot()
        groups = kpis.by_decile
        rates = [100 * (g.rate or 0.0) for g in groups]
        ax.bar(range(len(groups)), rates, color=_BAR)
        ax.set_xticks(range(len(groups)), [g.label for g in groups])
        ax.set_xlabel("score decile (1 = top 10 %)")
        ax.set_ylabel(f"% reaching {kpis.target}")
        ax.set_title(f"{connector}: conversion to {kpis.target} per score decile", loc="left")
        if not groups:
            ax.text(0.5, 0.5, "no scored contacts", transform=ax.transAxes, ha="center")
        return _svg(fig)
