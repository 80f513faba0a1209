"""The account's resources a SID field can be picked from: TwiML applications, Elastic
SIP trunks and Messaging Services, each listed with what a non-developer recognises
(its name, where its calls or messages go) instead of `AP…`, `TK…`, `MG…`.

Shared by the wizard's pickers (tui/screens/pickers.py) and the plain mode's
numbered lists (tui/plain/wizard.py). Twilio's lists:
https://www.twilio.com/docs/usage/api/applications,
https://www.twilio.com/docs/sip-trunking/api/trunk-resource,
https://www.twilio.com/docs/messaging/api/service-resource
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui.domain.resources import Application, MessagingService, Trunk
    from tui.services.account_session import AccountSession


@dataclass(frozen=True)
class PickerItem:
    """One resource as a picker lists it."""

    sid: str
    title: str
    detail: str = ""

    def matches(self, text: str) -> bool:
        wanted = text.strip().casefold()
        return not wanted or any(wanted in part.casefold() for part in (self.title, self.detail, self.sid))

    def label(self) -> str:
        """One line: name, details, SID (the plain mode's numbered list)."""
        return " · ".join(part for part in (self.title, self.detail, self.sid) if part)


Loader = Callable[["AccountSession", bool], Coroutine[Any, Any, list[PickerItem]]]


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
