"""Fixtures for the Pilot tests of the wizard.

`make_app` builds a WizardApp on the in-process sandbox with a fixed clock, its
draft and receipts under tmp_path, no draft offered (unless `resume_draft=True`),
theme textual-dark and no animation; every test runs with a clean environment
and without cursor blink, and fails if one of the app's workers crashed. The
factory itself lives in tests/support/app_factory.py so that the snapshot tests can use the same one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.app_factory import (
    disable_cursor_blink,
    isolate_environment,
    record_worker_failures,
)
from tests.support.app_factory import make_app as _make_app
from tui.app import WizardApp


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_environment(monkeypatch, tmp_path)
    disable_cursor_blink(monkeypatch)


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
