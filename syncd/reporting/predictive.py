"""The "Predictive model" section of ``syncd report``, for a connector with
``predictive`` configured: the model file, the last scheduled retraining
(when, its verdict - retrained, kept or skipped - with the new and the old
model's held-out ROC-AUC, or the reason it was skipped) and when the next one
is due. None for a connector without ``predictive``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any

from rich.table import Table

from syncd.state.records import Meta

__all__ = ["PredictiveStatus", "predictive_html", "predictive_status", "predictive_table"]


@dataclass(frozen=True, slots=True)
class PredictiveStatus:
    model_file: str
    #: ``predictive.retrain.every`` (None: retraining is not scheduled).
    every: timedelta | None
    #: The stored verdict of the last retraining (``Meta.retrain``; None: never).
    last: dict[str, Any] | None
    #: When retraining is due next (None: not scheduled); a due time in the
    #: past means the next cycle retrains.
    next_due: datetime | None

    def to_json(self) -> dict[str, Any]:
        return {
            "model_file": self.model_file,
            "retrain_every_seconds": None if self.every is None else self.every.total_seconds(),
            "last_retrain": self.last,
            "next_retrain_due": None if self.next_due is None else self.next_due.isoformat(),
        }


def predictive_status(cfg: object, meta: Meta, now: datetime) -> PredictiveStatus | None:
    """The section's figures from a connector's settings and stored meta."""
    predictive = getattr(cfg, "predictive", None)
    path = getattr(predictive, "model", None)
    if not isinstance(path, Path):
        return None
    every = getattr(getattr(predictive, "retrain", None), "every", None)
    if not isinstance(every, timedelta):
        every = None
    due = None
    if every is not None:
        due = now if meta.retrained_at is None else meta.retrained_at + every
    return PredictiveStatus(str(path), every, meta.retrain, due)


def _auc(v: Any) -> str:
    return "-" if not isinstance(v, int | float) else f"{v:.4f}"


def _rows(s: PredictiveStatus) -> list[tuple[str, str]]:
    rows = [("model file", s.model_file)]
    if s.every is None:
        return [*rows, ("retraining", "not scheduled (predictive.retrain)")]
    last = s.last
    if last is None:
        rows.append(("last retraining", "never"))
    else:
        rows.append(("last retraining", f"{last.get('at', '?')}: {last.get('verdict', '?')}"))
        if last.get("verdict") != "skipped":
            rows.append(
                (
                    "held-out ROC-AUC",
                    f"new {_auc(last.get('new_auc'))}, old {_auc(last.get('old_auc'))}",
                )
            )
        if last.get("reason"):
            rows.append(("reason", str(last["reason"])))
    due = "-" if s.next_due is None else s.next_due.isoformat()
    return [*rows, ("next retraining due", due)]


def predictive_table(connector: str, s: PredictiveStatus) -> Table:
    """The section for the terminal."""
    table = Table(title=f"{connector}: predictive model", show_header=False)
    table.add_column("", style="bold")
    table.add_column("")
    for k, v in _rows(s):
        table.add_row(k, v)
    return table


def predictive_html(connector: str, s: PredictiveStatus) -> str:
    """The section as an HTML fragment of the connector's section."""
    body = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in _rows(s))
    return (
        f'<h3>Predictive model</h3><table id="predictive-{escape(connector)}">'
        f"<tbody>{body}</tbody></table>"
    )
