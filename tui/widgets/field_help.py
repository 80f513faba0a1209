"""The help panel for the focused field (F1, or ? outside a text field): what it
does in plain words, the values it takes, Twilio's default, how it interacts with
other fields and where Twilio documents it. Every word comes from the field
catalogue (`FieldSpec.help_lines`), as `buy --help` does."""

from __future__ import annotations

from textual.widget import Widget

from tui.domain.fields import FieldSpec
from tui.widgets.text import LiveText

NO_FIELD = (
    "Field help\n\nMove to a field (Tab) to read what it does, the values it takes, "
    "Twilio's default and where Twilio documents it.\n\nF1 or Escape closes this panel."
)


class FieldHelp(LiveText):
    def __init__(self, *, id: str = "field-help") -> None:
        super().__init__("", id=id, markup=False)
        self.display = False
        self.spec: FieldSpec | None = None

    def show_for(self, spec: FieldSpec | None, *, note: str = "") -> None:
        self.spec = spec
        if spec is None:
            self.update(NO_FIELD)
        else:
            lines = spec.help_lines()
            lines[0] = f"{lines[0]} ({spec.flag} with number-wizard buy)"
            if note:
                lines.append(note)
            self.update("\n\n".join(lines) + "\n\nF1 or Escape closes this panel.")
        self.display = True

    def hide(self) -> None:
        self.display = False


def spec_of(widget: Widget | None) -> FieldSpec | None:
    """The catalogue field a focused widget enters: its FormField's, or the field a
    picker fills (a picker sits in a `group-<field>` container)."""
    from tui.domain.fields import field as field_spec
    from tui.widgets.form_field import FormField

    node = widget
    while node is not None:
        if isinstance(node, FormField):
            return node.spec
        if node.id and node.id.startswith("group-"):
            try:
                return field_spec(node.id.removeprefix("group-"))
            except KeyError:
                return None
        parent = node.parent
        node = parent if isinstance(parent, Widget) else None
    return None
