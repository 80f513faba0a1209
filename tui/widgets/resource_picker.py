"""A picker of the account's resources for a SID field: its applications, SIP
trunks or Messaging Services, filterable, above the SID field it fills.

Textual's Select cannot filter, so the picker is a one-line filter above a short
list (an OptionList): typing narrows the list, Down or Tab goes into it, Enter
picks. Picking writes the SID into the field below, exactly as if it had been
typed (the screen stores it the same way); a SID typed there is checked against
the list: one the account does not have is a warning beside the field.

The picker loads nothing itself: it asks (`Wanted`) and the screen loads in a
worker, then calls `show_items`, `show_empty` or `show_error`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tui.domain.fields import FieldSpec
from tui.widgets.controls import Button
from tui.widgets.form_field import FormField
from tui.widgets.text import LiveText, TextInput
from tui.wizard.pickers import PickerItem


class FilterInput(TextInput):
    """The filter line: Down goes into the list below it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "into_list", "Into the list", show=False),
    ]

    def action_into_list(self) -> None:
        picker = next((a for a in self.ancestors if isinstance(a, ResourcePicker)), None)
        if picker is not None:
            picker.focus_list()


class ResourcePicker(Vertical):
    """`ResourcePicker(spec, noun="TwiML applications", empty_hint=...)`: the field
    `spec` (a SID) with a filterable list of the account's resources above it."""

    class Wanted(Message):
        """The picker needs its items (first shown, or Reload pressed)."""

        def __init__(self, picker: ResourcePicker, *, refresh: bool) -> None:
            super().__init__()
            self.picker = picker
            self.refresh = refresh

        @property
        def control(self) -> ResourcePicker:
            return self.picker

    def __init__(
        self, spec: FieldSpec, *, noun: str, empty_hint: str, id: str | None = None, value: Any = None
    ) -> None:
        super().__init__(id=id or f"picker-{spec.name}", classes="resource-picker")
        self.spec = spec
        self._initial = value  # the SID shown once mounted
        self.noun = noun  # plural, e.g. "TwiML applications"
        self.empty_hint = empty_hint
        self.items: list[PickerItem] = []
        self.state = "idle"  # idle → loading → ready | empty | error

    @property
    def field_name(self) -> str:
        return self.spec.name

    def compose(self) -> ComposeResult:
        yield Label(self.spec.label, classes="field-label")
        yield LiveText("", classes="picker-status", markup=False)
        with Horizontal(classes="picker-filter-row"):
            yield FilterInput(
                placeholder=f"Type to filter your {self.noun}", classes="picker-filter", compact=True
            )
            yield Button("Reload", classes="picker-reload", compact=True)
        yield OptionList(classes="picker-options", compact=True)
        yield FormField(self.spec, label="or SID", classes="-inline", value=self._initial)
        yield LiveText("", classes="picker-note warnings", markup=False)

    def on_mount(self) -> None:
        self.query_one(OptionList).display = False
        self.query_one(".picker-filter-row").display = False
        sid_input = self.form_field.control
        # The SID can change without an edit (the draft loaded, a pick): follow it.
        self.watch(sid_input, "value", self._sid_changed, init=False)

    def on_show(self) -> None:
        if self.state == "idle":
            self.request(refresh=False)

    # -- parts --------------------------------------------------------------

    @property
    def form_field(self) -> FormField:
        return self.query_one(FormField)

    @property
    def options(self) -> OptionList:
        return self.query_one(OptionList)

    @property
    def filter(self) -> Input:
        return self.query_one(FilterInput)

    @property
    def status(self) -> str:
        return str(self.query_one(".picker-status", Static).content)

    @property
    def note(self) -> str:
        """The line under the field: what was chosen, or why the SID is doubtful."""
        return str(self.query_one(".picker-note", Static).content)

    @property
    def sid(self) -> str:
        return str(self.form_field.value or "").strip()

    def focus_list(self) -> None:
        if self.options.option_count:
            self.options.focus()
            if self.options.highlighted is None:
                self.options.highlighted = 0

    # -- what the screen tells it ---------------------------------------------

    def request(self, *, refresh: bool) -> None:
        self.state = "loading"
        self._status(f"Loading your {self.noun}…")
        self.post_message(self.Wanted(self, refresh=refresh))

    def show_items(self, items: Sequence[PickerItem]) -> None:
        if not items:
            self.show_empty()
            return
        self.items = list(items)
        self.state = "ready"
        self.query_one(".picker-filter-row").display = True
        self._fill()
        self._sid_changed()

    def show_empty(self) -> None:
        self.items = []
        self.state = "empty"
        self.options.display = False
        self.query_one(".picker-filter-row").display = True  # Reload, once one is made
        self.filter.display = False
        self._status(self.empty_hint)
        self._sid_changed()

    def show_error(self, message: str) -> None:
        self.items = []
        self.state = "error"
        self.options.display = False
        self.query_one(".picker-filter-row").display = True
        self.filter.display = False
        self._status(f"Could not load your {self.noun}: {message}", error=True)
        self._sid_changed()

    # -- list and filter ------------------------------------------------------

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one(".picker-status", LiveText)
        status.update(text)
        status.set_class(error, "-error")

    def _fill(self) -> None:
        text = self.filter.value
        shown = [item for item in self.items if item.matches(text)]
        options = self.options
        width = min(max((len(item.title or item.sid) for item in self.items), default=0), TITLE_COLUMN_MAX)
        options.set_options([Option(_prompt(item, width), id=item.sid) for item in shown])
        options.display = bool(shown)
        self.filter.display = True
        count = len(self.items)
        if not shown:
            self._status(f"None of your {count} {self.noun} match {text.strip()!r}.")
        elif text.strip():
            self._status(f"{len(shown)} of your {count} {self.noun} match; Enter picks the highlighted one.")
        else:
            self._status(f"Your {self.noun} ({count}): pick one, or type to filter.")
        self._highlight_chosen()

    @on(Input.Changed, ".picker-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self.state == "ready":
            self._fill()

    @on(Input.Submitted, ".picker-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()  # not the step's "Enter moves on"
        options = self.options
        if options.option_count == 1:
            options.highlighted = 0
        if options.highlighted is not None:
            option = options.get_option_at_index(options.highlighted)
            if option.id:
                self.pick(option.id)
        else:
            self.focus_list()

    @on(OptionList.OptionSelected)
    def _option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.pick(event.option.id)

    @on(Button.Pressed, ".picker-reload")
    def _reload(self, event: Button.Pressed) -> None:
        event.stop()
        self.request(refresh=True)

    def pick(self, sid: str) -> None:
        """Put `sid` in the field, as if typed (the screen stores it as an edit)."""
        control = self.form_field.control
        assert isinstance(control, Input)
        control.value = sid
        self.form_field.check()

    # -- the SID in the field ---------------------------------------------------

    def chosen(self) -> PickerItem | None:
        sid = self.sid
        return next((item for item in self.items if item.sid == sid), None)

    def _highlight_chosen(self) -> None:
        chosen = self.chosen()
        options = self.options
        if chosen is None or not options.option_count:
            return
        with contextlib.suppress(KeyError):  # filtered out
            options.highlighted = options.get_option_index(chosen.sid)

    def _sid_changed(self, *_: object) -> None:
        self._highlight_chosen()
        chosen = self.chosen()
        note = self.query_one(".picker-note", LiveText)
        note.update(
            f"✓ {chosen.title}" + (f": {chosen.detail}" if chosen.detail else "")
            if chosen
            else self._warning()
        )
        note.set_class(chosen is not None, "-chosen")

    def _warning(self) -> str:
        sid = self.sid
        if not sid or self.state not in ("ready", "empty"):
            return ""
        try:
            self.spec.check(sid)
        except ValueError:
            return ""  # the field's own error says what is wrong
        return (
            f"⚠ {sid} is not one of this account's {self.noun}: check it in the Console; "
            "Twilio refuses a SID it cannot find."
        )


# The names take a column of their own, so the details line up (up to this width).
TITLE_COLUMN_MAX = 24


def _prompt(item: PickerItem, title_width: int) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    title = item.title or item.sid
    if len(title) > title_width:
        title = title[: title_width - 1] + "…"
    text.append(title.ljust(title_width + 2), style="bold")
    if item.detail:
        text.append(item.detail, style="dim")
    return text
