"""Text that changes while the screen is shown (statuses, findings, results)."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.visual import VisualType, visualize
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
    of the whole screen. Nor does new content that takes exactly the lines the
    text has now, at its width, lay the screen out again: only the text is
    repainted (a number's facts rewritten as it is typed: 17% of a keystroke's
    CPU).
    """

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        if type(content) is type(self.content) and content == self.content:
            return
        if layout and self._fits_as_shown(content):
            layout = False
        super().update(content, layout=layout)
        if layout:
            self.call_after_refresh(self.refresh, layout=True)

    def _fits_as_shown(self, content: VisualType) -> bool:
        """Whether `content` needs as many lines as the text's laid-out height, at
        its laid-out width: then a layout pass would give every widget the place it
        has. Only a width that does not follow the content (not `auto`) and a height
        that does (`auto`) qualify; anything else is laid out as usual."""
        styles = self.styles
        # An unset width is the container's: it does not follow the content either.
        if not self.is_mounted or (styles.width is not None and styles.width.is_auto):
            return False
        if styles.height is None or not styles.height.is_auto:
            return False
        region = self.content_region
        if region.width <= 0 or region.height <= 0:
            return False  # not laid out yet, or hidden
        visual = visualize(self, content, markup=self._render_markup)
        # The styles, as Textual's own Widget.get_content_height passes them.
        return visual.get_height(styles, region.width) == region.height  # type: ignore[arg-type]


class TextInput(StyledOnceMounted, Input):
    """Every text input of the wizard. Its cursor blinks unless `CURSOR_BLINK` is
    off: screenshots and snapshots must come out the same whenever they are taken,
    and a blinking cursor is drawn or not by the clock."""

    CURSOR_BLINK: ClassVar[bool] = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cursor_blink = TextInput.CURSOR_BLINK
