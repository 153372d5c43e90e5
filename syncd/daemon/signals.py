"""SIGTERM and SIGINT handlers for the daemon's main thread."""

from __future__ import annotations

import signal
from collections.abc import Callable
from types import FrameType

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def install(on_signal: Callable[[int], None]) -> Callable[[], None]:
    """Route SIGTERM and SIGINT to ``on_signal(signum)``; returns a function that
    puts the previous handlers back. Must be called on the main thread."""
    previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}

    def handler(signum: int, frame: FrameType | None) -> None:
        on_signal(signum)

    for sig in STOP_SIGNALS:
        signal.signal(sig, handler)

    def restore() -> None:
        for sig, old in previous.items():
            signal.signal(sig, old)

    return restore


def name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return str(signum)
