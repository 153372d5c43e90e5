"""`python -m tests.daemon.serve_memory CONFIG CRM_JSON [RETRY_S]`: `syncd run
--config CONFIG` with the in-memory CRM as every connector (injected through
click's context object, as the engine commands allow), saved to CRM_JSON after
every call so that the test can inspect it. With RETRY_S, an unreachable state
store is retried every RETRY_S seconds (for a minute) instead of the default
backoff."""

from __future__ import annotations

import sys
from pathlib import Path

from syncd.cli import main
from syncd.cli.startup import StartupRetry
from syncd.settings import ConnectorConfig
from tests.kit.memory_crm import MemoryConnector, MemoryCRM


def run(config: str, crm_path: str, retry_s: str | None = None) -> None:
    path = Path(crm_path)
    crm = MemoryCRM.load(path)

    def factory(name: str, _cfg: ConnectorConfig) -> MemoryConnector:
        return MemoryConnector(name, crm, page_size=50, write_batch_size=20, save_to=path)

    obj: dict[str, object] = {"factory": factory}
    if retry_s:
        obj["startup_retry"] = StartupRetry(first_delay=float(retry_s), max_delay=float(retry_s))
    main(["run", "--config", config], obj=obj)


if __name__ == "__main__":
    run(*sys.argv[1:4])
