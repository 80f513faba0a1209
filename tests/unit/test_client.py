"""TwilioClient over httpx.MockTransport: what goes on the wire, hosts, paging,
retries, error mapping and credential checks (docs/twilio-api.md)."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from pydantic import ValidationError

from tests.support.fakes import (
    ACCOUNT_SID,
    AD_SID,
    API_KEY_SID,
    API_SECRET,
    AUTH_TOKEN,
    PN_SID,
    UK_MOBILE,
    Recorder,
    Sleeps,
    basic_auth,
    form_of,
    key_credentials,
    spec_examples,
    token_credentials,
    twilio_error,
)
from tui import __version__
from tui.domain.errors import TwilioApiError, TwilioUnreachable
from tui.domain.purchase import PurchaseRequest
from tui.domain.resources import AvailablePhoneNumber
from tui.domain.rules import RuleError
from tui.domain.search import MobileSearch
from tui.services.twilio import RetryPolicy, TwilioClient, form_body

API = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}"


def ok(body=None, status=200, **kw) -> httpx.Response:
    return httpx.Response(status, json=body if body is not None else {}, **kw)


def created_body(**changes):
    [body] = spec_examples("CreateIncomingPhoneNumberMobile").values()
    return {**body, "phone_number": UK_MOBILE, "sid": PN_SID, **changes}


def client_for(recorder: Recorder, credentials=None, sleeps: Sleeps | None = None, **kw) -> TwilioClient:
    return TwilioClient(
        credentials or token_credentials(),
        transport=recorder.transport,
        sleep=sleeps or Sleeps(),
        jitter=lambda: 0.0,
        **kw,
    )


# ---------------------------------------------------------------------------
# Every call: URL, query, body


async def test_check_credentials_with_auth_token_reads_the_account():
    [account] = spec_examples("FetchAccount").values()
    recorder = Recorder(ok(account))
    async with client_for(recorder) as client:
        check = await client.check_credentials()
    [request] = recorder.requests
    assert request.method == "GET"
    assert str(request.url) == f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}.json"
    assert basic_auth(request) == (ACCOUNT_SID, AUTH_TOKEN)
    assert check.auth_kind == "auth_token" and check.account_sid == ACCOUNT_SID
    assert check.friendly_name == "friendly_name" and check.account_type == "Full"


async def test_list_countries_and_mobile_countries():
    [body] = [spec_examples("ListAvailablePhoneNumberCountry")["readFull"]]
    recorder = Recorder(ok(body), ok(body))
    async with client_for(recorder) as client:
        countries = await client.list_countries()
        mobile = await client.list_mobile_countries()
    assert recorder.urls == [f"{API}/AvailablePhoneNumbers.json?PageSize=1000"] * 2
    assert [c.country_code for c in countries] == ["DK", "AU"]
    assert [c.country_code for c in mobile] == ["AU"]


async def test_search_mobile_sends_the_filters_as_query():
    body = spec_examples("ListAvailablePhoneNumberMobile")["readFull"]
    recorder = Recorder(ok(body))
    search = MobileSearch(country_code="gb", contains="+447*", sms_enabled="yes", beta=False, page_size="20")
    async with client_for(recorder) as client:
        numbers = await client.search_mobile(search)
    [request] = recorder.requests
    assert str(request.url) == (
        f"{API}/AvailablePhoneNumbers/GB/Mobile.json"
        "?Contains=%2B447%2A&SmsEnabled=true&Beta=false&PageSize=20"
    )
    assert request.url.params["Contains"] == "+447*"
    assert [n.phone_number for n in numbers] == ["+4759440374"]


async def test_search_mobile_without_filters_has_no_query():
    recorder = Recorder(ok({"available_phone_numbers": [], "uri": "/x"}))
    async with client_for(recorder) as client:
        assert await client.search_mobile(MobileSearch(country_code="AU")) == []
    assert recorder.urls == [f"{API}/AvailablePhoneNumbers/AU/Mobile.json"]


async def test_search_mobile_reads_blanks_and_capabilities_as_one_result_does():
    items = [
        {
            "phone_number": "+447400123456",
            "locality": " ",
            "lata": "",
            "capabilities": {"voice": True, "SMS": True},
        },
        {"phone_number": "+447400123457", "latitude": "51.5", "capabilities": {"sms": False, "MMS": True}},
    ]
    recorder = Recorder(ok({"available_phone_numbers": items}))
    async with client_for(recorder) as client:
        numbers = await client.search_mobile(MobileSearch(country_code="GB"))
    assert numbers == [AvailablePhoneNumber.model_validate(item) for item in items]
    assert numbers[0].locality is None and numbers[0].lata is None
    assert numbers[0].capabilities is not None and numbers[0].capabilities.describe() == "Voice, SMS"
    assert numbers[1].latitude == Decimal("51.5")


async def test_a_malformed_search_result_fails_as_that_one_result_does():
    items = [{"phone_number": "+447400123456"}, {"phone_number": "+447400123457", "latitude": "north"}]
    recorder = Recorder(ok({"available_phone_numbers": items}))
    with pytest.raises(ValidationError) as one_by_one:
        AvailablePhoneNumber.model_validate(items[1])
    async with client_for(recorder) as client:
        with pytest.raises(ValidationError) as searched:
            await client.search_mobile(MobileSearch(country_code="GB"))
    assert searched.value.title == "AvailablePhoneNumber"
    assert str(searched.value) == str(one_by_one.value)
    assert searched.value.errors(include_context=False) == one_by_one.value.errors(include_context=False)


async def test_find_owned_number_keeps_only_the_exact_match():
    partial = {
        "incoming_phone_numbers": [
            {"sid": "PN" + "9" * 32, "phone_number": UK_MOBILE + "7"},
            {"sid": PN_SID, "phone_number": UK_MOBILE, "status": "in-use"},
        ],
        "next_page_uri": None,
    }
    recorder = Recorder(ok(partial), ok({"incoming_phone_numbers": []}))
    async with client_for(recorder) as client:
        found = await client.find_owned_number(UK_MOBILE)
        missing = await client.find_owned_number("+61412345678")
    assert found is not None and found.sid == PN_SID
    assert missing is None
    assert recorder.urls == [
        f"{API}/IncomingPhoneNumbers.json?PhoneNumber=%2B447400123456",
        f"{API}/IncomingPhoneNumbers.json?PhoneNumber=%2B61412345678",
    ]


async def test_list_addresses_with_and_without_country():
    body = spec_examples("ListAddress")["readFull"]
    recorder = Recorder(ok(body), ok(body))
    async with client_for(recorder) as client:
        addresses = await client.list_addresses("GB")
        await client.list_addresses()
    assert recorder.urls == [
        f"{API}/Addresses.json?PageSize=100&IsoCountry=GB",
        f"{API}/Addresses.json?PageSize=100",
    ]
    assert [a.sid for a in addresses] == ["AD" + "a" * 32]


async def test_list_bundles_and_regulations_on_the_numbers_host():
    bundles = spec_examples("ListBundle")["readApprovedAuMobileWithDate"]
    regulations = spec_examples("ListRegulation")["readFull"]
    recorder = Recorder(ok(bundles), ok(regulations), ok(bundles))
    async with client_for(recorder) as client:
        found = await client.list_bundles("AU", status="twilio-approved")
        regs = await client.list_regulations("AU")
        await client.list_bundles("GB")
    assert recorder.urls == [
        "https://numbers.twilio.com/v2/RegulatoryCompliance/Bundles"
        "?IsoCountry=AU&NumberType=mobile&PageSize=100&Status=twilio-approved",
        "https://numbers.twilio.com/v2/RegulatoryCompliance/Regulations"
        "?IsoCountry=AU&NumberType=mobile&PageSize=100",
        "https://numbers.twilio.com/v2/RegulatoryCompliance/Bundles"
        "?IsoCountry=GB&NumberType=mobile&PageSize=100",
    ]
    assert found and all(b.approved for b in found)
    assert [r.friendly_name for r in regs] == ["Australia: Local - Individual"]


async def test_fetch_mobile_price_on_the_pricing_host():
    body = {
        "country": "United Kingdom",
        "iso_country": "GB",
        "price_unit": "USD",
        "phone_number_prices": [{"number_type": "mobile", "base_price": "1.15", "current_price": "1.15"}],
        "url": "https://pricing.twilio.com/v1/PhoneNumbers/Countries/GB",
    }
    recorder = Recorder(ok(body))
    async with client_for(recorder) as client:
        price = await client.fetch_mobile_price("GB")
    assert recorder.urls == ["https://pricing.twilio.com/v1/PhoneNumbers/Countries/GB"]
    assert price.describe() == "1.15 USD / month"


async def test_purchase_posts_the_form_once():
    request = PurchaseRequest(
        phone_number=UK_MOBILE,
        friendly_name="Support & Sales",
        voice_url="https://example.com/voice?a=1",
        voice_caller_id_lookup=False,
        address_sid=AD_SID,
    )
    recorder = Recorder(ok(created_body(), status=201))
    async with client_for(recorder) as client:
        prepared = client.prepare_purchase(request)
        created = await client.send_purchase(client.prepare_purchase(request))
    [sent] = recorder.requests
    assert sent.method == "POST"
    assert str(sent.url) == f"{API}/IncomingPhoneNumbers/Mobile.json" == prepared.url
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert form_of(sent) == [
        ("PhoneNumber", UK_MOBILE),
        ("FriendlyName", "Support & Sales"),
        ("VoiceCallerIdLookup", "false"),
        ("VoiceUrl", "https://example.com/voice?a=1"),
        ("AddressSid", AD_SID),
    ]
    assert sent.content.decode() == form_body(prepared.form)
    assert sent.content.decode().startswith("PhoneNumber=%2B447400123456&FriendlyName=Support+%26+Sales")
    assert created.sid == PN_SID and created.phone_number == UK_MOBILE
    assert prepared.as_json() == {"method": "POST", "url": prepared.url, "form": request.to_form()}


# ---------------------------------------------------------------------------
# Authentication and headers


async def test_api_key_is_the_basic_auth_user_and_the_account_stays_in_the_path():
    recorder = Recorder(ok(created_body(), status=201))
    async with client_for(recorder, key_credentials()) as client:
        await client.send_purchase(client.prepare_purchase(PurchaseRequest(phone_number=UK_MOBILE)))
    [sent] = recorder.requests
    assert basic_auth(sent) == (API_KEY_SID, API_SECRET)
    assert f"/Accounts/{ACCOUNT_SID}/" in sent.url.path
    assert API_KEY_SID not in str(sent.url)


async def test_user_agent_names_number_wizard_and_its_version():
    recorder = Recorder(ok({"countries": []}))
    async with client_for(recorder) as client:
        await client.list_countries()
    headers = recorder.requests[0].headers
    assert headers["User-Agent"].startswith(f"number-wizard/{__version__} (")
    assert "Python/" in headers["User-Agent"]
    assert headers["Accept"] == "application/json"


# ---------------------------------------------------------------------------
# Hosts


async def _hosts_used(**kw) -> list[str]:
    recorder = Recorder(handler=lambda r: ok({"countries": [], "results": [], "phone_number_prices": []}))
    credentials = token_credentials(region=kw.pop("region", None), edge=kw.pop("edge", None))
    async with client_for(recorder, credentials, **kw) as client:
        await client.list_countries()
        await client.list_bundles("AU")
        await client.fetch_mobile_price("AU")
    return [f"{r.url.scheme}://{r.url.netloc.decode()}" for r in recorder.requests]


async def test_global_hosts():
    assert await _hosts_used() == [
        "https://api.twilio.com",
        "https://numbers.twilio.com",
        "https://pricing.twilio.com",
    ]


async def test_edge_and_region_move_the_api_host_only():
    # numbers and pricing are not regional products: global hosts (see tui/services/hosts.py).
    assert await _hosts_used(region="au1", edge="sydney") == [
        "https://api.sydney.au1.twilio.com",
        "https://numbers.twilio.com",
        "https://pricing.twilio.com",
    ]


async def test_edge_alone_implies_us1():
    assert await _hosts_used(edge="Dublin") == [
        "https://api.dublin.us1.twilio.com",
        "https://numbers.twilio.com",
        "https://pricing.twilio.com",
    ]


def test_region_alone_is_refused_with_an_explanation():
    with pytest.raises(RuleError) as caught:
        TwilioClient(token_credentials(region="ie1"))
    message = str(caught.value)
    assert "Region ie1 needs an edge" in message
    assert "2026-04-28" in message
    assert "TWILIO_EDGE=dublin" in message


async def test_api_url_sends_every_service_to_one_base():
    assert (
        await _hosts_used(api_url="http://127.0.0.1:8080/", region="au1", edge="sydney")
        == ["http://127.0.0.1:8080"] * 3
    )


# ---------------------------------------------------------------------------
# Paging


async def test_v2010_paging_follows_next_page_uri_with_its_query():
    page2 = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Addresses.json?PageSize=100&Page=1&PageToken=PAabc"
    recorder = Recorder(
        ok({"addresses": [{"sid": "AD" + "1" * 32}], "next_page_uri": page2}),
        ok({"addresses": [{"sid": "AD" + "2" * 32}], "next_page_uri": None}),
    )
    async with client_for(recorder) as client:
        addresses = await client.list_addresses()
    assert [a.sid for a in addresses] == ["AD" + "1" * 32, "AD" + "2" * 32]
    assert recorder.urls == [f"{API}/Addresses.json?PageSize=100", "https://api.twilio.com" + page2]


async def test_v2010_paging_stays_on_the_api_url():
    page2 = f"/2010-04-01/Accounts/{ACCOUNT_SID}/IncomingPhoneNumbers.json?PhoneNumber=%2B447400123456&Page=1"
    recorder = Recorder(
        ok({"incoming_phone_numbers": [], "next_page_uri": page2}),
        ok({"incoming_phone_numbers": [{"sid": PN_SID, "phone_number": UK_MOBILE}]}),
    )
    async with client_for(recorder, api_url="http://127.0.0.1:8080") as client:
        found = await client.find_owned_number(UK_MOBILE)
    assert found is not None and found.sid == PN_SID
    assert recorder.urls[1] == "http://127.0.0.1:8080" + page2


@pytest.mark.parametrize(
    ("api_url", "base"),
    [(None, "https://numbers.twilio.com"), ("http://127.0.0.1:8080", "http://127.0.0.1:8080")],
)
async def test_meta_paging_follows_next_page_url_rebased_on_the_base(api_url, base):
    next_url = (
        "https://numbers.twilio.com/v2/RegulatoryCompliance/Bundles"
        "?IsoCountry=AU&NumberType=mobile&PageSize=1&Page=1&PageToken=PTxyz"
    )
    recorder = Recorder(
        ok(
            {
                "results": [{"sid": "BU" + "1" * 32, "status": "twilio-approved"}],
                "meta": {"key": "results", "next_page_url": next_url},
            }
        ),
        ok(
            {
                "results": [{"sid": "BU" + "2" * 32, "status": "draft"}],
                "meta": {"key": "results", "next_page_url": None},
            }
        ),
    )
    async with client_for(recorder, api_url=api_url) as client:
        bundles = await client.list_bundles("AU")
    assert [b.sid for b in bundles] == ["BU" + "1" * 32, "BU" + "2" * 32]
    assert recorder.urls[1] == (
        base + "/v2/RegulatoryCompliance/Bundles"
        "?IsoCountry=AU&NumberType=mobile&PageSize=1&Page=1&PageToken=PTxyz"
    )


async def test_meta_paging_reads_the_key_meta_names():
    recorder = Recorder(ok({"countries": [{"x": 1}], "meta": {"key": "countries", "next_page_url": None}}))
    async with client_for(recorder) as client:
        items = await client._get_meta_list("https://pricing.twilio.com/v1/PhoneNumbers/Countries")
    assert items == [{"x": 1}]


# ---------------------------------------------------------------------------
# Retries


async def test_get_429_honours_retry_after_then_succeeds():
    sleeps = Sleeps()
    recorder = Recorder(
        twilio_error(429, 20429, "Too Many Requests", headers={"Retry-After": "2"}),
        ok({"countries": [{"country_code": "AU", "subresource_uris": {"mobile": "/m"}}]}),
    )
    async with client_for(recorder, sleeps=sleeps) as client:
        countries = await client.list_countries()
    assert sleeps.delays == [2.0]
    assert len(recorder.requests) == 2
    assert [c.country_code for c in countries] == ["AU"]


async def test_get_503_is_retried_with_backoff():
    sleeps = Sleeps()
    recorder = Recorder(
        twilio_error(503, 20503, "Service Unavailable"),
        httpx.Response(503, text="<html>busy</html>"),
        ok({"countries": []}),
    )
    async with client_for(recorder, sleeps=sleeps) as client:
        assert await client.list_countries() == []
    assert sleeps.delays == [0.5, 1.0]  # base 0.5 s, doubling, jitter 0


async def test_get_retries_are_bounded():
    sleeps = Sleeps()
    recorder = Recorder(handler=lambda r: twilio_error(429, 20429, "Too Many Requests"))
    async with client_for(recorder, sleeps=sleeps, retry=RetryPolicy(attempts=3)) as client:
        with pytest.raises(TwilioApiError) as caught:
            await client.list_countries()
    assert len(recorder.requests) == 3
    assert len(sleeps.delays) == 2
    assert caught.value.status == 429 and caught.value.code == 20429


async def test_retry_after_is_capped_and_http_date_understood():
    policy = RetryPolicy()
    assert policy.delay(1, 3600.0, 0.0) == policy.max_delay * 4
    assert policy.delay(1, -5.0, 0.0) == 0.0
    assert policy.delay(10, None, 0.0) == policy.max_delay
    sleeps = Sleeps()
    recorder = Recorder(
        httpx.Response(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, json={}),
        ok({"countries": []}),
    )
    async with client_for(recorder, sleeps=sleeps) as client:
        await client.list_countries()
    assert sleeps.delays == [0.0]  # a date in the past: try again at once


async def test_get_connect_error_is_retried_then_unreachable_not_sent():
    sleeps = Sleeps()
    recorder = Recorder(handler=lambda r: (_ for _ in ()).throw(httpx.ConnectError("refused", request=r)))
    async with client_for(recorder, sleeps=sleeps) as client:
        with pytest.raises(TwilioUnreachable) as caught:
            await client.list_countries()
    assert len(recorder.requests) == 4
    assert caught.value.sent is False
    assert "Could not connect to Twilio (https://api.twilio.com)" in str(caught.value)


@pytest.mark.parametrize(
    "answer",
    [
        twilio_error(429, 20429, "Too Many Requests", headers={"Retry-After": "1"}),
        twilio_error(503, 20503, "Service Unavailable"),
        twilio_error(500, 20500, "Internal Server Error"),
    ],
)
async def test_the_purchase_post_is_never_retried_on_an_error(answer):
    sleeps = Sleeps()
    recorder = Recorder(answer, ok(created_body(), status=201))
    async with client_for(recorder, sleeps=sleeps) as client:
        with pytest.raises(TwilioApiError) as caught:
            await client.send_purchase(client.prepare_purchase(PurchaseRequest(phone_number=UK_MOBILE)))
    assert len(recorder.requests) == 1
    assert sleeps.delays == []
    assert caught.value.status == answer.status_code


@pytest.mark.parametrize(
    ("error", "sent"),
    [
        (httpx.ConnectError, False),
        (httpx.ConnectTimeout, False),
        (httpx.PoolTimeout, False),
        (httpx.ReadTimeout, True),
        (httpx.WriteTimeout, True),
        (httpx.RemoteProtocolError, True),
        (httpx.ReadError, True),
    ],
)
async def test_the_purchase_post_is_never_retried_on_a_transport_error(error, sent):
    sleeps = Sleeps()
    recorder = Recorder(error, ok(created_body(), status=201))
    async with client_for(recorder, sleeps=sleeps) as client:
        with pytest.raises(TwilioUnreachable) as caught:
            await client.send_purchase(client.prepare_purchase(PurchaseRequest(phone_number=UK_MOBILE)))
    assert len(recorder.requests) == 1
    assert sleeps.delays == []
    assert caught.value.sent is sent


async def test_read_timeout_message():
    recorder = Recorder(httpx.ReadTimeout)
    async with client_for(recorder) as client:
        with pytest.raises(TwilioUnreachable) as caught:
            await client.send_purchase(client.prepare_purchase(PurchaseRequest(phone_number=UK_MOBILE)))
    assert str(caught.value) == "Twilio did not answer in time (https://api.twilio.com)."


# ---------------------------------------------------------------------------
# Error mapping


@pytest.mark.parametrize(
    ("status", "code", "message", "fragment"),
    [
        (401, 20003, "Authenticate", "did not accept these credentials"),
        (404, 20404, "The requested resource was not found", "sells no mobile numbers"),
        (429, 20429, "Too Many Requests", "too many requests"),
        (400, 21404, "Trial accounts are allowed only one Twilio number", "Trial accounts may own only one"),
        (400, 21421, "PhoneNumber is invalid", "phone number is not valid"),
        (400, 21422, "PhoneNumber is not available", "not for sale"),
        (400, 21452, "No phone numbers found in area code", "no numbers available in this area code"),
        (400, 21615, "Phone Number Requires a Local Address", "needs a local address"),
        (400, 21631, "Phone Number Requires an Address", "address must be given"),
        (
            400,
            21649,
            "Bundle required and not provided for country: [GB] and numberType: [MOBILE]",
            "approved regulatory bundle",
        ),
        (400, 21650, "Phone Number Requires a Verified Identity", "48"),
        (400, 22300, "Account is restricted", "not allowed to buy long-code numbers"),
    ],
)
async def test_twilio_errors_are_explained(status, code, message, fragment):
    more_info = f"https://www.twilio.com/docs/errors/{code}"
    recorder = Recorder(
        httpx.Response(
            status, json={"code": code, "message": message, "more_info": more_info, "status": status}
        )
    )
    async with client_for(recorder) as client:
        with pytest.raises(TwilioApiError) as caught:
            await client.send_purchase(client.prepare_purchase(PurchaseRequest(phone_number=UK_MOBILE)))
    error = caught.value
    assert (error.status, error.code, error.message, error.more_info) == (status, code, message, more_info)
    assert error.method == "POST"
    assert error.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/IncomingPhoneNumbers/Mobile.json"
    assert error.explanation is not None
    assert fragment.lower() in error.summary.lower()
    assert error.next_step == error.explanation.next_step
    lines = error.lines()
    assert lines[0] == f"Twilio error {code} (HTTP {status}): {message}"
    assert lines[1] == error.summary
    assert f"More: {more_info}" in lines
    assert lines[-1] == f"Next: {error.next_step}"


async def test_unknown_code_keeps_twilios_message_and_link():
    recorder = Recorder(
        twilio_error(
            400, 29999, "Something new went wrong", more_info="https://www.twilio.com/docs/errors/29999"
        )
    )
    async with client_for(recorder) as client:
        with pytest.raises(TwilioApiError) as caught:
            await client.list_countries()
    error = caught.value
    assert error.explanation is None
    assert error.summary == "Something new went wrong"
    assert error.more_info == "https://www.twilio.com/docs/errors/29999"
    assert "link above" in error.next_step
    assert "More: https://www.twilio.com/docs/errors/29999" in error.lines()


async def test_code_without_more_info_gets_the_docs_link():
    recorder = Recorder(httpx.Response(400, json={"code": 21422, "message": "Not available", "status": 400}))
    async with client_for(recorder) as client:
        with pytest.raises(TwilioApiError) as caught:
            await client.send_purchase(client.prepare_purchase(PurchaseRequest(phone_number=UK_MOBILE)))
    assert caught.value.more_info == "https://www.twilio.com/docs/errors/21422"


async def test_non_json_error_body():
    recorder = Recorder(httpx.Response(502, text="<html><h1>502 Bad Gateway</h1></html>"))
    async with client_for(recorder, retry=RetryPolicy(attempts=1)) as client:
        with pytest.raises(TwilioApiError) as caught:
            await client.list_countries()
    error = caught.value
    assert (error.status, error.code, error.more_info) == (502, None, None)
    assert error.message == "from something between this computer and Twilio (not Twilio's own answer)"
    assert error.from_twilio is False and not error.refused
    assert error.lines() == [
        "HTTP 502 from something between this computer and Twilio (not Twilio's own answer)",
        "Next: Try again; if it keeps failing, check Twilio's status page.",
    ]


async def test_rfc9457_error_body():
    recorder = Recorder(
        httpx.Response(
            400,
            json={
                "type": "https://www.twilio.com/docs/errors/20001",
                "title": "Bad request",
                "status": 400,
                "code": 20001,
                "detail": "Unknown parameter Foo",
                "instance": "/x",
            },
        )
    )
    async with client_for(recorder) as client:
        with pytest.raises(TwilioApiError) as caught:
            await client.list_countries()
    assert caught.value.message == "Unknown parameter Foo"
    assert caught.value.more_info == "https://www.twilio.com/docs/errors/20001"
    assert "bug in number-wizard" in caught.value.next_step


async def test_success_that_is_not_json():
    recorder = Recorder(httpx.Response(200, text="<xml/>"))
    async with client_for(recorder) as client:
        with pytest.raises(TwilioApiError, match="not JSON"):
            await client.list_countries()


# ---------------------------------------------------------------------------
# Credential checks


async def test_api_key_is_checked_by_listing_owned_numbers_never_accounts():
    # A Standard key may not read /Accounts and what Twilio answers it there is not
    # documented: an API key is checked with a call every valid key may make.
    recorder = Recorder(ok({"incoming_phone_numbers": [], "next_page_uri": None}))
    async with client_for(recorder, key_credentials()) as client:
        check = await client.check_credentials()
    assert recorder.urls == [f"{API}/IncomingPhoneNumbers.json?PageSize=1"]
    assert all(basic_auth(r) == (API_KEY_SID, API_SECRET) for r in recorder.requests)
    assert check.account is None and check.friendly_name is None and check.account_type is None
    assert check.auth_kind == "api_key" and check.account_sid == ACCOUNT_SID
    assert API_SECRET not in repr(check) and API_SECRET not in str(check)


async def test_a_wrong_api_key_is_refused_by_that_listing():
    recorder = Recorder(twilio_error(401, 20003, "Authenticate"))
    async with client_for(recorder, key_credentials()) as client:
        with pytest.raises(TwilioApiError) as caught:
            await client.check_credentials()
    assert len(recorder.requests) == 1
    assert caught.value.code == 20003
    assert all(API_SECRET not in line for line in caught.value.lines())
    assert API_SECRET not in repr(caught.value)


async def test_auth_token_refused_has_no_fallback():
    recorder = Recorder(twilio_error(401, 20003, "Authenticate"))
    async with client_for(recorder) as client:
        with pytest.raises(TwilioApiError):
            await client.check_credentials()
    assert len(recorder.requests) == 1


async def test_api_key_other_errors_are_reported_as_they_are():
    recorder = Recorder(twilio_error(404, 20404, "Not found"))
    async with client_for(recorder, key_credentials()) as client:
        with pytest.raises(TwilioApiError) as caught:
            await client.check_credentials()
    assert caught.value.code == 20404 and len(recorder.requests) == 1


@pytest.mark.parametrize(("raw", "code"), [("21422", 21422), ("abc", None), (None, None), ([1], None)])
async def test_error_code_in_odd_shapes(raw, code):
    recorder = Recorder(httpx.Response(400, json={"code": raw, "message": "m", "more_info": "not a link"}))
    async with client_for(recorder) as client:
        with pytest.raises(TwilioApiError) as caught:
            await client.list_countries()
    assert caught.value.code == code
    # A more_info that is not a link is not passed on as one.
    assert caught.value.more_info == (f"https://www.twilio.com/docs/errors/{code}" if code else None)


async def test_unreadable_retry_after_falls_back_to_backoff():
    sleeps = Sleeps()
    recorder = Recorder(httpx.Response(429, headers={"Retry-After": "soon"}, json={}), ok({"countries": []}))
    async with client_for(recorder, sleeps=sleeps) as client:
        await client.list_countries()
    assert sleeps.delays == [0.5]


async def test_get_read_timeout_is_reported_not_sent():
    recorder = Recorder(httpx.ReadTimeout)
    async with client_for(recorder) as client:
        with pytest.raises(TwilioUnreachable) as caught:
            await client.find_owned_number(UK_MOBILE)
    assert caught.value.sent is False and len(recorder.requests) == 1


# ---------------------------------------------------------------------------
# TLS: the CA bundle is read once per process, not once per client


async def test_clients_of_one_process_share_one_verifying_tls_context(monkeypatch):
    import ssl

    from tui.services import tls

    built: list[ssl.SSLContext] = []
    real = httpx.create_ssl_context

    def counting(*args, **kwargs):
        built.append(real(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(httpx, "create_ssl_context", counting)
    tls.verified_context.cache_clear()
    try:
        clients = [TwilioClient(token_credentials()) for _ in range(3)]
        for client in clients:
            await client.aclose()
        assert len(built) == 1
        [context] = built
        assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
        # A client given a transport opens no connection of its own: no context.
        await client_for(Recorder()).aclose()
        assert len(built) == 1
        # Webhook checks connect as Twilio would, without the environment's CA
        # settings: a context of their own, also built once.
        assert tls.verified_context(trust_env=False) is tls.verified_context(trust_env=False)
        assert len(built) == 2 and built[1] is not context
    finally:
        tls.verified_context.cache_clear()
