"""Identifiers and date formats shared by every sandbox resource."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email.utils import format_datetime

import phonenumbers


def make_sid(prefix: str, *parts: str) -> str:
    """A Twilio-shaped SID (prefix + 32 hex digits) derived from `parts`.

    Deriving SIDs from what a resource is (account, kind, phone number or a counter)
    instead of from randomness makes every run produce the same SIDs, which the UI's
    snapshot tests rely on.
    """
    digest = hashlib.sha256("\x1f".join((prefix, *parts)).encode()).hexdigest()
    return prefix + digest[:32]


def rfc2822(moment: datetime) -> str:
    """v2010 dates: `Thu, 30 Jul 2015 23:19:04 +0000`."""
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0))


def iso8601(moment: datetime) -> str:
    """numbers v2 and pricing dates: `2019-07-30T22:29:24Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso8601(text: str) -> datetime:
    moment = datetime.fromisoformat(text)  # accepts the trailing Z since Python 3.11
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def national_format(phone_number: str) -> str:
    """How Twilio names an owned number by default: `(500) 555-0006`, `07400 123456`."""
    return phonenumbers.format_number(
        phonenumbers.parse(phone_number), phonenumbers.PhoneNumberFormat.NATIONAL
    )


def utc_now() -> datetime:
    return datetime.now(UTC)
