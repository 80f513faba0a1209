"""Buying numbers: magic numbers, availability, address and bundle rules, settings."""

from __future__ import annotations

from typing import Any

import pytest
from sandbox_helpers import (
    API_KEY,
    FIXED_NOW,
    MAIN,
    TEST,
    TRIAL,
    account_path,
    assert_error,
    buy,
    call,
)

from tui.sandbox import MAIN_ACCOUNT_SID, TEST_ACCOUNT_SID, TRIAL_ACCOUNT_SID, Sandbox, seed

NUMBERS = f"{account_path()}/IncomingPhoneNumbers"


def owned(sandbox: Sandbox, phone_number: str, auth: tuple[str, str] = MAIN) -> list[dict[str, Any]]:
    """Reconcile the way a careful client does: list owned numbers by E.164."""
    path = f"{account_path(auth[0])}/IncomingPhoneNumbers.json"
    body = call(sandbox, "GET", path, query={"PhoneNumber": phone_number}, auth=auth).json()
    return body["incoming_phone_numbers"]


def for_sale(sandbox: Sandbox, iso_country: str) -> list[str]:
    path = f"{account_path()}/AvailablePhoneNumbers/{iso_country}/Mobile.json"
    body = call(sandbox, "GET", path).json()
    return [number["phone_number"] for number in body["available_phone_numbers"]]


# --- Magic numbers: test credentials only (https://www.twilio.com/docs/iam/test-credentials)


def test_magic_available_number_is_bought_with_twilio_defaults(sandbox: Sandbox) -> None:
    response = buy(sandbox, "+15005550006", auth=TEST)
    assert response.status == 201
    body = response.json()
    assert body["phone_number"] == "+15005550006"
    assert body["account_sid"] == TEST_ACCOUNT_SID
    assert body["friendly_name"] == "(500) 555-0006"
    assert body["status"] == "in-use" and body["origin"] == "twilio"
    assert body["api_version"] == "2010-04-01"
    assert body["date_created"] == body["date_updated"] == "Fri, 14 Mar 2025 15:09:26 +0000"
    assert body["uri"] == f"{account_path(TEST_ACCOUNT_SID)}/IncomingPhoneNumbers/{body['sid']}.json"
    assert body["capabilities"] == {"voice": True, "sms": True, "mms": True, "fax": False}
    methods = ("sms_method", "sms_fallback_method", "voice_method", "voice_fallback_method",
               "status_callback_method")  # fmt: skip
    assert {body[name] for name in methods} == {"POST"}
    assert body["voice_receive_mode"] == "voice"
    assert body["emergency_status"] == "Inactive"
    assert body["emergency_address_status"] == "unregistered"
    assert body["voice_caller_id_lookup"] is False


def test_magic_purchase_echoes_settings(sandbox: Sandbox) -> None:
    body = buy(
        sandbox, "+15005550006", auth=TEST, FriendlyName="Demo", VoiceUrl="https://example.com/voice",
        SmsUrl="https://example.com/sms", VoiceCallerIdLookup="true",
    ).json()  # fmt: skip
    assert (body["friendly_name"], body["voice_url"], body["sms_url"]) == (
        "Demo", "https://example.com/voice", "https://example.com/sms",
    )  # fmt: skip
    assert body["voice_caller_id_lookup"] is True


def test_magic_purchase_changes_nothing_on_any_account(sandbox: Sandbox) -> None:
    before = sandbox.state_snapshot()
    first = buy(sandbox, "+15005550006", auth=TEST).json()
    second = buy(sandbox, "+15005550006", auth=TEST, FriendlyName="Again").json()
    # Nothing was kept: the second "purchase" is a new one, with the default name.
    assert second["sid"] == first["sid"] and second["friendly_name"] == "Again"
    assert buy(sandbox, "+15005550006", auth=TEST).json()["friendly_name"] == "(500) 555-0006"
    assert sandbox.state_snapshot() == before


def test_magic_unavailable_and_invalid_numbers_with_test_credentials(sandbox: Sandbox) -> None:
    taken = assert_error(buy(sandbox, "+15005550000", auth=TEST), 400, 21422)
    assert taken["message"] == "PhoneNumber +15005550000 is not available."
    invalid = assert_error(buy(sandbox, "+15005550001", auth=TEST), 400, 21421)
    assert invalid["message"] == "Phone Number is invalid"


@pytest.mark.parametrize("auth", [MAIN, API_KEY, TRIAL], ids=["main", "api-key", "trial"])
@pytest.mark.parametrize("phone_number", ["+15005550006", "+15005550000", "+15005550001"])
def test_magic_numbers_are_ordinary_numbers_not_for_sale_with_live_credentials(
    sandbox: Sandbox, auth: tuple[str, str], phone_number: str
) -> None:
    body = assert_error(buy(sandbox, phone_number, auth=auth), 400, 21422)
    assert body["message"] == f"PhoneNumber {phone_number} is not available."
    assert owned(sandbox, phone_number) == []


@pytest.mark.parametrize(
    ("form", "auth", "status", "code"),
    [
        ({"AreaCode": "500"}, TEST, 201, None),
        ({"AreaCode": "533"}, TEST, 400, 21452),
        ({"AreaCode": "500"}, MAIN, 400, 21452),
        ({"AreaCode": "415"}, MAIN, 400, 21452),
        ({"AreaCode": "5x0"}, MAIN, 400, 21451),
        ({}, MAIN, 400, 21421),
    ],
)
def test_generic_endpoint_by_area_code(
    sandbox: Sandbox, form: dict[str, str], auth: tuple[str, str], status: int, code: int | None
) -> None:
    response = call(
        sandbox, "POST", f"{account_path(auth[0])}/IncomingPhoneNumbers.json", form=form, auth=auth
    )
    if code is None:
        assert response.status == status
        assert response.json()["phone_number"] == "+15005550006"
        assert response.json()["type"] == "local"
    else:
        assert_error(response, status, code)


# --- Validity and availability ----------------------------------------------------


def test_missing_phone_number_is_21421(sandbox: Sandbox) -> None:
    response = call(sandbox, "POST", f"{NUMBERS}/Mobile.json", form={"FriendlyName": "x"})
    assert assert_error(response, 400, 21421)["message"] == "A 'PhoneNumber' is required."


@pytest.mark.parametrize("phone_number", ["07929436483", "447929436483", "+44 7929 436483", "+4412"])
def test_invalid_numbers_are_21421(sandbox: Sandbox, phone_number: str) -> None:
    assert_error(buy(sandbox, phone_number), 400, 21421)


def test_valid_number_twilio_never_had_is_21422(sandbox: Sandbox) -> None:
    body = assert_error(buy(sandbox, "+447911123456"), 400, 21422)
    assert body["message"] == "PhoneNumber +447911123456 is not available."


@pytest.mark.parametrize("phone_number", seed.FOREIGN_OWNED_NUMBERS)
def test_numbers_owned_by_another_account_are_21422(sandbox: Sandbox, phone_number: str) -> None:
    assert_error(buy(sandbox, phone_number, BundleSid=seed.BUNDLE_GB_MOBILE_APPROVED), 400, 21422)


def test_number_bought_by_another_account_is_no_longer_available(sandbox: Sandbox) -> None:
    assert buy(sandbox, "+31616953194", auth=TRIAL).status == 201
    assert "+31616953194" not in for_sale(sandbox, "NL")
    assert_error(buy(sandbox, "+31616953194"), 400, 21422)
    assert owned(sandbox, "+31616953194") == []
    assert owned(sandbox, "+31616953194", auth=TRIAL)[0]["account_sid"] == TRIAL_ACCOUNT_SID


def test_purchase_takes_the_number_off_sale_and_owns_it(sandbox: Sandbox) -> None:
    assert "+46701740612" in for_sale(sandbox, "SE")
    body = buy(sandbox, "+46701740612").json()
    assert "+46701740612" not in for_sale(sandbox, "SE")
    assert [number["sid"] for number in owned(sandbox, "+46701740612")] == [body["sid"]]
    fetched = call(sandbox, "GET", f"{NUMBERS}/{body['sid']}.json").json()
    assert fetched["phone_number"] == "+46701740612" and fetched["type"] == "mobile"
    assert fetched["friendly_name"] == "070-174 06 12"


def test_repost_of_an_owned_number_returns_the_same_resource_updated(sandbox: Sandbox) -> None:
    first = buy(sandbox, "+46701740612")
    again = buy(sandbox, "+46701740612", FriendlyName="Retried", SmsUrl="https://example.com/s")
    assert (first.status, again.status) == (201, 201)
    assert again.json()["sid"] == first.json()["sid"]
    assert again.json()["status"] == "in-use"
    assert (again.json()["friendly_name"], again.json()["sms_url"]) == (
        "Retried", "https://example.com/s",
    )  # fmt: skip
    assert len(owned(sandbox, "+46701740612")) == 1


def test_seeded_owned_number_can_be_reposted(sandbox: Sandbox) -> None:
    response = buy(sandbox, "+447802019939")
    assert response.status == 201
    assert response.json()["friendly_name"] == "Support line (UK)"


def test_released_number_is_not_sold_again(sandbox: Sandbox) -> None:
    sid = buy(sandbox, "+46701740612").json()["sid"]
    assert call(sandbox, "DELETE", f"{NUMBERS}/{sid}.json").status == 204
    assert owned(sandbox, "+46701740612") == []
    assert_error(call(sandbox, "GET", f"{NUMBERS}/{sid}.json"), 404, 20404)
    assert_error(buy(sandbox, "+46701740612"), 400, 21422)


def test_sids_are_deterministic() -> None:
    first = buy(Sandbox(), "+46701740612").json()["sid"]
    second = buy(Sandbox(), "+46701740612").json()["sid"]
    assert first == second and first.startswith("PN") and len(first) == 34
    assert buy(Sandbox(), "+46701740670").json()["sid"] != first


# --- Addresses --------------------------------------------------------------------

GB_ANY = "+447437283605"
DE_LOCAL = "+4916037275477"
NL_FOREIGN = "+31639324261"
BR_LOCAL = "+5511976991686"
AU_LOCAL = "+61491570006"


def test_address_required_but_not_given_is_21631(sandbox: Sandbox) -> None:
    body = assert_error(buy(sandbox, GB_ANY, BundleSid=seed.BUNDLE_GB_MOBILE_APPROVED), 400, 21631)
    assert "Any Address requirement" in body["message"]


def test_unknown_address_is_21631_with_twilios_phrasing(sandbox: Sandbox) -> None:
    unknown = "AD" + "0" * 32
    response = buy(sandbox, DE_LOCAL, AddressSid=unknown, BundleSid=seed.BUNDLE_DE_MOBILE_APPROVED)
    body = assert_error(response, 400, 21631)
    assert body["message"] == (
        f"Could not find Address with sid {unknown} to satisfy Local Address requirement"
    )


def test_address_of_another_account_is_not_found(sandbox: Sandbox) -> None:
    form = {"CustomerName": "Trial", "Street": "1 St", "City": "Malmo", "Region": "Skane",
            "PostalCode": "211 20", "IsoCountry": "SE"}  # fmt: skip
    trial_address = call(
        sandbox, "POST", f"{account_path(TRIAL_ACCOUNT_SID)}/Addresses.json", form=form,
        auth=TRIAL,
    ).json()["sid"]  # fmt: skip
    assert_error(buy(sandbox, "+46701740605", AddressSid=trial_address), 400, 21631)
    assert buy(sandbox, "+46701740605", auth=TRIAL, AddressSid=trial_address).status == 201


def test_local_requirement_with_an_address_abroad_is_21631_in_twilios_words(sandbox: Sandbox) -> None:
    body = assert_error(buy(sandbox, BR_LOCAL, AddressSid=seed.ADDRESS_GB), 400, 21631)
    # As observed live (a third-party report; https://twilio.com/docs/api/errors/21631).
    assert body["message"] == (
        f"Could not find Address with sid {seed.ADDRESS_GB} for account {MAIN_ACCOUNT_SID} "
        "to satisfy Local Address requirement"
    )


def test_foreign_requirement_with_an_address_at_home_is_refused(sandbox: Sandbox) -> None:
    body = assert_error(buy(sandbox, NL_FOREIGN, AddressSid=seed.ADDRESS_NL), 400, 21631)
    assert "Foreign Address requirement" in body["message"]
    response = buy(sandbox, NL_FOREIGN, AddressSid=seed.ADDRESS_GB)
    assert response.status == 201
    assert response.json()["address_sid"] == seed.ADDRESS_GB
    assert response.json()["address_requirements"] == "foreign"


def test_local_requirement_met_with_an_approved_bundle(sandbox: Sandbox) -> None:
    response = buy(sandbox, DE_LOCAL, AddressSid=seed.ADDRESS_DE, BundleSid=seed.BUNDLE_DE_MOBILE_APPROVED)
    assert response.status == 201
    assert response.json()["bundle_sid"] == seed.BUNDLE_DE_MOBILE_APPROVED


def test_number_without_requirement_accepts_no_address(sandbox: Sandbox) -> None:
    assert buy(sandbox, "+46701740612").json()["address_sid"] is None


# --- Bundles ----------------------------------------------------------------------


def test_bundle_required_and_not_provided_is_21649(sandbox: Sandbox) -> None:
    body = assert_error(buy(sandbox, "+447929436483"), 400, 21649)
    assert body["message"] == ("Bundle required and not provided for country: [GB] and numberType: [MOBILE]")


@pytest.mark.parametrize(
    ("phone_number", "address", "bundle", "why"),
    [
        (AU_LOCAL, seed.ADDRESS_AU, seed.BUNDLE_AU_MOBILE_PENDING, "pending-review"),
        ("+447929436483", None, seed.BUNDLE_GB_MOBILE_REJECTED, "twilio-rejected"),
        ("+447929436483", None, seed.BUNDLE_DE_MOBILE_APPROVED, "country: [DE]"),
        ("+447929436483", None, seed.BUNDLE_GB_LOCAL_APPROVED, "numberType: [LOCAL]"),
        ("+447929436483", None, "BU" + "0" * 32, "Could not find Bundle"),
    ],
)
def test_unusable_bundles_are_21649_saying_why(
    sandbox: Sandbox, phone_number: str, address: str | None, bundle: str, why: str
) -> None:
    settings = {"BundleSid": bundle, **({"AddressSid": address} if address else {})}
    body = assert_error(buy(sandbox, phone_number, **settings), 400, 21649)
    assert why in body["message"]


@pytest.mark.parametrize(("phone_number", "address"), [
    ("+46701740605", seed.ADDRESS_US), ("+31616953194", None), ("+5511982719967", None),
])  # fmt: skip
def test_countries_without_a_regulation_need_no_bundle(
    sandbox: Sandbox, phone_number: str, address: str | None
) -> None:
    settings = {"AddressSid": address} if address else {}
    assert buy(sandbox, phone_number, **settings).status == 201


def test_regulatory_checks_come_before_the_trial_limit(sandbox: Sandbox) -> None:
    assert buy(sandbox, "+31616953194", auth=TRIAL).status == 201
    assert_error(buy(sandbox, "+447929436483", auth=TRIAL), 400, 21649)
    assert_error(buy(sandbox, "+31648362374", auth=TRIAL), 400, 21404)


# --- Settings ---------------------------------------------------------------------


def test_sms_fallback_url_without_sms_url_is_21406(sandbox: Sandbox) -> None:
    assert_error(buy(sandbox, "+46701740612", SmsFallbackUrl="https://example.com/fallback"), 400, 21406)
    assert "+46701740612" in for_sale(sandbox, "SE")


@pytest.mark.parametrize("url", ["not a url", "example.com/voice", "ftp://example.com/x"])
def test_invalid_urls_are_21402(sandbox: Sandbox, url: str) -> None:
    assert_error(buy(sandbox, "+46701740612", VoiceUrl=url), 400, 21402)


def test_unsupported_api_version_is_refused(sandbox: Sandbox) -> None:
    assert_error(buy(sandbox, "+46701740612", ApiVersion="2020-01-01"), 400, 80701)


def test_trunk_and_voice_application_clear_each_other(sandbox: Sandbox) -> None:
    app, trunk = "AP" + "a" * 32, "TK" + "b" * 32
    sid = buy(sandbox, "+46701740612", VoiceApplicationSid=app).json()["sid"]
    path = f"{NUMBERS}/{sid}.json"
    with_trunk = call(sandbox, "POST", path, form={"TrunkSid": trunk}).json()
    assert (with_trunk["trunk_sid"], with_trunk["voice_application_sid"]) == (trunk, None)
    with_app = call(sandbox, "POST", path, form={"VoiceApplicationSid": app}).json()
    assert (with_app["trunk_sid"], with_app["voice_application_sid"]) == (None, app)
    both = call(sandbox, "POST", path, form={"VoiceApplicationSid": app, "TrunkSid": trunk}).json()
    assert (both["trunk_sid"], both["voice_application_sid"]) == (trunk, None)


GB_OWNED = "+447802019939"  # seeded: the main account's UK support line


def emergency_address(sandbox: Sandbox, iso_country: str = "GB", *, enabled: bool = True) -> str:
    form = {"CustomerName": "Sandbox Ltd", "Street": "1 High St", "City": "London",
            "Region": "London", "PostalCode": "EC1A 1AA", "IsoCountry": iso_country,
            "EmergencyEnabled": "true" if enabled else "false"}  # fmt: skip
    response = call(sandbox, "POST", f"{account_path()}/Addresses.json", form=form)
    assert response.status == 201, response.body
    return response.json()["sid"]


def owned_sid(sandbox: Sandbox, phone_number: str) -> str:
    return owned(sandbox, phone_number)[0]["sid"]


@pytest.mark.parametrize("value", ["Active", "Inactive"])
def test_emergency_status_is_ignored_as_twilio_ignores_it(sandbox: Sandbox, value: str) -> None:
    bought = buy(sandbox, "+46701740612", EmergencyStatus=value).json()
    assert bought["emergency_status"] == "Inactive"
    updated = call(sandbox, "POST", f"{NUMBERS}/{bought['sid']}.json", form={"EmergencyStatus": value})
    assert updated.status == 200 and updated.json()["emergency_status"] == "Inactive"
    # Still validated: it is in the API.
    assert_error(buy(sandbox, "+46701740612", EmergencyStatus="on"), 400, 80701)


def test_emergency_address_is_ignored_at_purchase_and_applied_by_update(sandbox: Sandbox) -> None:
    address = emergency_address(sandbox)
    body = buy(sandbox, "+447929436483", BundleSid=seed.BUNDLE_GB_MOBILE_APPROVED,
               EmergencyAddressSid=address).json()  # fmt: skip
    assert body["emergency_address_sid"] is None
    updated = call(
        sandbox, "POST", f"{NUMBERS}/{body['sid']}.json", form={"EmergencyAddressSid": address}
    ).json()
    assert updated["emergency_address_sid"] == address
    assert updated["emergency_address_status"] == "pending-registration"
    assert updated["emergency_status"] == "Active"


def test_emergency_address_must_be_emergency_enabled(sandbox: Sandbox) -> None:
    plain = emergency_address(sandbox, enabled=False)
    response = call(sandbox, "POST", f"{NUMBERS}/{owned_sid(sandbox, GB_OWNED)}.json",
                    form={"EmergencyAddressSid": plain})  # fmt: skip
    assert "not emergency-enabled" in assert_error(response, 400, 80701)["message"]


def test_emergency_calling_only_where_twilio_offers_it(sandbox: Sandbox) -> None:
    # No emergency address outside the US, Canada and the UK...
    refused = call(sandbox, "POST", f"{account_path()}/Addresses.json", form={
        "CustomerName": "Sandbox AB", "Street": "Drottninggatan 1", "City": "Stockholm",
        "Region": "Stockholm", "PostalCode": "111 51", "IsoCountry": "SE", "EmergencyEnabled": "true",
    })  # fmt: skip
    assert "US, CA, GB" in assert_error(refused, 400, 80701)["message"]
    # ... nor on a number outside them, nor from another country.
    sid = buy(sandbox, "+46701740612").json()["sid"]
    response = call(sandbox, "POST", f"{NUMBERS}/{sid}.json", form={"EmergencyAddressSid": seed.ADDRESS_US})
    assert "not offered for numbers in SE" in assert_error(response, 400, 80701)["message"]
    response = call(sandbox, "POST", f"{NUMBERS}/{owned_sid(sandbox, GB_OWNED)}.json",
                    form={"EmergencyAddressSid": seed.ADDRESS_US})  # fmt: skip
    assert "must be in GB" in assert_error(response, 400, 80701)["message"]


def test_an_emergency_address_blocks_release_until_removed(sandbox: Sandbox) -> None:
    path = f"{NUMBERS}/{owned_sid(sandbox, GB_OWNED)}.json"
    address = emergency_address(sandbox)
    assert call(sandbox, "POST", path, form={"EmergencyAddressSid": address}).status == 200
    refused = call(sandbox, "DELETE", path)
    assert refused.status == 400 and "emergency address" in refused.json()["message"]
    assert owned(sandbox, GB_OWNED) != []
    removed = call(sandbox, "POST", path, form={"EmergencyAddressSid": ""}).json()
    assert (removed["emergency_address_sid"], removed["emergency_address_status"]) == (None, "unregistered")
    assert call(sandbox, "DELETE", path).status == 204
    assert owned(sandbox, GB_OWNED) == []
    # Released: never for sale again, even with everything a GB number needs.
    assert_error(buy(sandbox, GB_OWNED, BundleSid=seed.BUNDLE_GB_MOBILE_APPROVED), 400, 21422)


def test_update_clears_a_setting_with_an_empty_value(sandbox: Sandbox) -> None:
    sid = buy(sandbox, "+46701740612", VoiceApplicationSid="AP" + "a" * 32).json()["sid"]
    cleared = call(sandbox, "POST", f"{NUMBERS}/{sid}.json", form={"VoiceApplicationSid": ""})
    assert cleared.json()["voice_application_sid"] is None


def test_update_refuses_moving_to_an_account_that_is_not_a_subaccount(sandbox: Sandbox) -> None:
    sid = buy(sandbox, "+46701740612").json()["sid"]
    response = call(sandbox, "POST", f"{NUMBERS}/{sid}.json", form={"AccountSid": TRIAL_ACCOUNT_SID})
    assert_error(response, 400, 80701)
    moved_nowhere = call(sandbox, "POST", f"{NUMBERS}/{sid}.json", form={"AccountSid": MAIN_ACCOUNT_SID})
    assert moved_nowhere.status == 200


def test_update_with_an_unknown_address_is_refused_and_changes_nothing(sandbox: Sandbox) -> None:
    sid = buy(sandbox, "+46701740612", FriendlyName="Before").json()["sid"]
    path = f"{NUMBERS}/{sid}.json"
    response = call(sandbox, "POST", path, form={"FriendlyName": "After", "AddressSid": "AD" + "9" * 32})
    assert_error(response, 400, 21631)
    assert call(sandbox, "GET", path).json()["friendly_name"] == "Before"


def test_numbers_of_other_accounts_are_404(sandbox: Sandbox) -> None:
    trial_number = buy(sandbox, "+31616953194", auth=TRIAL).json()["sid"]
    assert_error(call(sandbox, "GET", f"{NUMBERS}/{trial_number}.json"), 404, 20404)
    assert_error(call(sandbox, "DELETE", f"{NUMBERS}/{trial_number}.json"), 404, 20404)


def test_the_clock_dates_new_records(sandbox: Sandbox) -> None:
    body = buy(sandbox, "+46701740612").json()
    assert body["date_created"] == FIXED_NOW.strftime("%a, %d %b %Y %H:%M:%S +0000")
