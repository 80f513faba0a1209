"""Snapshot tests run with the working directory in tmp_path: the receipts go to
the relative folder `receipts/`, so the Summary shows the same short path on every
machine (see scenes.py). The rest of their determinism (environment, keyring,
no cursor blink) is tests/conftest.py's."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _in_tmp_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
