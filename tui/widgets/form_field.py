"""A form field built from a catalogue entry: label, control, help line, error.

The rule comes from the field catalogue (`FieldSpec.check`), never from here.
The rule is applied as the person types: once typing pauses, or at once when no
further typing could mend the value; an error clears as soon as the value is
valid again.
"""

from __future__ import annotations

import sys
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static, Switch

from tui.domain.credentials import Secret
from tui.domain.fields import FieldSpec
from tui.domain.rules import RuleError
from tui.widgets.text import TextInput

# Seconds without a keystroke before a field's rule is applied to what was typed.
TYPING_PAUSE = 0.6


class FieldInput(TextInput):
    """An Input whose box does not depend on its text (a field's input is one line,
    as wide as the field).

    Textual's Input sets its virtual size to the width of its text on every edit,
    and `Widget.virtual_size` asks for a layout of the whole screen when it changes
    (every auto-sized ancestor is arranged again). The Input itself lays out again
    only when it is sized by its content (`Input._watch_value`); this one keeps to
    that: a keystroke repaints the field instead of laying the screen out anew.
    Scrolling a long value still follows the cursor (it reads the virtual size, not
    the layout).
    """

    virtual_size = Reactive(Size(0, 0), layout=False)


# "No value given": None is a value (an empty field).
_NO_VALUE: Any = object()


class FormField(Vertical):
    """One field: `FormField(spec)`; its value is text, a choice or a boolean.

    `FormField(spec, value=v)` shows `v` once mounted (a field added to a screen
    after the screen filled its fields from the draft)."""

    class ValueChanged(Message):
        def __init__(self, form_field: FormField, value: Any) -> None:
            super().__init__()
            self.form_field = form_field
            self.value = value

        @property
        def control(self) -> FormField:
            return self.form_field

    def __init__(
        self,
        spec: FieldSpec,
        *,
        label: str | None = None,
        help: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        value: Any = _NO_VALUE,
    ) -> None:
        super().__init__(id=id or f"field-{spec.name}", classes=classes)
        self.spec = spec
        self._initial = value
        self._label = label or spec.label
        self._help = help or spec.help
        self._loading_value = False
        self._typing_pause: Timer | None = None

    @property
    def field_name(self) -> str:
        return self.spec.name

    def compose(self) -> ComposeResult:
        spec = self.spec
        if spec.kind == "bool":
            with Horizontal(classes="switch-row"):
                yield Switch(False, animate=False, id=f"control-{spec.name}")
                yield Label(self._label, classes="field-label")
        else:
            yield Label(self._label + (" *" if spec.required else ""), classes="field-label")
            if spec.kind in ("method", "choice"):
                default = f"Twilio's default ({spec.twilio_default})"
                yield Select(
                    [(c, c) for c in spec.choices],
                    prompt=default,
                    allow_blank=True,
                    id=f"control-{spec.name}",
                    compact=True,
                )
            else:
                secret = spec.kind == "secret"
                text_input = FieldInput(
                    # An example, never mistaken for a value (styled dim and slanted too).
                    placeholder=f"e.g. {spec.placeholder}" if spec.placeholder else "",
                    # Masked; the screen wraps the value in a Secret and clears it.
                    password=secret,
                    # No Textual validation: the field's rule runs in `check()`, as
                    # the person types and when they leave the field, and sets the
                    # `-invalid` class Textual's Input is styled by. Textual's own
                    # validation on leaving ran the rule a second time and set the
                    # classes again, each change a restyle of the input; and a
                    # `Validator` would hold a secret in the clear in a frame of its
                    # own (`check()` reads it wrapped, see `value`).
                    validate_on=[],
                    id=f"control-{spec.name}",
                    compact=True,  # one line per input keeps a step readable at 80×24
                )
                yield text_input
        yield Static(self._help, classes="field-help", markup=False)
        yield Static("", classes="field-error", markup=False)

    def on_mount(self) -> None:
        if self._initial is not _NO_VALUE:
            self.set_value(self._initial)

    @property
    def control(self) -> Widget:
        return self.query_one(f"#control-{self.spec.name}")

    # -- value --------------------------------------------------------------

    @property
    def value(self) -> Any:
        control = self.control
        if isinstance(control, Switch):
            return control.value
        if isinstance(control, Select):
            return None if control.value is Select.NULL else control.value
        assert isinstance(control, Input)
        if self.spec.kind == "secret":
            # Wrapped on the way out: no handler, message or local variable that
            # gets it from here holds the secret in the clear (crash output prints
            # locals, and messages have a repr).
            return Secret(control.value)
        return control.value

    def set_value(self, value: Any) -> None:
        """Fill the field from the draft without reporting it back as an edit."""
        control = self.control
        self._loading_value = True
        try:
            if isinstance(control, Switch):
                control.value = bool(value)
            elif isinstance(control, Select):
                if value in self.spec.choices:
                    control.value = value
                else:
                    control.clear()
            else:
                assert isinstance(control, Input)
                control.value = "" if value is None else str(value)
        finally:
            self.call_after_refresh(self._done_loading)

    def _done_loading(self) -> None:
        self._loading_value = False

    # -- errors -------------------------------------------------------------

    @property
    def error(self) -> str:
        return str(self.query_one(".field-error", Static).content)

    def show_error(self, message: str | None) -> None:
        self.query_one(".field-error", Static).update(message or "")
        self.set_class(bool(message), "-has-error")
        control = self.control
        if isinstance(control, Input):
            control.set_class(bool(message), "-invalid")

    def check(self) -> str | None:
        """Apply the field's rule now; show and return the error, if any."""
        value = self.value
        if self.spec.kind == "bool" or not value:  # unset: None, "" or an empty Secret
            message = f"{self.spec.label} is required." if self.spec.required and not value else None
        else:
            try:
                self._apply_rule(value)
                message = None
            except RuleError as error:
                message = str(error)
        self.show_error(message)
        return message

    def parse(self, value: Any) -> Any:
        """`value` (this field's, read earlier) through the catalogue's rule, even
        when empty; raises RuleError."""
        return self._apply_rule(value)

    def _apply_rule(self, value: Any) -> Any:
        """The catalogue's rule; returns its result or raises RuleError. The rules
        read text, so a secret is revealed for the rule only, inline: no local
        variable of ours holds it in the clear. Should the rule itself fail, its
        frames (which do hold it) and its error (which may quote it) stay out of
        the crash output."""
        if not isinstance(value, Secret):
            return self.spec.check(value)
        try:
            return self.spec.check(value.reveal())
        except RuleError:
            raise
        except Exception:
            failure = sys.exc_info()[0]
            kind = failure.__name__ if failure is not None else "an error"
            raise RuntimeError(
                f"The rule of the field {self.spec.name} failed with {kind}; the "
                "details are left out, as they may show the secret."
            ) from None

    def focus_control(self) -> None:
        self.control.focus()

    # -- events -------------------------------------------------------------

    def _report(self) -> None:
        if not self._loading_value:
            self.post_message(self.ValueChanged(self, self.value))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._report()
        if self._loading_value:
            return
        # Checked as the person types: at once when an error is shown (it clears
        # as soon as the value is valid) or when no further typing can mend the
        # value; otherwise once typing pauses, so a half-typed value is not scolded.
        if self._typing_pause is not None:
            self._typing_pause.stop()
            self._typing_pause = None
        text = event.value
        if self.has_class("-has-error") or (
            self.spec.kind != "secret" and not self.spec.could_become_valid(text)
        ):
            self.check()
        elif text:
            self._typing_pause = self.set_timer(TYPING_PAUSE, self._typing_paused)

    def _typing_paused(self) -> None:
        self._typing_pause = None
        if self.value:
            self.check()

    def on_input_blurred(self, event: Input.Blurred) -> None:
        event.stop()
        if self._typing_pause is not None:
            self._typing_pause.stop()
            self._typing_pause = None
        self.check()

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.check()
        self._report()

    def on_switch_changed(self, event: Switch.Changed) -> None:
        event.stop()
        self._report()
