"""Fixtures for the Pilot tests of the wizard.

`make_app` builds a WizardApp on the in-process sandbox with a fixed clock, its
draft and receipts under tmp_path, no draft offered (unless `resume_draft=True`),
theme textual-dark and no animation (tests/support/app_factory.py, shared with the
snapshot tests). Every test fails if one of the app's workers crashed, and retried
requests do not wait out their back-off. Isolation
from the machine and the steady cursor are tests/conftest.py's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.app_factory import make_app as _make_app
from tests.support.app_factory import record_worker_failures
from tui.app import WizardApp
from tui.services.twilio import TwilioClient


@pytest.fixture(autouse=True)
def _retries_without_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retried requests do not sleep out their back-off (up to seconds per test):
    what is retried and how long it would wait is tested in tests/unit/test_client.py."""

    async def no_wait(seconds: float) -> None:
        await asyncio.sleep(0)

    defaults = TwilioClient.__init__.__kwdefaults__
    assert defaults is not None and "sleep" in defaults
    monkeypatch.setitem(defaults, "sleep", no_wait)


@pytest.fixture(autouse=True)
def _no_silent_worker_failures(
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[None]:
    """The app's I/O workers do not exit on error; a test fails if one crashed
    (unless it is marked `worker_errors_expected`: it injects them on purpose)."""
    failures = record_worker_failures(monkeypatch)
    yield
    if request.node.get_closest_marker("worker_errors_expected") is None:
        assert not failures, f"workers failed with an exception: {failures}"


@pytest.fixture
def make_app(tmp_path: Path) -> Callable[..., WizardApp]:
    """`make_app(**overrides)`: see tests.support.app_factory.make_app (directory = tmp_path)."""

    def factory(**overrides: Any) -> WizardApp:
        overrides.setdefault("directory", tmp_path)
        return _make_app(**overrides)

    return factory
