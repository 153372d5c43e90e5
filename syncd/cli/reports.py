"""Rendering cycle reports and dry-run summaries as rich tables."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table

from syncd.sync import CycleReport, DryRunSummary


def cycle_table(reports: Sequence[CycleReport]) -> Table:
    t = Table(title="sync cycles")
    for col in ("connector", "kind", "status", "pulled", "scored", "written", "unchanged",
                "failed", "dead", "pending", "drift", "calls", "error"):
        t.add_column(col, justify="right" if col not in ("connector", "kind", "status", "error")
                     else "left")
    for r in reports:
        style = {"ok": "green", "failed": "bold red", "stopped": "yellow",
                 "skipped": "yellow"}.get(r.status, "default")
        t.add_row(r.connector, r.kind, f"[{style}]{r.status}[/]", str(r.pulled), str(r.scored),
                  str(r.written), str(r.unchanged), str(r.write_failures),
                  str(r.dead_letters), str(r.pending), str(r.drift_repaired),
                  str(sum(r.api_calls.values())), r.error or "")
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
        t.add_row(cid, f"{old.score if old else '-'} → {new.score}",
                  f"{old.tier if old else '-'} → {new.tier}", new.reasons or "")
    return t
