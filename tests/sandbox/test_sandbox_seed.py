"""The seeded world is realistic and consistent with itself."""

from __future__ import annotations

from collections import Counter

import phonenumbers
import pytest

from tui.sandbox import seed
from tui.sandbox.accounts import MAIN_ACCOUNT_SID, OTHER_ACCOUNT_SID
from tui.sandbox.numbers_v2 import bundle_required, regulation_by_sid

STOCKED = ("GB", "AU", "DE", "NL", "SE", "BR")
ALL_SEEDED_NUMBERS = [
    (iso_country, row.phone_number) for iso_country, rows in seed.MOBILE_INVENTORY.items() for row in rows
] + [
    (phonenumbers.region_code_for_number(phonenumbers.parse(row.phone_number)), row.phone_number)
    for row in seed.ALREADY_OWNED_NUMBERS
]


@pytest.mark.parametrize(("iso_country", "phone_number"), ALL_SEEDED_NUMBERS)
def test_every_seeded_number_is_a_valid_mobile_of_its_country(iso_country: str, phone_number: str) -> None:
    parsed = phonenumbers.parse(phone_number)
    assert phonenumbers.is_valid_number(parsed)
    assert phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE
    assert phonenumbers.region_code_for_number(parsed) == iso_country
    assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == phone_number


def test_no_number_is_seeded_twice() -> None:
    counts = Counter(phone_number for _, phone_number in ALL_SEEDED_NUMBERS)
    assert [number for number, count in counts.items() if count > 1] == []


@pytest.mark.parametrize("iso_country", STOCKED)
def test_stocked_countries_have_varied_numbers(iso_country: str) -> None:
    rows = seed.MOBILE_INVENTORY[iso_country]
    assert 10 <= len(rows) <= 20
    assert any(not row.sms for row in rows), "some numbers without SMS"
    assert any(not row.fax for row in rows)
    assert any(row.beta for row in rows)
    assert len({row.address_requirements for row in rows}) >= 2
    assert {row.address_requirements for row in rows} <= {"none", "any", "local", "foreign"}
    mms = sum(row.mms for row in rows)
    if iso_country == "AU":
        assert mms > len(rows) / 2
    else:
        assert mms < len(rows) / 2


def test_countries_and_inventory_agree() -> None:
    mobile_countries = {row.iso_country for row in seed.COUNTRIES if "mobile" in row.number_types}
    assert set(seed.MOBILE_INVENTORY) == mobile_countries
    assert {"US", "CA", "DK"} <= {row.iso_country for row in seed.COUNTRIES} - mobile_countries


def test_bundles_are_required_exactly_in_gb_au_de_be() -> None:
    required = {code for code in seed.MOBILE_INVENTORY if bundle_required(code, "mobile")}
    assert required == {"GB", "AU", "DE", "BE"}


def test_seeded_bundles_point_at_seeded_regulations() -> None:
    for row in seed.MAIN_ACCOUNT_BUNDLES:
        sid = seed.regulation_sid(row.iso_country, row.number_type, row.end_user_type)
        regulation = regulation_by_sid(sid)
        assert regulation is not None
        assert (regulation.iso_country, regulation.number_type, regulation.end_user_type) == (
            row.iso_country, row.number_type, row.end_user_type,
        )  # fmt: skip
    statuses = Counter((row.iso_country, row.number_type, row.status) for row in seed.MAIN_ACCOUNT_BUNDLES)
    assert statuses[("GB", "mobile", "twilio-approved")] == 1
    assert statuses[("DE", "mobile", "twilio-approved")] == 1
    assert statuses[("AU", "mobile", "pending-review")] == 1
    assert statuses[("GB", "local", "twilio-approved")] == 1
    assert any(row.status == "twilio-rejected" for row in seed.MAIN_ACCOUNT_BUNDLES)


def test_owned_numbers_are_not_for_sale() -> None:
    for_sale = {row.phone_number for rows in seed.MOBILE_INVENTORY.values() for row in rows}
    owned = {row.phone_number for row in seed.ALREADY_OWNED_NUMBERS}
    assert not for_sale & owned
    owners = Counter(row.account_sid for row in seed.ALREADY_OWNED_NUMBERS)
    assert owners[MAIN_ACCOUNT_SID] >= 2 and owners[OTHER_ACCOUNT_SID] >= 2


def test_prices_exist_for_every_country_and_mobile_where_sold() -> None:
    for row in seed.COUNTRIES:
        types = {price.number_type for price in seed.PHONE_NUMBER_PRICES[row.iso_country]}
        assert ("mobile" in types) == ("mobile" in row.number_types)
