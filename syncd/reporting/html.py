"""A self-contained HTML report: one file, styles and SVG plots inline, no
script, font, image or style sheet loaded from anywhere, so it opens offline.

The figures are also embedded as JSON in
``<script type="application/json" id="syncd-report-data">`` (data, never run)
for anyone who wants to read them back.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from html import escape
from typing import Any

from syncd import __version__
from syncd.reporting.data import ConnectorReport, minimum_writes
from syncd.reporting.kpi_terminal import cohort_rows, money, move_rows, pct
from syncd.reporting.kpis import Kpis
from syncd.reporting.plots import calls_svg, conversion_svg, histogram_svg, mql_weeks_svg

__all__ = ["report_html"]

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem;
color:#222;max-width:1100px}
h1{font-size:1.5rem}h2{font-size:1.25rem;border-bottom:1px solid #ccc;padding-top:1rem}
h3{font-size:1rem;margin-top:1.5rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:.85rem}
th,td{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
caption{caption-side:bottom;text-align:left;color:#666;font-size:.8rem;padding-top:.2rem}
figure{margin:.5rem 0}svg{max-width:100%;height:auto}
.muted{color:#666}
"""


def _table(
    tid: str,
    head: Sequence[str],
    rows: Sequence[Sequence[Any]],
    caption: str = "",
    numeric: Sequence[int] = (),
) -> str:
    def cell(tag: str, i: int, v: Any) -> str:
        cls = ' class="n"' if i in numeric else ""
        return f"<{tag}{cls}>{escape(str(v))}</{tag}>"

    out = [f'<table id="{escape(tid)}">']
    if caption:
        out.append(f"<caption>{escape(caption)}</caption>")
    out.append(
        "<thead><tr>"
        + "".join(cell("th", i, h) for i, h in enumerate(head))
        + "</tr></thead><tbody>"
    )
    out += ["<tr>" + "".join(cell("td", i, v) for i, v in enumerate(r)) + "</tr>" for r in rows]
    out.append("</tbody></table>")
    return "\n".join(out)


def _or_dash(n: int | None) -> str:
    return "-" if n is None else str(n)


def _figure(fid: str, svg: str, caption: str) -> str:
    return (
        f'<figure id="{escape(fid)}">{svg}<figcaption class="muted">{escape(caption)}'
        "</figcaption></figure>"
    )


def _section(r: ConnectorReport, extra: str = "") -> str:
    c = r.connector
    starts = {t.tier: t.min for t in r.thresholds}
    total = max(1, r.contacts)
    parts = [
        f'<section id="connector-{escape(c)}"><h2>{escape(c)} '
        f'<span class="muted">({escape(r.crm)}, model {escape(r.model or "?")})</span>'
        "</h2>"
    ]
    parts.append("<h3>Contacts per tier</h3>")
    parts.append(
        _table(
            f"tiers-{c}",
            ("tier", "from score", "contacts", "share"),
            [
                (
                    t,
                    "" if starts.get(t) is None else f"{starts[t]:g}",
                    r.tiers.get(t, 0),
                    f"{r.tiers.get(t, 0) / total:.1%}",
                )
                for t in r.tier_order
            ]
            + [("total", "", r.contacts, "")],
            numeric=(1, 2, 3),
        )
    )
    parts.append("<h3>Score distribution</h3>")
    parts.append(
        _figure(
            f"histogram-{c}",
            histogram_svg(r),
            "Contacts by score in 5-point bins; dashed lines: where each tier "
            "starts (the MQL tiers in orange).",
        )
    )
    parts.append("<h3>MQLs per week</h3>")
    parts.append(
        _figure(
            f"mql-weeks-{c}",
            mql_weeks_svg(r),
            "Contacts by the week a sync cycle first scored them into an MQL tier (their mql_at).",
        )
    )
    parts.append(
        _table(
            f"mql-weeks-table-{c}",
            ("week of", "new MQLs"),
            [(w.isoformat(), n) for w, n in r.mql_weeks],
            numeric=(1,),
        )
    )
    parts.append(f"<h3>Top {len(r.leads)} leads</h3>")
    parts.append(
        _table(
            f"leads-{c}",
            ("id", "title", "company", "score", "tier", "why"),
            [(x.id, x.title, x.company, x.score, x.tier, x.reasons) for x in r.leads],
            numeric=(3,),
        )
    )
    parts.append("<h3>Accounts: buying groups and priority</h3>")
    parts.append(
        _table(
            f"accounts-{c}",
            ("account", "contacts", "score", "priority", "buying group / summary"),
            [
                (a.name, a.contacts, a.score, "yes" if a.priority else "", a.summary)
                for a in r.accounts
            ],
            numeric=(1, 2),
            caption=f"{r.accounts_scored} accounts scored in all",
        )
    )
    totals, led = r.totals(), r.ledger
    parts.append("<h3>Writes, drift and dead letters</h3>")
    parts.append(
        _table(
            f"writes-{c}",
            ("", f"in the {len(r.runs)} run(s) shown", "now"),
            [
                ("contacts written", totals["written"], ""),
                ("accounts written", totals["accounts_written"], ""),
                ("drift repaired", totals["drift_repaired"], led.drift),
                ("write failures", totals["write_failures"], ""),
                ("dead-lettered", totals["dead_letters"], led.dead + led.accounts_dead),
                ("pending writes", "", led.pending + led.accounts_pending),
            ],
            numeric=(1, 2),
        )
    )
    parts.append("<h3>API calls per run</h3>")
    parts.append(
        _figure(
            f"calls-{c}",
            calls_svg(r),
            "Calls by kind as each run's connector counted them; black mark: the "
            "write floor, the fewest write calls the run's written records need "
            "in the CRM's largest batches. Reads have no floor here: it depends "
            "on record counts the state store does not hold.",
        )
    )
    parts.append(
        _table(
            f"runs-{c}",
            ("started", "kind", "status", "seconds", "calls", "write calls", "write floor"),
            [
                (
                    f"{x.started_at:%Y-%m-%d %H:%M:%S}",
                    x.kind,
                    x.status,
                    "" if x.seconds is None else f"{x.seconds:.1f}",
                    sum(x.calls.values()),
                    x.calls.get("write", 0),
                    _or_dash(
                        minimum_writes(r.crm, x.count("written"), x.count("accounts_written"))
                    ),
                )
                for x in r.runs
            ],
            numeric=(3, 4, 5, 6),
        )
    )
    if r.kpis is not None and r.kpis.contacts:
        parts.append(_kpi_section(c, r.kpis))
    parts += [extra, "</section>"] if extra else ["</section>"]
    return "\n".join(parts)


def _kpi_section(c: str, k: Kpis) -> str:
    """Conversion per tier and decile (with a plot), the MQL funnel before and after
    the last model change, and the minimum-data notes."""

    def groups(tid: str, first: str, rows: Sequence[Any], scores: bool) -> str:
        head = (first, *(("scores",) if scores else ()), "contacts", "converted", "rate", "won")
        body = [
            (
                g.label,
                *((f"{g.low}–{g.high}",) if scores else ()),
                g.contacts,
                g.converted,
                pct(g.rate),
                money(g.won_amount),
            )
            for g in rows
        ]
        n = 2 if scores else 1
        return _table(tid, head, body, numeric=tuple(range(n, n + 4)))

    changed = k.model_changed_at
    funnel_head = ("", "all MQLs") + (
        (f"before {changed:%Y-%m-%d}", "since (this model)") if changed is not None else ()
    )
    funnel = [row if changed is not None else row[:2] for row in cohort_rows(k)]
    parts = [
        f"<h3>Outcomes: conversion to {escape(k.target)}</h3>",
        f'<p class="muted">{k.positives} of {k.contacts} scored contacts reached '
        f"{escape(k.target)}; MQL cohorts use a {k.window_days:g}-day window "
        "(docs/outcomes.md defines every figure).</p>",
        groups(f"kpi-tiers-{c}", "tier", k.by_tier, False),
        _figure(
            f"kpi-deciles-{c}",
            conversion_svg(c, k),
            "Share of contacts in each current-score decile that reached the target.",
        ),
        groups(f"kpi-deciles-table-{c}", "decile", k.by_decile, True),
        "<h3>MQL funnel</h3>",
        _table(f"kpi-funnel-{c}", funnel_head, funnel, numeric=(1, 2, 3)),
    ]
    if k.change is not None:
        parts += [
            f"<h3>Since the last model change ({k.change.at:%Y-%m-%d})</h3>",
            _table(
                f"kpi-change-{c}",
                ("", "before", "after", "move"),
                move_rows(k.target, k.change),
                numeric=(1, 2, 3),
            ),
        ]
    parts += [f'<p class="muted">{escape(note)}</p>' for note in k.notes]
    return "\n".join(parts)


def report_html(
    reports: Sequence[ConnectorReport],
    generated_at: datetime,
    extra: Mapping[str, str] | None = None,
) -> str:
    """The whole HTML document for these connectors; ``extra`` holds more HTML
    (e.g. the predictive-model section) to end a connector's section with, by name."""
    more = extra or {}
    data = json.dumps(
        {"generated_at": generated_at.isoformat(), "connectors": [r.to_json() for r in reports]},
        ensure_ascii=False,
    )
    data = data.replace("</", "<\\/")  # cannot close the script element early
    body = (
        "\n".join(_section(r, more.get(r.connector, "")) for r in reports)
        or "<p>No connector configured.</p>"
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>syncd report</title><style>{_STYLE}</style></head>
<body><h1>syncd report</h1>
<p class="muted">Generated {escape(generated_at.strftime("%Y-%m-%d %H:%M UTC"))} from the state
store by syncd {escape(__version__)}; no CRM was called.</p>
{body}
<script type="application/json" id="syncd-report-data">{data}</script>
</body></html>
"""
