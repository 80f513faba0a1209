"""Text that changes while the screen is shown (statuses, findings, results)."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.visual import VisualType
from textual.widgets import Input, Static

from tui.widgets.controls import StyledOnceMounted


class LiveText(Static):
    """A Static whose height always follows its latest content.

    Textual 8.2.8: `refresh(layout=True)` while a layout is already pending does
    not invalidate the widget's box-model cache. When a layout pass runs between
    two updates (a worker's "Looking up…", then its answer a moment later), the
    second content keeps the first one's height and is clipped: two requirement
    lines shown as one. One more layout request after the next refresh puts the
    height right; it costs one layout pass per update.

    An update to the content it already shows does nothing: screens rewrite their
    live texts on every keystroke, and each update would cost two layout passes
    of the whole screen.
    """

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        if type(content) is type(self.content) and content == self.content:
            return
        super().update(content, layout=layout)
        if layout:
            self.call_after_refresh(self.refresh, layout=True)


class TextInput(StyledOnceMounted, Input):
    """Every text input of the wizard. Its cursor blinks unless `CURSOR_BLINK` is
    off: screenshots and snapshots must come out the same whenever they are taken,
    and a blinking cursor is drawn or not by the clock."""

    CURSOR_BLINK: ClassVar[bool] = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cursor_blink = TextInput.CURSOR_BLINK
