"""The webhook checker over real HTTP: a loopback receiver that validates
X-Twilio-Signature with twilio-python's RequestValidator, as an application does."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.support.webhook_receiver import (
    TWIML_MESSAGE,
    LoopbackRoutingTransport,
    Route,
    WebhookReceiver,
    webhook_receiver,
)
from tui.domain.credentials import Credentials, Secret
from tui.domain.webhooks import TEST_SID_MARKER, WebhookKind
from tui.services.webhooks import (
    Signing,
    WebhookLimits,
    WebhookTarget,
    check_number_webhooks,
    check_webhook,
)

TOKEN = "5a4db0c5f00d0000000000000000beef"
ACCOUNT = "AC5a4db0c5000000000000000000000001"
SIGNING = Signing(ACCOUNT, Secret(TOKEN))
FAST = WebhookLimits(time_limit=2.0)


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with webhook_receiver(TOKEN) as server:
        yield server


async def check(url, kind=WebhookKind.VOICE, method="POST", signing=SIGNING, **options):
    options.setdefault("limits", FAST)
    options.setdefault("resolver", None)
    return await check_webhook(WebhookTarget(url, kind, method), signing=signing, **options)


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize(
    ("kind", "body", "outcome"),
    [
        (WebhookKind.VOICE, None, "Twilio runs your TwiML: Say."),
        (WebhookKind.SMS, TWIML_MESSAGE, "Twilio replies with 1 message."),
        (WebhookKind.STATUS, b"", "Twilio takes the 2xx answer"),
    ],
)
async def test_signed_requests_validate_with_twilio_python(receiver, method, kind, body, outcome):
    route = Route(require_signature=True) if body is None else Route(body=body, require_signature=True)
    url = receiver.route("/hook", route)
    verdict = await check(url, kind, method)

    assert verdict.accepted, verdict.problems
    assert verdict.status == 200 and verdict.signed
    assert verdict.what_twilio_does.startswith("Twilio logs error 11205")  # loopback: see below
    assert verdict.answer.startswith(outcome)
    [request] = receiver.received
    assert request.method == method
    assert request.signature_valid is True
    assert request.headers["User-Agent"] == "TwilioProxy/1.1"
    assert re.fullmatch(r"[0-9a-f-]{36}", request.headers["I-Twilio-Idempotency-Token"])
    params = request.parameters
    assert params["AccountSid"] == ACCOUNT
    if method == "POST":
        assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
        assert request.path == "/hook"
    else:
        assert request.form == {} and request.path.startswith("/hook?")
    sid = params["MessageSid"] if kind is WebhookKind.SMS else params["CallSid"]
    assert TEST_SID_MARKER in sid
    if kind is WebhookKind.VOICE:
        assert params["CallStatus"] == "ringing" and params["Direction"] == "inbound"
    elif kind is WebhookKind.SMS:
        assert params["Body"] == "number-wizard webhook test" and params["NumMedia"] == "0"
    else:
        assert params["CallStatus"] == "completed"


async def test_a_query_string_in_the_configured_url_is_kept_and_signed(receiver):
    url = receiver.route("/hook", require_signature=True) + "?tenant=7&lang=en"
    for method in ("GET", "POST"):
        verdict = await check(url, method=method)
        assert verdict.accepted, verdict.problems
    assert all(r.signature_valid for r in receiver.received)
    assert receiver.received[0].path.startswith("/hook?tenant=7&lang=en&AccountSid=")
    assert receiver.received[1].path == "/hook?tenant=7&lang=en"


async def test_a_wrong_token_is_refused_by_the_receiver(receiver):
    url = receiver.route("/hook", require_signature=True)
    verdict = await check(url, signing=Signing(ACCOUNT, Secret("f" * 32)))
    assert not verdict.accepted and verdict.status == 403
    assert receiver.received[0].signature_valid is False


async def test_api_key_credentials_test_unsigned_and_say_why(receiver):
    url = receiver.route("/hook")
    credentials = Credentials(ACCOUNT, Secret("key-secret"), api_key_sid="SK" + "1" * 32)
    verdict = await check(url, signing=Signing.from_credentials(credentials))
    assert verdict.accepted and not verdict.signed
    assert "API key" in verdict.unsigned_reason and "Auth Token" in verdict.unsigned_reason
    request = receiver.received[0]
    assert "X-Twilio-Signature" not in request.headers
    assert request.parameters["AccountSid"] == ACCOUNT


@pytest.mark.parametrize(
    ("route", "status", "code", "words"),
    [
        (None, 404, 11200, "HTTP 404"),
        (Route(status=500, body=b"Traceback ...", content_type="text/plain"), 500, 11200, "HTTP 500"),
        (
            Route(
                body=b"<!DOCTYPE html><html><body><h1>Welcome</h1></body></html>", content_type="text/html"
            ),
            200,
            12100,
            "HTML page",
        ),
        (
            Route(body=b"<Response>\n  <Say>Hi</Say>\n  <Dial><Play>x</Play></Dial>\n</Response>"),
            200,
            12200,
            "line 3",
        ),
        (Route(body=b"<Response><say>Hi</say></Response>"), 200, 12200, "did you mean <Say>?"),
        (
            Route(body=b'{"twiml": "<Response/>"}', content_type="application/json"),
            200,
            12300,
            "application/json",
        ),
    ],
)
async def test_answers_twilio_would_not_accept(receiver, route, status, code, words):
    url = receiver.route("/hook", route) if route else receiver.url("/nowhere")
    verdict = await check(url)
    assert not verdict.accepted and not verdict.satisfied
    assert verdict.status == status
    assert words in verdict.problems[0]
    assert verdict.body_excerpt  # what came back is shown
    # Loopback: Twilio's own outcome is the unreachable one; the answer's problem is still named.
    assert verdict.twilio_error == 11205
    assert len(receiver.received) == 1  # one request per check


async def test_a_slow_answer_is_cut_at_the_time_limit(receiver):
    url = receiver.route("/slow", delay=1.5)
    verdict = await check(url, limits=WebhookLimits(time_limit=0.3))
    assert not verdict.accepted
    assert verdict.status is None
    assert "no complete answer within 0.3 s" in verdict.problems[0]
    assert "Twilio waits 15 s" in verdict.problems[0]
    assert verdict.time_limit == 0.3


async def test_a_connection_override_in_the_url_sets_twilios_limit(receiver):
    url = receiver.route("/slow", delay=1.5) + "#tt=300&rc=0"
    verdict = await check(url, limits=WebhookLimits())
    assert not verdict.accepted
    assert "0.3 s, as long as Twilio waits for this URL" in verdict.problems[0]
    assert receiver.received[0].path == "/slow"  # the fragment is never sent


async def test_redirects_are_followed_recorded_and_signed_for_each_hop(receiver):
    receiver.route("/a", status=301, headers={"Location": "/b"})
    receiver.route("/b", status=307, headers={"Location": "/c"})
    receiver.route("/c", status=302, headers={"Location": "/final?step=3"})
    receiver.route("/final", require_signature=True)
    verdict = await check(receiver.url("/a"))
    assert verdict.accepted, verdict.problems
    assert [(hop.status, hop.method) for hop in verdict.redirects] == [
        (301, "GET"),
        (307, "GET"),
        (302, "GET"),
    ]
    assert verdict.final_url == receiver.url("/final?step=3")
    assert [r.method for r in receiver.received] == ["POST", "GET", "GET", "GET"]
    assert all(r.signature_valid for r in receiver.received)
    assert any("configure the final URL directly" in w for w in verdict.warnings)
    assert any("arrives as a GET without Twilio's parameters" in w for w in verdict.warnings)


async def test_a_307_repeats_the_post_with_its_form(receiver):
    receiver.route("/a", status=307, headers={"Location": "/b"})
    receiver.route("/b", require_signature=True)
    verdict = await check(receiver.url("/a"))
    assert verdict.accepted and verdict.redirects[0].method == "POST"
    assert receiver.received[1].method == "POST" and receiver.received[1].form["CallStatus"] == "ringing"


async def test_at_most_five_redirects(receiver):
    receiver.route("/loop", status=302, headers={"Location": "/loop"})
    verdict = await check(receiver.url("/loop"))
    assert not verdict.accepted
    assert len(verdict.redirects) == 5 and len(receiver.received) == 6
    assert "more than 5 redirects" in verdict.problems[0]


@pytest.mark.parametrize(
    ("status", "headers", "words"),
    [
        (308, {"Location": "/b"}, "does not follow"),
        (302, {}, "without a Location"),
        (302, {"Location": "mailto:ops@example.com"}, "not an http(s) URL"),
    ],
)
async def test_redirects_twilio_does_not_follow(receiver, status, headers, words):
    receiver.route("/b")
    url = receiver.route("/a", status=status, headers=headers)
    verdict = await check(url)
    assert not verdict.accepted and words in verdict.problems[0]
    assert len(receiver.received) == 1


async def test_loopback_is_warned_still_tried_and_twilio_cannot_reach_it(receiver):
    url = receiver.route("/voice")
    verdict = await check(url)
    assert verdict.accepted and not verdict.reachable_by_twilio and not verdict.satisfied
    assert "127.0.0.1 is a loopback address" in verdict.reachability
    assert "Twilio logs error 11205" in verdict.what_twilio_does
    assert len(receiver.received) == 1


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://10.0.0.5:8080/voice", "private (RFC 1918)"),
        ("http://192.168.1.20/voice", "private (RFC 1918)"),
        ("http://169.254.10.10/voice", "link-local"),
        ("http://[fd00::5]:8080/voice", "unique-local"),
        ("http://printer.local/voice", ".local"),
        ("http://localhost:5000/voice", "localhost"),
    ],
)
async def test_private_hosts_are_warned_still_tried_and_twilio_cannot_reach_them(receiver, url, words):
    receiver.route("/voice", require_signature=True)
    verdict = await check(url, transport=LoopbackRoutingTransport(receiver))
    assert verdict.accepted, verdict.problems
    assert not verdict.reachable_by_twilio and words in verdict.reachability
    [request] = receiver.received
    assert request.signature_valid is True  # signed for the URL as configured


async def test_a_public_name_resolving_to_a_private_address_here(receiver):
    receiver.route("/voice")

    async def resolves_privately(host: str) -> list[str]:
        return ["192.168.50.7"]

    verdict = await check(
        "http://hooks.example.com/voice",
        transport=LoopbackRoutingTransport(receiver),
        resolver=resolves_privately,
    )
    assert verdict.accepted and not verdict.reachable_by_twilio
    assert "resolves here to 192.168.50.7" in verdict.reachability


async def test_a_public_host_that_answers_well_satisfies_twilio(receiver):
    receiver.route("/voice", require_signature=True)

    async def resolves_publicly(host: str) -> list[str]:
        return ["93.184.215.14"]

    verdict = await check(
        "http://hooks.example.com/voice",
        transport=LoopbackRoutingTransport(receiver),
        resolver=resolves_publicly,
    )
    assert verdict.satisfied
    assert verdict.what_twilio_does == "Twilio runs your TwiML: Say."
    assert any("plain http" in w for w in verdict.warnings)


async def test_nothing_listening(receiver):
    url = receiver.url("/x").replace(receiver.base_url.rsplit(":", 1)[1], "9")  # port 9: discard, closed
    verdict = await check(url)
    assert not verdict.accepted and verdict.status is None
    assert "refused" in verdict.problems[0] or "could not connect" in verdict.problems[0]


async def test_a_number_s_webhooks_are_checked_in_order_and_ignored_ones_skipped(receiver):
    receiver.route("/voice", require_signature=True)
    receiver.route("/voice-fallback", status=500)
    receiver.route("/sms", body=b"", content_type=None, require_signature=True)
    receiver.route("/status", body=b"ok", content_type="text/plain", require_signature=True)
    settings = {
        "phone_number": "+447700900123",
        "voice_url": receiver.url("/voice"),
        "voice_method": "GET",
        "voice_fallback_url": receiver.url("/voice-fallback"),
        "sms_url": receiver.url("/sms"),
        "status_callback": receiver.url("/status"),
    }
    verdicts = await check_number_webhooks(settings, signing=SIGNING, limits=FAST, resolver=None)
    assert [v.label for v in verdicts] == ["Voice URL", "Voice fallback URL", "SMS URL", "Status callback"]
    assert [v.accepted for v in verdicts] == [True, False, True, True]
    assert verdicts[0].method == "GET"
    assert "the caller hears" in verdicts[1].what_twilio_does
    assert all(r.parameters["To"] == "+447700900123" for r in receiver.received)
    assert all(r.signature_valid for r in receiver.received)

    receiver.received.clear()
    trunked = {**settings, "trunk_sid": "TK" + "0" * 32}
    verdicts = await check_number_webhooks(trunked, signing=SIGNING, limits=FAST, resolver=None)
    assert [v.label for v in verdicts] == ["SMS URL", "Status callback"]
    assert not any(r.path.startswith("/voice") for r in receiver.received)
