"""Buying a number: CreateIncomingPhoneNumber and CreateIncomingPhoneNumberMobile.

Checks run in this order; the first that fails answers:

 1. form fields by the spec's requestBody schema, PhoneNumber first: missing -> 21421,
    not E.164 -> 21421; then SID patterns, GET/POST, enums, booleans, URLs (80701,
    21403, 21402). The generic endpoint takes AreaCode instead of PhoneNumber.
 2. with test credentials only, Twilio's magic numbers (https://www.twilio.com/docs/iam/test-credentials):
    +15005550000 -> 21422, +15005550001 -> 21421, +15005550006 -> "bought" (201, nothing
    kept on any account); AreaCode 500 -> +15005550006, 533 -> 21452. With live
    credentials they are ordinary numbers, which Twilio does not sell (21422).
 3. a number `phonenumbers` deems invalid -> 21421.
 4. already owned by this account -> 201 with the resource updated by the request
    (a re-POST acts as an update; docs/twilio-api.md#repeats-timeouts-and-retries).
 5. not on sale (owned by another account, released, or never Twilio's) -> 21422.
 6. address: required but no AddressSid -> 21631; AddressSid not this account's ->
    21631; `local` but the address is in another country -> 21631 with the wording
    Twilio was observed to use ("... to satisfy Local Address requirement"); `foreign`
    but the address is in the number's country -> 21631.
 7. bundle, where a Regulation exists for (country, mobile): no BundleSid -> 21649;
    BundleSid not this account's, for another country/number type, or not
    twilio-approved -> 21649 saying which.
 8. a trial account that already owns a number -> 21404.
 9. SmsFallbackUrl without SmsUrl -> 21406.

`EmergencyStatus` is validated (it is in the spec) but ignored, as Twilio has ignored it
since 2021-10-06; `EmergencyAddressSid` is ignored at purchase and applied by an update
(twilio-node#706). Regulatory checks come before the trial limit so that a trial user
learns what a country needs even before upgrading.
"""

from __future__ import annotations

import re
from typing import Any

import phonenumbers

from tui.sandbox import errors, params
from tui.sandbox.accounts import AccountType
from tui.sandbox.context import Context, Reply, Request
from tui.sandbox.errors import TwilioApiError
from tui.sandbox.numbers_v2 import bundle_required, regulation_by_sid
from tui.sandbox.rendering import render_number
from tui.sandbox.state import new_number_record

MAGIC_AVAILABLE = "+15005550006"
MAGIC_UNAVAILABLE = "+15005550000"
MAGIC_INVALID = "+15005550001"
MAGIC_AREA_CODE_AVAILABLE = "500"
MAGIC_AREA_CODE_EMPTY = "533"
MAGIC_CAPABILITIES = {"voice": True, "sms": True, "mms": True, "fax": False}

API_VERSIONS = ("2010-04-01", "2008-08-01")

# The sandbox stocks only mobile numbers: the wizard buys nothing else.
STOCKED_NUMBER_TYPE = "mobile"

# Request parameter -> resource field, for the settings a purchase or update copies.
SETTING_FIELDS = {
    "ApiVersion": "api_version",
    "FriendlyName": "friendly_name",
    "SmsApplicationSid": "sms_application_sid",
    "SmsFallbackMethod": "sms_fallback_method",
    "SmsFallbackUrl": "sms_fallback_url",
    "SmsMethod": "sms_method",
    "SmsUrl": "sms_url",
    "StatusCallback": "status_callback",
    "StatusCallbackMethod": "status_callback_method",
    "VoiceCallerIdLookup": "voice_caller_id_lookup",
    "VoiceFallbackMethod": "voice_fallback_method",
    "VoiceFallbackUrl": "voice_fallback_url",
    "VoiceMethod": "voice_method",
    "VoiceUrl": "voice_url",
    "IdentitySid": "identity_sid",
    "AddressSid": "address_sid",
    "VoiceReceiveMode": "voice_receive_mode",
    "BundleSid": "bundle_sid",
    # Applied last and in this order: a trunk and a voice application clear each
    # other, and when a request sets both the trunk wins (it overrides all voice
    # routing, docs/twilio-api.md#buying-a-mobile-number).
    "VoiceApplicationSid": "voice_application_sid",
    "TrunkSid": "trunk_sid",
}


def create_number(ctx: Context, request: Request, *, mobile_endpoint: bool) -> Reply:
    accepted = params.CREATE_MOBILE_NUMBER if mobile_endpoint else params.CREATE_NUMBER
    values = params.parse(request.form, accepted)
    _check_api_version(values)
    given_number = params.text_value(values, "PhoneNumber")
    area_code = params.text_value(values, "AreaCode")
    values.pop("PhoneNumber", None)
    values.pop("AreaCode", None)
    test_credentials = request.account.is_test_account
    phone_number = (
        given_number
        if given_number is not None
        else _number_for_area_code(area_code, test_credentials=test_credentials)
    )
    number_type = "mobile" if mobile_endpoint else "local"

    if test_credentials and phone_number == MAGIC_UNAVAILABLE:
        raise _not_available(phone_number)
    if test_credentials and phone_number == MAGIC_INVALID:
        raise TwilioApiError(400, errors.PHONE_NUMBER_INVALID, "Phone Number is invalid")
    if test_credentials and phone_number == MAGIC_AVAILABLE:
        # "Bought": the answer of a purchase, and nothing changes on any account.
        record = new_number_record(
            request.account.sid,
            phone_number,
            number_type=number_type,
            capabilities=MAGIC_CAPABILITIES,
            address_requirements="none",
            beta=False,
            now=ctx.now,
        )
        apply_settings(ctx, request, record, values, at_purchase=True)
        return Reply(201, render_number(record, mobile=mobile_endpoint))
    if not _is_valid_number(phone_number):
        raise TwilioApiError(400, errors.PHONE_NUMBER_INVALID, f"PhoneNumber {phone_number} is invalid")

    owned = find_owned_number(ctx, request.account.sid, phone_number)
    if owned is not None:
        updated = dict(owned)
        apply_settings(ctx, request, updated, values, at_purchase=False)
        owned.update(updated)
        ctx.mark_changed()
        return Reply(201, render_number(owned, mobile=mobile_endpoint))

    for_sale = _for_sale(ctx, phone_number)
    if for_sale is None:
        raise _not_available(phone_number)
    _check_address(ctx, request, for_sale, values)
    _check_bundle(ctx, request, for_sale, values)
    _check_trial_limit(ctx, request)
    record = new_number_record(
        request.account.sid,
        phone_number,
        number_type=STOCKED_NUMBER_TYPE,
        capabilities=for_sale["capabilities"],
        address_requirements=for_sale["address_requirements"],
        beta=for_sale["beta"],
        now=ctx.now,
    )
    apply_settings(ctx, request, record, values, at_purchase=True)
    _commit(ctx, request, record, for_sale=for_sale)
    return Reply(201, render_number(record, mobile=mobile_endpoint))


def apply_settings(
    ctx: Context,
    request: Request,
    record: dict[str, Any],
    values: dict[str, Any],
    *,
    at_purchase: bool,
) -> None:
    """Copy the request's settings onto `record`, or raise without having changed it."""
    _check_api_version(values)
    for name, field in SETTING_FIELDS.items():
        if name not in values:
            continue
        value = values[name]
        if field.endswith("_sid") and value == "":
            value = None
        if name in ("AddressSid", "BundleSid") and value and not at_purchase:
            _require_own(ctx, request, name, value)
        record[field] = value
        if name == "VoiceApplicationSid" and value:
            record["trunk_sid"] = None
        if name == "TrunkSid" and value:
            record["voice_application_sid"] = None
    if "EmergencyAddressSid" in values and not at_purchase:
        # At purchase Twilio ignores EmergencyAddressSid and applies it only on a later
        # update (twilio-node#706); the sandbox does the same so clients notice.
        _set_emergency_address(ctx, request, record, values["EmergencyAddressSid"] or None)
    if record["sms_fallback_url"] and not record["sms_url"]:
        raise TwilioApiError(
            400,
            errors.SMS_FALLBACK_WITHOUT_SMS_URL,
            "SmsFallbackUrl is only valid with an SmsUrl: set SmsUrl too.",
        )
    record["date_updated"] = ctx.now.isoformat()


# Where Twilio registers emergency addresses (its emergency calling API pages: the US,
# Canada and the UK).
EMERGENCY_COUNTRIES = ("US", "CA", "GB")


def _set_emergency_address(
    ctx: Context, request: Request, record: dict[str, Any], address_sid: str | None
) -> None:
    """Attach (or with None, remove) the number's emergency address.

    The address must be this account's, emergency-enabled and in the number's country,
    which must be one where Twilio offers emergency calling. Registration then starts
    `pending-registration` (Twilio's statuses; the sandbox never completes it).
    """
    if address_sid is None:
        record["emergency_address_sid"] = None
        record["emergency_address_status"] = "unregistered"
        record["emergency_status"] = "Inactive"
        return
    address = _own_address(ctx, request, address_sid)
    if address is None:
        raise TwilioApiError(400, errors.ADDRESS_REQUIRED, f"Could not find Address with sid {address_sid}")
    if not address["emergency_enabled"]:
        raise errors.invalid_parameter(
            "EmergencyAddressSid",
            f"Address {address_sid} is not emergency-enabled: create one with EmergencyEnabled=true.",
        )
    country = number_country(record["phone_number"])
    if country not in EMERGENCY_COUNTRIES:
        raise errors.invalid_parameter(
            "EmergencyAddressSid",
            f"Emergency calling is not offered for numbers in {country or 'this country'}: "
            f"only in {', '.join(EMERGENCY_COUNTRIES)}.",
        )
    if address["iso_country"].upper() != country:
        raise errors.invalid_parameter(
            "EmergencyAddressSid",
            f"Address {address_sid} is in {address['iso_country']}; the emergency address of "
            f"a number in {country} must be in {country}.",
        )
    record["emergency_address_sid"] = address_sid
    record["emergency_address_status"] = "pending-registration"
    # The status follows the address, not the EmergencyStatus parameter Twilio ignores.
    record["emergency_status"] = "Active"


def number_country(phone_number: str) -> str | None:
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(phone_number))
    except phonenumbers.NumberParseException:
        return None


def find_owned_number(ctx: Context, account_sid: str, phone_number: str) -> dict[str, Any] | None:
    for record in ctx.state["incoming_phone_numbers"]:
        if record["account_sid"] == account_sid and record["phone_number"] == phone_number:
            return record
    return None


def _commit(
    ctx: Context, request: Request, record: dict[str, Any], *, for_sale: dict[str, Any] | None
) -> None:
    # Test credentials validate like live ones but change nothing
    # (docs/twilio-api.md#test-credentials-and-magic-numbers).
    if request.account.is_test_account:
        return
    ctx.state["incoming_phone_numbers"].append(record)
    if for_sale is not None:
        ctx.state["inventory"].remove(for_sale)
    ctx.mark_changed()


def _check_api_version(values: dict[str, Any]) -> None:
    if "ApiVersion" in values and values["ApiVersion"] not in API_VERSIONS:
        raise errors.invalid_parameter(
            "ApiVersion", f"Expected {' or '.join(API_VERSIONS)}, got '{values['ApiVersion']}'."
        )


def _number_for_area_code(area_code: str | None, *, test_credentials: bool) -> str:
    if area_code is None:
        raise TwilioApiError(400, errors.PHONE_NUMBER_INVALID, "A 'PhoneNumber' or 'AreaCode' is required.")
    if not re.fullmatch(r"[2-9]\d\d", area_code):
        raise TwilioApiError(400, errors.INVALID_AREA_CODE, f"AreaCode {area_code} is invalid")
    if test_credentials and area_code == MAGIC_AREA_CODE_AVAILABLE:
        return MAGIC_AVAILABLE
    # Area codes are US/CA only and the sandbox stocks no US/CA numbers: 533 (Twilio's
    # magic "no numbers" area code) and every other area code find nothing.
    raise TwilioApiError(
        400, errors.NO_NUMBERS_IN_AREA_CODE, f"No phone numbers found in area code {area_code}"
    )


def _is_valid_number(phone_number: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(phone_number))
    except phonenumbers.NumberParseException:
        return False


def _not_available(phone_number: str) -> TwilioApiError:
    return TwilioApiError(
        400, errors.PHONE_NUMBER_NOT_AVAILABLE, f"PhoneNumber {phone_number} is not available."
    )


def _for_sale(ctx: Context, phone_number: str) -> dict[str, Any] | None:
    for item in ctx.state["inventory"]:
        if item["phone_number"] == phone_number:
            return item
    return None


def _own_address(ctx: Context, request: Request, sid: str) -> dict[str, Any] | None:
    for address in ctx.state["addresses"]:
        if address["sid"] == sid and address["account_sid"] == request.account.sid:
            return address
    return None


def _own_bundle(ctx: Context, request: Request, sid: str) -> dict[str, Any] | None:
    for bundle in ctx.state["bundles"]:
        if bundle["sid"] == sid and bundle["account_sid"] == request.account.sid:
            return bundle
    return None


def _require_own(ctx: Context, request: Request, name: str, sid: str) -> None:
    if name == "BundleSid":
        if _own_bundle(ctx, request, sid) is None:
            raise TwilioApiError(400, errors.BUNDLE_REQUIRED, f"Could not find Bundle with sid {sid}")
    elif _own_address(ctx, request, sid) is None:
        raise TwilioApiError(400, errors.ADDRESS_REQUIRED, f"Could not find Address with sid {sid}")


def _check_address(ctx: Context, request: Request, for_sale: dict[str, Any], values: dict[str, Any]) -> None:
    requirement = for_sale["address_requirements"]
    country = for_sale["iso_country"]
    phone_number = for_sale["phone_number"]
    label = requirement.title()
    address_sid = values.get("AddressSid") or None
    if address_sid is None:
        if requirement != "none":
            raise TwilioApiError(
                400,
                errors.ADDRESS_REQUIRED,
                f"Phone Number {phone_number} requires an Address to satisfy {label} Address "
                "requirement: pass an AddressSid.",
            )
        return
    address = _own_address(ctx, request, address_sid)
    if address is None:
        suffix = "" if requirement == "none" else f" to satisfy {label} Address requirement"
        raise TwilioApiError(
            400, errors.ADDRESS_REQUIRED, f"Could not find Address with sid {address_sid}{suffix}"
        )
    if requirement == "local" and address["iso_country"] != country:
        # Observed live (third-party report): this wording, HTTP 400; the causes listed at
        # https://twilio.com/docs/api/errors/21631 cover it.
        raise TwilioApiError(
            400,
            errors.ADDRESS_REQUIRED,
            f"Could not find Address with sid {address_sid} for account {request.account.sid} "
            "to satisfy Local Address requirement",
        )
    if requirement == "foreign" and address["iso_country"] == country:
        raise TwilioApiError(
            400,
            errors.ADDRESS_REQUIRED,
            f"Could not find Address with sid {address_sid} to satisfy Foreign Address "
            f"requirement: the address is in {country}, the number's own country.",
        )


def _check_bundle(ctx: Context, request: Request, for_sale: dict[str, Any], values: dict[str, Any]) -> None:
    country = for_sale["iso_country"]
    number_type = STOCKED_NUMBER_TYPE
    where = f"country: [{country}] and numberType: [{number_type.upper()}]"
    bundle_sid = values.get("BundleSid") or None
    if bundle_sid is None:
        if bundle_required(country, number_type):
            raise TwilioApiError(400, errors.BUNDLE_REQUIRED, f"Bundle required and not provided for {where}")
        return
    bundle = _own_bundle(ctx, request, bundle_sid)
    if bundle is None:
        raise TwilioApiError(
            400,
            errors.BUNDLE_REQUIRED,
            f"Could not find Bundle with sid {bundle_sid}; a twilio-approved Bundle is required for {where}",
        )
    regulation = regulation_by_sid(bundle["regulation_sid"])
    if regulation is None or (regulation.iso_country, regulation.number_type) != (
        country,
        number_type,
    ):
        bundle_for = (
            f"country: [{regulation.iso_country}] and numberType: [{regulation.number_type.upper()}]"
            if regulation
            else "another regulation"
        )
        raise TwilioApiError(
            400,
            errors.BUNDLE_REQUIRED,
            f"Bundle {bundle_sid} is for {bundle_for}, not for {where}",
        )
    if bundle["status"] != "twilio-approved":
        raise TwilioApiError(
            400,
            errors.BUNDLE_REQUIRED,
            f"Bundle {bundle_sid} has status {bundle['status']}; only a twilio-approved "
            f"Bundle satisfies {where}",
        )


def _check_trial_limit(ctx: Context, request: Request) -> None:
    if request.account.type is not AccountType.TRIAL:
        return
    if any(record["account_sid"] == request.account.sid for record in ctx.state["incoming_phone_numbers"]):
        raise TwilioApiError(
            400,
            errors.TRIAL_NUMBER_LIMIT,
            "Trial accounts are allowed only one Twilio number. To purchase additional "
            "numbers, please upgrade your account.",
        )
