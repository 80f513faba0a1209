"""Twilio's own Python helper library, pointed at the served sandbox.

twilio-python builds absolute https://api.twilio.com (numbers., pricing.) URLs; the
http client below sends them to the loopback server instead, keeping path and query.
If the sandbox and the official library agree, the sandbox speaks Twilio's wire format.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from tui.sandbox import (
    MAIN_ACCOUNT_SID,
    MAIN_AUTH_TOKEN,
    TEST_ACCOUNT_SID,
    TEST_AUTH_TOKEN,
    SandboxServer,
    seed,
    start_server,
)


class SandboxHttpClient(TwilioHttpClient):
    """Sends every Twilio host's requests to one sandbox base URL."""

    def __init__(self, base_url: str) -> None:
        super().__init__(timeout=10)
        self.base = urlsplit(base_url)

    def request(self, method: str, url: str, *args: object, **kwargs: object) -> Response:
        parts = urlsplit(url)
        redirected = urlunsplit((self.base.scheme, self.base.netloc, parts.path, parts.query, ""))
        return super().request(method, redirected, *args, **kwargs)


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with start_server() as running:
        yield running


@pytest.fixture
def client(server: SandboxServer) -> Client:
    return Client(
        MAIN_ACCOUNT_SID,
        MAIN_AUTH_TOKEN,
        http_client=SandboxHttpClient(server.base_url),
        environment={"TWILIO_REGION": "", "TWILIO_EDGE": ""},
    )


def test_buy_the_magic_number_with_the_test_credentials(server: SandboxServer) -> None:
    # What Twilio documents for test credentials (https://www.twilio.com/docs/iam/test-credentials):
    # +15005550006 is bought, settings are echoed, and nothing is kept on any account.
    test = Client(
        TEST_ACCOUNT_SID,
        TEST_AUTH_TOKEN,
        http_client=SandboxHttpClient(server.base_url),
        environment={"TWILIO_REGION": "", "TWILIO_EDGE": ""},
    )
    before = server.sandbox.state_snapshot()
    number = test.incoming_phone_numbers.create(
        phone_number="+15005550006",
        friendly_name="Rehearsal",
        voice_url="https://example.com/voice",
        voice_caller_id_lookup=True,
    )
    assert number.sid.startswith("PN") and len(number.sid) == 34
    assert number.account_sid == TEST_ACCOUNT_SID
    assert number.phone_number == "+15005550006"
    assert number.friendly_name == "Rehearsal"
    assert number.voice_url == "https://example.com/voice"
    assert number.voice_caller_id_lookup is True
    assert number.status == "in-use"
    assert number.date_created is not None and number.date_created.year >= 2024
    assert number.capabilities == {"voice": True, "sms": True, "mms": True, "fax": False}
    by_area_code = test.incoming_phone_numbers.create(area_code="500")
    assert by_area_code.phone_number == "+15005550006"
    assert by_area_code.friendly_name == "(500) 555-0006"
    for phone_number, code in (("+15005550000", 21422), ("+15005550001", 21421)):
        with pytest.raises(TwilioRestException) as raised:
            test.incoming_phone_numbers.create(phone_number=phone_number)
        assert (raised.value.status, raised.value.code) == (400, code)
    with pytest.raises(TwilioRestException) as raised:
        test.incoming_phone_numbers.create(area_code="533")
    assert raised.value.code == 21452
    # Reads are refused to test credentials (20008); nothing changed anywhere.
    with pytest.raises(TwilioException):
        test.incoming_phone_numbers.list(limit=1)
    assert server.sandbox.state_snapshot() == before


def test_the_magic_number_is_not_for_sale_with_live_credentials(client: Client) -> None:
    with pytest.raises(TwilioRestException) as raised:
        client.incoming_phone_numbers.mobile.create(phone_number="+15005550006")
    assert (raised.value.status, raised.value.code) == (400, 21422)


def test_buy_a_seeded_number_that_needs_nothing(client: Client) -> None:
    number = client.incoming_phone_numbers.mobile.create(
        phone_number="+46701740612", friendly_name="Rehearsal", voice_url="https://example.com/voice"
    )
    assert (number.account_sid, number.phone_number) == (MAIN_ACCOUNT_SID, "+46701740612")
    assert (number.friendly_name, number.voice_url, number.status) == (
        "Rehearsal", "https://example.com/voice", "in-use",
    )  # fmt: skip
    assert [found.sid for found in client.incoming_phone_numbers.list(phone_number="+46701740612")] == [
        number.sid
    ]


def test_buy_a_gb_number_with_an_approved_bundle(client: Client) -> None:
    search = client.available_phone_numbers("GB").mobile.list(sms_enabled=True, limit=20)
    assert search and all(found.capabilities["SMS"] for found in search)
    no_address = next(found for found in search if found.address_requirements == "none")
    bundles = client.numbers.v2.regulatory_compliance.bundles.list(
        status="twilio-approved", iso_country="GB", number_type="mobile"
    )
    assert [bundle.sid for bundle in bundles] == [seed.BUNDLE_GB_MOBILE_APPROVED]
    number = client.incoming_phone_numbers.mobile.create(
        phone_number=no_address.phone_number, bundle_sid=bundles[0].sid
    )
    assert number.phone_number == no_address.phone_number
    assert number.bundle_sid == seed.BUNDLE_GB_MOBILE_APPROVED
    assert number.address_requirements == "none"
    assert number.origin == "twilio"
    owned = client.incoming_phone_numbers.list(phone_number=no_address.phone_number)
    assert [found.sid for found in owned] == [number.sid]
    client.incoming_phone_numbers(number.sid).delete()
    assert client.incoming_phone_numbers.list(phone_number=no_address.phone_number) == []


def test_address_requirement_raises_21631(client: Client) -> None:
    with pytest.raises(TwilioRestException) as raised:
        client.incoming_phone_numbers.mobile.create(
            phone_number="+447437283605", bundle_sid=seed.BUNDLE_GB_MOBILE_APPROVED
        )
    assert raised.value.code == 21631
    assert raised.value.status == 400
    assert raised.value.msg.startswith("Unable to create record: ")


def test_us_mobile_search_fails_with_20404(client: Client) -> None:
    # Paged lists raise a plain TwilioException carrying the response
    # (docs/twilio-api.md#what-twilio-python-sends).
    with pytest.raises(TwilioException) as raised:
        client.available_phone_numbers("US").mobile.list(limit=1)
    response = raised.value.args[1]
    assert response.status_code == 404
    assert json.loads(response.text)["code"] == 20404


def test_pricing_regulations_and_paged_lists(client: Client) -> None:
    country = client.pricing.v1.phone_numbers.countries("GB").fetch()
    mobile = [p for p in country.phone_number_prices if p["number_type"] == "mobile"]
    assert mobile == [{"number_type": "mobile", "base_price": "1.15", "current_price": "1.00"}]
    regulations = client.numbers.v2.regulatory_compliance.regulations.list(
        iso_country="SE", number_type="mobile"
    )
    assert regulations == []
    # page_size=1 makes the library follow next_page_uri through the sandbox.
    owned = client.incoming_phone_numbers.list(page_size=1)
    assert len(owned) == 2
    bundles = client.numbers.v2.regulatory_compliance.bundles.list(page_size=2)
    assert len(bundles) == len(seed.MAIN_ACCOUNT_BUNDLES) == 6
    account = client.api.v2010.accounts(MAIN_ACCOUNT_SID).fetch()
    assert (account.type, account.status) == ("Full", "active")


def test_list_the_seeded_applications_trunks_and_messaging_services(client: Client) -> None:
    # page_size=1: the library follows each API's own paging (v2010 next_page_uri,
    # meta.next_page_url on messaging and trunking) through the sandbox.
    applications = client.applications.list(page_size=1)
    assert [(a.sid, a.friendly_name) for a in applications] == [
        (seed.application_sid(row.key), row.friendly_name) for row in seed.MAIN_ACCOUNT_APPLICATIONS
    ]
    hotline = client.applications(seed.APPLICATION_HOTLINE).fetch()
    assert (hotline.voice_url, hotline.voice_method, hotline.sms_url) == (
        "https://example.com/hotline",
        "GET",
        None,
    )
    trunks = client.trunking.v1.trunks.list(page_size=1)
    assert [(t.sid, t.domain_name) for t in trunks] == [
        (seed.trunk_sid(row.key), row.domain_name) for row in seed.MAIN_ACCOUNT_TRUNKS
    ]
    services = client.messaging.v1.services.list(page_size=1)
    assert [(s.sid, s.inbound_request_url, s.use_inbound_webhook_on_number) for s in services] == [
        (seed.messaging_service_sid(row.key), row.inbound_request_url, row.use_inbound_webhook_on_number)
        for row in seed.MAIN_ACCOUNT_MESSAGING_SERVICES
    ]


def test_add_a_bought_number_to_a_messaging_service_and_again(client: Client) -> None:
    number = client.incoming_phone_numbers.mobile.create(phone_number="+46701740612")
    service = client.messaging.v1.services(seed.MESSAGING_SERVICE_SUPPORT)
    added = service.phone_numbers.create(phone_number_sid=number.sid)
    assert (added.sid, added.phone_number, added.service_sid) == (
        number.sid, "+46701740612", seed.MESSAGING_SERVICE_SUPPORT,
    )  # fmt: skip
    with pytest.raises(TwilioRestException) as again:
        service.phone_numbers.create(phone_number_sid=number.sid)
    assert (again.value.status, again.value.code) == (400, 21710)
    assert [n.sid for n in service.phone_numbers.list()] == [number.sid]
