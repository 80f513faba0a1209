"""Step 5, Details: the number's label, the status callback and the API version."""

from __future__ import annotations

from textual.app import ComposeResult

from tui.screens.base import StepScreen
from tui.wizard.draft import DETAILS_FIELDS


class DetailsStep(StepScreen):
    STEP_ID = "details"
    INTRO = "Optional. Leave a field empty to let Twilio use its default."

    def compose_body(self) -> ComposeResult:
        for name in DETAILS_FIELDS:
            yield self.form_field(name)
