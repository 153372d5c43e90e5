"""`python -m tests.daemon.serve_memory CONFIG CRM_JSON`: the daemon's CLI path
(`syncd.cli.serve.serve`) over the in-memory CRM, saved to CRM_JSON after
every call so that the test can inspect it."""

from __future__ import annotations

import sys
from pathlib import Path

from syncd.cli.serve import serve
from syncd.settings import ConnectorConfig
from tests.kit.memory_crm import MemoryConnector, MemoryCRM


def main(config: str, crm_path: str) -> int:
    path = Path(crm_path)
    crm = MemoryCRM.load(path)

    def factory(name: str, _cfg: ConnectorConfig) -> MemoryConnector:
        return MemoryConnector(name, crm, page_size=50, write_batch_size=20, save_to=path)

    return serve(config, factory)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
