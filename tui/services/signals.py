"""Signals while a purchase is on its way: Ctrl+C (SIGINT) and SIGTERM call a
handler on the event loop instead of killing the process, so that a purchase is
never left half-told. Used by `number-wizard buy` and the plain mode."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable, Iterator

SignalHandler = Callable[[signal.Signals], None]


@contextlib.contextmanager
def on_signals(handler: SignalHandler) -> Iterator[None]:
    """While the block runs (on an event loop), SIGINT and SIGTERM call `handler`."""
    loop = asyncio.get_running_loop()
    installed = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, handler, signum)
            installed.append(signum)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - not on this platform
            pass
    try:
        yield
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)
