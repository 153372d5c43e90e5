"""A daemon with real signal handlers, in its own process (signal handlers need
the main thread, which pytest-xdist workers do not run tests on).

    python -m tests.daemon.signal_child term|twice|grace

The cycle prints ``cycle started`` and waits for the stop event; the parent
sends SIGTERM (``term``) or SIGINT (``twice``). With ``twice`` the cycle then
prints ``stopping`` and ignores the stop, so the parent's second SIGINT must
end the process at once (exit 130). With ``grace`` the cycle ignores the stop the same
way and the daemon's one-second ``shutdown_grace`` must end the process after one
SIGTERM (exit 130). Otherwise the last line is a JSON verdict:
the exit status of ``Daemon.run``, the cycle calls, whether the stop event was
set and whether the previous SIGTERM/SIGINT handlers were put back.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from datetime import timedelta

from syncd.daemon import Daemon, DaemonOptions, Every, JobSpec
from tests.daemon.fakes import FakeCycle, FakeReport


def _say(text: str) -> None:
    print(text, flush=True)


def main(mode: str) -> int:
    def behaviour(name: str, stop: threading.Event, n: int) -> FakeReport:
        _say("cycle started")
        if not stop.wait(10):
            return FakeReport(name, status="ok")
        if mode in ("twice", "grace"):
            _say("stopping")
            time.sleep(10)  # a batch that will not end: only the second signal helps
        return FakeReport(name, status="stopped")

    cycle = FakeCycle(behaviour)
    grace = timedelta(seconds=1 if mode == "grace" else 30)
    daemon = Daemon(
        [JobSpec("hs", Every(timedelta(seconds=0.2)))],
        cycle,
        options=DaemonOptions(port=0, shutdown_grace=grace),
    )
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    status = daemon.run()
    after = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    _say(
        json.dumps(
            {
                "status": status,
                "calls": cycle.calls,
                "stopped": daemon.stop.is_set(),
                "restored": before == after,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
