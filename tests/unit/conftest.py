"""Hypothesis profiles for the unit tests: "unit" (default, fast enough for every
run) and "thorough" (for a nightly or a hunt:
`HYPOTHESIS_PROFILE=thorough pytest tests/unit`). Isolation from the machine is
tests/conftest.py's."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "unit",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "unit"))
