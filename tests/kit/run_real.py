"""Run one cycle in a subprocess with the real connectors (crash tests against
the sandboxes).

    python -m tests.kit.run_real CONFIG AS_OF_ISO [KILL_AT]

The engine's clock is fixed at ``AS_OF_ISO`` (the same ``as_of`` in the killed
run and the restart); the connectors keep real time. Prints the report as JSON.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime

from connectors.base import Connector
from syncd.cli.wiring import build_connector
from syncd.settings import ConnectorConfig, load_settings
from syncd.sync import Engine, run_cycle
from tests.kit.killing_connector import KillingConnector


def main(argv: list[str]) -> int:
    settings = load_settings(argv[0])
    as_of = datetime.fromisoformat(argv[1])
    kill_at = argv[2] if len(argv) > 2 else None

    def factory(name: str, cfg: ConnectorConfig) -> Connector:
        return KillingConnector(build_connector(name, cfg), kill_at)

    app = Engine.open(settings, factory, clock=lambda: as_of)
    reports = [run_cycle(app, name).to_json() for name in settings.connectors]
    print(json.dumps(reports))
    return 0 if all(r["status"] == "ok" for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
