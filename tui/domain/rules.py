"""Pure field rules: each takes raw text and returns the value Twilio expects, or
raises `RuleError` with a sentence a non-developer understands.

These functions are the single source of truth for every field rule. The pydantic
models (`tui.domain.purchase`, `tui.domain.search`), the live validators of the
screens and the command line all call them, so they cannot disagree.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tui.domain.country_names import COUNTRY_NAMES

if TYPE_CHECKING:
    # Imported by the functions that read a number: `--help` and the other rules
    # never need phonenumbers, and importing it is a good part of a bare start.
    import phonenumbers


class RuleError(ValueError):
    """A value broke a field rule. The message is shown to the person as is."""


# ---------------------------------------------------------------------------
# Phone numbers

_E164 = re.compile(r"\+[1-9]\d{1,14}")

# Names for phonenumbers' number types (`PhoneNumberType`'s attributes), in the
# words the wizard shows.
_NUMBER_TYPE_NAMES = {
    "MOBILE": "mobile",
    "FIXED_LINE": "landline",
    "FIXED_LINE_OR_MOBILE": "landline or mobile",
    "TOLL_FREE": "toll-free",
    "PREMIUM_RATE": "premium-rate",
    "SHARED_COST": "shared-cost",
    "VOIP": "VoIP",
    "PERSONAL_NUMBER": "personal number",
    "PAGER": "pager",
    "UAN": "universal access number",
    "VOICEMAIL": "voicemail",
    "UNKNOWN": "unknown",
}


def _number_type_name(number_type: int) -> str:
    from phonenumbers import PhoneNumberType

    for attribute, words in _NUMBER_TYPE_NAMES.items():
        if getattr(PhoneNumberType, attribute) == number_type:
            return words
    return "unknown"


@dataclass(frozen=True)
class PhoneNumberFacts:
    """What `phonenumbers` knows about a valid E.164 number."""

    e164: str
    region: str | None  # ISO 3166-1 alpha-2, e.g. "GB"
    country_name: str
    number_type: str  # one of _NUMBER_TYPE_NAMES' values
    national_format: str
    international_format: str

    @property
    def is_mobile(self) -> bool:
        # FIXED_LINE_OR_MOBILE is what phonenumbers says for e.g. some NANP and
        # Swedish ranges; Twilio may well sell those as mobile.
        return self.number_type in ("mobile", "landline or mobile")

    def describe(self) -> str:
        return f"{self.country_name} · {self.number_type} · {self.national_format}"


def _country_name(parsed: phonenumbers.PhoneNumber, region: str | None) -> str:
    # phonenumbers' `geocoder.country_name_for_number(parsed, "en")`, with the
    # geocoder's names from a table (tui/domain/country_names.py): importing the
    # geocoder loads about 40 MB of geographic data. A calling code shared by
    # several countries names the one country where the number is valid.
    import phonenumbers

    candidates = phonenumbers.region_codes_for_country_code(parsed.country_code or 0)
    if len(candidates) > 1:
        candidates = tuple(c for c in candidates if phonenumbers.is_valid_number_for_region(parsed, c))
    name = COUNTRY_NAMES.get(candidates[0], "") if len(candidates) == 1 else ""
    if not name and region:
        # Non-geographic ranges (e.g. +1 500) get no name that way; their region's
        # name is still known.
        name = COUNTRY_NAMES.get(region, "")
    return name or region or "unknown country"


def phone_number(raw: str) -> str:
    """A phone number in E.164 that `phonenumbers` finds valid."""
    import phonenumbers

    text = raw.strip()
    if not text:
        raise RuleError("Enter a phone number, e.g. +447400123456.")
    compact = re.sub(r"[\s().-]", "", text)
    if not compact.startswith("+"):
        raise RuleError("Start with + and the country code, e.g. +447400123456 (E.164 format).")
    if not _E164.fullmatch(compact):
        raise RuleError("Use + followed by up to 15 digits, no letters, e.g. +447400123456.")
    try:
        parsed = phonenumbers.parse(compact, None)
    except phonenumbers.NumberParseException:
        raise RuleError(f"{compact} is not a phone number: check the country code and the digits.") from None
    if not phonenumbers.is_valid_number(parsed):
        raise RuleError(f"{compact} is not a valid number in any country's numbering plan.")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_number_facts(e164: str) -> PhoneNumberFacts:
    """Describe a number that already passed `phone_number`."""
    import phonenumbers

    parsed = phonenumbers.parse(e164, None)
    region = phonenumbers.region_code_for_number(parsed)
    return PhoneNumberFacts(
        e164=e164,
        region=region,
        country_name=_country_name(parsed, region),
        number_type=_number_type_name(phonenumbers.number_type(parsed)),
        national_format=phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL),
        international_format=phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
    )


# Twilio's documented magic numbers for test credentials
# (docs/twilio-api.md#test-credentials-and-magic-numbers).
# They are in a non-geographic US range, not mobile, and that is expected.
TWILIO_TEST_NUMBERS = ("+15005550006", "+15005550000", "+15005550001")


def not_mobile_warning(e164: str) -> str | None:
    """A warning (never a refusal) when a valid number is not a mobile number."""
    if e164 in TWILIO_TEST_NUMBERS:
        return None
    facts = phone_number_facts(e164)
    if facts.is_mobile:
        return None
    return (
        f"{e164} is not a mobile number: the numbering plan for {facts.country_name} "
        f"lists it as {facts.number_type}. Twilio refuses it on the Mobile endpoint "
        "unless Twilio sells it as a mobile number."
    )


# ---------------------------------------------------------------------------
# SIDs

SID_KINDS = {
    "AC": "Account",
    "PN": "Phone number",
    "AD": "Address",
    "RI": "Identity",
    "AP": "Application",
    "TK": "SIP trunk",
    "BU": "Bundle",
    "SK": "API key",
}

_HEX32 = re.compile(r"[0-9a-fA-F]{32}")


def _article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" else "a"


def sid(raw: str, prefix: str) -> str:
    """A Twilio SID: the two-letter prefix and 32 hex digits (34 characters)."""
    kind = SID_KINDS.get(prefix, prefix)
    a_kind = f"{_article(kind)} {kind}"  # "an Account", "a Bundle"
    text = raw.strip()
    example = f"{prefix}{'0123456789abcdef' * 2}"
    if not text:
        raise RuleError(f"Enter {a_kind} SID, e.g. {example}.")
    if text[:2].upper() == prefix and text[:2] != prefix:
        raise RuleError(f"{kind} SIDs start with capital {prefix}, e.g. {example}.")
    if not text.startswith(prefix):
        other = SID_KINDS.get(text[:2])
        hint = f" That looks like {_article(other)} {other} SID." if other else ""
        raise RuleError(f"{a_kind.capitalize()} SID starts with {prefix}.{hint} Example: {example}.")
    rest = text[2:]
    if len(text) != 34:
        raise RuleError(
            f"{a_kind.capitalize()} SID is 34 characters ({prefix} and 32 hex digits); "
            f"this one has {len(text)}."
        )
    if not _HEX32.fullmatch(rest):
        raise RuleError(f"After {prefix}, {a_kind} SID has only hex digits 0-9 and a-f.")
    return text


# ---------------------------------------------------------------------------
# URLs, methods, text, enums, booleans

_URL_MAX = 4000


def url(raw: str, example: str = "https://example.com/webhook") -> str:
    """An absolute http(s) URL Twilio can call; messages give the field's `example`."""
    text = raw.strip()
    if not text:
        raise RuleError(f"Enter a URL, e.g. {example}.")
    if any(ch.isspace() for ch in text):
        raise RuleError("A URL cannot contain spaces.")
    if len(text) > _URL_MAX:
        raise RuleError(f"A URL can be at most {_URL_MAX} characters.")
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise RuleError("This is not a well-formed URL.") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise RuleError(f"Use an absolute URL starting with https:// (or http://), e.g. {example}.")
    if not parts.hostname:
        raise RuleError(f"The URL needs a host name, e.g. {example}.")
    return text


HTTP_METHODS = ("GET", "POST")


def http_method(raw: str) -> str:
    text = raw.strip().upper()
    if text not in HTTP_METHODS:
        raise RuleError("Choose GET or POST.")
    return text


FRIENDLY_NAME_MAX = 64


def friendly_name(raw: str) -> str:
    text = raw.strip()
    if not text:
        raise RuleError("Enter a name, or leave the field empty for Twilio's default.")
    if len(text) > FRIENDLY_NAME_MAX:
        raise RuleError(
            f"A friendly name can be at most {FRIENDLY_NAME_MAX} characters; this one has {len(text)}."
        )
    return text


def choice(raw: str, choices: tuple[str, ...]) -> str:
    """One of a fixed list, matched without regard to case, returned as listed."""
    text = raw.strip()
    for option in choices:
        if text.lower() == option.lower():
            return option
    raise RuleError("Choose " + " or ".join(choices) + ".")


EMERGENCY_STATUSES = ("Active", "Inactive")
VOICE_RECEIVE_MODES = ("voice", "fax")
API_VERSIONS = ("2010-04-01", "2008-08-01")

_TRUE = ("true", "yes", "y", "on", "1")
_FALSE = ("false", "no", "n", "off", "0")


def boolean(raw: str | bool) -> bool:
    if isinstance(raw, bool):
        return raw
    text = raw.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise RuleError("Answer true or false.")


def api_version(raw: str) -> str:
    return choice(raw, API_VERSIONS)


# ---------------------------------------------------------------------------
# Search filters

COUNTRY_CODE = re.compile(r"[A-Z]{2}")


def country_code(raw: str) -> str:
    text = raw.strip().upper()
    if not COUNTRY_CODE.fullmatch(text):
        raise RuleError("Use the two-letter ISO country code, e.g. GB, AU or DE.")
    return text


_CONTAINS_META = "*%"
_ALL_META = "*%+$"


def _only_meta_between(body: str, i: int) -> bool:
    """True when the wildcard at i has no letter or digit on one of its sides,
    i.e. it belongs to a run of wildcards at the start or the end."""
    return all(ch in _CONTAINS_META for ch in body[:i]) or all(ch in _CONTAINS_META for ch in body[i + 1 :])


def contains_pattern(raw: str) -> str:
    """Twilio's `Contains` pattern (docs/twilio-api.md#searching-mobile-numbers).

    2-16 characters of digits, letters, `*` (any one character) and `%` (any
    sequence); an optional leading `+` anchors at the start and a trailing `$` at
    the end. With wildcards there must be at least two other characters, no
    wildcard between two other characters and no two wildcards side by side.
    """
    text = raw.strip()
    if not text:
        raise RuleError("Enter digits or letters to look for, e.g. 777.")
    if not 2 <= len(text) <= 16:
        raise RuleError(f"A pattern is 2 to 16 characters long; this one has {len(text)}.")
    body = text
    if body.startswith("+"):
        body = body[1:]
    if body.endswith("$"):
        body = body[:-1]
    for ch in body:
        if not (ch.isascii() and (ch.isalnum() or ch in _CONTAINS_META)):
            raise RuleError(
                f"'{ch}' is not allowed: use digits, letters, * (any one character) "
                "and % (any characters); + only at the start and $ only at the end."
            )
    for left, right in itertools.pairwise(text):
        if left in _ALL_META and right in _ALL_META:
            raise RuleError(f"'{left}{right}': the special characters * % + $ cannot stand side by side.")
    meta_positions = [i for i, ch in enumerate(body) if ch in _CONTAINS_META]
    if meta_positions:
        plain = len(body) - len(meta_positions)
        if plain < 2:
            raise RuleError("With * or %, give at least two digits or letters.")
        for i in meta_positions:
            if 0 < i < len(body) - 1 and not _only_meta_between(body, i):
                raise RuleError(
                    "A wildcard (* or %) can only stand at the start or the end, "
                    "not between digits or letters."
                )
    elif not body:
        raise RuleError("Enter digits or letters to look for, e.g. 777.")
    return text


# ASCII digits only: str.isdigit() also accepts "²" or "١", which int() rejects or
# Twilio would not read; the length cap keeps int() within its digit limit.
_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


def _whole_number(text: str) -> int | None:
    return int(text) if _WHOLE_NUMBER.fullmatch(text) else None


def area_code(raw: str) -> int:
    text = raw.strip()
    if _whole_number(text) is None or len(text) != 3:
        raise RuleError("An area code is three digits (US and Canada only).")
    return int(text)


def distance(raw: str) -> int:
    number = _whole_number(raw.strip())
    if number is None or not 0 <= number <= 500:
        raise RuleError("Give a whole number of miles from 0 to 500.")
    return number


def lat_long(raw: str) -> str:
    text = raw.strip()
    match = re.fullmatch(r"(-?[0-9]{1,2}(?:\.[0-9]+)?),\s*(-?[0-9]{1,3}(?:\.[0-9]+)?)", text)
    if not match or abs(float(match[1])) > 90 or abs(float(match[2])) > 180:
        raise RuleError("Give latitude,longitude, e.g. 37.3,-122.0.")
    return f"{match[1]},{match[2]}"


def page_size(raw: str | int) -> int:
    number = _whole_number(str(raw).strip())
    if number is None or not 1 <= number <= 1000:
        raise RuleError("A page size is a whole number from 1 to 1000.")
    return number


def plain_text(raw: str) -> str:
    text = raw.strip()
    if not text:
        raise RuleError("Enter a value or leave the field empty.")
    return text


# ---------------------------------------------------------------------------
# Characters no field takes

# C0 controls (tab, newline, escape…), DEL and the C1 controls. They would be
# sent as they are (%07 in a form body), garble a terminal when shown, and let a
# pasted escape sequence rewrite what is on screen. Undecodable bytes from a
# command line arrive as lone surrogates (Python's surrogateescape).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def printable(raw: str) -> str:
    """Refuse text with control characters or undecodable bytes, naming the first."""
    control = _CONTROL.search(raw)
    if control:
        code = ord(control.group())
        name = _CONTROL_NAMES.get(code, f"a control character (U+{code:04X})")
        raise RuleError(
            f"This contains {name}, which no field takes: retype the value, or paste it again without it."
        )
    if _SURROGATE.search(raw):
        raise RuleError("This contains bytes that are not valid text (not UTF-8): retype the value.")
    return raw


_CONTROL_NAMES = {
    0x00: "a NUL character",
    0x07: "a bell character",
    0x09: "a tab",
    0x0A: "a line break",
    0x0D: "a carriage return",
    0x1B: "an escape character (ESC)",
    0x7F: "a delete character (DEL)",
}


# ---------------------------------------------------------------------------
# While the person types

_PHONE_TYPING = re.compile(r"\+?[\d\s().-]*")
_HEX_SO_FAR = re.compile(r"[0-9a-fA-F]*")


def could_become_valid(
    kind: str, text: str, *, sid_prefix: str | None = None, max_length: int | None = None
) -> bool:
    """Whether typing more at the end could still make `text` valid.

    The wizard checks a field while the person types, after a short pause; a value
    that no amount of further typing can mend (a letter in a phone number, a SID
    with the wrong prefix, a character no field takes) is told at once.
    """
    if _CONTROL.search(text) or _SURROGATE.search(text):
        return False
    if max_length is not None and len(text.strip()) > max_length:
        return False
    if kind == "phone":
        compact = re.sub(r"[\s().-]", "", text)
        digits = sum(ch.isdigit() for ch in compact)
        return bool(_PHONE_TYPING.fullmatch(text)) and (not compact or compact[0] == "+") and digits <= 15
    if kind == "sid" and sid_prefix:
        typed = text.strip()
        if len(typed) <= len(sid_prefix):
            return sid_prefix.startswith(typed)
        rest = typed[len(sid_prefix) :]
        return typed.startswith(sid_prefix) and bool(_HEX_SO_FAR.fullmatch(rest)) and len(typed) <= 34
    if kind == "url":
        typed = text.strip()
        if any(ch.isspace() for ch in typed) or len(typed) > _URL_MAX:
            return False
        lowered = typed.lower()
        return any(
            scheme.startswith(lowered) or lowered.startswith(scheme) for scheme in ("https://", "http://")
        )
    return True
