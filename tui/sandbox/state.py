"""The sandbox's mutable world as one JSON-serialisable dict, and its file persistence.

Layout (dates are ISO 8601 UTC strings; responses format them per API):

    schema_version          int
    inventory               numbers for sale: phone_number, iso_country, locality,
                            capabilities {voice, sms, mms, fax}, address_requirements, beta
    incoming_phone_numbers  owned numbers of every account, response field names + `type`
    released_numbers        numbers released by DELETE; Twilio may not sell them again
    addresses, bundles      records of every account, response field names
    address_count           how many addresses were created through the API (for SIDs)
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from tui.sandbox import seed
from tui.sandbox.formats import make_sid, national_format

SCHEMA_VERSION = 1

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
    return {
        "schema_version": SCHEMA_VERSION,
        "inventory": inventory,
        "incoming_phone_numbers": owned,
        "released_numbers": [],
        "addresses": addresses,
        "bundles": bundles,
        "address_count": 0,
    }


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


def load_state(path: Path) -> State:
    with path.open(encoding="utf-8") as handle:
        state = json.load(handle)
    if state.get("schema_version") != SCHEMA_VERSION:
        raise ValueError(
            f"{path} holds sandbox state of schema {state.get('schema_version')!r}, "
            f"this sandbox reads {SCHEMA_VERSION}; delete the file to start afresh."
        )
    return state


def save_state(path: Path, state: State) -> None:
    """Write atomically: a crash mid-write leaves the previous file intact."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(state, handle, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
