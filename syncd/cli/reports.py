"""Rendering cycle reports and dry-run summaries as rich tables."""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.table import Table

from syncd.sync import CycleReport, DryRunSummary

#: How a run's status is coloured in every table (other statuses stay plain).
STATUS_STYLES = {"ok": "green", "failed": "bold red", "stopped": "yellow", "skipped": "yellow"}


def status_text(status: str) -> str:
    """``status`` as rich markup in its colour."""
    style = STATUS_STYLES.get(status)
    return f"[{style}]{status}[/]" if style else status


def narrow_table(title: str) -> Table:
    """A table with a left-aligned title and no outer edge or padding, so that it
    fits an 80-column terminal."""
    return Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_edge=False,
        padding=0,
        caption_justify="left",
    )


def cycle_table(reports: Sequence[CycleReport], errors: bool = True) -> Table:
    """The cycles, narrow enough for an 80-column terminal: counts that belong
    together share a column, errors follow the table unless ``errors`` is False
    (``--json`` has every count)."""
    t = narrow_table("sync cycles")
    counts = [f"{r.pulled}/{r.scored}/{r.written}" for r in reports]
    t.add_column(
        "connector",
        overflow="fold",
        min_width=min(20, max([9, *(len(r.connector) for r in reports)])),
    )
    t.add_column("kind", no_wrap=True)
    t.add_column("status", no_wrap=True)
    t.add_column(
        "pulled/\nscored/\nwritten",
        justify="right",
        min_width=max((len(c) for c in counts), default=7),
    )
    t.add_column("failed/\ndead/\npending", justify="right", min_width=7)
    for col in ("drift", "calls"):
        t.add_column(col, justify="right", no_wrap=True)
    for r, count in zip(reports, counts, strict=True):
        t.add_row(
            r.connector,
            r.kind,
            status_text(r.status),
            count,
            f"{r.write_failures}/{r.dead_letters}/{r.pending}",
            str(r.drift_repaired),
            str(sum(r.api_calls.values())),
        )
    failures = [f"{r.connector}: {r.status}: {r.error}" for r in reports if r.error]
    if errors and failures:
        t.caption = "\n".join(failures)
    return t


def transition_table(s: DryRunSummary) -> Table:
    froms = sorted({a for a, _ in s.transitions})
    tos = sorted({b for _, b in s.transitions})
    t = Table(title="tier transitions (rows: now in CRM, columns: after rescoring)")
    t.add_column("from \\ to")
    for b in tos:
        t.add_column(b, justify="right")
    for a in froms:
        t.add_row(a, *(str(s.transitions.get((a, b), "")) for b in tos))
    return t


def samples_table(s: DryRunSummary) -> Table:
    t = Table(title="sample changes")
    for col in ("id", "score", "tier", "reasons"):
        t.add_column(col, overflow="fold")
    for cid, old, new in s.samples:
        t.add_row(
            cid,
            f"{old.score if old else '-'} → {new.score}",
            f"{old.tier if old else '-'} → {new.tier}",
            new.reasons or "",
        )
    return t
