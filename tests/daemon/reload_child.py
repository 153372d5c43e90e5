"""`python -m tests.daemon.reload_child CONFIG CRM_JSON`: `syncd run --config
CONFIG` over the in-memory CRM (saved to CRM_JSON after every call), whose
first write of the first cycle holds until a line arrives on stdin. Before it
holds, it logs a ``test_cycle_held`` JSON line, so the parent knows a cycle is
running when it sends its signals."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from connectors.base import AccountUpdate, ContactUpdate, WriteOutcome
from syncd.cli import main
from syncd.settings import ConnectorConfig
from tests.kit.memory_crm import MemoryConnector, MemoryCRM

log = logging.getLogger("syncd.test")


class _HeldOnce(MemoryConnector):
    held = False

    def write(
        self,
        updates: Iterable[ContactUpdate | AccountUpdate],
        *,
        before_batch: Callable[[], None] | None = None,
    ) -> Iterator[Sequence[WriteOutcome]]:
        if not _HeldOnce.held:
            _HeldOnce.held = True
            log.info("cycle held", extra={"event": "test_cycle_held"})
            sys.stdin.readline()
        return super().write(updates, before_batch=before_batch)


def run(config: str, crm_path: str) -> None:
    path = Path(crm_path)
    crm = MemoryCRM.load(path)

    def factory(name: str, _cfg: ConnectorConfig) -> MemoryConnector:
        return _HeldOnce(name, crm, page_size=50, write_batch_size=20, save_to=path)

    main(["run", "--config", config], obj={"factory": factory})


if __name__ == "__main__":
    run(sys.argv[1], sys.argv[2])
