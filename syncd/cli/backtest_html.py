"""``syncd backtest --html FILE``: the backtest as one self-contained HTML
page (inline styles, no script or resource loaded from anywhere), built from
the same figures as ``--json``."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from syncd import __version__

__all__ = ["backtest_html"]

_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:1100px}"
    "table{border-collapse:collapse;margin:.5rem 0;font-size:.85rem}"
    "th,td{border:1px solid #ddd;padding:.2rem .5rem;text-align:right}"
    "th:first-child,td:first-child{text-align:left}.muted{color:#666}"
)


def _cell(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.3f}"
    return escape(str(v))


def _table(title: str, head: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in r) + "</tr>" for r in rows)
    return f"<h3>{escape(title)}</h3><table><tr>{th}</tr>{body}</table>"


def _model(m: dict[str, Any]) -> str:
    name = m["model"]
    parts = [f"<h2>{escape(name)}</h2>"]
    parts.append(
        _table(
            "conversion by score decile",
            ("decile", "contacts", "converted", "conversion", "lift", "min score", "max score"),
            [
                (
                    d["decile"],
                    d["contacts"],
                    d["positives"],
                    d["conversion"],
                    d["lift"],
                    d["min_score"],
                    d["max_score"],
                )
                for d in m["deciles"]
            ],
        )
    )
    parts.append(
        _table(
            "tiers",
            ("tier", "contacts", "converted", "conversion", "recall"),
            [
                (t["tier"], t["contacts"], t["positives"], t["conversion"], t["recall"])
                for t in reversed(m["tiers"])
            ],
        )
    )
    parts.append(
        _table(
            "MQL threshold trade-off",
            ("score >=", "MQLs", "MQLs/week", "precision", "recall"),
            [
                (t["threshold"], t["mqls"], t["per_week"], t["precision"], t["recall"])
                for t in m["trade_offs"]
            ],
        )
    )
    parts.append(
        _table(
            "rules (suggested points are only a suggestion)",
            ("rule", "fires", "conv. when", "otherwise", "points", "suggested"),
            [
                (
                    r["rule"],
                    r["fires"],
                    r["conversion_when_fires"],
                    r["conversion_otherwise"],
                    r["points"],
                    r["suggested_points"],
                )
                for r in m["rules"]
            ],
        )
    )
    return "".join(parts)


def backtest_html(models: Sequence[dict[str, Any]], headline: str) -> str:
    """The page for the ``--json`` objects of the models (champion first)."""
    keys = ("roc_auc", "top_decile_lift", "contacts", "positives", "suggested_threshold")
    compare = _table(
        "models compared (first: champion)",
        ("model", *keys),
        [(m["model"], *(m.get(k) for k in keys)) for m in models],
    )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>syncd backtest</title>"
        f"<style>{_STYLE}</style></head><body><h1>syncd backtest</h1>"
        f"<p>{escape(headline)}</p>{compare}{''.join(_model(m) for m in models)}"
        f"<p class='muted'>syncd {escape(__version__)}</p></body></html>\n"
    )
