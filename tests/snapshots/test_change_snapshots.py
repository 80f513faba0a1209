"""Snapshots of changing and releasing a number the account owns (scenes in
scenes.py, shared with scripts/screenshots.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.snapshots.scenes import CHANGE_SCENES
from tests.snapshots.test_snapshots import SIZE, SMALL, shoot


@pytest.mark.parametrize("name", sorted(CHANGE_SCENES))
def test_change_screens(snap_compare, tmp_path: Path, name: str) -> None:
    assert shoot(snap_compare, tmp_path, name, size=SIZE)


@pytest.mark.parametrize("name", ["owned_numbers", "change_review", "release_confirm"])
def test_change_screens_at_80_by_24(snap_compare, tmp_path: Path, name: str) -> None:
    assert shoot(snap_compare, tmp_path, name, size=SMALL)
