"""The webhook checker's own logic (tui/services/webhooks.py) on in-memory
transports: which URLs a number's settings make Twilio call, who signs, HTTP
authentication from the URL, the body limit, failures in plain words, and no
secret in any verdict. Real HTTP is in tests/webhooks."""

from __future__ import annotations

import json
import socket
import ssl

import httpx
import pytest
from twilio.request_validator import RequestValidator

from tui.domain.credentials import Credentials, Secret
from tui.domain.purchase import PurchaseRequest
from tui.domain.resources import IncomingPhoneNumber
from tui.domain.webhook_verdicts import verdict_lines
from tui.domain.webhooks import WebhookKind
from tui.services.webhooks import (
    Signing,
    WebhookLimits,
    WebhookTarget,
    _network_failure,
    check_webhook,
    plan_number_webhooks,
)

TOKEN = "0123456789abcdef0123456789abcdef"
ACCOUNT = "AC" + "5" * 32
SIGNING = Signing(ACCOUNT, Secret(TOKEN))
TWIML = b"<Response><Say>Hi</Say></Response>"


async def public(_host: str) -> list[str]:
    return ["93.184.215.14"]


def answering(handler):
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        # A copy: an auth flow sends the same request object again with a new header.
        seen.append(
            httpx.Request(request.method, request.url, headers=request.headers, content=request.read())
        )
        return handler(request)

    return httpx.MockTransport(record), seen


async def run(url, transport, *, kind=WebhookKind.VOICE, method="POST", signing=SIGNING, **options):
    return await check_webhook(
        WebhookTarget(url, kind, method), signing=signing, transport=transport, resolver=public, **options
    )


async def test_a_public_https_url_that_answers_twiml_satisfies_twilio():
    transport, seen = answering(
        lambda r: httpx.Response(200, content=TWIML, headers={"Content-Type": "text/xml"})
    )
    verdict = await run("https://hooks.example.com/voice", transport)
    assert verdict.satisfied and not verdict.warnings
    [request] = seen
    form = dict(httpx.QueryParams(request.content.decode()))
    assert RequestValidator(TOKEN).validate(str(request.url), form, request.headers["X-Twilio-Signature"])
    assert request.headers["X-Home-Region"] == "us1"


async def test_basic_auth_from_the_url_is_sent_only_when_asked():
    def handler(request: httpx.Request) -> httpx.Response:
        if "Authorization" not in request.headers:
            return httpx.Response(401, headers={"WWW-Authenticate": 'Basic realm="hooks"'})
        return httpx.Response(200, content=TWIML, headers={"Content-Type": "text/xml"})

    transport, seen = answering(handler)
    verdict = await run("https://twilio:s3cret-pw@hooks.example.com/voice", transport)
    assert verdict.satisfied
    assert [("Authorization" in r.headers) for r in seen] == [False, True]
    assert all(r.url.host == "hooks.example.com" and not r.url.userinfo for r in seen)
    # Signed over the URL without the credentials, as Twilio does.
    form = dict(httpx.QueryParams(seen[1].content.decode()))
    assert RequestValidator(TOKEN).validate(
        "https://hooks.example.com/voice", form, seen[1].headers["X-Twilio-Signature"]
    )
    shown = json.dumps(verdict.as_json()) + "\n".join(verdict_lines(verdict))
    assert "s3cret-pw" not in shown and "twilio:********@" in shown


async def test_digest_auth_from_the_url():
    def handler(request: httpx.Request) -> httpx.Response:
        if request.headers.get("Authorization", "").startswith("Digest "):
            return httpx.Response(200, content=TWIML, headers={"Content-Type": "text/xml"})
        return httpx.Response(401, headers={"WWW-Authenticate": 'Digest realm="x", nonce="abc", qop="auth"'})

    transport, seen = answering(handler)
    verdict = await run("https://u:pw@hooks.example.com/voice", transport)
    assert verdict.accepted and len(seen) == 2


async def test_the_body_is_read_up_to_the_limit():
    huge = b"<Response>" + b"<Say>x</Say>" * 10_000 + b"</Response>"
    transport, _ = answering(
        lambda r: httpx.Response(200, content=huge, headers={"Content-Type": "text/xml"})
    )
    verdict = await run("https://hooks.example.com/voice", transport)
    assert not verdict.accepted and verdict.twilio_error == 11750
    small = await run("https://hooks.example.com/voice", transport, limits=WebhookLimits(max_body_bytes=100))
    assert small.twilio_error == 11750


async def test_an_invalid_url_is_not_sent():
    transport, seen = answering(lambda r: httpx.Response(200))
    verdict = await run("ftp://example.com/voice", transport)
    assert not verdict.accepted and not seen
    assert "https://" in verdict.problems[0]
    bad_method = await run("https://example.com/voice", transport, method="PUT")
    assert "GET or POST" in bad_method.problems[0] and not seen


async def test_secrets_never_reach_the_verdict():
    transport, _ = answering(
        lambda r: httpx.Response(500, content=b"boom", headers={"Content-Type": "text/plain"})
    )
    verdict = await run("https://hooks.example.com/voice", transport)
    shown = json.dumps(verdict.as_json()) + repr(verdict) + "\n".join(verdict_lines(verdict))
    assert TOKEN not in shown
    assert TOKEN not in repr(SIGNING)


def test_signing_from_credentials():
    token = Credentials(ACCOUNT, Secret(TOKEN))
    assert Signing.from_credentials(token).signed
    key = Signing.from_credentials(Credentials(ACCOUNT, Secret("x"), api_key_sid="SK" + "1" * 32))
    assert not key.signed and key.account_sid == ACCOUNT and "API key" in (key.unsigned_reason or "")
    nobody = Signing.from_credentials(None)
    assert not nobody.signed and nobody.account_sid.startswith("AC000000007e57")


def test_plan_for_a_purchase_request_and_an_owned_number():
    request = PurchaseRequest(
        phone_number="+447400123456",
        voice_url="https://example.com/voice",
        voice_method="GET",
        voice_fallback_url="https://example.com/fallback",
        sms_url="https://example.com/sms",
        status_callback="https://example.com/status",
        status_callback_method="GET",
    )
    plan = plan_number_webhooks(request)
    assert [(t.kind, t.method, t.fallback, t.has_fallback) for t in plan.targets] == [
        (WebhookKind.VOICE, "GET", False, True),
        (WebhookKind.VOICE, "POST", True, None),
        (WebhookKind.SMS, "POST", False, False),
        (WebhookKind.STATUS, "GET", False, None),
    ]
    assert [t.title for t in plan.targets] == [
        "Voice URL",
        "Voice fallback URL",
        "SMS URL",
        "Status callback",
    ]
    assert plan.to_number == "+447400123456" and not plan.skipped

    owned = IncomingPhoneNumber(
        phone_number="+15005550006",
        voice_url="https://example.com/voice",
        voice_application_sid="AP" + "0" * 32,
        sms_url="https://example.com/sms",
        sms_application_sid="AP" + "1" * 32,
    )
    owned_plan = plan_number_webhooks(owned)
    assert owned_plan.targets == ()
    assert len(owned_plan.skipped) == 2 and "voice application" in str(owned_plan.skipped[0])

    fax = plan_number_webhooks({"voice_url": "https://example.com/fax", "voice_receive_mode": "fax"})
    assert fax.targets == () and "faxes" in str(fax.skipped[0])
    assert plan_number_webhooks({"voice_url": "  ", "sms_url": None}).targets == ()


def _wrapped(cause: BaseException) -> httpx.ConnectError:
    try:
        try:
            raise cause
        except BaseException as inner:
            raise httpx.ConnectError("failed") from inner
    except httpx.ConnectError as error:
        return error


@pytest.mark.parametrize(
    ("error", "code", "words"),
    [
        (_wrapped(socket.gaierror(-2, "Name or service not known")), 11210, "does not resolve"),
        (_wrapped(ssl.SSLCertVerificationError(1, "certificate verify failed")), 11237, "certificate"),
        (_wrapped(ssl.SSLError(1, "handshake failure")), 11220, "TLS handshake"),
        (_wrapped(ConnectionRefusedError(111, "Connection refused")), 11205, "refused"),
        (httpx.ConnectTimeout("slow"), 11205, "no connection"),
        (httpx.ReadTimeout("slow"), 11205, "no complete answer"),
        (httpx.RemoteProtocolError("bad"), 11206, "HTTP protocol"),
    ],
)
def test_network_failures_in_plain_words(error, code, words):
    problem, twilio_error = _network_failure(error, "https://hooks.example.com/v", "15 s", 10.0)
    assert twilio_error == code and words in problem


def test_a_plan_narrowed_to_one_step_s_urls():
    plan = plan_number_webhooks(
        {
            "phone_number": "+447400123456",
            "voice_url": "https://example.com/voice",
            "voice_fallback_url": "https://example.com/fallback",
            "sms_url": "https://example.com/sms",
            "sms_application_sid": "AP" + "1" * 32,
            "status_callback": "https://example.com/status",
        }
    )
    voice = plan.only(WebhookKind.VOICE)
    assert [t.title for t in voice.targets] == ["Voice URL", "Voice fallback URL"]
    assert voice.skipped == () and voice.to_number == "+447400123456"
    sms = plan.only(WebhookKind.SMS)
    assert sms.targets == () and [s.kind for s in sms.skipped] == [WebhookKind.SMS]
    assert "messaging application" in str(sms.skipped[0])
    assert [t.kind for t in plan.only(WebhookKind.STATUS).targets] == [WebhookKind.STATUS]
