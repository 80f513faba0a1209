"""Rehearsing the first call: POST /__sandbox__/simulate makes the served sandbox call
an owned number's webhooks as Twilio would, over real HTTP, to a receiver on loopback
that validates X-Twilio-Signature with twilio-python's RequestValidator."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sandbox_helpers import FIXED_NOW, buy

from tests.support.loopback import http_get, http_post
from tests.support.webhook_receiver import TWIML_MESSAGE, Received, Route, WebhookReceiver, webhook_receiver
from tui.sandbox import MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN, Sandbox, SandboxServer, start_server
from tui.sandbox.accounts import TRIAL_ACCOUNT_SID, TRIAL_AUTH_TOKEN
from tui.sandbox.webhooks import WebhookLimits, WebhookOptions

NUMBER = "+46701740612"  # seeded, for sale, needs no address or bundle


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with webhook_receiver(MAIN_AUTH_TOKEN) as running:
        yield running


@pytest.fixture
def sandbox() -> Sandbox:
    limits = WebhookLimits(time_limit=1.0, connect_timeout=1.0, max_body_bytes=4096)
    return Sandbox(clock=lambda: FIXED_NOW, webhooks=WebhookOptions(limits=limits))


@pytest.fixture
def served(sandbox: Sandbox) -> Iterator[SandboxServer]:
    with start_server(sandbox=sandbox) as server:
        yield server


def simulate(server: SandboxServer, **spec: Any) -> httpx.Response:
    return http_post(f"{server.base_url}/__sandbox__/simulate", json=spec, timeout=30)


def bought(sandbox: Sandbox, **settings: str) -> None:
    answer = buy(sandbox, NUMBER, **settings)
    assert answer.status == 201, answer.body


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_a_simulated_call_reaches_the_voice_url_signed_then_the_status_callback(
    sandbox: Sandbox, served: SandboxServer, receiver: WebhookReceiver, method: str
) -> None:
    voice = receiver.route("/voice", require_signature=True)
    status = receiver.route("/status", status=204, body=b"", content_type=None, require_signature=True)
    bought(sandbox, VoiceUrl=voice, VoiceMethod=method, StatusCallback=status)

    answer = simulate(served, kind="call", to=NUMBER)

    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert [r["role"] for r in report["requests"]] == ["voice_url", "status_callback"]
    call, callback = report["requests"]
    assert call["usable"] and call["status"] == 200 and "<Say>" in call["body"]
    assert callback["usable"] and callback["status"] == 204
    first, last = receiver.received
    assert first.method == method and last.method == "POST"
    assert first.signature_valid is True and last.signature_valid is True
    parameters = first.parameters
    assert parameters["CallStatus"] == "ringing" and parameters["Direction"] == "inbound"
    assert parameters["To"] == parameters["Called"] == NUMBER and parameters["ToCountry"] == "SE"
    assert parameters["AccountSid"] == MAIN_ACCOUNT_SID and parameters["CallSid"] == report["sid"]
    assert parameters["From"] == report["from"] == "+15005550100"
    assert (method == "GET") == ("CallSid=" in first.path)  # a GET carries them in the query
    assert last.parameters["CallStatus"] == "completed" and last.parameters["CallSid"] == report["sid"]
    assert first.headers["User-Agent"] == "TwilioProxy/1.1"
    assert first.headers["I-Twilio-Idempotency-Token"] == call["idempotency_token"]
    assert MAIN_AUTH_TOKEN not in answer.text


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_a_simulated_message_reaches_the_sms_url_signed_with_its_body(
    sandbox: Sandbox, served: SandboxServer, receiver: WebhookReceiver, method: str
) -> None:
    sms = receiver.route("/sms", body=TWIML_MESSAGE, require_signature=True)
    bought(sandbox, SmsUrl=sms, SmsMethod=method, StatusCallback=receiver.url("/status"))

    answer = simulate(served, kind="sms", to=NUMBER, **{"from": "+447700900123", "body": "Hej & välkommen"})

    report = answer.json()
    assert [r["role"] for r in report["requests"]] == ["sms_url"]  # no call status callback
    assert report["requests"][0]["usable"] and "<Message>" in report["requests"][0]["body"]
    (received,) = receiver.received
    assert received.method == method and received.signature_valid is True
    parameters = received.parameters
    assert parameters["Body"] == "Hej & välkommen" and parameters["From"] == "+447700900123"
    assert parameters["FromCountry"] == "GB" and parameters["SmsStatus"] == "received"
    assert parameters["MessageSid"] == parameters["SmsSid"] == report["sid"]
    assert report["sid"].startswith("SM")


def test_the_signature_is_the_accounts_own(served: SandboxServer, receiver: WebhookReceiver) -> None:
    """A trial account's number is signed with the trial account's token: a receiver
    holding the main account's token refuses it, as a real application would."""
    voice = receiver.route("/voice", require_signature=True)
    answer = buy(served.sandbox, NUMBER, auth=(TRIAL_ACCOUNT_SID, TRIAL_AUTH_TOKEN), VoiceUrl=voice)
    assert answer.status == 201, answer.body

    report = simulate(served, kind="call", to=NUMBER).json()

    (received,) = receiver.received
    assert received.signature_valid is False
    assert report["account_sid"] == TRIAL_ACCOUNT_SID
    assert report["requests"][0]["status"] == 403 and not report["requests"][0]["usable"]
    assert TRIAL_AUTH_TOKEN not in json.dumps(report)


def test_a_failing_voice_url_makes_twilio_call_the_fallback(
    sandbox: Sandbox, served: SandboxServer, receiver: WebhookReceiver
) -> None:
    voice = receiver.route("/voice", status=500, body=b"<html>oops</html>", content_type="text/html")
    fallback = receiver.route("/fallback")
    bought(sandbox, VoiceUrl=voice, VoiceFallbackUrl=fallback)

    report = simulate(served, kind="call", to=NUMBER).json()

    first, second = report["requests"]
    assert (first["role"], first["status"], first["usable"]) == ("voice_url", 500, False)
    assert first["problem"] == "HTTP 500, not a 2xx success"
    assert (second["role"], second["usable"]) == ("voice_fallback_url", True)
    assert [r.path.partition("?")[0] for r in receiver.received] == ["/voice", "/fallback"]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"<Respons><Say>typo</Say></Respons>", "the root element is <Respons>, not <Response>"),
        (b"<Response><Say>unclosed</Response>", "not well-formed XML"),
        (b"<Response><Sya>typo</Sya></Response>", "<Sya> is not a TwiML verb for a call"),
        (b'<!DOCTYPE x [<!ENTITY a "b">]><Response/>', "declares a document type"),
    ],
)
def test_twiml_twilio_cannot_run_also_goes_to_the_fallback(
    sandbox: Sandbox, served: SandboxServer, receiver: WebhookReceiver, body: bytes, problem: str
) -> None:
    bought(sandbox, VoiceUrl=receiver.route("/voice", body=body), VoiceFallbackUrl=receiver.route("/fb"))

    first, second = simulate(served, kind="call", to=NUMBER).json()["requests"]

    assert problem in first["problem"] and second["usable"]


def test_without_a_fallback_only_the_configured_url_is_called(
    sandbox: Sandbox, served: SandboxServer, receiver: WebhookReceiver
) -> None:
    bought(sandbox, VoiceUrl=receiver.url("/missing"))

    report = simulate(served, kind="call", to=NUMBER).json()

    (only,) = report["requests"]
    assert only["status"] == 404 and not only["usable"]
    assert [r.path.partition("?")[0] for r in receiver.received] == ["/missing"]


def test_redirects_are_followed_signed_for_each_url_and_a_post_goes_on_as_a_get(
    sandbox: Sandbox, served: SandboxServer, receiver: WebhookReceiver
) -> None:
    receiver.route("/old", status=302, body=b"", headers={"Location": "/new"})
    receiver.route("/new", require_signature=True)
    bought(sandbox, VoiceUrl=receiver.url("/old"))

    (call,) = simulate(served, kind="call", to=NUMBER).json()["requests"]

    assert call["usable"]
    assert call["redirects"] == [{"status": 302, "location": receiver.url("/new"), "method": "GET"}]
    first, second = receiver.received
    assert (first.method, second.method) == ("POST", "GET")
    assert first.signature_valid and second.signature_valid


def test_a_redirect_loop_stops_after_five(
    sandbox: Sandbox, served: SandboxServer, receiver: WebhookReceiver
) -> None:
    receiver.route("/loop", status=307, body=b"", headers={"Location": "/loop"})
    bought(sandbox, VoiceUrl=receiver.url("/loop"))

    (call,) = simulate(served, kind="call", to=NUMBER).json()["requests"]

    assert call["error_code"] == 11215 and not call["usable"] and call["status"] == 307
    assert [hop["method"] for hop in call["redirects"]] == ["POST"] * 5  # a 307 repeats the POST
    assert len(receiver.received) == 6  # the request and 5 redirects followed


def test_a_slow_answer_is_cut_off_at_the_time_limit(
    sandbox: Sandbox, served: SandboxServer, receiver: WebhookReceiver
) -> None:
    bought(sandbox, SmsUrl=receiver.route("/slow", delay=2.0))

    (sms,) = simulate(served, kind="sms", to=NUMBER).json()["requests"]

    assert sms["error_code"] == 11205 and "within 1 s" in sms["error"] and sms["status"] is None


def test_at_most_the_body_limit_is_read(
    sandbox: Sandbox, served: SandboxServer, receiver: WebhookReceiver
) -> None:
    big = b"<Response>" + b"<Message>x</Message>" * 1000 + b"</Response>"
    bought(sandbox, SmsUrl=receiver.route("/big", body=big))

    (sms,) = simulate(served, kind="sms", to=NUMBER).json()["requests"]

    assert sms["truncated"] and len(sms["body"]) == 4096 and not sms["usable"]


def test_nothing_is_called_for_a_number_without_urls_and_the_report_says_why(
    sandbox: Sandbox, served: SandboxServer, receiver: WebhookReceiver
) -> None:
    bought(sandbox)

    report = simulate(served, kind="call", to=NUMBER).json()

    assert report["requests"] == [] and "no Voice URL is configured" in report["skipped"][0]
    assert receiver.received == []


def test_a_voice_application_takes_the_call_with_its_own_urls(
    sandbox: Sandbox, served: SandboxServer, receiver: WebhookReceiver
) -> None:
    app_url = receiver.route("/app")
    created = http_post(
        f"{served.base_url}/2010-04-01/Accounts/{MAIN_ACCOUNT_SID}/Applications.json",
        data={"FriendlyName": "rehearsal", "VoiceUrl": app_url},
        auth=(MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN),
    )
    assert created.status_code == 201, created.text
    bought(sandbox, VoiceApplicationSid=created.json()["sid"], VoiceUrl=receiver.url("/number"))

    report = simulate(served, kind="call", to=NUMBER).json()

    assert "TwiML application" in report["handled_by"]
    assert [r.path.partition("?")[0] for r in receiver.received] == ["/app"]


def test_a_number_nobody_owns_is_a_twilio_style_404(served: SandboxServer) -> None:
    answer = simulate(served, kind="call", to="+46701740613")

    assert answer.status_code == 404
    body = answer.json()
    assert body["code"] == 20404 and body["status"] == 404 and "buy it first" in body["message"]
    assert body["more_info"] == "https://www.twilio.com/docs/errors/20404"


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b'{"kind": "fax", "to": "+46701740612"}', "kind must be one of call, sms"),
        (b'{"kind": "call"}', "to is required"),
        (b'{"kind": "call", "to": "0701740612"}', "to must be a number in E.164 form"),
        (b'{"kind": "call", "to": "+46701740612", "from": 46}', "from must be a number in E.164"),
        (b'{"kind": "call", "to": "+46701740612", "body": "hi"}', "body belongs to a message"),
        (b'{"kind": "sms", "to": "+46701740612", "body": ""}', "body must be 1 to 1600"),
        (b'{"kind": "sms", "to": "+46701740612", "url": "http://x"}', "unknown field(s) url"),
        (b'["call"]', "JSON object"),
        (b"", "empty"),
        (b'{"kind": NaN}', "NaN is not a JSON number"),
    ],
)
def test_bad_simulations_are_400_json_and_call_nothing(
    served: SandboxServer, receiver: WebhookReceiver, content: bytes, why: str
) -> None:
    answer = http_post(
        f"{served.base_url}/__sandbox__/simulate",
        content=content,
        headers={"Content-Type": "application/json"},
        timeout=5,
    )

    assert answer.status_code == 400
    body = answer.json()
    assert body["status"] == 400 and body["message"].startswith("Bad simulation: ") and why in body["message"]
    assert receiver.received == []


def test_simulate_takes_only_post(served: SandboxServer) -> None:
    answer = http_get(f"{served.base_url}/__sandbox__/simulate", timeout=5)

    assert answer.status_code == 405 and answer.json()["code"] == 20004


def test_a_urls_user_and_password_are_sent_only_when_the_server_asks(
    sandbox: Sandbox, served: SandboxServer, receiver: WebhookReceiver
) -> None:
    expected = "Basic " + base64.b64encode(b"rehearsal:s3cret").decode()

    def guarded(request: Received) -> Route:
        if request.headers.get("Authorization") == expected:
            return Route()
        return Route(status=401, body=b"", content_type=None, headers={"WWW-Authenticate": 'Basic realm="x"'})

    receiver.route("/secure", guarded)
    bought(sandbox, VoiceUrl=receiver.url("/secure").replace("http://", "http://rehearsal:s3cret@"))

    answer = simulate(served, kind="call", to=NUMBER)

    (call,) = answer.json()["requests"]
    assert call["usable"] and call["url"].startswith("http://rehearsal:********@127.0.0.1")
    first, second = receiver.received
    assert "Authorization" not in first.headers and second.headers["Authorization"] == expected
    assert first.signature_valid and second.signature_valid  # signed without user:password@
    assert "s3cret" not in answer.text


@pytest.mark.parametrize("defer_to_number", [False, True])
def test_a_messaging_service_takes_the_message_unless_it_defers_to_the_number(
    sandbox: Sandbox, served: SandboxServer, receiver: WebhookReceiver, defer_to_number: bool
) -> None:
    auth = (MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN)
    settings = {"FriendlyName": "rehearsal", "InboundRequestUrl": receiver.route("/service", body=b"")}
    if defer_to_number:
        settings["UseInboundWebhookOnNumber"] = "true"
    service = http_post(f"{served.base_url}/v1/Services", data=settings, auth=auth)
    assert service.status_code == 201, service.text
    bought(sandbox, SmsUrl=receiver.route("/number", body=b""))
    number_sid = sandbox.state_snapshot()["incoming_phone_numbers"][-1]["sid"]
    added = http_post(
        f"{served.base_url}/v1/Services/{service.json()['sid']}/PhoneNumbers",
        data={"PhoneNumberSid": number_sid},
        auth=auth,
    )
    assert added.status_code == 201, added.text

    report = simulate(served, kind="sms", to=NUMBER).json()

    (received,) = receiver.received
    assert received.signature_valid is True
    assert received.parameters["MessagingServiceSid"] == service.json()["sid"]
    if defer_to_number:
        assert received.path == "/number" and report["handled_by"] is None
    else:
        assert received.path == "/service" and "Messaging Service" in report["handled_by"]
        assert report["requests"][0]["role"] == "inbound_request_url"
