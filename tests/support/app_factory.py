"""Build a deterministic WizardApp for Pilot and snapshot tests.

    from tests.support.app_factory import make_app

    app = make_app(tmp_path)                        # sandbox, fixed clock, no resume
    app = make_app(tmp_path, resume_draft=True)     # offer a draft saved under tmp_path
    app = make_app(tmp_path, connection=conn)       # e.g. wrong credentials

Signature (keep it simple; snapshot tests depend on it):

    make_app(directory=None, *, connection=None, clock=fixed_clock,
             resume_draft=False, theme="textual-dark") -> WizardApp

* `directory`: where the draft (`directory/state/draft.json`) and the receipts
  (`directory/receipts/`) go; a fresh temporary folder when None.
* `connection`: defaults to `sandbox_connection(clock=clock)`, an in-process
  sandbox whose clock stands still (created records carry FIXED_NOW).
* `clock`: also stamps the receipts.
* The app has `animation_level = "none"`. The environment, the keyring and the
  cursor blink are tests/conftest.py's (scripts/screenshots.py does the same).

Other helpers: `sandbox_of(app)` (the app's Sandbox, for fault injection and state),
`RecordingTransport` (counts requests, e.g. "exactly one POST").
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from keyring.backend import KeyringBackend

from tests.support.keyrings import MemoryKeyring
from tui.app import WizardApp
from tui.sandbox import Sandbox, SandboxTransport
from tui.services.credentials.config import ConfigFile
from tui.services.credentials.guidance import PlatformKind
from tui.services.credentials.keyring_store import CircuitBreaker, KeyringStore
from tui.services.credentials.profiles import ProfileStore
from tui.services.drafts import DraftStore
from tui.services.purchase_lock import PurchaseLocks
from tui.services.receipts import ReceiptBook
from tui.services.session import Connection, sandbox_connection

FIXED_NOW = datetime(2025, 3, 14, 15, 9, 26, tzinfo=UTC)


def fixed_clock() -> datetime:
    return FIXED_NOW


def make_app(
    directory: Path | None = None,
    *,
    connection: Connection | None = None,
    clock: Callable[[], datetime] = fixed_clock,
    resume_draft: bool = False,
    theme: str = "textual-dark",
    profiles: ProfileStore | None = None,
) -> WizardApp:
    """A WizardApp on the in-process sandbox with everything it writes under `directory`.

    Stored profiles live in `directory/config/config.toml` and, unless `profiles`
    says otherwise, an in-memory keyring (so the Account step reads the same on
    every machine)."""
    base = Path(directory) if directory is not None else Path(tempfile.mkdtemp(prefix="nw-test-"))
    app = WizardApp(
        connection or sandbox_connection(clock=clock),
        profiles=profiles or profile_store_in(base),
        env={},
        draft_store=draft_store_in(base),
        receipts=ReceiptBook(base / "receipts", clock=clock),
        locks=PurchaseLocks(base / "locks"),
        theme=theme,
        resume_draft=resume_draft,
    )
    app.animation_level = "none"
    return app


def profile_store_in(directory: Path, backend: KeyringBackend | None = None) -> ProfileStore:
    """Profiles under `directory/config`, with `backend` (default: a new in-memory
    keyring), on a fixed platform and with a circuit breaker of their own."""
    return ProfileStore(
        ConfigFile(Path(directory) / "config" / "config.toml"),
        KeyringStore(
            backend=backend or MemoryKeyring(),
            platform=PlatformKind.LINUX_HEADLESS,
            breaker=CircuitBreaker(),
            env={},
        ),
    )


def draft_store_in(directory: Path) -> DraftStore:
    """The draft store `make_app(directory)` uses (to pre-seed or inspect a draft)."""
    return DraftStore(Path(directory) / "state" / "draft.json")


def sandbox_of(app: WizardApp) -> Sandbox:
    """The Sandbox behind an app built by `make_app` (through a RecordingTransport too)."""
    assert app.connection is not None, "the app has no connection yet"
    transport = app.connection.transport
    while isinstance(transport, RecordingTransport):
        transport = transport.inner
    assert isinstance(transport, SandboxTransport), "the app does not run on the sandbox"
    return transport.sandbox


class RecordingTransport(httpx.AsyncBaseTransport):
    """Passes requests to another transport and remembers (method, path) of each.
    `hold(method, event)`: answers to that method wait until the event is set
    (after the sandbox has processed the request)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests: list[tuple[str, str]] = []
        self._holds: dict[str, asyncio.Event] = {}

    def hold(self, method: str, until: asyncio.Event) -> None:
        self._holds[method] = until

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append((request.method, request.url.path))
        response = await self.inner.handle_async_request(request)
        held = self._holds.get(request.method)
        if held is not None:
            await held.wait()
        return response

    def count(self, method: str, path_suffix: str = "") -> int:
        return sum(1 for m, p in self.requests if m == method and p.endswith(path_suffix))


def recording_connection(
    clock: Callable[[], datetime] = fixed_clock,
) -> tuple[Connection, RecordingTransport]:
    """A sandbox connection whose requests are recorded."""
    connection = sandbox_connection(clock=clock)
    assert connection.transport is not None
    recorder = RecordingTransport(connection.transport)
    connection.transport = recorder
    return connection, recorder


# -- worker failures -----------------------------------------------------------------


def record_worker_failures(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, BaseException | None]]:
    """Record the app's workers that end in ERROR: with `exit_on_error=False` (the
    app's I/O workers) an exception would otherwise vanish. Every WizardApp's
    `run_test` gets a message hook (Textual's public API) that sees each worker's
    `StateChanged`. Returns the list it fills with (name, group, error); assert it
    is empty at the end of a test."""
    from textual.worker import Worker, WorkerState

    failures: list[tuple[str, str, BaseException | None]] = []
    original = WizardApp.run_test

    def run_test(
        self: WizardApp, *args: Any, message_hook: Callable[[Any], None] | None = None, **kwargs: Any
    ) -> Any:
        def hook(message: Any) -> None:
            if isinstance(message, Worker.StateChanged) and message.state == WorkerState.ERROR:
                worker = message.worker
                failures.append((worker.name, worker.group, worker.error))
            if message_hook is not None:
                message_hook(message)

        return original(self, *args, message_hook=hook, **kwargs)

    monkeypatch.setattr(WizardApp, "run_test", run_test)
    return failures
