"""messaging.twilio.com/v1/Services: Messaging Services and the owned numbers in them.

A number joins a service by `POST /v1/Services/{ServiceSid}/PhoneNumbers` with its
`PhoneNumberSid` (Twilio's Messaging Service API); the number's own resource is not changed. A number
is in one service at a time (https://www.twilio.com/docs/errors/21712); adding it again to the
same service is refused too (21710), so a client that retries learns it is already there;
releasing the number takes it out.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tui.sandbox import errors, params
from tui.sandbox.context import MESSAGING_ORIGIN, Context, Reply, Request
from tui.sandbox.errors import TwilioApiError
from tui.sandbox.formats import iso8601, make_sid
from tui.sandbox.paging import meta_page
from tui.sandbox.purchase import number_country
from tui.sandbox.state import new_messaging_service_record

SERVICES_PATH = "/v1/Services"

SERVICE_FIELDS = {
    "FriendlyName": "friendly_name",
    "InboundRequestUrl": "inbound_request_url",
    "InboundMethod": "inbound_method",
    "FallbackUrl": "fallback_url",
    "FallbackMethod": "fallback_method",
    "StatusCallback": "status_callback",
    "StickySender": "sticky_sender",
    "MmsConverter": "mms_converter",
    "SmartEncoding": "smart_encoding",
    "ScanMessageContent": "scan_message_content",
    "FallbackToLongCode": "fallback_to_long_code",
    "AreaCodeGeomatch": "area_code_geomatch",
    "ValidityPeriod": "validity_period",
    "SynchronousValidation": "synchronous_validation",
    "Usecase": "usecase",
    "UseInboundWebhookOnNumber": "use_inbound_webhook_on_number",
}
SERVICE_LINKS = (
    "chain_of_trust", "channel_senders", "phone_numbers", "short_codes", "alpha_senders",
    "messages", "us_app_to_person", "us_app_to_person_usecases",
)  # fmt: skip
LINK_PATHS = {
    "chain_of_trust": "ChainOfTrust", "channel_senders": "ChannelSenders",
    "phone_numbers": "PhoneNumbers", "short_codes": "ShortCodes",
    "alpha_senders": "AlphaSenders", "messages": "Messages",
    "us_app_to_person": "Compliance/Usa2p", "us_app_to_person_usecases": "Compliance/Usa2p/Usecases",
}  # fmt: skip


def render_service(record: dict[str, Any], request: Request) -> dict[str, Any]:
    url = request.absolute(MESSAGING_ORIGIN, f"{SERVICES_PATH}/{record['sid']}")
    rendered = {
        **record,
        "date_created": iso8601(datetime.fromisoformat(record["date_created"])),
        "date_updated": iso8601(datetime.fromisoformat(record["date_updated"])),
        "url": url,
        "links": {name: f"{url}/{LINK_PATHS[name]}" for name in SERVICE_LINKS},
    }
    return rendered


def _own_service(ctx: Context, request: Request) -> dict[str, Any]:
    return ctx.own_record("messaging_services", request, "ServiceSid")


def list_services(ctx: Context, request: Request) -> Reply:
    values = params.parse(request.query, params.LIST_MESSAGING_SERVICES)
    records = [
        render_service(record, request)
        for record in ctx.state["messaging_services"]
        if record["account_sid"] == request.account.sid
    ]
    return Reply(
        200,
        meta_page(records, request, values, params.LIST_MESSAGING_SERVICES, "services", MESSAGING_ORIGIN),
    )


def create_service(ctx: Context, request: Request) -> Reply:
    values = params.parse(request.form, params.CREATE_MESSAGING_SERVICE)
    settings = {field: values[name] for name, field in SERVICE_FIELDS.items() if name in values}
    ctx.state["created_count"] += 1
    sid = make_sid("MG", request.account.sid, "api", str(ctx.state["created_count"]))
    record = new_messaging_service_record(request.account.sid, sid, settings, now=ctx.now)
    ctx.state["messaging_services"].append(record)
    ctx.mark_changed()
    return Reply(201, render_service(record, request))


# --- Numbers in a service ---------------------------------------------------------------


def render_service_number(entry: dict[str, Any], number: dict[str, Any], request: Request) -> dict[str, Any]:
    capabilities = number["capabilities"]
    names = {"voice": "Voice", "sms": "SMS", "mms": "MMS", "fax": "Fax"}
    return {
        "sid": entry["sid"],
        "account_sid": entry["account_sid"],
        "service_sid": entry["service_sid"],
        "date_created": iso8601(datetime.fromisoformat(entry["date_created"])),
        "date_updated": iso8601(datetime.fromisoformat(entry["date_updated"])),
        "phone_number": number["phone_number"],
        "country_code": number_country(number["phone_number"]),
        "capabilities": [label for key, label in names.items() if capabilities.get(key)],
        "url": request.absolute(
            MESSAGING_ORIGIN, f"{SERVICES_PATH}/{entry['service_sid']}/PhoneNumbers/{entry['sid']}"
        ),
    }


def _owned_number(ctx: Context, request: Request, sid: str) -> dict[str, Any] | None:
    for record in ctx.state["incoming_phone_numbers"]:
        if record["sid"] == sid and record["account_sid"] == request.account.sid:
            return record
    return None


def _entries(ctx: Context, service_sid: str) -> list[dict[str, Any]]:
    return [entry for entry in ctx.state["messaging_service_numbers"] if entry["service_sid"] == service_sid]


def list_service_numbers(ctx: Context, request: Request) -> Reply:
    service = _own_service(ctx, request)
    values = params.parse(request.query, params.LIST_MESSAGING_SERVICE_NUMBERS)
    records = []
    for entry in _entries(ctx, service["sid"]):
        number = _owned_number(ctx, request, entry["sid"])
        if number is not None:
            records.append(render_service_number(entry, number, request))
    return Reply(
        200,
        meta_page(
            records, request, values, params.LIST_MESSAGING_SERVICE_NUMBERS, "phone_numbers", MESSAGING_ORIGIN
        ),
    )


def add_service_number(ctx: Context, request: Request) -> Reply:
    """Add an owned number to a service, refused as Twilio refuses it: a number
    that is not one of the account's (21421), one that takes neither SMS nor MMS
    (21715), one already in this service (21710: adding it again is not an update)
    or in another one (21712: a number is in one service at a time)."""
    service = _own_service(ctx, request)
    values = params.parse(request.form, params.ADD_PHONE_NUMBER)
    sid = str(values["PhoneNumberSid"])
    number = _owned_number(ctx, request, sid)
    if number is None:
        # https://www.twilio.com/docs/errors/21421: "add an invalid Phone Number SID
        # or Short Code SID to a Messaging Service".
        raise TwilioApiError(
            400,
            errors.PHONE_NUMBER_INVALID,
            f"Unable to create record: {sid} is not a phone number of this account.",
        )
    if not (number["capabilities"].get("sms") or number["capabilities"].get("mms")):
        raise TwilioApiError(
            400,
            errors.NO_MESSAGING_CAPABILITY,
            f"Unable to create record: Phone Number {number['phone_number']} does not have "
            "SMS or MMS capabilities.",
        )
    for entry in ctx.state["messaging_service_numbers"]:
        if entry["sid"] == sid:
            if entry["service_sid"] == service["sid"]:
                # Twilio's wording, seen live (https://github.com/mozilla/fx-private-relay/pull/2613).
                raise TwilioApiError(
                    400,
                    errors.ALREADY_IN_MESSAGING_SERVICE,
                    "Unable to create record: Phone Number or Short Code is already in the "
                    "Messaging Service.",
                )
            raise TwilioApiError(
                400,
                errors.IN_ANOTHER_MESSAGING_SERVICE,
                "Unable to create record: Phone Number or Short Code is associated with another "
                "Messaging Service.",
            )
    stamp = ctx.now.isoformat()
    entry = {
        "sid": sid,
        "account_sid": request.account.sid,
        "service_sid": service["sid"],
        "date_created": stamp,
        "date_updated": stamp,
    }
    ctx.state["messaging_service_numbers"].append(entry)
    ctx.mark_changed()
    return Reply(201, render_service_number(entry, number, request))


def _entry(ctx: Context, request: Request) -> tuple[dict[str, Any], dict[str, Any]]:
    service = _own_service(ctx, request)
    sid = request.path_params["Sid"]
    for entry in _entries(ctx, service["sid"]):
        number = _owned_number(ctx, request, entry["sid"])
        if entry["sid"] == sid and number is not None:
            return entry, number
    raise errors.not_found(request.path)


def fetch_service_number(ctx: Context, request: Request) -> Reply:
    entry, number = _entry(ctx, request)
    return Reply(200, render_service_number(entry, number, request))


def remove_service_number(ctx: Context, request: Request) -> Reply:
    entry, _ = _entry(ctx, request)
    ctx.state["messaging_service_numbers"].remove(entry)
    ctx.mark_changed()
    return Reply(204)
