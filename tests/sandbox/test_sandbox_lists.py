"""Owned numbers, addresses, bundles, regulations and prices: filters and paging."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from sandbox_helpers import MAIN, TRIAL, account_path, assert_error, buy, call

from tui.sandbox import MAIN_ACCOUNT_SID, TRIAL_ACCOUNT_SID, Sandbox, seed
from tui.sandbox.state import initial_state, new_number_record, save_state

NUMBERS = f"{account_path()}/IncomingPhoneNumbers"


def owned(sandbox: Sandbox, suffix: str = ".json", **query: str) -> dict[str, Any]:
    response = call(sandbox, "GET", f"{NUMBERS}{suffix}", query=query)
    assert response.status == 200, response.body
    return response.json()


def test_main_account_starts_with_its_seeded_numbers_only(sandbox: Sandbox) -> None:
    numbers = owned(sandbox)["incoming_phone_numbers"]
    assert sorted(n["phone_number"] for n in numbers) == ["+447802019939", "+46701740698"]
    assert {n["account_sid"] for n in numbers} == {MAIN_ACCOUNT_SID}
    trial = call(sandbox, "GET", f"{account_path(TRIAL_ACCOUNT_SID)}/IncomingPhoneNumbers.json", auth=TRIAL)
    assert trial.json()["incoming_phone_numbers"] == []


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("+447802019939", ["+447802019939"]),
        ("7802", ["+447802019939"]),
        ("+4670174069*", ["+46701740698"]),
        ("+4478020199*9", ["+447802019939"]),
        ("+44780201993*", ["+447802019939"]),
        ("+4478020199**9", []),
        ("+1", []),
    ],
)
def test_phone_number_filter_matches_partially_with_digit_wildcards(
    sandbox: Sandbox, pattern: str, expected: list[str]
) -> None:
    numbers = owned(sandbox, PhoneNumber=pattern)["incoming_phone_numbers"]
    assert [n["phone_number"] for n in numbers] == expected


def test_friendly_name_origin_and_beta_filters(sandbox: Sandbox) -> None:
    assert [n["phone_number"] for n in owned(sandbox, FriendlyName="Support line (UK)")[
        "incoming_phone_numbers"]] == ["+447802019939"]  # fmt: skip
    assert owned(sandbox, Origin="hosted")["incoming_phone_numbers"] == []
    assert len(owned(sandbox, Origin="twilio")["incoming_phone_numbers"]) == 2
    buy(sandbox, "+31655205095")  # a beta number
    assert len(owned(sandbox)["incoming_phone_numbers"]) == 3
    assert len(owned(sandbox, Beta="false")["incoming_phone_numbers"]) == 2


def test_mobile_list_leaves_out_other_number_types(tmp_path: Path) -> None:
    # The sandbox sells mobile numbers only: a local one comes from a state file.
    world = initial_state()
    world["incoming_phone_numbers"].append(
        new_number_record(MAIN_ACCOUNT_SID, "+442071838750", number_type="local",
                          capabilities={"voice": True, "sms": False, "mms": False, "fax": False},
                          address_requirements="none", beta=False, now=seed.SEED_DATE)
    )  # fmt: skip
    state_file = tmp_path / "state.json"
    save_state(state_file, world)
    sandbox = Sandbox(state_file)
    everything = owned(sandbox)["incoming_phone_numbers"]
    mobile = owned(sandbox, "/Mobile.json")["incoming_phone_numbers"]
    assert len(everything) == len(mobile) + 1
    assert all("type" not in n for n in mobile)
    assert {n["type"] for n in everything} == {"mobile", "local"}


def test_v2010_paging_follows_next_page_uri(sandbox: Sandbox) -> None:
    first = owned(sandbox, PageSize="1")
    assert (first["page"], first["page_size"], first["start"], first["end"]) == (0, 1, 0, 0)
    assert first["previous_page_uri"] is None
    assert first["uri"] == f"{NUMBERS}.json?PageSize=1&Page=0"
    next_uri = urlsplit(first["next_page_uri"])
    second_response = call(sandbox, "GET", next_uri.path, query=parse_qsl(next_uri.query))
    second = second_response.json()
    assert (second["page"], second["start"], second["end"]) == (1, 1, 1)
    assert second["next_page_uri"] is None
    assert second["previous_page_uri"].startswith(f"{NUMBERS}.json?PageSize=1&Page=0")
    seen = {n["sid"] for n in first["incoming_phone_numbers"] + second["incoming_phone_numbers"]}
    assert len(seen) == 2


def test_page_links_echo_the_filters(sandbox: Sandbox) -> None:
    body = owned(sandbox, PhoneNumber="+44", Beta="true")
    assert body["uri"] == f"{NUMBERS}.json?PhoneNumber=%2B44&Beta=true&PageSize=50&Page=0"


def test_addresses_filters(sandbox: Sandbox) -> None:
    path = f"{account_path()}/Addresses.json"
    every = call(sandbox, "GET", path).json()["addresses"]
    assert {a["iso_country"] for a in every} == {"GB", "AU", "DE", "NL", "US"}
    assert {a["validated"] for a in every} == {True, False}
    gb = call(sandbox, "GET", path, query={"IsoCountry": "GB"}).json()["addresses"]
    assert [a["sid"] for a in gb] == [seed.ADDRESS_GB]
    emergency = call(sandbox, "GET", path, query={"EmergencyEnabled": "true"}).json()["addresses"]
    assert [a["sid"] for a in emergency] == [seed.ADDRESS_US]
    named = call(sandbox, "GET", path, query={"CustomerName": "Sandbox GmbH"}).json()["addresses"]
    assert [a["iso_country"] for a in named] == ["DE"]


def test_created_address_can_satisfy_a_purchase(sandbox: Sandbox) -> None:
    form = {"CustomerName": "Sandbox Ltda", "Street": "Av. Paulista 1000", "City": "Sao Paulo",
            "Region": "SP", "PostalCode": "01310-100", "IsoCountry": "BR",
            "FriendlyName": "Sao Paulo office"}  # fmt: skip
    created = call(sandbox, "POST", f"{account_path()}/Addresses.json", form=form)
    assert created.status == 201
    address = created.json()
    assert address["sid"].startswith("AD") and address["validated"] is True
    assert buy(sandbox, "+5511976991686", AddressSid=address["sid"]).status == 201


@pytest.mark.parametrize(
    ("change", "code"), [({"IsoCountry": None}, 80701), ({"IsoCountry": "Brazil"}, 80701)]
)
def test_create_address_validation(sandbox: Sandbox, change: dict[str, str | None], code: int) -> None:
    form = {"CustomerName": "A", "Street": "B", "City": "C", "Region": "D", "PostalCode": "E",
            "IsoCountry": "BR"}  # fmt: skip
    for name, value in change.items():
        if value is None:
            form.pop(name)
        else:
            form[name] = value
    assert_error(call(sandbox, "POST", f"{account_path()}/Addresses.json", form=form), 400, code)


# --- Bundles and regulations --------------------------------------------------------


def bundles(sandbox: Sandbox, **query: str) -> list[dict[str, Any]]:
    response = call(sandbox, "GET", "/v2/RegulatoryCompliance/Bundles", query=query)
    assert response.status == 200, response.body
    return response.json()["results"]


def regulations(sandbox: Sandbox, **query: str) -> list[dict[str, Any]]:
    response = call(sandbox, "GET", "/v2/RegulatoryCompliance/Regulations", query=query)
    assert response.status == 200, response.body
    return response.json()["results"]


def test_approved_mobile_bundle_query_from_the_spec_example(sandbox: Sandbox) -> None:
    found = bundles(sandbox, Status="twilio-approved", IsoCountry="GB", NumberType="mobile")
    assert [b["sid"] for b in found] == [seed.BUNDLE_GB_MOBILE_APPROVED]
    approved_au = bundles(sandbox, Status="twilio-approved", IsoCountry="AU", NumberType="mobile")
    assert [b["sid"] for b in approved_au] == [seed.BUNDLE_AU_MOBILE_APPROVED]
    assert bundles(sandbox, Status="twilio-approved", IsoCountry="NL", NumberType="mobile") == []
    all_au = bundles(sandbox, IsoCountry="AU")
    assert sorted(b["status"] for b in all_au) == ["pending-review", "twilio-approved"]


def test_bundle_filters(sandbox: Sandbox) -> None:
    assert [b["sid"] for b in bundles(sandbox, NumberType="local")] == [seed.BUNDLE_GB_LOCAL_APPROVED]
    assert {b["sid"] for b in bundles(sandbox, EndUserType="individual")} == {
        seed.BUNDLE_DE_MOBILE_APPROVED, seed.BUNDLE_GB_MOBILE_REJECTED, seed.BUNDLE_AU_MOBILE_APPROVED,
    }  # fmt: skip
    two = f"{seed.BUNDLE_AU_MOBILE_PENDING},{seed.BUNDLE_GB_MOBILE_REJECTED}"
    assert {b["sid"] for b in bundles(sandbox, BundleSids=two)} == set(two.split(","))
    without_date = bundles(sandbox, HasValidUntilDate="false")
    assert {b["status"] for b in without_date} == {"pending-review", "twilio-rejected"}
    dated = [row for row in seed.MAIN_ACCOUNT_BUNDLES if row.valid_until is not None]
    assert len(bundles(sandbox, **{"ValidUntilDate>": "2029-12-31T00:00:00Z"})) == len(dated) == 4
    assert bundles(sandbox, **{"ValidUntilDate<": "2029-12-31T00:00:00Z"}) == []
    assert bundles(sandbox, FriendlyName="Jane Doe - UK mobile")[0]["status"] == "twilio-rejected"


def test_bundles_sort(sandbox: Sandbox) -> None:
    ascending = bundles(sandbox, SortBy="valid-until", SortDirection="ASC")
    assert [b["valid_until"] for b in ascending][:2] == [None, None]
    descending = bundles(sandbox, SortBy="valid-until", SortDirection="DESC")
    assert descending == list(reversed(ascending))


@pytest.mark.parametrize(
    "query",
    [{"Status": "approved"}, {"BundleSids": "BU1"}, {"RegulationSid": "RN1"},
     {"SortDirection": "asc"}, {"ValidUntilDate": "tomorrow"}],
)  # fmt: skip
def test_malformed_bundle_filters_are_400(sandbox: Sandbox, query: dict[str, str]) -> None:
    response = call(sandbox, "GET", "/v2/RegulatoryCompliance/Bundles", query=query)
    assert_error(response, 400, 80701)


def test_bundles_belong_to_their_account(sandbox: Sandbox) -> None:
    assert len(bundles(sandbox)) == len(seed.MAIN_ACCOUNT_BUNDLES) == 6
    trial = call(sandbox, "GET", "/v2/RegulatoryCompliance/Bundles", auth=TRIAL).json()
    assert trial["results"] == []


def test_meta_paging(sandbox: Sandbox) -> None:
    body = call(sandbox, "GET", "/v2/RegulatoryCompliance/Bundles", query={"PageSize": "2"}).json()
    meta = body["meta"]
    assert len(body["results"]) == 2 and meta["page_size"] == 2 and meta["page"] == 0
    assert meta["next_page_url"].startswith(
        "https://numbers.twilio.com/v2/RegulatoryCompliance/Bundles?PageSize=2&Page=1"
    )
    pages = [body]
    while pages[-1]["meta"]["next_page_url"]:
        url = urlsplit(pages[-1]["meta"]["next_page_url"])
        pages.append(call(sandbox, "GET", url.path, query=parse_qsl(url.query)).json())
    assert [len(page["results"]) for page in pages] == [2, 2, 2]
    assert len({b["sid"] for page in pages for b in page["results"]}) == len(seed.MAIN_ACCOUNT_BUNDLES)


@pytest.mark.parametrize(
    ("iso_country", "needs_bundle"),
    [("GB", True), ("AU", True), ("DE", True), ("BE", True),
     ("NL", False), ("SE", False), ("BR", False)],
)  # fmt: skip
def test_regulations_tell_where_a_mobile_bundle_is_needed(
    sandbox: Sandbox, iso_country: str, needs_bundle: bool
) -> None:
    found = regulations(sandbox, IsoCountry=iso_country, NumberType="mobile")
    assert bool(found) is needs_bundle
    for regulation in found:
        assert regulation["sid"].startswith("RN")
        assert regulation["iso_country"] == iso_country
        assert regulation["requirements"]["supporting_document"][0][0]["accepted_documents"][0][
            "fields"] == ["address_sids"]  # fmt: skip


def test_regulation_filters_and_bundle_links(sandbox: Sandbox) -> None:
    business = regulations(sandbox, IsoCountry="GB", NumberType="mobile", EndUserType="business")
    assert [r["friendly_name"] for r in business] == ["United Kingdom: Mobile - Business"]
    approved = bundles(sandbox, Status="twilio-approved", IsoCountry="GB", NumberType="mobile")[0]
    assert approved["regulation_sid"] == business[0]["sid"]
    assert_error(
        call(sandbox, "GET", "/v2/RegulatoryCompliance/Regulations", query={"EndUserType": "x"}),
        400,
        80701,
    )


# --- Pricing ----------------------------------------------------------------------


def test_pricing_lists_every_country(sandbox: Sandbox) -> None:
    body = call(sandbox, "GET", "/v1/PhoneNumbers/Countries").json()
    codes = [country["iso_country"] for country in body["countries"]]
    assert codes == sorted(codes) and set(codes) == {row.iso_country for row in seed.COUNTRIES}
    assert body["countries"][0]["url"] == "https://pricing.twilio.com/v1/PhoneNumbers/Countries/AU"


def test_mobile_prices(sandbox: Sandbox) -> None:
    prices = {}
    for iso_country in ("GB", "AU", "DE", "NL", "SE", "BR"):
        body = call(sandbox, "GET", f"/v1/PhoneNumbers/Countries/{iso_country}").json()
        mobile = [p for p in body["phone_number_prices"] if p["number_type"] == "mobile"]
        assert len(mobile) == 1
        prices[iso_country] = (Decimal(mobile[0]["base_price"]), Decimal(mobile[0]["current_price"]))
    assert any(base != current for base, current in prices.values())
    assert prices["GB"] == (Decimal("1.15"), Decimal("1.00"))


def test_us_prices_have_no_mobile(sandbox: Sandbox) -> None:
    body = call(sandbox, "GET", "/v1/PhoneNumbers/Countries/US").json()
    assert {p["number_type"] for p in body["phone_number_prices"]} == {"local", "toll free"}


def test_balance(sandbox: Sandbox) -> None:
    body = call(sandbox, "GET", f"{account_path()}/Balance.json", auth=MAIN).json()
    assert body == {"account_sid": MAIN_ACCOUNT_SID, "balance": "20.00", "currency": "USD"}
