"""trunking.twilio.com/v1/Trunks: Elastic SIP trunks and the owned numbers on them.

A number on a trunk is the IncomingPhoneNumber whose `trunk_sid` names it: adding one
(`POST /v1/Trunks/{TrunkSid}/PhoneNumbers` with `PhoneNumberSid`) sets `trunk_sid` and,
as on the number itself, clears its voice application (the trunk routes its calls);
removing it clears `trunk_sid`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tui.sandbox import errors, params
from tui.sandbox.context import API_ORIGIN, TRUNKING_ORIGIN, Context, Reply, Request
from tui.sandbox.formats import iso8601, make_sid
from tui.sandbox.paging import meta_page
from tui.sandbox.rendering import account_path
from tui.sandbox.state import new_trunk_record

TRUNKS_PATH = "/v1/Trunks"

TRUNK_FIELDS = {
    "FriendlyName": "friendly_name",
    "DomainName": "domain_name",
    "DisasterRecoveryUrl": "disaster_recovery_url",
    "DisasterRecoveryMethod": "disaster_recovery_method",
    "TransferMode": "transfer_mode",
    "Secure": "secure",
    "CnamLookupEnabled": "cnam_lookup_enabled",
    "TransferCallerId": "transfer_caller_id",
}
TRUNK_LINKS = {
    "origination_urls": "OriginationUrls",
    "credential_lists": "CredentialLists",
    "ip_access_control_lists": "IpAccessControlLists",
    "phone_numbers": "PhoneNumbers",
    "recordings": "Recording",
}
# The IncomingPhoneNumber fields a trunk's phone number shows (the spec's schema).
NUMBER_FIELDS = (
    "account_sid", "address_requirements", "api_version", "beta", "capabilities", "friendly_name",
    "phone_number", "sid", "sms_application_sid", "sms_fallback_method", "sms_fallback_url",
    "sms_method", "sms_url", "status_callback", "status_callback_method", "trunk_sid",
    "voice_application_sid", "voice_caller_id_lookup", "voice_fallback_method",
    "voice_fallback_url", "voice_method", "voice_url",
)  # fmt: skip


def render_trunk(record: dict[str, Any], request: Request) -> dict[str, Any]:
    url = request.absolute(TRUNKING_ORIGIN, f"{TRUNKS_PATH}/{record['sid']}")
    return {
        **record,
        "date_created": iso8601(datetime.fromisoformat(record["date_created"])),
        "date_updated": iso8601(datetime.fromisoformat(record["date_updated"])),
        "url": url,
        "links": {name: f"{url}/{path}" for name, path in TRUNK_LINKS.items()},
    }


def render_trunk_number(number: dict[str, Any], request: Request) -> dict[str, Any]:
    rendered = {name: number[name] for name in NUMBER_FIELDS}
    rendered["date_created"] = iso8601(datetime.fromisoformat(number["date_created"]))
    rendered["date_updated"] = iso8601(datetime.fromisoformat(number["date_updated"]))
    rendered["url"] = request.absolute(
        TRUNKING_ORIGIN, f"{TRUNKS_PATH}/{number['trunk_sid']}/PhoneNumbers/{number['sid']}"
    )
    number_uri = f"{account_path(number['account_sid'])}/IncomingPhoneNumbers/{number['sid']}.json"
    rendered["links"] = {"phone_number": request.absolute(API_ORIGIN, number_uri)}
    return rendered


def _own_trunk(ctx: Context, request: Request) -> dict[str, Any]:
    return ctx.own_record("trunks", request, "TrunkSid")


def list_trunks(ctx: Context, request: Request) -> Reply:
    values = params.parse(request.query, params.LIST_TRUNKS)
    records = [
        render_trunk(record, request)
        for record in ctx.state["trunks"]
        if record["account_sid"] == request.account.sid
    ]
    return Reply(200, meta_page(records, request, values, params.LIST_TRUNKS, "trunks", TRUNKING_ORIGIN))


def create_trunk(ctx: Context, request: Request) -> Reply:
    values = params.parse(request.form, params.CREATE_TRUNK)
    settings = {field: values[name] for name, field in TRUNK_FIELDS.items() if name in values}
    ctx.state["created_count"] += 1
    sid = make_sid("TK", request.account.sid, "api", str(ctx.state["created_count"]))
    record = new_trunk_record(request.account.sid, sid, settings, now=ctx.now)
    ctx.state["trunks"].append(record)
    ctx.mark_changed()
    return Reply(201, render_trunk(record, request))


def _numbers_on(ctx: Context, request: Request, trunk_sid: str) -> list[dict[str, Any]]:
    return [
        number
        for number in ctx.state["incoming_phone_numbers"]
        if number["account_sid"] == request.account.sid and number["trunk_sid"] == trunk_sid
    ]


def list_trunk_numbers(ctx: Context, request: Request) -> Reply:
    trunk = _own_trunk(ctx, request)
    values = params.parse(request.query, params.LIST_TRUNK_NUMBERS)
    records = [render_trunk_number(number, request) for number in _numbers_on(ctx, request, trunk["sid"])]
    return Reply(
        200, meta_page(records, request, values, params.LIST_TRUNK_NUMBERS, "phone_numbers", TRUNKING_ORIGIN)
    )


def add_trunk_number(ctx: Context, request: Request) -> Reply:
    trunk = _own_trunk(ctx, request)
    values = params.parse(request.form, params.ADD_PHONE_NUMBER)
    sid = str(values["PhoneNumberSid"])
    for number in ctx.state["incoming_phone_numbers"]:
        if number["sid"] == sid and number["account_sid"] == request.account.sid:
            number["trunk_sid"] = trunk["sid"]
            number["voice_application_sid"] = None
            number["date_updated"] = ctx.now.isoformat()
            ctx.mark_changed()
            return Reply(201, render_trunk_number(number, request))
    raise errors.invalid_parameter("PhoneNumberSid", f"{sid} is not a phone number of this account.")


def _number_on_trunk(ctx: Context, request: Request) -> dict[str, Any]:
    trunk = _own_trunk(ctx, request)
    for number in _numbers_on(ctx, request, trunk["sid"]):
        if number["sid"] == request.path_params["Sid"]:
            return number
    raise errors.not_found(request.path)


def fetch_trunk_number(ctx: Context, request: Request) -> Reply:
    return Reply(200, render_trunk_number(_number_on_trunk(ctx, request), request))


def remove_trunk_number(ctx: Context, request: Request) -> Reply:
    number = _number_on_trunk(ctx, request)
    number["trunk_sid"] = None
    number["date_updated"] = ctx.now.isoformat()
    ctx.mark_changed()
    return Reply(204)
