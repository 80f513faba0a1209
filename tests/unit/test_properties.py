"""Property tests: the validators never crash, accept what they should, and the
form body only ever holds Twilio's 23 names as strings."""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from functools import partial
from typing import Any

import phonenumbers
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from pydantic import ValidationError

from tui.domain import credentials, rules
from tui.domain.fields import FIELDS_BY_NAME, PURCHASE_FIELDS
from tui.domain.purchase import PurchaseRequest, build_request
from tui.domain.search import SEARCH_FIELDS, SEARCH_FIELDS_BY_NAME, MobileSearch, build_search

WIRE_ORDER = [f.wire for f in PURCHASE_FIELDS]

RULES: dict[str, Callable[[Any], Any]] = {
    "phone_number": rules.phone_number,
    "url": rules.url,
    "http_method": rules.http_method,
    "friendly_name": rules.friendly_name,
    "emergency_status": partial(rules.choice, choices=rules.EMERGENCY_STATUSES),
    "boolean": rules.boolean,
    "api_version": rules.api_version,
    "country_code": rules.country_code,
    "contains_pattern": rules.contains_pattern,
    "area_code": rules.area_code,
    "distance": rules.distance,
    "lat_long": rules.lat_long,
    "page_size": rules.page_size,
    "plain_text": rules.plain_text,
    "auth_token": credentials.auth_token,
    "api_key_secret": credentials.api_key_secret,
    "account_sid": credentials.account_sid,
    "api_key_sid": credentials.api_key_sid,
    **{f"sid_{p}": partial(rules.sid, prefix=p) for p in rules.SID_KINDS},
}

# Text that looks a bit like the real thing, so that rules get past their first
# checks, mixed with anything at all.
nearly = st.one_of(
    st.text(),
    st.text(alphabet="+0123456789 -().", max_size=20),
    st.text(alphabet="ACDKNPRSTUIB0123456789abcdefABCDEFgz", min_size=30, max_size=36),
    st.text(alphabet="0123456789abcdefghijklmnopqrstuvwxyz*%+$é² ", max_size=18),
    st.builds(lambda a, b: a + b, st.sampled_from(["http://", "https://", "ftp://", ""]), st.text()),
    st.text(alphabet="0123456789.,- ٣²", max_size=14),
)


@pytest.mark.parametrize("name", sorted(RULES))
@given(raw=nearly)
def test_rules_raise_only_rule_errors_and_are_idempotent(name, raw):
    rule = RULES[name]
    try:
        value = rule(raw)
    except rules.RuleError as error:
        assert str(error)  # always a message to show
        return
    # What a rule returns passes the rule again, unchanged.
    again = value.reveal() if isinstance(value, credentials.Secret) else value
    if isinstance(again, str):
        assert rule(again) == value


@pytest.mark.parametrize("spec", PURCHASE_FIELDS + SEARCH_FIELDS, ids=lambda s: s.wire)
@given(
    raw=st.one_of(
        nearly, st.booleans(), st.integers(), st.floats(), st.none(), st.lists(st.text(), max_size=2)
    )
)
def test_every_field_check_raises_only_rule_errors(spec, raw):
    try:
        spec.check(raw)
    except rules.RuleError as error:
        assert str(error)


# ---------------------------------------------------------------------------
# build_request / build_search on arbitrary input

any_value = st.one_of(
    st.none(),
    st.text(max_size=40),
    nearly,
    st.booleans(),
    st.integers(),
    st.floats(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=1),
)
purchase_keys = st.sampled_from(
    [f.name for f in PURCHASE_FIELDS] + [f.wire for f in PURCHASE_FIELDS] + ["area_code", "x"]
) | st.text(max_size=10)


@given(values=st.dictionaries(purchase_keys, any_value, max_size=8))
def test_build_request_returns_problems_never_raises(values):
    request, problems = build_request(values)
    if request is None:
        assert problems
        assert all(isinstance(p.field, str) and p.message for p in problems)
    else:
        assert problems == []
        form = request.to_form()
        assert list(form) == [w for w in WIRE_ORDER if w in form]
        assert all(isinstance(v, str) for v in form.values())


@given(
    values=st.dictionaries(
        st.sampled_from(["country_code", *SEARCH_FIELDS_BY_NAME, "page"]) | st.text(max_size=8),
        any_value,
        max_size=8,
    )
)
def test_build_search_returns_problems_never_raises(values):
    search, problems = build_search(values)
    if search is None:
        assert problems and all(p.message for p in problems)
    else:
        assert problems == []
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in search.to_query())


# ---------------------------------------------------------------------------
# Valid E.164 mobiles round-trip

MOBILE_EXAMPLES = sorted(
    (region, phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164))
    for region in phonenumbers.SUPPORTED_REGIONS
    if (example := phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE))
)


@st.composite
def mobile_numbers(draw) -> str:
    _, example = draw(st.sampled_from(MOBILE_EXAMPLES))
    tail = draw(st.text(alphabet=string.digits, min_size=0, max_size=3))
    e164 = example[: len(example) - len(tail)] + tail
    parsed = phonenumbers.parse(e164)
    assume(phonenumbers.is_valid_number(parsed))
    assume(phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE)
    return e164


def test_there_are_mobile_examples_for_many_countries():
    assert len(MOBILE_EXAMPLES) > 200


@given(e164=mobile_numbers(), separator=st.sampled_from(["", " ", "-", "."]), data=st.data())
def test_valid_mobiles_round_trip(e164, separator, data):
    assert rules.phone_number(e164) == e164
    # Typed with separators between the digits, as people copy numbers ...
    cuts = sorted(data.draw(st.sets(st.integers(2, len(e164) - 1), max_size=4)))
    typed = "".join(e164[a:b] + separator for a, b in zip([0, *cuts], [*cuts, len(e164)], strict=True))
    assert rules.phone_number(typed) == e164
    # ... or in the international format.
    international = phonenumbers.format_number(
        phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    assert rules.phone_number(international) == e164
    assert rules.not_mobile_warning(e164) is None
    request = PurchaseRequest(phone_number=typed)
    assert request.to_form() == {"PhoneNumber": e164}
    assert all(i.fields != ("phone_number",) for i in request.issues())


# ---------------------------------------------------------------------------
# Contains: the rule agrees with an independent reading of Twilio's description


def contains_oracle(text: str) -> bool:
    """Twilio's description of Contains, read independently of the rule: 2-16
    characters; digits and letters a-z/A-Z; `*`/`%` only before or after the
    other characters, with at least two of those; `+` first and `$` last; no two
    meta-characters next to each other."""
    match = re.fullmatch(r"(\+?)([*%]?)([A-Za-z0-9]+)([*%]?)(\$?)", text)
    if not match or not 2 <= len(text) <= 16:
        return False
    plus, lead, core, trail, dollar = match.groups()
    if (plus and lead) or (trail and dollar):
        return False  # meta-characters side by side
    return not ((lead or trail) and len(core) < 2)


@given(text=st.text(alphabet="0127aZ*%+$-é", max_size=18))
def test_contains_rule_matches_twilio_description(text):
    try:
        rules.contains_pattern(text)
        accepted = True
    except rules.RuleError:
        accepted = False
    assert accepted == contains_oracle(text.strip())


@given(
    core=st.text(alphabet=string.ascii_letters + string.digits, min_size=2, max_size=10),
    lead=st.sampled_from(["", "*", "%", "+"]),
    trail=st.sampled_from(["", "*", "%", "$"]),
)
def test_contains_accepts_generated_valid_patterns(core, lead, trail):
    pattern = lead + core + trail
    assert rules.contains_pattern(pattern) == pattern
    search = MobileSearch(country_code="GB", contains=pattern)
    assert search.to_query() == [("Contains", pattern)]


# ---------------------------------------------------------------------------
# to_form on valid requests

HEXES = st.text(alphabet="0123456789abcdefABCDEF", min_size=32, max_size=32)
URLS = st.from_regex(
    r"https?://[a-z]{1,12}\.example(:[1-9][0-9]{1,3})?(/[A-Za-z0-9._~-]{0,8}){0,3}(\?[a-z]=[a-z0-9&]{0,6})?",
    fullmatch=True,
)
METHODS = st.sampled_from(["GET", "POST", "get", "post", " Post "])


def _value_strategy(spec):
    if spec.kind == "phone":
        return mobile_numbers()
    if spec.kind == "sid":
        prefix = spec.sid_prefix or ""
        return HEXES.map(lambda digits: prefix + digits)
    if spec.kind == "url":
        return URLS
    if spec.kind == "method":
        return METHODS
    if spec.kind == "bool":
        return st.booleans() | st.sampled_from(["true", "False", "yes", "0"])
    if spec.kind == "choice":
        return st.sampled_from(spec.choices)
    # Any printable text: control characters (Cc) and lone surrogates (Cs) are
    # refused by every field (tests/unit/test_control_characters.py).
    return st.text(
        st.characters(codec="utf-8", blacklist_categories=("Cs", "Cc")), min_size=1, max_size=64
    ).filter(lambda t: 0 < len(t.strip()) <= 64)


@st.composite
def valid_field_values(draw) -> dict:
    values = {}
    for spec in PURCHASE_FIELDS:
        if spec.required or draw(st.booleans()):
            values[spec.name] = draw(_value_strategy(spec))
    return values


CROSS_FIELD_ERROR_FIELDS = {"trunk_sid", "sms_fallback_url"}


@given(values=valid_field_values())
def test_to_form_only_twilio_names_in_order_as_strings(values):
    request, problems = build_request(values)
    if request is None:
        # Every field is valid on its own: only a cross-field rule can refuse.
        assert {p.field for p in problems} <= CROSS_FIELD_ERROR_FIELDS
        return
    form = request.to_form()
    assert set(form) <= set(WIRE_ORDER)
    assert list(form) == [w for w in WIRE_ORDER if w in form]
    assert list(form) == [FIELDS_BY_NAME[n].wire for n in FIELDS_BY_NAME if n in values]
    assert all(isinstance(v, str) and v == v.strip() and v for v in form.values())
    if "VoiceCallerIdLookup" in form:
        assert form["VoiceCallerIdLookup"] in ("true", "false")
    # The form reads back as the same request (a receipt can be replayed).
    assert PurchaseRequest.model_validate(form) == request


def test_validation_error_is_the_only_exception_of_the_model():
    with pytest.raises(ValidationError):
        PurchaseRequest.model_validate({"phone_number": object()})
