"""One buyer per number on this machine.

Two number-wizard processes (two terminals, a script and the wizard) buying the
same number on the same account would both find it not owned and both POST it.
A file lock per account and number, held from the ownership check until the
outcome is settled, makes the second one wait; when it gets the lock it checks
ownership afresh, so it finds the number owned (and says so) or buys it if the
first did not. Receipts being settled at start-up take the same lock, so a
purchase still in progress in another process is never settled under its feet.

The lock is an OS file lock (`filelock`): the operating system releases it when
the holding process dies, even by SIGKILL, so a crash never leaves it stuck.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from pathlib import Path

from tui.domain.errors import WizardError
from tui.services.paths import state_dir

# How long a second buyer waits for the first one. The first holds the lock for
# an ownership check, one POST (read timeout 60 s) and a lookup (30 s, retried):
# three minutes covers that with room to spare.
DEFAULT_WAIT = 180.0
POLL_INTERVAL = 0.1


class BuyerBusy(WizardError):
    """Another process kept the number's lock for longer than we would wait."""

    def __init__(self, phone_number: str, waited: float) -> None:
        super().__init__(
            f"Another number-wizard on this computer has been buying {phone_number} for "
            f"{waited:.0f} s and has not finished; nothing was sent. Let it finish, then "
            "try again: the number is looked up before anything is sent."
        )


def default_directory() -> Path:
    return state_dir() / "locks"


class NumberLock:
    """The lock of one number on one account."""

    def __init__(self, path: Path, phone_number: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.phone_number = phone_number
        # Not thread-local: taken on the event loop, released wherever the
        # attempt ends. Not a singleton: two holders in one process (two
        # attempts) exclude each other as two processes do. Imported here: the
        # wizard creates its locks before its first frame and takes one only
        # when buying (filelock costs about 40 ms to import).
        from filelock import FileLock

        self._lock = FileLock(path, mode=0o600, thread_local=False)

    def try_acquire(self) -> bool:
        """Take the lock if it is free now (one non-blocking flock)."""
        from filelock import Timeout

        try:
            self._lock.acquire(blocking=False)
        except Timeout:
            return False
        return True

    async def acquire(self, *, wait: float = DEFAULT_WAIT, on_wait: Callable[[], None] | None = None) -> None:
        """Take the lock, waiting up to `wait` seconds for another holder (telling
        `on_wait` once), else raise `BuyerBusy`. Cancelling the caller stops the wait."""
        started = time.monotonic()
        told = False
        while not self.try_acquire():
            if not told and on_wait is not None:
                on_wait()
                told = True
            waited = time.monotonic() - started
            if waited >= wait:
                raise BuyerBusy(self.phone_number, waited)
            await asyncio.sleep(POLL_INTERVAL)

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release()


class PurchaseLocks:
    """The lock files of one machine (one folder)."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or default_directory()

    def path(self, account_sid: str, phone_number: str) -> Path:
        digits = re.sub(r"\D", "", phone_number) or "unknown"
        safe_account = re.sub(r"[^A-Za-z0-9]", "", account_sid) or "unknown"
        return self.directory / f"{safe_account}-{digits}.lock"

    def for_number(self, account_sid: str, phone_number: str) -> NumberLock:
        return NumberLock(self.path(account_sid, phone_number), phone_number)
