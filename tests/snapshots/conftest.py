"""Snapshot tests: a clean environment, no cursor blink, and the working
directory in tmp_path (the receipts go to the relative folder `receipts/`, so
the Summary shows the same short path on every machine; see scenes.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.app_factory import disable_cursor_blink, isolate_environment


@pytest.fixture(autouse=True)
def _deterministic(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_environment(monkeypatch, tmp_path)
    disable_cursor_blink(monkeypatch)
    monkeypatch.chdir(tmp_path)
