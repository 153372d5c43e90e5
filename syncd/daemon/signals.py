"""Signal handlers for the daemon's main thread: SIGTERM and SIGINT stop it,
SIGHUP reloads its config."""

from __future__ import annotations

import signal
from collections.abc import Callable
from types import FrameType

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
RELOAD_SIGNAL = signal.SIGHUP


def install(
    on_signal: Callable[[int], None], on_reload: Callable[[], None] | None = None
) -> Callable[[], None]:
    """Route SIGTERM and SIGINT to ``on_signal(signum)`` and, when given, SIGHUP
    to ``on_reload()``; returns a function that puts the previous handlers
    back. Must be called on the main thread. Handlers must return at once
    (they interrupt whatever the main thread was doing)."""
    handled: list[signal.Signals] = [*STOP_SIGNALS]
    if on_reload is not None:
        handled.append(RELOAD_SIGNAL)
    previous = {sig: signal.getsignal(sig) for sig in handled}

    def handler(signum: int, frame: FrameType | None) -> None:
        if signum == RELOAD_SIGNAL and on_reload is not None:
            on_reload()
        else:
            on_signal(signum)

    for sig in handled:
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
