"""The mobile-number search: filters, their rules, cross-filter rules and the
query string (docs/twilio-api.md#searching-mobile-numbers)."""

from __future__ import annotations

import json

import pytest

from tests.support.fakes import SUBSET
from tui.domain.search import SEARCH_FIELDS, MobileSearch, build_search, search_issues

SPEC_QUERY = [
    p["name"]
    for p in json.loads(SUBSET.read_text("utf-8"))["twilio_api_v2010"]["paths"][
        "/2010-04-01/Accounts/{AccountSid}/AvailablePhoneNumbers/{CountryCode}/Mobile.json"
    ]["get"]["parameters"]
    if p["in"] == "query"
]


def test_every_filter_is_a_query_parameter_of_the_spec():
    wires = [f.wire for f in SEARCH_FIELDS]
    assert set(wires) <= set(SPEC_QUERY)
    # Only the paging cursor parameters are not offered as filters.
    assert set(SPEC_QUERY) - set(wires) == {"Page", "PageToken"}


def test_search_query_with_every_filter():
    search = MobileSearch.model_validate(
        {
            "country_code": "us",
            "area_code": "510",
            "contains": "+1510*",
            "sms_enabled": "yes",
            "mms_enabled": False,
            "voice_enabled": True,
            "fax_enabled": "no",
            "exclude_all_address_required": "true",
            "exclude_local_address_required": "false",
            "exclude_foreign_address_required": True,
            "beta": "0",
            "near_number": "+1 808 925 5327",
            "near_lat_long": "37.840, -122.270",
            "distance": "50",
            "in_postal_code": "94612",
            "in_region": "CA",
            "in_rate_center": "OKLD0099",
            "in_lata": "722",
            "in_locality": "Oakland",
            "page_size": 20,
        }
    )
    assert search.country_code == "US"
    assert search.to_query() == [
        ("AreaCode", "510"),
        ("Contains", "+1510*"),
        ("SmsEnabled", "true"),
        ("MmsEnabled", "false"),
        ("VoiceEnabled", "true"),
        ("FaxEnabled", "false"),
        ("ExcludeAllAddressRequired", "true"),
        ("ExcludeLocalAddressRequired", "false"),
        ("ExcludeForeignAddressRequired", "true"),
        ("Beta", "false"),
        ("NearNumber", "+18089255327"),
        ("NearLatLong", "37.840,-122.270"),
        ("Distance", "50"),
        ("InPostalCode", "94612"),
        ("InRegion", "CA"),
        ("InRateCenter", "OKLD0099"),
        ("InLata", "722"),
        ("InLocality", "Oakland"),
        ("PageSize", "20"),
    ]
    assert search.issues() == []


def test_unset_filters_are_left_out():
    search = MobileSearch(country_code="GB", contains="", sms_enabled=None)
    assert search.to_query() == []


@pytest.mark.parametrize(
    ("name", "raw", "fragment"),
    [
        ("country_code", "GBR", "two-letter ISO country code"),
        ("country_code", "", "two-letter ISO country code"),
        ("area_code", "51", "three digits"),
        ("contains", "7", "2 to 16 characters"),
        ("contains", "7*7", "only stand at the start or the end"),
        ("contains", "**77", "side by side"),
        ("sms_enabled", "perhaps", "Answer true or false."),
        ("near_number", "12345", "Start with +"),
        ("near_lat_long", "91,0", "latitude,longitude"),
        ("distance", "501", "0 to 500"),
        ("page_size", "0", "1 to 1000"),
        ("page_size", "1001", "1 to 1000"),
    ],
)
def test_build_search_reports_each_filter_rule_at_its_field(name, raw, fragment):
    values = {"country_code": "GB", name: raw}
    search, problems = build_search(values)
    assert search is None
    assert [p.field for p in problems] == [name]
    assert fragment in problems[0].message


def test_build_search_unknown_filter_and_missing_country_in_search_words():
    _, problems = build_search({"page": "2"})
    assert {(p.field, p.message) for p in problems} == {
        ("country_code", "Country is required."),
        ("page", "page is not a parameter of the mobile-number search."),
    }


def test_rate_center_without_lata_is_an_error_at_the_rate_center():
    _, problems = build_search({"country_code": "US", "in_rate_center": "OKLD0099"})
    assert [p.field for p in problems] == ["in_rate_center"]
    assert "only works together with a LATA" in problems[0].message


def test_distance_without_near_is_a_warning():
    search, problems = build_search({"country_code": "US", "distance": "30"})
    assert problems == [] and search is not None
    [issue] = search.issues()
    assert issue.level == "warning" and issue.fields == ("distance",)
    assert "Distance does nothing" in issue.message


@pytest.mark.parametrize("country", ["GB", "AU"])
def test_us_and_canada_only_filters_warn_elsewhere(country):
    search, _ = build_search({"country_code": country, "area_code": "510", "in_region": "CA"})
    assert search is not None
    [issue] = search.issues()
    assert issue.level == "warning"
    assert issue.fields == ("area_code",)
    assert "Area code, Region" in issue.message
    assert f"a {country} search" in issue.message


@pytest.mark.parametrize("country", ["US", "CA"])
def test_us_and_canada_only_filters_are_fine_there(country):
    search, _ = build_search({"country_code": country, "area_code": "510"})
    assert search is not None and search.issues() == []


def test_search_issues_on_partial_input():
    assert search_issues({"in_rate_center": "X", "in_lata": "722"}) == []
    assert [i.level for i in search_issues({"in_rate_center": "X"})] == ["error"]
