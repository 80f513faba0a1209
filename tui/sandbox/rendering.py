"""JSON renderings of stored v2010 records (dates in RFC 2822, relative `uri`s)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tui.sandbox.formats import rfc2822

# The 34 fields of an IncomingPhoneNumber as the Mobile endpoints return it; the
# generic endpoints add `type`.
MOBILE_NUMBER_FIELDS = (
    "account_sid", "address_sid", "address_requirements", "api_version", "beta",
    "capabilities", "date_created", "date_updated", "friendly_name", "identity_sid",
    "phone_number", "origin", "sid", "sms_application_sid", "sms_fallback_method",
    "sms_fallback_url", "sms_method", "sms_url", "status_callback",
    "status_callback_method", "trunk_sid", "uri", "voice_receive_mode",
    "voice_application_sid", "voice_caller_id_lookup", "voice_fallback_method",
    "voice_fallback_url", "voice_method", "voice_url", "emergency_status",
    "emergency_address_sid", "emergency_address_status", "bundle_sid", "status",
)  # fmt: skip
NUMBER_FIELDS = (*MOBILE_NUMBER_FIELDS, "type")


def account_path(account_sid: str) -> str:
    return f"/2010-04-01/Accounts/{account_sid}"


def render_number(record: dict[str, Any], *, mobile: bool) -> dict[str, Any]:
    rendered = dict(record)
    rendered["date_created"] = rfc2822(datetime.fromisoformat(record["date_created"]))
    rendered["date_updated"] = rfc2822(datetime.fromisoformat(record["date_updated"]))
    owner = account_path(record["account_sid"])
    rendered["uri"] = f"{owner}/IncomingPhoneNumbers/{record['sid']}.json"
    fields = MOBILE_NUMBER_FIELDS if mobile else NUMBER_FIELDS
    return {name: rendered[name] for name in fields}


def render_address(record: dict[str, Any]) -> dict[str, Any]:
    rendered = dict(record)
    rendered["date_created"] = rfc2822(datetime.fromisoformat(record["date_created"]))
    rendered["date_updated"] = rfc2822(datetime.fromisoformat(record["date_updated"]))
    rendered["uri"] = f"{account_path(record['account_sid'])}/Addresses/{record['sid']}.json"
    return rendered


def render_application(record: dict[str, Any]) -> dict[str, Any]:
    rendered = dict(record)
    rendered["date_created"] = rfc2822(datetime.fromisoformat(record["date_created"]))
    rendered["date_updated"] = rfc2822(datetime.fromisoformat(record["date_updated"]))
    rendered["uri"] = f"{account_path(record['account_sid'])}/Applications/{record['sid']}.json"
    return rendered
