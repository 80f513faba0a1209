"""Pilot waits for the app to go idle in 10 ms steps instead of Textual's 20.

Each key a Pilot test presses waits twice for the app to be idle, and each pause
once (`textual._wait.wait_for_idle`): it sleeps a step at a time until a step
passes in which the process used under a twentieth of it in CPU. A step is at
least one sleep, so with 20 ms steps a test spent most of its typing asleep, and
two workers per core could not keep both cores busy (88% on average). With 10 ms
steps, the same rule at half the scale: the whole suite 177.8 -> 150.5 s, and
277 -> 245 s of CPU, run back to back on the 2-core machine (2399 passed each
time). The tests that depend on timing wait for workers and screens explicitly
(tests/support/pilot.py), not on this rule.

Textual has no public setting for it; both values are read when the wait runs.
"""

from __future__ import annotations

from textual import _wait

IDLE_STEP = 1 / 100


def shorter_idle_steps() -> None:
    _wait.SLEEP_GRANULARITY = IDLE_STEP
    _wait.SLEEP_IDLE = IDLE_STEP / 20.0
