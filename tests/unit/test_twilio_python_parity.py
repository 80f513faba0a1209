"""What we send compared with what twilio-python (installed from the test extras)
would send for the same inputs: form body, query string, URL and hosts
(docs/twilio-api.md#regions-and-edges, #what-twilio-python-sends). twilio-python is
given an HTTP client that records the request and answers with a canned body, so
nothing leaves the machine."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from twilio.http import HttpClient
from twilio.http.response import Response
from twilio.rest import Client

from tests.support.fakes import (
    ACCOUNT_SID,
    AD_SID,
    AP_SID,
    AUTH_TOKEN,
    BU_SID,
    RI_SID,
    TK_SID,
    UK_MOBILE,
    token_credentials,
)
from tests.unit.test_properties import valid_field_values
from tui.domain.fields import PURCHASE_FIELDS
from tui.domain.purchase import PurchaseRequest, build_request
from tui.domain.search import MobileSearch
from tui.services.hosts import resolve_hosts
from tui.services.twilio import TwilioClient


class RecordingHttpClient(HttpClient):
    def __init__(self) -> None:
        super().__init__(logging.getLogger("test.twilio"), is_async=False)
        self.calls: list[dict[str, Any]] = []

    def request(
        self,
        method,
        uri,
        params=None,
        data=None,
        headers=None,
        auth=None,
        timeout=None,
        allow_redirects=False,
    ):
        self.calls.append(
            {"method": method, "uri": uri, "params": params, "data": data, "headers": headers, "auth": auth}
        )
        if method == "POST":
            return Response(201, json.dumps({"sid": "PN" + "0" * 32, "account_sid": ACCOUNT_SID}))
        return Response(200, json.dumps({"available_phone_numbers": [], "uri": "/x"}))


def twilio_python(**client_kw: Any) -> tuple[Client, RecordingHttpClient]:
    recorder = RecordingHttpClient()
    # A non-empty environment keeps the developer's TWILIO_* variables out.
    client = Client(
        ACCOUNT_SID, AUTH_TOKEN, http_client=recorder, environment={"HOME": "/nonexistent"}, **client_kw
    )
    return client, recorder


def twilio_python_purchase(request: PurchaseRequest) -> dict[str, Any]:
    client, recorder = twilio_python()
    kwargs = {name: value for name, value in request.values().items() if value is not None}
    client.api.v2010.accounts(ACCOUNT_SID).incoming_phone_numbers.mobile.create(**kwargs)
    [call] = recorder.calls
    assert call["method"] == "POST"
    return call


FULL = PurchaseRequest(
    phone_number=UK_MOBILE,
    api_version="2010-04-01",
    friendly_name="Support & Sales #1",
    sms_fallback_method="GET",
    sms_fallback_url="https://example.com/sms-fallback",
    sms_method="POST",
    sms_url="https://example.com/sms?a=1&b=2",
    status_callback="https://example.com/status",
    status_callback_method="GET",
    voice_application_sid=AP_SID,
    sms_application_sid=AP_SID,
    voice_caller_id_lookup=True,
    voice_fallback_method="POST",
    voice_fallback_url="https://example.com/voice-fallback",
    voice_method="GET",
    voice_url="https://example.com/voice",
    identity_sid=RI_SID,
    address_sid=AD_SID,
    emergency_status="Active",
    emergency_address_sid=AD_SID,
    voice_receive_mode="fax",
    bundle_sid=BU_SID,
)


def test_all_23_fields_are_known_to_twilio_python():
    # Every model field is a keyword of twilio-python's create(), and the other
    # way round: the same 23 parameters.
    import inspect

    from twilio.rest.api.v2010.account.incoming_phone_number.mobile import MobileList

    params = [p for p in inspect.signature(MobileList.create).parameters if p != "self"]
    assert params == [f.name for f in PURCHASE_FIELDS]
    assert set(params) == {f.name for f in PURCHASE_FIELDS}


@pytest.mark.parametrize(
    "request_",
    [
        FULL,
        PurchaseRequest(phone_number=UK_MOBILE),
        PurchaseRequest(phone_number=UK_MOBILE, voice_caller_id_lookup=False, trunk_sid=TK_SID),
        PurchaseRequest(
            phone_number="+61 412 345 678", friendly_name="ünïcødé ☎", emergency_status="Inactive"
        ),
    ],
    ids=["full", "minimal", "false-and-trunk", "unicode"],
)
def test_form_is_what_twilio_python_sends(request_):
    call = twilio_python_purchase(request_)
    ours = request_.to_form()
    assert ours == call["data"]
    assert list(ours) == list(call["data"])  # same order, too
    # The same bytes on the wire.
    assert urlencode(list(ours.items())) == urlencode(list(call["data"].items()))
    # And the same URL.
    client = TwilioClient(token_credentials())
    assert client.purchase_url() == call["uri"]


@settings(max_examples=25)
@given(values=valid_field_values())
def test_generated_forms_are_what_twilio_python_sends(values):
    request, _ = build_request(values)
    if request is None:
        return  # refused by a cross-field rule: nothing would be sent
    assert request.to_form() == twilio_python_purchase(request)["data"]


def test_search_query_is_what_twilio_python_sends():
    search = MobileSearch.model_validate(
        {
            "country_code": "US",
            "area_code": "510",
            "contains": "+1510*",
            "sms_enabled": True,
            "mms_enabled": False,
            "voice_enabled": True,
            "fax_enabled": False,
            "exclude_all_address_required": True,
            "exclude_local_address_required": False,
            "exclude_foreign_address_required": True,
            "beta": False,
            "near_number": "+18089255327",
            "near_lat_long": "37.84,-122.27",
            "distance": "50",
            "in_postal_code": "94612",
            "in_region": "CA",
            "in_rate_center": "OKLD0099",
            "in_lata": "722",
            "in_locality": "Oakland",
            "page_size": "20",
        }
    )
    client, recorder = twilio_python()
    client.api.v2010.accounts(ACCOUNT_SID).available_phone_numbers("US").mobile.list(
        area_code=510,
        contains="+1510*",
        sms_enabled=True,
        mms_enabled=False,
        voice_enabled=True,
        fax_enabled=False,
        exclude_all_address_required=True,
        exclude_local_address_required=False,
        exclude_foreign_address_required=True,
        beta=False,
        near_number="+18089255327",
        near_lat_long="37.84,-122.27",
        distance=50,
        in_postal_code="94612",
        in_region="CA",
        in_rate_center="OKLD0099",
        in_lata="722",
        in_locality="Oakland",
        page_size=20,
    )
    [call] = recorder.calls
    theirs = {k: str(v) for k, v in call["params"].items()}
    assert dict(search.to_query()) == theirs
    assert TwilioClient(token_credentials()).api_url("/AvailablePhoneNumbers/US/Mobile.json") == call["uri"]


@pytest.mark.parametrize(
    ("region", "edge"),
    [(None, None), ("au1", "sydney"), ("ie1", "dublin"), (None, "tokyo"), ("us1", "ashburn")],
)
def test_hosts_are_twilio_pythons(region, edge):
    client, recorder = twilio_python(region=region, edge=edge)
    client.api.v2010.accounts(ACCOUNT_SID).incoming_phone_numbers.mobile.create(phone_number=UK_MOBILE)
    ours = TwilioClient(token_credentials(region=region, edge=edge)).purchase_url()
    assert ours == recorder.calls[0]["uri"]
    assert resolve_hosts(region=region, edge=edge).api == ours.split("/2010-04-01")[0]
