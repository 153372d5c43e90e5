"""The evaluation report of `syncd learn --report DIR`.

``write_report(result, directory)`` writes ``index.html`` (the split used,
held-out figures, leakage-guard findings, ROC / lift / calibration plots as
inline SVG, the feature-importance table) and ``holdout.csv`` (id, label,
probability of every held-out row, as ``syncd score --predictive`` gives
them). The page loads nothing from anywhere.
"""

from __future__ import annotations

import csv
import html
import io
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from syncd.predictive.metrics import calibration, lift_curve, roc_curve
from syncd.predictive.train import Result

__all__ = ["write_report"]

_RC: dict[Any, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "syncd-predictive",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_NO_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}
_BLUE = "#4c72b0"
_GREY = "#999999"

_CSS = """
body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}
td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.plots{display:flex;flex-wrap:wrap;gap:1em}
.warn{background:#fff4e0;border-left:4px solid #dd8452;padding:.4em .8em}
"""


def _svg(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata=_NO_METADATA)
    text = buf.getvalue()
    return text[text.index("<svg") :]


def _plots(y: np.ndarray[Any, Any], p: np.ndarray[Any, Any]) -> list[str]:
    out: list[str] = []
    with mpl.rc_context(_RC):
        fig = Figure(figsize=(3.6, 3.4))
        ax = fig.add_subplot()
        fpr, tpr = roc_curve(y, p)
        ax.plot(fpr, tpr, color=_BLUE)
        ax.plot([0, 1], [0, 1], color=_GREY, linestyle="--", linewidth=1)
        ax.set(title="ROC (held out)", xlabel="false positive rate", ylabel="true positive rate")
        out.append(_svg(fig))

        fig = Figure(figsize=(3.6, 3.4))
        ax = fig.add_subplot()
        lift = lift_curve(y, p)
        ax.bar(range(1, len(lift) + 1), lift, color=_BLUE)
        ax.axhline(1.0, color=_GREY, linestyle="--", linewidth=1)
        ax.set(title="Lift by decile", xlabel="score decile (1 = highest)", ylabel="lift")
        out.append(_svg(fig))

        fig = Figure(figsize=(3.6, 3.4))
        ax = fig.add_subplot()
        cal = calibration(y, p)
        ax.plot([c[0] for c in cal], [c[1] for c in cal], marker="o", color=_BLUE)
        ax.plot([0, 1], [0, 1], color=_GREY, linestyle="--", linewidth=1)
        ax.set(title="Calibration", xlabel="mean predicted", ylabel="observed rate")
        out.append(_svg(fig))
    return out


def _fmt(v: object) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.4g}"
    return html.escape(str(v))


def _page(result: Result) -> str:
    art = result.artefact
    m = art.metrics["holdout"]
    t = art.training
    e = html.escape
    y = np.asarray([h[1] for h in result.holdout], dtype=np.float64)
    p = np.asarray([h[2] for h in result.holdout], dtype=np.float64)
    figures = [
        ("held-out rows", m["rows"]),
        ("held-out positives", m["positives"]),
        ("ROC-AUC", m["roc_auc"]),
        ("PR-AUC", m["pr_auc"]),
        ("top-decile lift", m["top_decile_lift"]),
        ("Brier score", m["brier"]),
        ("training rows", t["train_rows"]),
    ]
    rows = "".join(f"<tr><th>{e(k)}</th><td class=n>{_fmt(v)}</td></tr>" for k, v in figures)
    excluded = {x["name"] for x in art.excluded}
    leak = "".join(
        f"<li><b>{e(f.name)}</b>: {e(f.reason)} — "
        f"{'excluded' if f.name in excluded else 'kept (--keep)'}</li>"
        for f in result.findings
    )
    leak_html = (
        f"<div class=warn><p>Leakage guard:</p><ul>{leak}</ul></div>"
        if leak
        else "<p>Leakage guard: no column flagged.</p>"
    )
    single = {s.name: s.best for s in result.separation}
    imp = "".join(
        f"<tr><td>{e(str(d['feature']))}</td><td class=n>{_fmt(d['importance'])}</td>"
        f"<td class=n>{_fmt(single.get(str(d['feature'])))}</td></tr>"
        for d in t["importance"]
    )
    cal = "".join(
        f"<tr><td class=n>{c['predicted']:.3f}</td><td class=n>{c['observed']:.3f}</td>"
        f"<td class=n>{c['rows']}</td></tr>"
        for c in m["calibration"]
    )
    plots = "".join(f"<div>{svg}</div>" for svg in _plots(y, p))
    dropped = ", ".join(t["dropped"]) or "none"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>syncd learn: {e(art.label)}</title>
<style>{_CSS}</style></head><body>
<h1>Predictive model: {e(art.label)}</h1>
<p>Data: {e(str(t["source"]))} — {t["rows"]} labelled rows, {t["positives"]} positive.
Model: {e(str(t["estimator"]))}, {e(str(t["library"]))}.</p>
<p><b>Split:</b> {e(str(art.metrics["split_text"]))}.</p>
<p>Columns dropped by the operator: {e(dropped)}.</p>
{leak_html}
<h2>Held-out figures</h2><table>{rows}</table>
<div class=plots>{plots}</div>
<h2>Calibration</h2>
<table><tr><th>mean predicted</th><th>observed</th><th>rows</th></tr>{cal}</table>
<h2>Feature importance</h2>
<p>Mean absolute contribution to the log-odds over the training rows; single-feature
ROC-AUC is what the column alone achieves (0.5 = nothing).</p>
<table><tr><th>column</th><th>importance</th><th>single-feature ROC-AUC</th></tr>{imp}</table>
</body></html>
"""


def write_report(result: Result, directory: Path) -> Path:
    """Write the report into ``directory`` (created); returns index.html's path."""
    directory.mkdir(parents=True, exist_ok=True)
    page = directory / "index.html"
    page.write_text(_page(result), encoding="utf-8")
    with open(directory / "holdout.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "label", "probability"])
        for rid, label, prob in result.holdout:
            w.writerow([rid, label, f"{prob:.6f}"])
    return page
