"""The wizard's screens: one module per step, plus the summary and dialogs.

A step's module is imported when the step is first shown: the wizard's first
frame needs only the Account step (the others bring the search table, the
models and the rest).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.screen import Screen

    from tui.screens.base import StepScreen

# Step id -> "module:class".
STEP_SCREEN_CLASSES: dict[str, str] = {
    "account": "tui.screens.account:AccountStep",
    "number": "tui.screens.number:NumberStep",
    "voice": "tui.screens.handling:VoiceStep",
    "messaging": "tui.screens.handling:MessagingStep",
    "details": "tui.screens.details:DetailsStep",
    "compliance": "tui.screens.compliance:ComplianceStep",
    "review": "tui.screens.review:ReviewStep",
}
# Changing a number the account owns: screens installed by name like the steps,
# but not steps of a purchase.
CHANGE_SCREEN_CLASSES: dict[str, str] = {
    "owned": "tui.screens.owned:OwnedNumbersScreen",
    "change-review": "tui.screens.change:ChangeReviewScreen",
}


def step_screen_class(step_id: str) -> type[StepScreen]:
    module, name = STEP_SCREEN_CLASSES[step_id].split(":")
    screen_class: type[StepScreen] = getattr(import_module(module), name)
    return screen_class


def create_step_screen(step_id: str) -> StepScreen:
    return step_screen_class(step_id)()


def create_change_screen(name: str) -> Screen[None]:
    module, class_name = CHANGE_SCREEN_CLASSES[name].split(":")
    screen: Screen[None] = getattr(import_module(module), class_name)()
    return screen


def __getattr__(name: str) -> Any:
    # `STEP_SCREENS` (every step's class, imported on first use) for the tests and
    # tools that want them all.
    if name == "STEP_SCREENS":
        return {step_id: step_screen_class(step_id) for step_id in STEP_SCREEN_CLASSES}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
