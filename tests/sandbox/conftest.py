"""Fixtures for the sandbox tests."""

from __future__ import annotations

import pytest
from sandbox_helpers import FIXED_NOW

from tui.sandbox import Sandbox


@pytest.fixture
def sandbox() -> Sandbox:
    """A fresh in-memory sandbox whose clock stands still."""
    return Sandbox(clock=lambda: FIXED_NOW)
