"""Steps whose SID fields can be picked from the account: TwiML applications,
Elastic SIP trunks and Messaging Services, listed with what a non-developer
recognises (name, where calls or messages go) instead of `AP…`, `TK…`, `MG…`.

`PickerStep` puts a `ResourcePicker` where such a field would be and loads its
items (in a worker, from the account session) when the picker first shows, when
Reload is pressed, and again when the account has changed since.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import work
from textual.widget import Widget

from tui.domain.errors import TwilioApiError, WizardError
from tui.domain.fields import field as field_spec
from tui.screens.base import StepScreen
from tui.widgets.resource_picker import PickerItem, ResourcePicker

if TYPE_CHECKING:
    from tui.domain.resources import Application, MessagingService, Trunk
    from tui.services.account_session import AccountSession

Loader = Callable[["AccountSession", bool], Awaitable[list[PickerItem]]]


def _url(url: str | None, method: str | None) -> str:
    """A URL and, when it is not Twilio's usual POST, its method."""
    if not url:
        return ""
    return f"{url} ({method})" if method and method.upper() != "POST" else url


def application_items_for_voice(applications: list[Application]) -> list[PickerItem]:
    return [
        PickerItem(
            a.sid,
            a.friendly_name or a.sid,
            f"calls → {_url(a.voice_url, a.voice_method)}"
            if a.voice_url
            else "no voice URL: calls are not answered",
        )
        for a in applications
    ]


def application_items_for_sms(applications: list[Application]) -> list[PickerItem]:
    return [
        PickerItem(
            a.sid,
            a.friendly_name or a.sid,
            f"messages → {_url(a.sms_url, a.sms_method)}"
            if a.sms_url
            else "no SMS URL: messages get no answer",
        )
        for a in applications
    ]


def trunk_items(trunks: list[Trunk]) -> list[PickerItem]:
    return [PickerItem(t.sid, t.friendly_name or t.sid, t.domain_name or "") for t in trunks]


def service_items(services: list[MessagingService]) -> list[PickerItem]:
    items = []
    for service in services:
        if not service.overrides_number:
            detail = "messages → the number's own SMS URL (the service defers to it)"
        elif service.inbound_request_url:
            detail = f"messages → {_url(service.inbound_request_url, service.inbound_method)}"
        else:
            detail = "no inbound URL: incoming messages are not received"
        items.append(PickerItem(service.sid, service.friendly_name or service.sid, detail))
    return items


async def _voice_applications(session: AccountSession, refresh: bool) -> list[PickerItem]:
    return application_items_for_voice(await session.applications(refresh=refresh))


async def _sms_applications(session: AccountSession, refresh: bool) -> list[PickerItem]:
    return application_items_for_sms(await session.applications(refresh=refresh))


async def _trunks(session: AccountSession, refresh: bool) -> list[PickerItem]:
    return trunk_items(await session.trunks(refresh=refresh))


async def _services(session: AccountSession, refresh: bool) -> list[PickerItem]:
    return service_items(await session.messaging_services(refresh=refresh))


@dataclass(frozen=True)
class PickerSource:
    noun: str  # plural, as the picker says it
    empty_hint: str  # what to do when the account has none
    load: Loader


APPLICATIONS_EMPTY = (
    "This account has no TwiML applications yet. Create one in the Twilio Console "
    "(Voice › Manage › TwiML apps), then Reload; or choose a webhook instead."
)

PICKER_SOURCES: dict[str, PickerSource] = {
    "voice_application_sid": PickerSource("TwiML applications", APPLICATIONS_EMPTY, _voice_applications),
    "sms_application_sid": PickerSource("TwiML applications", APPLICATIONS_EMPTY, _sms_applications),
    "trunk_sid": PickerSource(
        "SIP trunks",
        "This account has no Elastic SIP trunks. Create one in the Twilio Console "
        "(Elastic SIP Trunking › Manage › Trunks), then Reload; or choose a webhook instead.",
        _trunks,
    ),
    "messaging_service_sid": PickerSource(
        "Messaging Services",
        "This account has no Messaging Services. Create one in the Twilio Console "
        "(Messaging › Services), then Reload; or choose a webhook instead.",
        _services,
    ),
}


def picker_for(name: str) -> ResourcePicker:
    source = PICKER_SOURCES[name]
    return ResourcePicker(field_spec(name), noun=source.noun, empty_hint=source.empty_hint)


class PickerStep(StepScreen):
    """A step with pickers of the account's resources (see the module doc)."""

    def __init__(self) -> None:
        super().__init__()
        # Which account session each picker's items came from.
        self._loaded_for: dict[str, AccountSession] = {}

    def field_or_picker(self, name: str) -> Widget:
        """The field `name`: a picker when the account can list its values."""
        return picker_for(name) if name in PICKER_SOURCES else self.form_field(name)

    def on_resource_picker_wanted(self, event: ResourcePicker.Wanted) -> None:
        event.stop()
        self.load_picker(event.picker, refresh=event.refresh)

    # A handler of its own (Textual runs StepScreen's too): pickers whose items
    # came with other credentials load again.
    def on_screen_resume(self) -> None:
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
