"""The wizard's steps, their order, and where each field and error belongs."""

from __future__ import annotations

from dataclasses import dataclass

from tui.wizard.draft import (
    COMPLIANCE_FIELDS,
    DETAILS_FIELDS,
    SMS_MODE_FIELDS,
    VOICE_COMMON_FIELDS,
    VOICE_MODE_FIELDS,
)


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    fields: tuple[str, ...] = ()


def _all(groups: dict) -> tuple[str, ...]:  # type: ignore[type-arg]
    return tuple(name for names in groups.values() for name in names)


STEPS: tuple[Step, ...] = (
    Step("account", "Account"),
    Step("number", "Number", ("phone_number",)),
    Step("voice", "Voice", _all(VOICE_MODE_FIELDS) + VOICE_COMMON_FIELDS),
    Step("messaging", "Messaging", _all(SMS_MODE_FIELDS)),
    Step("details", "Details", DETAILS_FIELDS),
    Step("compliance", "Compliance", COMPLIANCE_FIELDS),
    Step("review", "Review"),
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


# Which screen an API error concerns, so it is shown where it can be fixed.
_ERROR_STEPS = {
    **dict.fromkeys((20003, 20005, 20008, 20403), "account"),
    **dict.fromkeys((21421, 21422, 21451, 21452, 80601, 10002, 21404, 22300), "number"),
    21406: "messaging",
    21409: "voice",
    **dict.fromkeys((21613, 21615, 21628, 21629, 21631, 21649, 21650, 21651), "compliance"),
}


def step_of_error(code: int | None) -> str:
    return _ERROR_STEPS.get(code or 0, "review")
