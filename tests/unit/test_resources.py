"""Response models against the spec's own examples and Twilio's inconsistencies
(docs/twilio-api.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError

from tests.support.fakes import DATA, SUBSET, spec_examples, subset_schema
from tui.domain.resources import (
    Account,
    Address,
    AvailableCountry,
    AvailablePhoneNumber,
    Bundle,
    Capabilities,
    IncomingPhoneNumber,
    PhoneNumberPricing,
    Regulation,
)

WHEN = datetime(2015, 7, 30, 23, 19, 4, tzinfo=UTC)


def _subset_registry():
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    documents = json.loads(SUBSET.read_text("utf-8"))
    return documents, Registry().with_resources(
        (f"urn:{name}", Resource.from_contents(doc, default_specification=DRAFT4))
        for name, doc in documents.items()
    )


EXAMPLE_CASES = [
    (operation, name)
    for operation, entry in json.loads((DATA / "spec_examples.json").read_text("utf-8"))["operations"].items()
    for name in entry["examples"]
]


@pytest.mark.parametrize(("operation", "name"), EXAMPLE_CASES)
def test_examples_belong_to_the_subsets_operations(operation, name):
    """tests/data/wizard-subset.json has the examples stripped; the copies in
    tests/unit/data come from the same release and must fit its response schemas."""
    from urllib.parse import quote

    from openapi_schema_validator import OAS30Validator

    entry = json.loads((DATA / "spec_examples.json").read_text("utf-8"))["operations"][operation]
    documents, registry = _subset_registry()
    document = entry["spec"].removesuffix(".json")
    op = documents[document]["paths"][entry["path"]][entry["method"].lower()]
    assert op["operationId"] == operation
    segments = [
        "paths",
        entry["path"],
        entry["method"].lower(),
        "responses",
        str(entry["status"]),
        "content",
        "application/json",
        "schema",
    ]
    pointer = "".join("/" + s.replace("~", "~0").replace("/", "~1") for s in segments)
    validator = OAS30Validator({"$ref": f"urn:{document}#{quote(pointer)}"}, registry=registry)
    errors = [
        f"{list(e.absolute_path)}: {e.message}"
        for e in validator.iter_errors(entry["examples"][name])
        if not _documented_inconsistency(e)
    ]
    assert errors == []


def _documented_inconsistency(error) -> bool:
    """The two ways Twilio's own examples break its schemas (docs/twilio-api.md#hosts-formats-and-dates,
    #prices): "" for an unset SID, and prices declared numbers but sent as strings."""
    if error.instance == "" and error.validator in ("pattern", "minLength"):
        return True
    if error.validator == "type" and error.validator_value == "number" and isinstance(error.instance, str):
        Decimal(error.instance)  # a number in a string, nothing else
        return True
    return False


def test_model_fields_match_the_spec_schemas():
    mobile = subset_schema(
        "twilio_api_v2010", "api.v2010.account.incoming_phone_number.incoming_phone_number_mobile"
    )
    assert len(mobile["properties"]) == 34
    assert set(IncomingPhoneNumber.model_fields) == set(mobile["properties"]) | {"type"}
    generic = subset_schema("twilio_api_v2010", "api.v2010.account.incoming_phone_number")
    assert set(IncomingPhoneNumber.model_fields) == set(generic["properties"])
    available = subset_schema(
        "twilio_api_v2010",
        "api.v2010.account.available_phone_number_country.available_phone_number_mobile",
    )
    assert len(available["properties"]) == 13
    assert set(AvailablePhoneNumber.model_fields) == set(available["properties"])


@pytest.mark.parametrize(
    "operation",
    ["CreateIncomingPhoneNumberMobile", "CreateIncomingPhoneNumber", "FetchIncomingPhoneNumber"],
)
def test_incoming_phone_number_examples(operation):
    [body] = spec_examples(operation).values()
    number = IncomingPhoneNumber.model_validate(body)
    assert number.sid == "PN" + "a" * 32
    assert number.account_sid == "AC" + "a" * 32
    assert number.phone_number == "+18089255327"
    assert number.date_created == WHEN
    assert number.date_created.tzinfo is not None
    assert number.date_created.utcoffset() == timedelta(0)
    assert number.capabilities == Capabilities(voice=True, sms=False, mms=True, fax=False)
    assert number.status == "in-use"
    assert number.emergency_status == "Active"
    assert number.emergency_address_status == "registered"
    assert number.trunk_sid is None
    # Every field the example carries is read (nothing silently dropped).
    dumped = number.model_dump()
    for key, value in body.items():
        if value not in (None, "") and key not in ("date_created", "date_updated", "capabilities"):
            assert dumped[key] == value, key


def test_mobile_create_example_reads_every_setting():
    [body] = spec_examples("CreateIncomingPhoneNumberMobile").values()
    number = IncomingPhoneNumber.model_validate(body)
    assert number.voice_caller_id_lookup is True
    assert number.voice_method == "GET"
    assert number.voice_url == "https://example.com"
    assert number.bundle_sid == "BU" + "a" * 32
    assert number.voice_receive_mode == "voice"
    assert number.beta is False


@pytest.mark.parametrize("operation", ["ListIncomingPhoneNumber", "ListIncomingPhoneNumberMobile"])
def test_owned_number_list_examples_with_empty_strings(operation):
    examples = spec_examples(operation)
    [item] = examples["readFull"]["incoming_phone_numbers"]
    number = IncomingPhoneNumber.model_validate(item)
    # The example has "" for unset SIDs and URLs: they become None.
    assert item["sms_url"] == "" and number.sms_url is None
    assert item["voice_application_sid"] == "" and number.voice_application_sid is None
    assert number.beta is None
    assert examples["readEmpty"]["incoming_phone_numbers"] == []


def test_available_mobile_examples():
    examples = spec_examples("ListAvailablePhoneNumberMobile")
    [item] = examples["readFull"]["available_phone_numbers"]
    number = AvailablePhoneNumber.model_validate(item)
    assert number.phone_number == "+4759440374"
    assert number.friendly_name == "+4759440374"
    assert number.iso_country == "NO"
    assert number.address_requirements == "none"
    assert number.latitude is None and number.lata is None
    assert number.capabilities == Capabilities(voice=False, sms=True, mms=False, fax=False)
    assert examples["readEmpty"]["available_phone_numbers"] == []


def test_capabilities_any_key_case():
    # The live API answers "SMS"/"MMS" in search results, "sms"/"mms" on owned numbers.
    upper = AvailablePhoneNumber.model_validate(
        {
            "phone_number": "+447400123456",
            "latitude": "51.5",
            "longitude": -0.12,
            "capabilities": {"voice": True, "SMS": True, "MMS": False, "fax": None},
        }
    )
    assert upper.capabilities == Capabilities(voice=True, sms=True, mms=False, fax=False)
    assert upper.capabilities.names() == ["Voice", "SMS"]
    assert upper.capabilities.describe() == "Voice, SMS"
    assert upper.latitude == Decimal("51.5") and upper.longitude == Decimal("-0.12")
    assert Capabilities.model_validate({"sms": True, "Voice": True}).names() == ["Voice", "SMS"]
    assert Capabilities().describe() == "none"


def test_country_examples_and_sells_mobile():
    examples = spec_examples("ListAvailablePhoneNumberCountry")
    countries = {
        c.country_code: c
        for c in (AvailableCountry.model_validate(c) for c in examples["readFull"]["countries"])
    }
    assert countries["AU"].sells_mobile is True
    assert countries["DK"].sells_mobile is False
    assert countries["AU"].country == "Australia"
    [fetched] = spec_examples("FetchAvailablePhoneNumberCountry").values()
    AvailableCountry.model_validate(fetched)


def test_address_examples():
    [item] = spec_examples("ListAddress")["readFull"]["addresses"]
    address = Address.model_validate(item)
    assert address.sid == "AD" + "a" * 32
    assert address.validated is False and address.verified is False
    assert address.street_secondary is None
    assert address.date_created == datetime(2015, 8, 18, 17, 7, 30, tzinfo=UTC)
    assert address.one_line() == "Main Office, 4th, SF, US"


def test_bundle_examples_iso_dates_and_approval():
    examples = spec_examples("ListBundle")
    bundles = [Bundle.model_validate(b) for name in examples for b in examples[name]["results"]]
    assert bundles
    first = Bundle.model_validate(examples["readFull"]["results"][0])
    assert first.status == "provisionally-approved" and not first.approved
    assert first.date_created == datetime(2019, 7, 30, 22, 29, 24, tzinfo=UTC)
    assert first.valid_until == datetime(2020, 7, 31, 1, 0, tzinfo=UTC)
    assert first.regulation_sid is not None and first.regulation_sid.startswith("RN")
    assert set(first.links) == {"evaluations", "item_assignments", "bundle_copies"}
    approved = [Bundle.model_validate(b) for b in examples["readApprovedAuMobileWithDate"]["results"]]
    assert approved and all(b.approved for b in approved)


def test_regulation_examples():
    [item] = spec_examples("ListRegulation")["readFull"]["results"]
    regulation = Regulation.model_validate(item)
    assert regulation.sid.startswith("RN")
    assert regulation.friendly_name == "Australia: Local - Individual"
    assert regulation.end_user_type == "individual"


def test_account_example_never_keeps_the_auth_token():
    [body] = spec_examples("FetchAccount").values()
    body = dict(body, auth_token="0123456789abcdef0123456789abcdef")
    account = Account.model_validate(body)
    assert account.sid == "AC" + "a" * 32
    assert account.type == "Full" and account.status == "active"
    assert account.date_created == datetime(2015, 7, 30, 20, 0, tzinfo=UTC)
    assert "auth_token" not in account.model_dump()
    assert not hasattr(account, "auth_token")
    for text in (repr(account), str(account), account.model_dump_json()):
        assert "0123456789abcdef0123456789abcdef" not in text


def test_pricing_example_no_mobile_price_means_unknown():
    [body] = spec_examples("FetchPhoneNumberCountry").values()
    pricing = PhoneNumberPricing.model_validate(body)
    assert [p.normalised_type for p in pricing.phone_number_prices] == ["local", "toll-free"]
    assert pricing.phone_number_prices[1].base_price == Decimal("2.00")
    price = pricing.mobile_price()
    assert not price.known
    assert price.describe() == "price unknown"
    assert price.currency == "USD"


@pytest.mark.parametrize("spelling", ["mobile", "Mobile", " MOBILE "])
def test_pricing_mobile_price_normalised_from_strings(spelling):
    pricing = PhoneNumberPricing.model_validate(
        {
            "country": "United Kingdom",
            "iso_country": "GB",
            "price_unit": "usd",
            "phone_number_prices": [
                {"number_type": "toll free", "base_price": "2.00", "current_price": "2.00"},
                {"number_type": spelling, "base_price": "1.15", "current_price": "1.00"},
            ],
        }
    )
    price = pricing.mobile_price()
    assert price.known
    assert price.monthly == Decimal("1.00")
    assert price.currency == "USD"
    assert price.describe() == "1.00 USD / month (list price 1.15)"


def test_pricing_same_list_price_and_base_only():
    pricing = PhoneNumberPricing.model_validate(
        {
            "price_unit": "EUR",
            "phone_number_prices": [{"number_type": "mobile", "base_price": "3.5", "current_price": ""}],
        }
    )
    price = pricing.mobile_price()
    assert price.current_price is None and price.monthly == Decimal("3.5")
    assert price.describe() == "3.50 EUR / month"


def test_pricing_country_list_example_parses():
    examples = spec_examples("ListPhoneNumberCountry")
    assert examples["readFull"]["meta"]["key"] == "countries"
    assert examples["readFull"]["countries"][0]["iso_country"] == "AT"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Thu, 30 Jul 2015 23:19:04 +0000", WHEN),
        ("Thu, 30 Jul 2015 23:19:04 -0000", WHEN),  # "no offset known": taken as UTC
        ("Thu, 30 Jul 2015 23:19:04 GMT", WHEN),
        ("Fri, 31 Jul 2015 01:19:04 +0200", WHEN),  # the same instant
        ("", None),
        (None, None),
    ],
)
def test_rfc2822_dates_are_timezone_aware(raw, expected):
    number = IncomingPhoneNumber.model_validate({"date_created": raw})
    assert number.date_created == expected
    if expected is not None:
        assert number.date_created.tzinfo is not None


def test_bad_dates_are_unknown_not_guessed_and_do_not_lose_the_resource():
    # A created number with an unreadable date is still a created number: the
    # date reads as unknown, nothing is guessed, everything else parses.
    number = IncomingPhoneNumber.model_validate(
        {"sid": "PN" + "0" * 32, "date_created": "yesterday", "date_updated": "Thu, 99 Foo"}
    )
    assert number.sid == "PN" + "0" * 32
    assert number.date_created is None and number.date_updated is None
    bundle = Bundle.model_validate({"sid": "BU" + "0" * 32, "status": "draft", "valid_until": "soon"})
    assert bundle.valid_until is None
    assert (
        Bundle.model_validate(
            {"sid": "BU" + "a" * 32, "status": "draft", "date_created": "2019-13-40"}
        ).date_created
        is None
    )


def test_unknown_enum_values_and_extra_keys_are_kept_or_ignored():
    number = IncomingPhoneNumber.model_validate(
        {"status": "something-new", "emergency_status": "Pending", "subresource_uris": {"x": "/y"}}
    )
    assert number.status == "something-new" and number.emergency_status == "Pending"


def test_bad_numbers_and_naive_iso_dates():
    with pytest.raises(ValidationError):
        AvailablePhoneNumber.model_validate({"latitude": "north"})
    bundle = Bundle.model_validate(
        {"sid": "BU" + "a" * 32, "status": "draft", "date_created": "2019-07-30T22:29:24"}
    )
    assert bundle.date_created == datetime(2019, 7, 30, 22, 29, 24, tzinfo=UTC)
