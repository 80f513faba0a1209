"""The wizard's steps, their order, and where each field and error belongs.

Which fields a step has comes from the field catalogue (`tui.domain.fields`), and
which step an API error belongs to from the error table (`tui.domain.errors`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tui.domain import errors
from tui.domain.fields import StepId, fields_on_step


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    fields: tuple[str, ...] = field(default=())


def _step(step_id: StepId, title: str) -> Step:
    return Step(step_id, title, fields_on_step(step_id))


STEPS: tuple[Step, ...] = (
    _step("account", "Account"),
    _step("number", "Number"),
    _step("voice", "Voice"),
    _step("messaging", "Messaging"),
    _step("details", "Details"),
    _step("compliance", "Compliance"),
    _step("review", "Review"),
)
SUMMARY = Step("summary", "Summary")
STEP_IDS = tuple(step.id for step in STEPS)
STEPS_BY_ID = {step.id: step for step in (*STEPS, SUMMARY)}


def step_index(step_id: str) -> int:
    return STEP_IDS.index(step_id)


def next_step(step_id: str) -> str | None:
    index = step_index(step_id)
    return STEP_IDS[index + 1] if index + 1 < len(STEP_IDS) else None


def previous_step(step_id: str) -> str | None:
    index = step_index(step_id)
    return STEP_IDS[index - 1] if index > 0 else None


def step_of_field(name: str) -> str:
    for step in STEPS:
        if name in step.fields:
            return step.id
    return "review"


def step_of_error(code: int | None) -> str:
    """The step where an API error is shown: where it can be fixed (the error
    table in tui.domain.errors decides)."""
    return errors.step_of_error(code)
