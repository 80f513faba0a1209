"""Every field rule in tui.domain.rules, good and bad values, with the words the
person sees (docs/twilio-api.md)."""

from __future__ import annotations

from functools import partial

import pytest

from tui.domain import rules
from tui.domain.rules import RuleError

HEX = "0123456789abcdef" * 2


def refused(rule, raw, *fragments: str) -> str:
    with pytest.raises(RuleError) as caught:
        rule(raw)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


# ---------------------------------------------------------------------------
# E.164


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+447400123456", "+447400123456"),
        ("  +447400123456  ", "+447400123456"),
        ("+44 7400 123456", "+447400123456"),
        ("+44-7400-123-456", "+447400123456"),
        ("+44 (0)7400 123456".replace("(0)", ""), "+447400123456"),
        ("+1 (808) 925.5327", "+18089255327"),
        ("+61 412 345 678", "+61412345678"),
        ("+15005550006", "+15005550006"),  # Twilio's magic "success" number
    ],
)
def test_phone_number_accepts_and_normalises(raw, expected):
    assert rules.phone_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "fragments"),
    [
        ("", ("Enter a phone number",)),
        ("   ", ("Enter a phone number",)),
        ("447400123456", ("Start with +", "E.164")),
        ("07400 123456", ("Start with +",)),
        ("+44 7400 ABC456", ("up to 15 digits", "no letters")),
        ("+4474001234567890", ("up to 15 digits",)),  # 16 digits
        ("+0447400123456", ("up to 15 digits",)),  # country codes never start with 0
        ("+", ("up to 15 digits",)),
        ("+44+7400123456", ("up to 15 digits",)),
        ("+4412", ("not a valid number",)),
        ("+4759440374", ("not a valid number",)),  # the spec's own example number
        ("+999123456789", ("+999123456789 is not a phone number",)),  # no such country code
    ],
)
def test_phone_number_refuses(raw, fragments):
    refused(rules.phone_number, raw, *fragments)


def test_phone_number_invalid_message_names_the_number():
    assert "+4412" in refused(rules.phone_number, "+44 12")


@pytest.mark.parametrize(
    "e164",
    ["+447400123456", "+61412345678", "+491701234567", "+18089255327"],
)
def test_mobile_numbers_get_no_warning(e164):
    assert rules.not_mobile_warning(e164) is None


def test_not_mobile_is_a_warning_never_a_refusal():
    # +1 500 is a "personal number" range: valid, so the rule accepts it ...
    assert rules.phone_number("+1 500 555 1234") == "+15005551234"
    facts = rules.phone_number_facts("+15005551234")
    assert facts.number_type == "personal number"
    assert not facts.is_mobile
    # ... and only a warning says it is not a mobile number.
    warning = rules.not_mobile_warning("+15005551234")
    assert warning is not None
    assert "+15005551234 is not a mobile number" in warning
    assert "personal number" in warning
    assert "United States" in warning
    assert "Mobile endpoint" in warning


@pytest.mark.parametrize("magic", ["+15005550006", "+15005550000", "+15005550001"])
def test_twilio_test_numbers_are_valid_and_not_warned_about(magic):
    # Twilio's magic numbers for test credentials are in the same personal-number
    # range, but using them is expected (docs/twilio-api.md#test-credentials-and-magic-numbers).
    assert rules.phone_number(magic) == magic
    assert rules.phone_number_facts(magic).number_type == "personal number"
    assert rules.not_mobile_warning(magic) is None


def test_landline_warning_names_the_type():
    warning = rules.not_mobile_warning("+442071838750")  # a London landline
    assert warning is not None and "landline" in warning and "United Kingdom" in warning


def test_phone_number_facts_describe_country_and_formats():
    facts = rules.phone_number_facts("+447400123456")
    assert facts.region == "GB"
    assert facts.country_name == "United Kingdom"
    assert facts.national_format == "07400 123456"
    assert facts.international_format == "+44 7400 123456"
    assert facts.describe() == "United Kingdom · mobile · 07400 123456"


# ---------------------------------------------------------------------------
# SIDs

SID_PREFIXES = ["AC", "PN", "AD", "RI", "AP", "TK", "BU", "SK"]


@pytest.mark.parametrize("prefix", SID_PREFIXES)
def test_sid_accepts_prefix_and_32_hex(prefix):
    good = prefix + HEX
    assert rules.sid(good, prefix) == good
    assert rules.sid(f"  {good}\n", prefix) == good
    upper_hex = prefix + HEX.upper()  # the spec's pattern allows A-F
    assert rules.sid(upper_hex, prefix) == upper_hex


SID_WITH_ARTICLE = {
    "AC": "an Account",
    "PN": "a Phone number",
    "AD": "an Address",
    "RI": "an Identity",
    "AP": "an Application",
    "TK": "a SIP trunk",
    "BU": "a Bundle",
    "SK": "an API key",
}


@pytest.mark.parametrize("prefix", SID_PREFIXES)
def test_sid_wrong_prefix_names_both_kinds(prefix):
    other = "PN" if prefix != "PN" else "AD"
    message = refused(partial(rules.sid, prefix=prefix), other + HEX, prefix, f"starts with {prefix}")
    assert f"That looks like {SID_WITH_ARTICLE[other]} SID" in message
    assert f"{prefix}{HEX[:16]}" in message  # an example of the right shape


@pytest.mark.parametrize("prefix", SID_PREFIXES)
def test_sid_unknown_prefix_gets_no_hint(prefix):
    message = refused(partial(rules.sid, prefix=prefix), "ZZ" + HEX, f"starts with {prefix}")
    assert "looks like" not in message


@pytest.mark.parametrize("prefix", SID_PREFIXES)
def test_sid_lowercase_prefix(prefix):
    refused(partial(rules.sid, prefix=prefix), prefix.lower() + HEX, f"start with capital {prefix}")


@pytest.mark.parametrize("prefix", SID_PREFIXES)
@pytest.mark.parametrize(("rest", "length"), [(HEX[:-1], 33), (HEX + "0", 35), ("", 2)])
def test_sid_wrong_length(prefix, rest, length):
    refused(partial(rules.sid, prefix=prefix), prefix + rest, "34 characters", f"this one has {length}")


@pytest.mark.parametrize("prefix", SID_PREFIXES)
@pytest.mark.parametrize("rest", ["g" * 32, HEX[:31] + "z", HEX[:31] + "-", "x" * 32])
def test_sid_non_hex(prefix, rest):
    refused(partial(rules.sid, prefix=prefix), prefix + rest, f"After {prefix}", "only hex digits")


@pytest.mark.parametrize("prefix", SID_PREFIXES)
def test_sid_empty(prefix):
    refused(partial(rules.sid, prefix=prefix), "  ", f"Enter {SID_WITH_ARTICLE[prefix]} SID")


# ---------------------------------------------------------------------------
# Methods, URLs, names, enums, booleans


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("GET", "GET"), ("get", "GET"), (" Post ", "POST"), ("post", "POST")],
)
def test_http_method_case_insensitive_in_upper_case_out(raw, expected):
    assert rules.http_method(raw) == expected


@pytest.mark.parametrize("raw", ["PUT", "DELETE", "", "GETS", "G ET"])
def test_http_method_refuses_others(raw):
    refused(rules.http_method, raw, "Choose GET or POST.")


@pytest.mark.parametrize(
    "raw",
    [
        "https://example.com/voice",
        "http://example.com",
        "HTTPS://EXAMPLE.COM/Voice?x=1&y=2",
        "https://user:pw@example.com:8443/a/b#frag",
        "https://127.0.0.1:8080/sms",
    ],
)
def test_url_accepts_absolute_http_and_https(raw):
    assert rules.url(f" {raw} ") == raw


@pytest.mark.parametrize(
    ("raw", "fragments"),
    [
        ("", ("Enter a URL",)),
        ("example.com/voice", ("absolute URL", "https://")),
        ("/voice", ("absolute URL",)),
        ("ftp://example.com/voice", ("absolute URL",)),
        ("mailto:me@example.com", ("absolute URL",)),
        ("https://exa mple.com/voice", ("cannot contain spaces",)),
        ("https://example.com/a\tb", ("cannot contain spaces",)),
        ("https://", ("needs a host name",)),
        ("https:///voice", ("needs a host name",)),
        ("https://example.com:99999/", ("not a well-formed URL",)),
        ("https://[::1/voice", ("not a well-formed URL",)),
        ("https://example.com/" + "a" * 4000, ("at most 4000",)),
    ],
)
def test_url_refuses(raw, fragments):
    refused(rules.url, raw, *fragments)


def test_friendly_name_up_to_64_characters():
    assert rules.friendly_name("  Support line ") == "Support line"
    assert rules.friendly_name("x" * 64) == "x" * 64
    assert rules.friendly_name("é" * 64) == "é" * 64
    refused(rules.friendly_name, "x" * 65, "at most 64 characters", "this one has 65")
    refused(rules.friendly_name, "   ", "leave the field empty")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Active", "Active"), ("active", "Active"), ("INACTIVE", "Inactive"), (" Inactive ", "Inactive")],
)
def test_emergency_status(raw, expected):
    assert rules.choice(raw, rules.EMERGENCY_STATUSES) == expected


@pytest.mark.parametrize("raw", ["on", "enabled", "", "Activ"])
def test_emergency_status_refused(raw):
    refused(lambda r: rules.choice(r, rules.EMERGENCY_STATUSES), raw, "Choose Active or Inactive.")


@pytest.mark.parametrize(("raw", "expected"), [("voice", "voice"), ("FAX", "fax"), (" Voice", "voice")])
def test_voice_receive_mode(raw, expected):
    assert rules.choice(raw, rules.VOICE_RECEIVE_MODES) == expected


@pytest.mark.parametrize("raw", ["sms", "", "voicemail"])
def test_voice_receive_mode_refused(raw):
    refused(lambda r: rules.choice(r, rules.VOICE_RECEIVE_MODES), raw, "Choose voice or fax.")


def test_api_version():
    assert rules.api_version("2010-04-01") == "2010-04-01"
    assert rules.api_version("2008-08-01") == "2008-08-01"
    refused(rules.api_version, "2024-01-01", "Choose 2010-04-01 or 2008-08-01.")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (True, True),
        (False, False),
        ("true", True),
        ("TRUE", True),
        ("yes", True),
        ("1", True),
        ("on", True),
        (" y ", True),
        ("false", False),
        ("False", False),
        ("no", False),
        ("0", False),
        ("off", False),
        ("n", False),
    ],
)
def test_boolean(raw, expected):
    assert rules.boolean(raw) is expected


@pytest.mark.parametrize("raw", ["", "maybe", "2", "tru"])
def test_boolean_refused(raw):
    refused(rules.boolean, raw, "Answer true or false.")


# ---------------------------------------------------------------------------
# Search filters: Contains (the OpenAPI description of ListAvailablePhoneNumberMobile)


@pytest.mark.parametrize(
    "raw",
    [
        "77",  # 2 characters: the minimum
        "7" * 16,  # 16: the maximum
        "777",
        "STORE",
        "Store1",
        "+4477",  # leading + anchors the start
        "77$",  # trailing $ anchors the end
        "+4477$",
        "*77",  # wildcards at the start ...
        "77*",  # ... or at the end
        "%77%",
        "*77%",
        "%STORE",
        "+7",
        " 777 ",
    ],
)
def test_contains_accepts(raw):
    assert rules.contains_pattern(raw) == raw.strip()


@pytest.mark.parametrize(
    ("raw", "fragments"),
    [
        ("", ("Enter digits or letters",)),
        ("7", ("2 to 16 characters", "has 1")),
        ("7" * 17, ("2 to 16 characters", "has 17")),
        ("7-7", ("'-' is not allowed",)),
        ("7 7", ("' ' is not allowed",)),
        ("77é", ("'é' is not allowed",)),  # diacritics are not allowed
        ("7+7", ("'+' is not allowed", "+ only at the start")),
        ("7$7", ("'$' is not allowed", "$ only at the end")),
        ("++77", ("'+' is not allowed",)),
        ("77$$", ("'$' is not allowed",)),
        ("7*7", ("only stand at the start or the end",)),
        ("*7%7", ("only stand at the start or the end",)),
        ("77%77", ("only stand at the start or the end",)),
        ("**77", ("'**'", "cannot stand side by side")),
        ("77%*", ("'%*'", "cannot stand side by side")),
        ("+*77", ("'+*'", "cannot stand side by side")),
        ("77*$", ("'*$'", "cannot stand side by side")),
        ("+$", ("'+$'", "cannot stand side by side")),
        ("*7", ("at least two digits or letters",)),
        ("%7*", ("at least two digits or letters",)),
    ],
)
def test_contains_refuses(raw, fragments):
    refused(rules.contains_pattern, raw, *fragments)


@pytest.mark.parametrize(("raw", "expected"), [("gb", "GB"), (" au ", "AU"), ("De", "DE")])
def test_country_code(raw, expected):
    assert rules.country_code(raw) == expected


@pytest.mark.parametrize("raw", ["", "G", "GBR", "G1", "united kingdom"])
def test_country_code_refused(raw):
    refused(rules.country_code, raw, "two-letter ISO country code")


def test_area_code():
    assert rules.area_code(" 510 ") == 510
    for bad in ("51", "5100", "abc", "", "５１０", "²²²", "-10"):
        refused(rules.area_code, bad, "three digits")


def test_distance():
    assert rules.distance("0") == 0
    assert rules.distance("500") == 500
    for bad in ("501", "-1", "2.5", "ten", "", "²", "9" * 5000):
        refused(rules.distance, bad, "0 to 500")


def test_lat_long():
    assert rules.lat_long("37.840, -122.270") == "37.840,-122.270"
    assert rules.lat_long("-33.86,151.2") == "-33.86,151.2"
    assert rules.lat_long("90,180") == "90,180"
    for bad in ("91,0", "0,181", "37.8", "north,west", "", "٣٧,١٢"):
        refused(rules.lat_long, bad, "latitude,longitude")


def test_page_size():
    assert rules.page_size("1") == 1
    assert rules.page_size(1000) == 1000
    for bad in ("0", "1001", "x", "", "²", "1" * 5000):
        refused(rules.page_size, bad, "1 to 1000")


def test_plain_text():
    assert rules.plain_text(" London ") == "London"
    refused(rules.plain_text, "  ", "Enter a value")
