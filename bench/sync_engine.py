"""The sync engine in its own process, for bench_sync.py (not part of the test run).

Builds the engine exactly as ``syncd run`` does (settings from a YAML file, the
state store, the real connector factory) for one connector pointed at a fake
CRM, then answers JSON-line commands on stdin, one JSON line each on stdout:

- ``{"op": "setup"}``: create syncd's fields in the CRM (``syncd setup``);
- ``{"op": "cycle", "kind": "full"|"incremental"|"rescore", "offset": S}``:
  one ``run_cycle`` with the engine's clock ``S`` seconds ahead of the wall
  clock (the fake's clock is moved by the same amount); answers the cycle
  report, wall and CPU seconds, and the peak RSS of this process during the
  cycle (the kernel's high-water mark is reset before it starts);
- ``{"op": "quit"}``.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import resource
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from syncd.cli.wiring import build_connector  # noqa: E402
from syncd.settings import load_settings  # noqa: E402
from syncd.state import Store  # noqa: E402
from syncd.sync import Engine, run_cycle  # noqa: E402

NAME = "bench"
MODEL = ROOT / "syncd" / "models" / "default.yaml"
HUBSPOT_TOKEN = "bench-hubspot-token"


def config_text(crm: str, url: str, state: Path, daily_rescore_at: str) -> str:
    """The config file a user would write for this fake (every other key default)."""
    conn: dict[str, Any]
    if crm == "hubspot":
        conn = {
            "type": "hubspot",
            "base_url": url,
            "access_token": HUBSPOT_TOKEN,
            "tier": "pro",
            "model": str(MODEL),
        }
    else:
        conn = {
            "type": "salesforce",
            "instance_url": url,
            "login_url": url,
            "model": str(MODEL),
            "auth": {
                "flow": "password",
                "username": "bench@syncd.example",
                "password": "bench-password",
                "consumer_key": "syncd-bench",
                "consumer_secret": "bench-consumer-secret",
            },
        }
    conn["daily_rescore_at"] = daily_rescore_at
    return yaml.safe_dump(
        {"state": {"url": f"sqlite:///{state}"}, "connectors": {NAME: conn}}, sort_keys=False
    )


def _hwm_kb() -> int:
    """Peak resident set size of this process since the last reset, in KiB."""
    try:
        status = Path("/proc/self/status").read_text()
        found = re.search(r"VmHWM:\s+(\d+)", status)
        if found:
            return int(found.group(1))
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _reset_hwm() -> bool:
    """Reset the kernel's peak-RSS mark (Linux ≥ 4.0); False when not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class Offset:
    def __init__(self) -> None:
        self.seconds = 0.0

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.seconds)


def _answer(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--crm", choices=("hubspot", "salesforce"), required=True)
    p.add_argument("--url", required=True)
    p.add_argument("--dir", type=Path, required=True, help="Folder for config and state.")
    p.add_argument("--daily-rescore-at", default="03:00", help="HH:MM (UTC) of the daily rescore.")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    config = args.dir / "syncd.yaml"
    config.write_text(
        config_text(args.crm, args.url, args.dir / "state.db", args.daily_rescore_at),
        encoding="utf-8",
    )
    settings = load_settings(config, {})
    offset = Offset()
    store = Store.open(settings.state.url)
    engine = Engine(settings, store, build_connector, clock=offset.now)
    _answer({"ready": True, "rss_kb": _hwm_kb()})
    try:
        for line in sys.stdin:
            cmd = json.loads(line)
            op = cmd.get("op")
            if op == "setup":
                # `syncd setup` runs in a process of its own: a connector of its own
                conn = engine.factory(NAME, engine.config(NAME))
                try:
                    fields = conn.ensure_fields(create=True)
                finally:
                    conn.close()
                _answer(
                    {
                        "ok": fields.ok,
                        "created": len(fields.created),
                        "missing": [f"{f.object}.{f.name}" for f in fields.missing],
                    }
                )
            elif op == "cycle":
                offset.seconds = float(cmd["offset"])
                kind = cmd["kind"]
                reset = _reset_hwm()
                wall, cpu = time.perf_counter(), time.process_time()
                report = run_cycle(
                    engine, NAME, full=kind == "full", rescore_only=kind == "rescore"
                )
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                _answer(
                    {
                        "report": report.to_json(),
                        "seconds": wall,
                        "cpu_s": cpu,
                        "peak_rss_kb": _hwm_kb(),
                        "peak_reset": reset,
                    }
                )
            elif op == "quit":
                _answer({"bye": True})
                break
            else:
                _answer({"error": f"unknown op {op!r}"})
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
