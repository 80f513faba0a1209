"""Steps whose SID fields can be picked from the account: TwiML applications,
Elastic SIP trunks and Messaging Services, listed with what a non-developer
recognises (name, where calls or messages go) instead of `AP…`, `TK…`, `MG…`.

`PickerStep` puts a `ResourcePicker` where such a field would be and loads its
items (in a worker, from the account session) when the picker first shows, when
Reload is pressed, and again when the account has changed since.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import events, work
from textual.widget import Widget

from tui.domain.errors import TwilioApiError, WizardError
from tui.domain.fields import field as field_spec
from tui.screens.base import StepScreen
from tui.widgets.resource_picker import ResourcePicker
from tui.wizard.pickers import PICKER_SOURCES

if TYPE_CHECKING:
    from tui.services.account_session import AccountSession


def picker_for(name: str, **options: Any) -> ResourcePicker:
    source = PICKER_SOURCES[name]
    return ResourcePicker(field_spec(name), noun=source.noun, empty_hint=source.empty_hint, **options)


class PickerStep(StepScreen):
    """A step with pickers of the account's resources (see the module doc)."""

    def __init__(self) -> None:
        super().__init__()
        # Which account session each picker's items came from.
        self._loaded_for: dict[str, AccountSession] = {}

    def field_or_picker(self, name: str, **options: Any) -> Widget:
        """The field `name`: a picker when the account can list its values."""
        return picker_for(name, **options) if name in PICKER_SOURCES else self.form_field(name, **options)

    def on_resource_picker_wanted(self, event: ResourcePicker.Wanted) -> None:
        event.stop()
        self.load_picker(event.picker, refresh=event.refresh)

    # A handler of its own (Textual runs StepScreen's too): pickers whose items
    # came with other credentials load again.
    def on_screen_resume(self, event: events.ScreenResume) -> None:
        session = self.wizard.session
        for picker in self.query(ResourcePicker):
            loaded_for = self._loaded_for.get(picker.field_name)
            if loaded_for is not None and loaded_for is not session and session is not None:
                picker.request(refresh=False)

    @work(group="pickers", exit_on_error=False)
    async def load_picker(self, picker: ResourcePicker, *, refresh: bool) -> None:
        source = PICKER_SOURCES[picker.field_name]
        session = self.session
        try:
            items = await source.load(session, refresh)
        except WizardError as error:
            if session is self.wizard.session:
                picker.show_error(_one_line(error))
            return
        if session is not self.wizard.session:
            return  # the account changed meanwhile: its own load is on the way
        self._loaded_for[picker.field_name] = session
        picker.show_items(items)

    def worker_failed(self, group: str) -> None:
        super().worker_failed(group)
        if group == "pickers":
            for picker in self.query(ResourcePicker):
                if picker.state == "loading":
                    picker.show_error("an unexpected error (see above)")


def _one_line(error: WizardError) -> str:
    if isinstance(error, TwilioApiError):
        return f"{error.one_line()} {error.summary}" if error.explanation else error.one_line()
    return str(error)
