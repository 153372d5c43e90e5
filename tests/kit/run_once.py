"""Run one cycle in a subprocess over a file-backed MemoryCRM (crash tests).

    python -m tests.kit.run_once CONFIG CRM_JSON [KILL_AT] [PAGE_DELAY_S]

Prints the cycle report as JSON. ``KILL_AT`` (``page:N``, ``write-before:N``,
``write-after:N``; ``-`` for none) SIGKILLs this process at that step.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from connectors.base import Page
from syncd.settings import ConnectorConfig, load_settings
from syncd.state import Store
from syncd.sync import Engine, run_cycle
from tests.kit.memory_crm import MemoryConnector, MemoryCRM
from tests.sync.helpers import NAME, Clock


class _Slow(MemoryConnector):
    delay = 0.0

    def changes(
        self,
        cursor: dict[str, Any] | None,
        until: datetime,
        *,
        full: bool = False,
        since: datetime | None = None,
    ) -> Iterator[Page]:
        for page in super().changes(cursor, until, full=full, since=since):
            time.sleep(self.delay)
            yield page


def main(argv: list[str]) -> int:
    config, crm_path = Path(argv[0]), Path(argv[1])
    kill_at = argv[2] if len(argv) > 2 and argv[2] != "-" else None
    delay = float(argv[3]) if len(argv) > 3 else 0.0
    settings = load_settings(config, {})

    def factory(name: str, _cfg: ConnectorConfig) -> MemoryConnector:
        c = _Slow(name, MemoryCRM.load(crm_path), save_to=crm_path, kill_at=kill_at)
        c.delay = delay
        return c

    app = Engine(settings, Store.open(settings.state.url), factory, clock=Clock())
    report = run_cycle(app, NAME)
    print(json.dumps(report.to_json()))
    return 0 if report.status == "ok" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
