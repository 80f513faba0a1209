"""The wizard's controls: Textual's, styled once they are in the screen.

Textual restyles a widget (its CSS matched again, for the widget and each of its
component classes) every time one of its classes changes, even before the widget
is mounted. Compact inputs and buttons, variants and check marks all set a class
as they are built, so a step's controls were each styled once or twice for
nothing before being styled in full as they mounted: 15% of all the styling in
the Pilot tests, and as much of opening a step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widget import Widget
from textual.widgets import Button as TextualButton
from textual.widgets import RadioButton as TextualRadioButton

# Textual finds a widget's default CSS and component classes by following the
# first base that is a DOMNode: a mixin deriving from Widget would cut that chain
# (a RadioButton without its CSS). It is a Widget only to the type checker.
if TYPE_CHECKING:
    _WidgetMixin = Widget
else:
    _WidgetMixin = object


class StyledOnceMounted(_WidgetMixin):
    """Skips the restyling a class change asks for while the widget is not in the
    DOM: mounting styles it in full, with the classes it has by then. Put it first
    among the bases."""

    def update_node_styles(self, animate: bool = True) -> None:
        if self.is_attached:
            super().update_node_styles(animate=animate)


class Button(StyledOnceMounted, TextualButton):
    """Textual's Button, styled once mounted."""


class RadioButton(StyledOnceMounted, TextualRadioButton):
    """Textual's RadioButton, styled once mounted."""
