"""A checkbox that shows ticked or not by its glyph, not only by its colour."""

from __future__ import annotations

from typing import Any

from textual.widgets import Checkbox

from tui.widgets.controls import StyledOnceMounted


class TickBox(StyledOnceMounted, Checkbox):
    """Textual's Checkbox draws the same "X" ticked or not and tells them apart by
    colour alone, which some themes, terminals and eyes do not show. This one
    draws ✔ when ticked and an empty box when not."""

    TICKED, UNTICKED = "✔", " "

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.BUTTON_INNER = self.TICKED if self.value else self.UNTICKED

    def watch_value(self) -> None:
        super().watch_value()
        self.BUTTON_INNER = self.TICKED if self.value else self.UNTICKED
        self.refresh()
