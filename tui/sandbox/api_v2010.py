"""api.twilio.com/2010-04-01: accounts, available numbers, owned numbers, addresses.

Purchases (CreateIncomingPhoneNumber*) live in purchase.py.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from tui.sandbox import errors, params, seed
from tui.sandbox.accounts import ACCOUNTS, SandboxAccount
from tui.sandbox.contains import compile_contains, matches
from tui.sandbox.context import Context, Reply, Request
from tui.sandbox.formats import make_sid, rfc2822
from tui.sandbox.paging import v2010_page
from tui.sandbox.purchase import apply_settings
from tui.sandbox.rendering import account_path, render_address, render_number

# When the seeded accounts were opened; fixed so that answers are the same every run.
ACCOUNTS_OPENED = datetime(2023, 6, 1, 12, 0, 0, tzinfo=seed.SEED_DATE.tzinfo)

SUBRESOURCE_FILES = {
    "local": "Local",
    "toll_free": "TollFree",
    "mobile": "Mobile",
    "national": "National",
    "voip": "Voip",
    "shared_cost": "SharedCost",
    "machine_to_machine": "MachineToMachine",
}


# --- Accounts ---------------------------------------------------------------------


def render_account(account: SandboxAccount) -> dict[str, Any]:
    base = account_path(account.sid)
    subresources = {
        "available_phone_numbers": "AvailablePhoneNumbers",
        "calls": "Calls",
        "conferences": "Conferences",
        "incoming_phone_numbers": "IncomingPhoneNumbers",
        "notifications": "Notifications",
        "outgoing_caller_ids": "OutgoingCallerIds",
        "recordings": "Recordings",
        "transcriptions": "Transcriptions",
        "addresses": "Addresses",
        "signing_keys": "SigningKeys",
        "connect_apps": "ConnectApps",
        "sip": "SIP",
        "authorized_connect_apps": "AuthorizedConnectApps",
        "usage": "Usage",
        "keys": "Keys",
        "applications": "Applications",
        "short_codes": "SMS/ShortCodes",
        "queues": "Queues",
        "messages": "Messages",
        "balance": "Balance",
    }
    return {
        "auth_token": account.auth_token,
        "date_created": rfc2822(ACCOUNTS_OPENED),
        "date_updated": rfc2822(ACCOUNTS_OPENED),
        "friendly_name": account.friendly_name,
        "owner_account_sid": account.sid,
        "sid": account.sid,
        "status": "active",
        "subresource_uris": {key: f"{base}/{name}.json" for key, name in subresources.items()},
        "type": account.type.value,
        "uri": f"{base}.json",
    }


def fetch_account(ctx: Context, request: Request) -> Reply:
    return Reply(200, render_account(request.account))


def fetch_balance(ctx: Context, request: Request) -> Reply:
    account = ACCOUNTS[request.account.sid]
    return Reply(200, {"account_sid": account.sid, "balance": account.balance, "currency": "USD"})


# --- Available numbers ------------------------------------------------------------


def _country_row(request: Request) -> seed.CountryRow:
    code = request.path_params["CountryCode"]
    for row in seed.COUNTRIES:
        if row.iso_country == code:
            return row
    raise errors.not_found(request.path)


def render_country(account_sid: str, row: seed.CountryRow) -> dict[str, Any]:
    base = f"{account_path(account_sid)}/AvailablePhoneNumbers/{row.iso_country}"
    return {
        "beta": row.beta,
        "country": row.name,
        "country_code": row.iso_country,
        "subresource_uris": {
            number_type: f"{base}/{SUBRESOURCE_FILES[number_type]}.json" for number_type in row.number_types
        },
        "uri": f"{base}.json",
    }


def list_countries(ctx: Context, request: Request) -> Reply:
    values = params.parse(request.query, params.LIST_AVAILABLE_COUNTRIES)
    rows = list(seed.COUNTRIES)[: values.get("PageSize", 50)]
    # Only `countries` and `uri`, no paging keys (docs/twilio-api.md#countries-that-sell-mobile-numbers).
    return Reply(
        200,
        {
            "countries": [render_country(request.account.sid, row) for row in rows],
            "uri": request.path,
        },
    )


def fetch_country(ctx: Context, request: Request) -> Reply:
    return Reply(200, render_country(request.account.sid, _country_row(request)))


def _render_available(item: dict[str, Any], uppercase: bool) -> dict[str, Any]:
    capabilities = item["capabilities"]
    sms_key, mms_key = ("SMS", "MMS") if uppercase else ("sms", "mms")
    return {
        "friendly_name": item["phone_number"],  # outside NANP Twilio shows the E.164 string
        "phone_number": item["phone_number"],
        "lata": None,
        "rate_center": None,
        "latitude": None,
        "longitude": None,
        "region": None,
        "postal_code": None,
        "locality": item["locality"],
        "iso_country": item["iso_country"],
        "address_requirements": item["address_requirements"],
        "beta": item["beta"],
        "capabilities": {
            "voice": capabilities["voice"],
            sms_key: capabilities["sms"],
            mms_key: capabilities["mms"],
            "fax": capabilities["fax"],
        },
    }


# Filters that only apply to US/CA numbers: they compare against fields (lata,
# rate_center, region, postal_code, latitude/longitude) that are null for every
# other country, so on a mobile search they can only narrow the result to nothing.
NANP_ONLY_FILTERS = (
    "AreaCode", "NearNumber", "NearLatLong", "InPostalCode", "InRegion", "InRateCenter",
    "InLata",
)  # fmt: skip

CAPABILITY_FILTERS = {
    "SmsEnabled": "sms",
    "MmsEnabled": "mms",
    "VoiceEnabled": "voice",
    "FaxEnabled": "fax",
}


def search_mobile(ctx: Context, request: Request) -> Reply:
    row = _country_row(request)
    if "mobile" not in row.number_types:
        raise errors.not_found(request.path)
    values = params.parse(request.query, params.SEARCH_MOBILE)
    if "InRateCenter" in values and "InLata" not in values:
        raise errors.invalid_parameter("InRateCenter", "InRateCenter requires InLata.")
    if "Distance" in values and not 0 <= values["Distance"] <= 500:
        raise errors.invalid_parameter("Distance", "Distance can be up to 500 miles.")
    if "NearLatLong" in values and not re.fullmatch(
        r"-?\d+(\.\d+)?,-?\d+(\.\d+)?", str(values["NearLatLong"])
    ):
        raise errors.invalid_parameter("NearLatLong", "Expected 'latitude,longitude'.")
    contains = compile_contains(str(values["Contains"])) if "Contains" in values else None

    def wanted(item: dict[str, Any]) -> bool:
        if item["iso_country"] != row.iso_country:
            return False
        if any(name in values for name in NANP_ONLY_FILTERS):
            return False
        for name, capability in CAPABILITY_FILTERS.items():
            if name in values and item["capabilities"][capability] != values[name]:
                return False
        requirement = item["address_requirements"]
        if values.get("ExcludeAllAddressRequired") and requirement != "none":
            return False
        if values.get("ExcludeLocalAddressRequired") and requirement == "local":
            return False
        if values.get("ExcludeForeignAddressRequired") and requirement == "foreign":
            return False
        if not values.get("Beta", True) and item["beta"]:
            return False
        if (
            "InLocality" in values
            and (item["locality"] or "").casefold() != str(values["InLocality"]).casefold()
        ):
            return False
        return contains is None or matches(contains, item["phone_number"])

    found = [item for item in ctx.state["inventory"] if wanted(item)]
    found = found[: values.get("PageSize", 50)]
    uppercase = ctx.options.uppercase_search_capabilities
    # Only `available_phone_numbers` and `uri`: both spec examples have no paging keys.
    return Reply(
        200,
        {
            "available_phone_numbers": [_render_available(item, uppercase) for item in found],
            "uri": request.path,
        },
    )


# --- Owned numbers ----------------------------------------------------------------


def list_numbers(ctx: Context, request: Request, *, mobile: bool) -> Reply:
    values = params.parse(request.query, params.LIST_NUMBERS)
    phone_pattern = None
    if "PhoneNumber" in values:
        # Partial match; `*` stands for any one digit (spec parameter description).
        pattern = "".join(r"\d" if char == "*" else re.escape(char) for char in str(values["PhoneNumber"]))
        phone_pattern = re.compile(pattern)

    def wanted(record: dict[str, Any]) -> bool:
        if record["account_sid"] != request.account.sid:
            return False
        if mobile and record["type"] != "mobile":
            return False
        if not values.get("Beta", True) and record["beta"]:
            return False
        if "FriendlyName" in values and record["friendly_name"] != values["FriendlyName"]:
            return False
        if "Origin" in values and record["origin"] != values["Origin"]:
            return False
        return phone_pattern is None or bool(phone_pattern.search(record["phone_number"]))

    records = [
        render_number(record, mobile=mobile)
        for record in ctx.state["incoming_phone_numbers"]
        if wanted(record)
    ]
    return Reply(200, v2010_page(records, request, values, params.LIST_NUMBERS, "incoming_phone_numbers"))


def _owned_by_sid(ctx: Context, request: Request) -> dict[str, Any]:
    sid = request.path_params["Sid"]
    for record in ctx.state["incoming_phone_numbers"]:
        if record["sid"] == sid and record["account_sid"] == request.account.sid:
            return record
    raise errors.not_found(request.path)


def fetch_number(ctx: Context, request: Request) -> Reply:
    return Reply(200, render_number(_owned_by_sid(ctx, request), mobile=False))


def update_number(ctx: Context, request: Request) -> Reply:
    record = _owned_by_sid(ctx, request)
    values = params.parse(request.form, params.UPDATE_NUMBER)
    target = values.pop("AccountSid", request.account.sid) or request.account.sid
    if target != request.account.sid:
        # Moving a number needs a subaccount of this account; the sandbox has none.
        raise errors.invalid_parameter(
            "AccountSid", f"{target} is not a subaccount of {request.account.sid}."
        )
    updated = dict(record)
    apply_settings(ctx, request, updated, values, at_purchase=False)
    record.update(updated)
    ctx.mark_changed()
    return Reply(200, render_number(record, mobile=False))


def delete_number(ctx: Context, request: Request) -> Reply:
    record = _owned_by_sid(ctx, request)
    ctx.state["incoming_phone_numbers"].remove(record)
    # Released numbers do not go back on sale: Twilio may not sell them again (21422).
    ctx.state["released_numbers"].append(record["phone_number"])
    ctx.mark_changed()
    return Reply(204)


# --- Addresses --------------------------------------------------------------------


def list_addresses(ctx: Context, request: Request) -> Reply:
    values = params.parse(request.query, params.LIST_ADDRESSES)
    exact_filters = {
        "CustomerName": "customer_name",
        "FriendlyName": "friendly_name",
        "EmergencyEnabled": "emergency_enabled",
        "IsoCountry": "iso_country",
    }

    def wanted(record: dict[str, Any]) -> bool:
        return record["account_sid"] == request.account.sid and all(
            record[field] == values[name] for name, field in exact_filters.items() if name in values
        )

    records = [render_address(record) for record in ctx.state["addresses"] if wanted(record)]
    return Reply(200, v2010_page(records, request, values, params.LIST_ADDRESSES, "addresses"))


def create_address(ctx: Context, request: Request) -> Reply:
    values = params.parse(request.form, params.CREATE_ADDRESS)
    iso_country = str(values["IsoCountry"])
    if not re.fullmatch(r"[A-Z]{2}", iso_country):
        raise errors.invalid_parameter(
            "IsoCountry", f"Expected an ISO 3166-1 alpha-2 code like GB, got '{iso_country}'."
        )
    ctx.state["address_count"] += 1
    stamp = ctx.now.isoformat()
    record = {
        "sid": make_sid("AD", request.account.sid, "api", str(ctx.state["address_count"])),
        "account_sid": request.account.sid,
        "customer_name": values["CustomerName"],
        "friendly_name": values.get("FriendlyName"),
        "street": values["Street"],
        "street_secondary": values.get("StreetSecondary"),
        "city": values["City"],
        "region": values["Region"],
        "postal_code": values["PostalCode"],
        "iso_country": iso_country,
        "emergency_enabled": values.get("EmergencyEnabled", False),
        # Twilio validates addresses after creation; the spec's create example answers
        # validated/verified false, and the sandbox never runs that validation.
        "validated": False,
        "verified": False,
        "date_created": stamp,
        "date_updated": stamp,
    }
    ctx.state["addresses"].append(record)
    ctx.mark_changed()
    return Reply(201, render_address(record))
