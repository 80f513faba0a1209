"""Countries and the mobile-number search with every filter the spec lists."""

from __future__ import annotations

from typing import Any

import pytest
from sandbox_helpers import account_path, assert_error, call

from tui.sandbox import Sandbox
from tui.sandbox.contains import compile_contains, matches
from tui.sandbox.errors import TwilioApiError


def search(sandbox: Sandbox, iso_country: str, **query: str) -> list[dict[str, Any]]:
    path = f"{account_path()}/AvailablePhoneNumbers/{iso_country}/Mobile.json"
    response = call(sandbox, "GET", path, query=query)
    assert response.status == 200, response.body
    return response.json()["available_phone_numbers"]


def phone_numbers(results: list[dict[str, Any]]) -> list[str]:
    return [number["phone_number"] for number in results]


def test_countries_list_mobile_only_where_sold(sandbox: Sandbox) -> None:
    body = call(sandbox, "GET", f"{account_path()}/AvailablePhoneNumbers.json").json()
    with_mobile = {c["country_code"] for c in body["countries"] if "mobile" in c["subresource_uris"]}
    without = {c["country_code"] for c in body["countries"]} - with_mobile
    assert with_mobile == {"AU", "BE", "BR", "DE", "GB", "NL", "SE"}
    assert without == {"CA", "DK", "US"}


@pytest.mark.parametrize("iso_country", ["US", "CA", "DK", "XX", "gb"])
def test_mobile_search_where_there_is_no_mobile_is_404(sandbox: Sandbox, iso_country: str) -> None:
    path = f"{account_path()}/AvailablePhoneNumbers/{iso_country}/Mobile.json"
    body = assert_error(call(sandbox, "GET", path), 404, 20404)
    assert path in body["message"]


def test_fetch_unknown_country_is_404(sandbox: Sandbox) -> None:
    assert_error(call(sandbox, "GET", f"{account_path()}/AvailablePhoneNumbers/XX.json"), 404, 20404)


def test_a_country_can_have_no_stock(sandbox: Sandbox) -> None:
    assert search(sandbox, "BE") == []


def test_search_returns_the_countrys_numbers_with_null_nanp_fields(sandbox: Sandbox) -> None:
    results = search(sandbox, "GB")
    assert 10 <= len(results) <= 20
    for number in results:
        assert number["iso_country"] == "GB"
        assert number["phone_number"].startswith("+447")
        assert number["friendly_name"] == number["phone_number"]
        assert all(
            number[key] is None
            for key in ("lata", "rate_center", "latitude", "longitude", "region", "postal_code")
        )


@pytest.mark.parametrize(
    ("name", "key"),
    [("SmsEnabled", "SMS"), ("MmsEnabled", "MMS"), ("VoiceEnabled", "voice"), ("FaxEnabled", "fax")],
)
@pytest.mark.parametrize("wanted", [True, False])
def test_capability_filters(sandbox: Sandbox, name: str, key: str, wanted: bool) -> None:
    results = search(sandbox, "AU", **{name: str(wanted).lower()})
    assert results, "the seed has AU numbers on both sides of every capability"
    assert {number["capabilities"][key] for number in results} == {wanted}


def test_exclude_all_address_required(sandbox: Sandbox) -> None:
    results = search(sandbox, "NL", ExcludeAllAddressRequired="true")
    assert results and {n["address_requirements"] for n in results} == {"none"}


def test_exclude_local_address_required(sandbox: Sandbox) -> None:
    every = {n["address_requirements"] for n in search(sandbox, "DE")}
    assert every == {"local", "any"}
    kept = {n["address_requirements"] for n in search(sandbox, "DE", ExcludeLocalAddressRequired="true")}
    assert kept == {"any"}


def test_exclude_foreign_address_required(sandbox: Sandbox) -> None:
    assert "foreign" in {n["address_requirements"] for n in search(sandbox, "NL")}
    kept = search(sandbox, "NL", ExcludeForeignAddressRequired="true")
    assert kept and "foreign" not in {n["address_requirements"] for n in kept}


def test_beta_numbers_are_included_unless_beta_is_false(sandbox: Sandbox) -> None:
    assert any(number["beta"] for number in search(sandbox, "BR"))
    assert not any(number["beta"] for number in search(sandbox, "BR", Beta="false"))


def test_in_locality(sandbox: Sandbox) -> None:
    results = search(sandbox, "BR", InLocality="rio de janeiro")
    assert results and {number["locality"] for number in results} == {"Rio de Janeiro"}
    assert search(sandbox, "GB", InLocality="London") == []


@pytest.mark.parametrize(
    "query",
    [{"AreaCode": "415"}, {"InRegion": "CA"}, {"InPostalCode": "94105"},
     {"NearNumber": "+14155550100"}, {"NearLatLong": "37.78,-122.39"},
     {"InLata": "722"}],
)  # fmt: skip
def test_us_canada_only_filters_find_no_mobile_numbers(sandbox: Sandbox, query: dict[str, str]) -> None:
    assert search(sandbox, "GB", **query) == []


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"InRateCenter": "SNFC"}, 80701),
        ({"Distance": "501"}, 80701),
        ({"AreaCode": "four"}, 80701),
        ({"SmsEnabled": "yes"}, 80701),
        ({"PageSize": "1001"}, 20007),
        ({"PageSize": "0"}, 80701),
        ({"Contains": "1"}, 80701),
    ],
)
def test_malformed_search_parameters_are_400(sandbox: Sandbox, query: dict[str, str], code: int) -> None:
    path = f"{account_path()}/AvailablePhoneNumbers/GB/Mobile.json"
    assert_error(call(sandbox, "GET", path, query=query), 400, code)


def test_page_size_limits_results(sandbox: Sandbox) -> None:
    assert len(search(sandbox, "GB", PageSize="3")) == 3


def test_contains_in_a_search(sandbox: Sandbox) -> None:
    assert phone_numbers(search(sandbox, "SE", Contains="+4670174060%")) == ["+46701740605"]
    assert phone_numbers(search(sandbox, "SE", Contains="0690$")) == ["+46701740690"]
    assert phone_numbers(search(sandbox, "SE", Contains="*0662")) == ["+46701740662"]


def test_search_can_answer_lower_case_capability_keys() -> None:
    results = search(Sandbox(uppercase_search_capabilities=False), "GB")
    assert set(results[0]["capabilities"]) == {"voice", "sms", "mms", "fax"}


# --- Contains pattern rules (spec parameter description) ---------------------------


@pytest.mark.parametrize(
    ("pattern", "number", "expected"),
    [
        ("+4479", "+447929436483", True),  # `+` anchors at the start
        ("+479", "+447929436483", False),
        ("6483$", "+447929436483", True),  # `$` anchors at the end
        ("6484$", "+447929436483", False),
        ("2943", "+447929436483", True),  # anywhere
        ("*36483", "+447929436483", True),  # `*` is one character
        ("*6483$", "+447929436483", True),
        ("**", "+447929436483", None),
        ("4479%", "+447929436483", True),  # `%` any sequence
        ("%83$", "+447929436483", True),
        ("WAY", "+447929436483", True),  # letters stand for keypad digits: 929
        ("way", "+447929436483", True),
    ],
)
def test_contains_matching(pattern: str, number: str, expected: bool | None) -> None:
    if expected is None:
        with pytest.raises(TwilioApiError):
            compile_contains(pattern)
    else:
        assert matches(compile_contains(pattern), number) is expected


@pytest.mark.parametrize(
    "pattern",
    [
        "7",  # too short
        "12345678901234567",  # too long
        "12-34",  # character not allowed
        "4+4",  # `+` not at the start
        "44$1",  # `$` not at the end
        "5*5",  # wildcard between non-meta characters
        "1%2",
        "*5",  # a wildcard needs two non-meta characters
        "+*55",  # meta-characters next to each other
        "55%$",
        "*",
    ],
)
def test_contains_rule_violations(pattern: str) -> None:
    with pytest.raises(TwilioApiError) as raised:
        compile_contains(pattern)
    assert raised.value.status == 400
    assert raised.value.message.startswith("'Contains' is invalid.")


@pytest.mark.parametrize(
    ("pattern", "matching", "not_matching"),
    [
        ("55", "+447955512345", "+447912345678"),
        ("+4479", "+447912345678", "+447412345678"),
        ("6483$", "+447929436483", "+447929436484"),
        ("*55", "+447955512345", "+447912345678"),
        ("55*", "+447955512345", "+447912345678"),
        ("%55%", "+447955512345", "+447912345678"),
        ("STORM", "+15557867600", "+15551234567"),  # letters stand for keypad digits
        ("+44%", "+447912345678", "+4915112345678"),
    ],
)
def test_contains_rule_acceptances(pattern: str, matching: str, not_matching: str) -> None:
    compiled = compile_contains(pattern)
    assert matches(compiled, matching)
    assert not matches(compiled, not_matching)
