"""The sandbox's mutable world as one JSON-serialisable dict, and its file persistence.

Layout (dates are ISO 8601 UTC strings; responses format them per API):

    format                  "number-wizard sandbox state" (tells our files from others)
    schema_version          int
    inventory               numbers for sale: phone_number, iso_country, locality,
                            capabilities {voice, sms, mms, fax}, address_requirements, beta
    incoming_phone_numbers  owned numbers of every account, response field names + `type`
    released_numbers        numbers released by DELETE; Twilio may not sell them again
    addresses, bundles      records of every account, response field names
    address_count           how many addresses were created through the API (for SIDs)
    applications, messaging_services, trunks
                            TwiML apps, Messaging Services, SIP trunks of every account
    messaging_service_numbers  which owned number is in which Messaging Service
    created_count           how many apps, services and trunks the API created (for SIDs)
"""

from __future__ import annotations

import copy
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from tui.sandbox import seed
from tui.sandbox.formats import make_sid, national_format

# Version 2 added `format`; version 1 files are read and upgraded on the next save.
SCHEMA_VERSION = 2
STATE_FORMAT = "number-wizard sandbox state"

State = dict[str, Any]


def initial_state() -> State:
    """The seeded world (see tui/sandbox/seed.py)."""
    inventory = [
        {
            "phone_number": row.phone_number,
            "iso_country": iso_country,
            "locality": row.locality,
            "capabilities": {"voice": row.voice, "sms": row.sms, "mms": row.mms, "fax": row.fax},
            "address_requirements": row.address_requirements,
            "beta": row.beta,
        }
        for iso_country, rows in seed.MOBILE_INVENTORY.items()
        for row in rows
    ]
    owned = []
    for row in seed.ALREADY_OWNED_NUMBERS:
        record = new_number_record(
            row.account_sid,
            row.phone_number,
            number_type="mobile",
            capabilities={"voice": row.voice, "sms": row.sms, "mms": row.mms, "fax": row.fax},
            address_requirements=row.address_requirements,
            beta=False,
            now=seed.SEED_DATE,
        )
        if row.friendly_name:
            record["friendly_name"] = row.friendly_name
        if row.bundle_key:
            record["bundle_sid"] = seed.bundle_sid(row.bundle_key, row.account_sid)
        record["sms_url"] = row.sms_url
        owned.append(record)
    created = seed.SEED_DATE.isoformat()
    addresses = [
        {
            "sid": seed.address_sid(row.key),
            "account_sid": seed.MAIN_ACCOUNT_SID,
            "customer_name": row.customer_name,
            "friendly_name": row.friendly_name,
            "street": row.street,
            "street_secondary": None,
            "city": row.city,
            "region": row.region,
            "postal_code": row.postal_code,
            "iso_country": row.iso_country,
            "emergency_enabled": row.emergency_enabled,
            "validated": row.validated,
            "verified": row.verified,
            "date_created": created,
            "date_updated": created,
        }
        for row in seed.MAIN_ACCOUNT_ADDRESSES
    ]
    bundles = [
        {
            "sid": seed.bundle_sid(row.key),
            "account_sid": seed.MAIN_ACCOUNT_SID,
            "regulation_sid": seed.regulation_sid(row.iso_country, row.number_type, row.end_user_type),
            "friendly_name": row.friendly_name,
            "status": row.status,
            "email": "compliance@example.com",
            "status_callback": None,
            "valid_until": row.valid_until.isoformat() if row.valid_until else None,
            "date_created": created,
            "date_updated": created,
        }
        for row in seed.MAIN_ACCOUNT_BUNDLES
    ]
    applications = [
        new_application_record(
            seed.MAIN_ACCOUNT_SID,
            seed.application_sid(row.key),
            {
                "friendly_name": row.friendly_name,
                "voice_url": row.voice_url,
                "voice_method": row.voice_method,
                "sms_url": row.sms_url,
                "sms_method": row.sms_method,
            },
            now=seed.SEED_DATE,
        )
        for row in seed.MAIN_ACCOUNT_APPLICATIONS
    ]
    services = [
        new_messaging_service_record(
            seed.MAIN_ACCOUNT_SID,
            seed.messaging_service_sid(row.key),
            {
                "friendly_name": row.friendly_name,
                "inbound_request_url": row.inbound_request_url,
                "use_inbound_webhook_on_number": row.use_inbound_webhook_on_number,
            },
            now=seed.SEED_DATE,
        )
        for row in seed.MAIN_ACCOUNT_MESSAGING_SERVICES
    ]
    trunks = [
        new_trunk_record(
            seed.MAIN_ACCOUNT_SID,
            seed.trunk_sid(row.key),
            {"friendly_name": row.friendly_name, "domain_name": row.domain_name},
            now=seed.SEED_DATE,
        )
        for row in seed.MAIN_ACCOUNT_TRUNKS
    ]
    return {
        "format": STATE_FORMAT,
        "schema_version": SCHEMA_VERSION,
        "inventory": inventory,
        "incoming_phone_numbers": owned,
        "released_numbers": [],
        "addresses": addresses,
        "bundles": bundles,
        "address_count": 0,
        "applications": applications,
        "messaging_services": services,
        "messaging_service_numbers": [],
        "trunks": trunks,
        "created_count": 0,
    }


def new_application_record(
    account_sid: str, sid: str, settings: dict[str, Any], *, now: datetime
) -> dict[str, Any]:
    """A TwiML application with Twilio's defaults (the spec's example), then `settings`."""
    stamp = now.isoformat()
    return {
        "sid": sid,
        "account_sid": account_sid,
        "api_version": "2010-04-01",
        "friendly_name": None,
        "message_status_callback": None,
        "public_application_connect_enabled": False,
        "sms_fallback_method": "POST",
        "sms_fallback_url": None,
        "sms_method": "POST",
        "sms_status_callback": None,
        "sms_url": None,
        "status_callback": None,
        "status_callback_method": "POST",
        "voice_caller_id_lookup": False,
        "voice_fallback_method": "POST",
        "voice_fallback_url": None,
        "voice_method": "POST",
        "voice_url": None,
        "date_created": stamp,
        "date_updated": stamp,
        **settings,
    }


def new_messaging_service_record(
    account_sid: str, sid: str, settings: dict[str, Any], *, now: datetime
) -> dict[str, Any]:
    """A Messaging Service with the defaults of the spec's example, then `settings`."""
    stamp = now.isoformat()
    return {
        "sid": sid,
        "account_sid": account_sid,
        "friendly_name": None,
        "area_code_geomatch": True,
        "fallback_method": "POST",
        "fallback_to_long_code": True,
        "fallback_url": None,
        "inbound_method": "POST",
        "inbound_request_url": None,
        "mms_converter": True,
        "scan_message_content": "inherit",
        "smart_encoding": False,
        "status_callback": None,
        "sticky_sender": True,
        "synchronous_validation": False,
        "us_app_to_person_registered": False,
        "use_inbound_webhook_on_number": False,
        "usecase": "undeclared",
        "validity_period": 14400,
        "date_created": stamp,
        "date_updated": stamp,
        **settings,
    }


def new_trunk_record(
    account_sid: str, sid: str, settings: dict[str, Any], *, now: datetime
) -> dict[str, Any]:
    """An Elastic SIP trunk with the defaults of the spec's example, then `settings`."""
    stamp = now.isoformat()
    return {
        "sid": sid,
        "account_sid": account_sid,
        "friendly_name": None,
        "domain_name": None,
        "auth_type": "",
        "auth_type_set": [],
        "cnam_lookup_enabled": False,
        "disaster_recovery_method": "POST",
        "disaster_recovery_url": None,
        "recording": {"mode": "do-not-record", "trim": "do-not-trim"},
        "secure": False,
        "symmetric_rtp_enabled": False,
        "transfer_caller_id": "from-transferee",
        "transfer_mode": "disable-all",
        "date_created": stamp,
        "date_updated": stamp,
        **settings,
    }


def new_number_record_fields() -> list[str]:
    """The fields every owned-number record carries."""
    return list(new_number_record(seed.MAIN_ACCOUNT_SID, "+15005550006", number_type="mobile",
                                  capabilities={}, address_requirements="none", beta=False,
                                  now=seed.SEED_DATE))  # fmt: skip


def new_number_record(
    account_sid: str,
    phone_number: str,
    *,
    number_type: str,
    capabilities: dict[str, bool],
    address_requirements: str,
    beta: bool,
    now: datetime,
) -> dict[str, Any]:
    """An owned number with the defaults Twilio applies at purchase
    (docs/twilio-api.md#buying-a-mobile-number).

    Unset URLs follow the spec's example ("" for the SMS URLs and the status callback,
    null for the voice URLs); unset SIDs are null because the spec's SID patterns
    reject "". Clients must treat both as unset.
    """
    sid = make_sid("PN", account_sid, phone_number)
    stamp = now.isoformat()
    return {
        "sid": sid,
        "account_sid": account_sid,
        "phone_number": phone_number,
        "friendly_name": national_format(phone_number),
        "type": number_type,
        "api_version": "2010-04-01",
        "origin": "twilio",
        "status": "in-use",
        "beta": beta,
        "capabilities": dict(capabilities),
        "address_requirements": address_requirements,
        "address_sid": None,
        "identity_sid": None,
        "bundle_sid": None,
        "emergency_status": "Inactive",
        "emergency_address_sid": None,
        "emergency_address_status": "unregistered",
        "trunk_sid": None,
        "sms_application_sid": None,
        "sms_url": "",
        "sms_method": "POST",
        "sms_fallback_url": "",
        "sms_fallback_method": "POST",
        "status_callback": "",
        "status_callback_method": "POST",
        "voice_application_sid": None,
        "voice_url": None,
        "voice_method": "POST",
        "voice_fallback_url": None,
        "voice_fallback_method": "POST",
        "voice_caller_id_lookup": False,
        "voice_receive_mode": "voice",
        "date_created": stamp,
        "date_updated": stamp,
    }


class StateFileError(Exception):
    """A --state file the sandbox cannot use; the message is one line saying why."""


def load_state(path: Path) -> State:
    """The world kept in `path`; StateFileError when it is unreadable, corrupt or not ours.

    Never writes: a file it refuses is left exactly as it was.
    """
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise StateFileError(f"cannot read the sandbox state {path}: {error.strerror or error}") from None
    try:
        state = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise StateFileError(
            f"{path} is not valid JSON (truncated or not a sandbox state file); "
            "move it away or choose another --state file"
        ) from None
    if not isinstance(state, dict) or (
        state.get("format") != STATE_FORMAT and state.get("schema_version") != 1
    ):
        raise StateFileError(
            f"{path} is not a number-wizard sandbox state file; move it away or choose another --state file"
        )
    version = state.get("schema_version")
    if version == 1 and "format" not in state:
        # Written before the file named its format; the layout is the same.
        state = {"format": STATE_FORMAT, **state, "schema_version": SCHEMA_VERSION}
    elif version != SCHEMA_VERSION:
        raise StateFileError(
            f"{path} holds sandbox state of schema version {version!r}, this sandbox reads "
            f"{SCHEMA_VERSION}; move it away to start afresh"
        )
    for name, empty in _ADDED_LATER.items():
        # Kinds of records added since a file was written start empty.
        state.setdefault(name, copy.deepcopy(empty))
    problem = _layout_problem(state)
    if problem:
        raise StateFileError(
            f"{path} is a damaged sandbox state file ({problem}); move it away to start afresh"
        )
    return state


_ADDED_LATER: dict[str, Any] = {
    "applications": [],
    "messaging_services": [],
    "messaging_service_numbers": [],
    "trunks": [],
    "created_count": 0,
}

# What each list's records must carry (a subset of their fields: enough to serve them).
_RECORD_KEYS = {
    "applications": ("sid", "account_sid", "date_created", "date_updated"),
    "messaging_services": ("sid", "account_sid", "date_created", "date_updated"),
    "messaging_service_numbers": ("sid", "service_sid", "account_sid", "date_created"),
    "trunks": ("sid", "account_sid", "date_created", "date_updated"),
    "inventory": ("phone_number", "iso_country", "capabilities", "address_requirements", "beta"),
    "incoming_phone_numbers": tuple(new_number_record_fields()),
    "addresses": ("sid", "account_sid", "iso_country", "emergency_enabled", "date_created", "date_updated"),
    "bundles": ("sid", "account_sid", "regulation_sid", "status", "valid_until", "date_created"),
}


def _layout_problem(state: State) -> str | None:
    for name, keys in _RECORD_KEYS.items():
        records = state.get(name)
        if not isinstance(records, list):
            return f"'{name}' is not a list"
        for index, record in enumerate(records):
            if not isinstance(record, dict):
                return f"{name}[{index}] is not an object"
            missing = [key for key in keys if key not in record]
            if missing:
                return f"{name}[{index}] lacks {', '.join(missing)}"
            if not isinstance(record.get("phone_number", record.get("sid")), str):
                return f"{name}[{index}] has no usable identifier"
    released = state.get("released_numbers")
    if not isinstance(released, list) or not all(isinstance(item, str) for item in released):
        return "'released_numbers' is not a list of numbers"
    for name in ("address_count", "created_count"):
        count = state.get(name)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            return f"'{name}' is not a count"
    return None


def temporary_path(path: Path) -> Path:
    """The one temporary file a save writes before renaming it over `path`.

    A fixed name, not a random one: a save killed half-way leaves at most this file,
    which the next save overwrites and the next start removes, so nothing accumulates.
    """
    return path.with_name(f".{path.name}.tmp")


def save_state(path: Path, state: State) -> None:
    """Write atomically: a crash mid-write leaves the previous file intact."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_path(path)
    try:
        with temporary.open("w", encoding="utf-8") as handle:
            json.dump(state, handle, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_directory(path.parent)


def _sync_directory(directory: Path) -> None:
    # Makes the rename itself durable (POSIX); not possible on every platform.
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
