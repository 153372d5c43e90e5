"""Reading a child process's JSON log lines while it runs."""

from __future__ import annotations

import json
import threading
from typing import Any


class JsonLines:
    """Collects a pipe's lines on a thread; ``wait_for`` the first JSON line whose
    ``event`` matches. Every line is kept in ``lines`` for later assertions."""

    def __init__(self, stream: Any) -> None:
        self.lines: list[str] = []
        self.cond = threading.Condition()
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream: Any) -> None:
        for line in stream:
            with self.cond:
                self.lines.append(line)
                self.cond.notify_all()

    def wait_for(self, event: str, timeout: float) -> dict[str, Any]:
        def find() -> dict[str, Any] | None:
            for line in self.lines:
                if f'"{event}"' in line:
                    obj: dict[str, Any] = json.loads(line)
                    if obj.get("event") == event:
                        return obj
            return None

        with self.cond:
            self.cond.wait_for(lambda: find() is not None, timeout)
            found = find()
        assert found is not None, f"no {event} event in:\n{''.join(self.lines[-20:])}"
        return found
