"""`python -m tests.daemon.serve_memory CONFIG CRM_JSON`: `syncd run --config
CONFIG` with the in-memory CRM as every connector (injected through click's
context object, as the engine commands allow), saved to CRM_JSON after every
call so that the test can inspect it."""

from __future__ import annotations

import sys
from pathlib import Path

from syncd.cli import main
from syncd.settings import ConnectorConfig
from tests.kit.memory_crm import MemoryConnector, MemoryCRM


def run(config: str, crm_path: str) -> None:
    path = Path(crm_path)
    crm = MemoryCRM.load(path)

    def factory(name: str, _cfg: ConnectorConfig) -> MemoryConnector:
        return MemoryConnector(name, crm, page_size=50, write_batch_size=20, save_to=path)

    main(["run", "--config", config], obj={"factory": factory})


if __name__ == "__main__":
    run(sys.argv[1], sys.argv[2])
