"""The wizard's screens: one module per step, plus the summary and dialogs."""

from __future__ import annotations

from tui.screens.account import AccountStep
from tui.screens.base import StepScreen
from tui.screens.compliance import ComplianceStep
from tui.screens.details import DetailsStep
from tui.screens.handling import MessagingStep, VoiceStep
from tui.screens.number import NumberStep
from tui.screens.review import ReviewStep

STEP_SCREENS: dict[str, type[StepScreen]] = {
    screen.STEP_ID: screen
    for screen in (AccountStep, NumberStep, VoiceStep, MessagingStep, DetailsStep, ComplianceStep, ReviewStep)
}
