"""The soak's verdict: every contact in each fake CRM against an offline score of a
clean full pull (a fresh state store, ``syncd resync --full --dry-run``, ``syncd
export`` and ``syncd score``), all through the ``syncd`` command line."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from soak_fakes import MODEL, NAMES, Fakes, write_config


def syncd(*args: str, timeout: float = 1800) -> subprocess.CompletedProcess[str]:
    """One ``syncd`` command in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "syncd", *args], capture_output=True, text=True, timeout=timeout
    )


@dataclass
class Verdict:
    compared: dict[str, int] = field(default_factory=dict)
    mismatches: dict[str, list[str]] = field(default_factory=dict)
    unscored: dict[str, list[str]] = field(default_factory=dict)
    not_pulled: dict[str, list[str]] = field(default_factory=dict)

    def total(self) -> int:
        return sum(len(v) for v in self.mismatches.values()) + sum(
            len(v) for v in self.unscored.values()
        )


def settle(cfg: Path) -> datetime:
    """Clean cycles until syncd caught up, then a rescore of everything; returns the
    instant the rescore scored at."""
    for _ in range(2):
        time.sleep(6)  # past the HubSpot connector's safety lag
        syncd("run", "--once", "--config", str(cfg))
    as_of = datetime.now(UTC)
    for name in NAMES.values():
        done = syncd("resync", "--rescore-only", "--connector", name, "--config", str(cfg))
        if done.returncode != 0:
            print(f"  rescore of {name} failed: {done.stderr.strip()[-300:]}")
    time.sleep(6)  # the rescore's own writes are older than the safety lag
    return as_of


def offline_scores(
    fakes: Fakes, work: Path, as_of: datetime
) -> dict[str, dict[str, tuple[int, str]]]:
    """Scores from a clean full pull into a fresh state store."""
    work.mkdir(parents=True, exist_ok=True)
    cfg = write_config(work / "clean.yaml", f"sqlite:///{work / 'clean.db'}", fakes)
    out: dict[str, dict[str, tuple[int, str]]] = {}
    for crm, name in NAMES.items():
        pulled = syncd("resync", "--full", "--dry-run", "--connector", name, "--config", str(cfg))
        if pulled.returncode != 0:
            raise SystemExit(f"clean full pull of {name} failed: {pulled.stderr[-500:]}")
        export = work / f"{name}.jsonl"
        syncd("export", "--connector", name, "--output", str(export), "--config", str(cfg))
        scored = syncd(
            "score", "--model", str(MODEL), "--input", str(export), "--as-of", as_of.isoformat()
        )
        out[crm] = {}
        for line in scored.stdout.splitlines():
            row = json.loads(line)
            out[crm][str(row["id"])] = (int(row["score"]), str(row["tier"]))
    return out


def verdict(fakes: Fakes, cfg: Path, work: Path) -> Verdict:
    """Settle the soak's store, then compare the CRMs with a clean full pull."""
    fakes.set_faults(False)
    as_of = settle(cfg)
    offline = offline_scores(fakes, work, as_of)
    crm = fakes.crm_scores()
    v = Verdict()
    for name, want in offline.items():
        have = crm[name]
        v.compared[name] = len(want)
        v.mismatches[name] = sorted(
            f"{rid}: crm {have[rid]} offline {w}"
            for rid, w in want.items()
            if rid in have and have[rid][0] is not None and have[rid] != w
        )
        v.unscored[name] = sorted(rid for rid in want if rid in have and have[rid][0] is None)
        v.not_pulled[name] = sorted(rid for rid in have if rid not in want)
    return v
