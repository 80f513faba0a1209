"""Shared set-up for the unit tests: hypothesis profiles and small fixtures.

Profiles: "unit" (default, fast enough for every run) and "thorough" (for a
nightly or a hunt: `HYPOTHESIS_PROFILE=thorough pytest tests/unit`).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "unit",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "unit"))


@pytest.fixture(autouse=True)
def _no_twilio_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a developer's real TWILIO_* variables out of every test."""
    for name in list(os.environ):
        if name.startswith("TWILIO_"):
            monkeypatch.delenv(name)
