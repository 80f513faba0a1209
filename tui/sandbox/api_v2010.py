"""api.twilio.com/2010-04-01: accounts, available numbers, owned numbers, addresses.

Purchases (CreateIncomingPhoneNumber*) live in purchase.py.
"""

from __future__ import annotations

import functools
import json
import re
from datetime import datetime
from typing import Any

from tui.sandbox import errors, params, seed
from tui.sandbox.accounts import ACCOUNTS, SandboxAccount
from tui.sandbox.contains import compile_contains, matches
from tui.sandbox.context import Context, EncodedJson, Reply, Request
from tui.sandbox.errors import TwilioApiError
from tui.sandbox.formats import make_sid, rfc2822
from tui.sandbox.paging import v2010_page
from tui.sandbox.purchase import EMERGENCY_COUNTRIES, apply_settings
from tui.sandbox.rendering import account_path, render_address, render_application, render_number
from tui.sandbox.state import new_application_record

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
    return Reply(200, account_json(request.account))


@functools.cache
def account_json(account: SandboxAccount) -> EncodedJson:
    """An account's answer, the same every time (accounts and their dates are fixed):
    rendered and encoded once."""
    return EncodedJson(json.dumps(render_account(account)).encode())


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
    rows = list(seed.COUNTRIES)[: params.int_value(values, "PageSize", 50)]
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
    if "Distance" in values and not 0 <= params.int_value(values, "Distance", 0) <= 500:
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
    found = found[: params.int_value(values, "PageSize", 50)]
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
    return ctx.own_record("incoming_phone_numbers", request)


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
    if record["emergency_address_sid"]:
        # "The emergency address must be removed before a number is released" (https://support.
        # twilio.com/hc/en-us/articles/223183028); Twilio documents no code for this refusal.
        raise TwilioApiError(
            400,
            None,
            f"Phone Number {record['phone_number']} has an emergency address "
            f"({record['emergency_address_sid']}): remove it (update with "
            "EmergencyAddressSid='') before releasing the number.",
        )
    ctx.state["incoming_phone_numbers"].remove(record)
    # A released number leaves the Messaging Services it was in.
    ctx.state["messaging_service_numbers"] = [
        entry for entry in ctx.state["messaging_service_numbers"] if entry["sid"] != record["sid"]
    ]
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

    def same(name: str, actual: Any) -> bool:
        # Twilio's own guides query IsoCountry in lower case (https://twilio.com/docs/phone-numbers/
        # regulatory/reading-regulations-for-the-uk-bundle).
        if name == "IsoCountry":
            return str(actual).casefold() == str(values[name]).casefold()
        return actual == values[name]

    def wanted(record: dict[str, Any]) -> bool:
        return record["account_sid"] == request.account.sid and all(
            same(name, record[field]) for name, field in exact_filters.items() if name in values
        )

    records = [render_address(record) for record in ctx.state["addresses"] if wanted(record)]
    return Reply(200, v2010_page(records, request, values, params.LIST_ADDRESSES, "addresses"))


# Twilio validates new addresses "in some countries, to comply with local regulations":
# one that fails is refused with 21628; one that is close to a valid address is created
# as corrected, or, with AutoCorrectAddress=false, refused with the suggestion in 21629
# (https://www.twilio.com/docs/usage/api/address). Twilio publishes neither the list
# of countries nor its reference data, so the sandbox's stand-in is the postal-code
# format of the countries it sells numbers in (plus the US and Canada): a code of the
# right shape validates, one that only needs its letters or spacing put right is
# corrected, anything else fails. Addresses elsewhere are created unvalidated.
POSTAL_CODE_FORMATS: dict[str, tuple[re.Pattern[str], str]] = {
    # country: (the code's parts, with spaces and case ignored; how they are joined)
    "AU": (re.compile(r"(\d{4})"), "{0}"),
    "BR": (re.compile(r"(\d{5})-?(\d{3})"), "{0}-{1}"),
    "CA": (re.compile(r"([A-Z]\d[A-Z])(\d[A-Z]\d)"), "{0} {1}"),
    "DE": (re.compile(r"(\d{5})"), "{0}"),
    "GB": (re.compile(r"([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})"), "{0} {1}"),
    "NL": (re.compile(r"(\d{4})([A-Z]{2})"), "{0} {1}"),
    "SE": (re.compile(r"(\d{3})(\d{2})"), "{0} {1}"),
    "US": (re.compile(r"(\d{5})(?:-?(\d{4}))?"), "{0}"),
}


def _tidy(text: str) -> str:
    return " ".join(text.split())


def _validated_postal_code(iso_country: str, postal_code: str) -> str | None:
    """The postal code as the country writes it, or None when it cannot be one."""
    pattern, layout = POSTAL_CODE_FORMATS[iso_country]
    match = pattern.fullmatch(re.sub(r"\s+", "", postal_code).upper())
    if match is None:
        return None
    if iso_country == "US" and match.group(2):
        return f"{match.group(1)}-{match.group(2)}"
    return layout.format(*match.groups())


def create_address(ctx: Context, request: Request) -> Reply:
    values = params.parse(request.form, params.CREATE_ADDRESS)
    iso_country = str(values["IsoCountry"])
    if not re.fullmatch(r"[A-Z]{2}", iso_country):
        raise errors.invalid_parameter(
            "IsoCountry", f"Expected an ISO 3166-1 alpha-2 code like GB, got '{iso_country}'."
        )
    emergency_enabled = values.get("EmergencyEnabled", False)
    if emergency_enabled and iso_country not in EMERGENCY_COUNTRIES:
        raise errors.invalid_parameter(
            "EmergencyEnabled",
            f"Emergency calling is offered in {', '.join(EMERGENCY_COUNTRIES)} only, not in {iso_country}.",
        )
    given = {name: str(values[name]) for name in ("Street", "City", "Region", "PostalCode")}
    for name, value in given.items():
        if not value.strip():
            raise errors.invalid_parameter(name, f"{name} cannot be empty.")
    validated = False
    corrected = dict(given)
    if iso_country in POSTAL_CODE_FORMATS:
        postal_code = _validated_postal_code(iso_country, given["PostalCode"])
        if postal_code is None:
            raise TwilioApiError(
                400,
                errors.ADDRESS_NOT_VALIDATED,
                f"Unable to create record: the address could not be validated: '{given['PostalCode']}' "
                f"is not a postal code in {iso_country}.",
            )
        corrected = {name: _tidy(value) for name, value in given.items()}
        corrected["PostalCode"] = postal_code
        validated = True
        if corrected != given and values.get("AutoCorrectAddress") is False:
            suggestion = ", ".join(corrected[name] for name in ("Street", "City", "Region", "PostalCode"))
            raise TwilioApiError(
                400,
                errors.ADDRESS_SUGGESTED,
                "Unable to create record: the address could not be validated as given. "
                f"Suggested address: {suggestion}, {iso_country}.",
            )
    ctx.state["address_count"] += 1
    stamp = ctx.now.isoformat()
    record = {
        "sid": make_sid("AD", request.account.sid, "api", str(ctx.state["address_count"])),
        "account_sid": request.account.sid,
        "customer_name": values["CustomerName"],
        "friendly_name": values.get("FriendlyName"),
        "street": corrected["Street"],
        "street_secondary": values.get("StreetSecondary"),
        "city": corrected["City"],
        "region": corrected["Region"],
        "postal_code": corrected["PostalCode"],
        "iso_country": iso_country,
        "emergency_enabled": emergency_enabled,
        "validated": validated,
        # Verification (that the address is the customer's, for regulation) is a
        # review that takes time: never done when the address is created.
        "verified": False,
        "date_created": stamp,
        "date_updated": stamp,
    }
    ctx.state["addresses"].append(record)
    ctx.mark_changed()
    return Reply(201, render_address(record))


def _own_address(ctx: Context, request: Request) -> dict[str, Any]:
    return ctx.own_record("addresses", request)


def fetch_address(ctx: Context, request: Request) -> Reply:
    return Reply(200, render_address(_own_address(ctx, request)))


ADDRESS_FIELDS = {
    "FriendlyName": "friendly_name",
    "CustomerName": "customer_name",
    "Street": "street",
    "StreetSecondary": "street_secondary",
    "City": "city",
    "Region": "region",
    "PostalCode": "postal_code",
    "EmergencyEnabled": "emergency_enabled",
}


def _numbers_using(ctx: Context, address_sid: str, fields: tuple[str, ...]) -> list[str]:
    return [
        record["phone_number"]
        for record in ctx.state["incoming_phone_numbers"]
        if any(record[field] == address_sid for field in fields)
    ]


def update_address(ctx: Context, request: Request) -> Reply:
    record = _own_address(ctx, request)
    values = params.parse(request.form, params.UPDATE_ADDRESS)
    if values.get("EmergencyEnabled") and record["iso_country"] not in EMERGENCY_COUNTRIES:
        raise errors.invalid_parameter(
            "EmergencyEnabled",
            f"Emergency calling is offered in {', '.join(EMERGENCY_COUNTRIES)} only, "
            f"not in {record['iso_country']}.",
        )
    if values.get("EmergencyEnabled") is False:
        using = _numbers_using(ctx, record["sid"], ("emergency_address_sid",))
        if using:
            raise errors.invalid_parameter(
                "EmergencyEnabled",
                f"Address {record['sid']} is the emergency address of {', '.join(using)}: "
                "remove it from the numbers first.",
            )
    for name, field in ADDRESS_FIELDS.items():
        if name in values:
            record[field] = values[name]
    record["date_updated"] = ctx.now.isoformat()
    ctx.mark_changed()
    return Reply(200, render_address(record))


def delete_address(ctx: Context, request: Request) -> Reply:
    record = _own_address(ctx, request)
    using = _numbers_using(ctx, record["sid"], ("address_sid", "emergency_address_sid"))
    if using:
        # Twilio documents no code for this refusal.
        raise TwilioApiError(
            400,
            None,
            f"Address {record['sid']} is in use by {', '.join(using)}: give those numbers another "
            "address first.",
        )
    ctx.state["addresses"].remove(record)
    ctx.mark_changed()
    return Reply(204)


# --- Applications (TwiML apps a number's voice or SMS can point at) ---------------------

APPLICATION_FIELDS = {
    "ApiVersion": "api_version",
    "FriendlyName": "friendly_name",
    "MessageStatusCallback": "message_status_callback",
    "PublicApplicationConnectEnabled": "public_application_connect_enabled",
    "SmsFallbackMethod": "sms_fallback_method",
    "SmsFallbackUrl": "sms_fallback_url",
    "SmsMethod": "sms_method",
    "SmsStatusCallback": "sms_status_callback",
    "SmsUrl": "sms_url",
    "StatusCallback": "status_callback",
    "StatusCallbackMethod": "status_callback_method",
    "VoiceCallerIdLookup": "voice_caller_id_lookup",
    "VoiceFallbackMethod": "voice_fallback_method",
    "VoiceFallbackUrl": "voice_fallback_url",
    "VoiceMethod": "voice_method",
    "VoiceUrl": "voice_url",
}


def _application_settings(request: Request) -> dict[str, Any]:
    values = params.parse(request.form, params.APPLICATION_SETTINGS)
    settings = {}
    for name, field in APPLICATION_FIELDS.items():
        if name in values:
            value = values[name]
            # An empty URL clears it, as on numbers.
            settings[field] = None if value == "" and field.endswith(("_url", "callback")) else value
    return settings


def _own_application(ctx: Context, request: Request) -> dict[str, Any]:
    return ctx.own_record("applications", request)


def list_applications(ctx: Context, request: Request) -> Reply:
    values = params.parse(request.query, params.LIST_APPLICATIONS)
    records = [
        render_application(record)
        for record in ctx.state["applications"]
        if record["account_sid"] == request.account.sid
        and ("FriendlyName" not in values or record["friendly_name"] == values["FriendlyName"])
    ]
    return Reply(200, v2010_page(records, request, values, params.LIST_APPLICATIONS, "applications"))


def create_application(ctx: Context, request: Request) -> Reply:
    settings = _application_settings(request)
    ctx.state["created_count"] += 1
    sid = make_sid("AP", request.account.sid, "api", str(ctx.state["created_count"]))
    record = new_application_record(request.account.sid, sid, settings, now=ctx.now)
    ctx.state["applications"].append(record)
    ctx.mark_changed()
    return Reply(201, render_application(record))


def fetch_application(ctx: Context, request: Request) -> Reply:
    return Reply(200, render_application(_own_application(ctx, request)))


def update_application(ctx: Context, request: Request) -> Reply:
    record = _own_application(ctx, request)
    record.update(_application_settings(request))
    record["date_updated"] = ctx.now.isoformat()
    ctx.mark_changed()
    return Reply(200, render_application(record))


def delete_application(ctx: Context, request: Request) -> Reply:
    record = _own_application(ctx, request)
    ctx.state["applications"].remove(record)
    # Numbers pointing at it fall back to their URLs.
    for number in ctx.state["incoming_phone_numbers"]:
        for field in ("voice_application_sid", "sms_application_sid"):
            if number[field] == record["sid"]:
                number[field] = None
    ctx.mark_changed()
    return Reply(204)
