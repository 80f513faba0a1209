"""Webhooks as Twilio calls them (tui/domain/webhooks.py, webhook_verdicts.py):
reachability, the signature (checked against twilio-python's RequestValidator),
the parameters, the connection overrides, and what Twilio makes of an answer."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from tui.domain.webhook_verdicts import (
    RedirectHop,
    WebhookVerdict,
    failure_outcome,
    judge_answer,
    verdict_lines,
)
from tui.domain.webhooks import (
    TEST_SID_MARKER,
    ConnectionOverrides,
    WebhookKind,
    classify_url,
    host_needs_lookup,
    marked_sid,
    masked_url,
    request_parameters,
    signature_url,
    twilio_signature,
    url_with_parameters,
)

TOKEN = "0123456789abcdef0123456789abcdef"

# ---------------------------------------------------------------------------
# Reachability


@pytest.mark.parametrize(
    ("url", "words", "code"),
    [
        ("http://localhost:3000/voice", "localhost", 11205),
        ("http://app.localhost/voice", "localhost", 11205),
        ("http://127.0.0.1:8080/voice", "loopback", 11205),
        ("http://127.8.9.10/voice", "loopback", 11205),
        ("http://[::1]:8080/voice", "loopback", 11205),
        ("http://[::ffff:127.0.0.1]/voice", "loopback", 11205),
        ("https://10.0.0.5/voice", "private (RFC 1918)", 11205),
        ("https://172.20.1.1/voice", "private (RFC 1918)", 11205),
        ("https://192.168.1.20/voice", "private (RFC 1918)", 11205),
        ("https://169.254.169.254/latest", "link-local", 11205),
        ("https://[fe80::1]/voice", "link-local", 11205),
        ("https://100.64.12.1/voice", "carrier-grade NAT", 11205),
        ("https://[fd12:3456::1]/voice", "unique-local", 11205),
        ("https://0.0.0.0/voice", "unspecified", 11205),
        ("https://192.0.2.10/voice", "reserved address", 11205),
        ("https://printer.local/voice", ".local", 11210),
        ("https://api.corp.internal/voice", ".internal", 11210),
        ("https://nas.home.arpa/voice", ".home.arpa", 11210),
        ("https://site.test/voice", ".test", 11210),
        ("https://devbox:8443/voice", "single-label", 11210),
    ],
)
def test_hosts_twilio_cannot_reach(url, words, code):
    reach = classify_url(url)
    assert not reach.reachable
    assert words in (reach.reason or "")
    assert reach.twilio_error == code
    assert host_needs_lookup(url) is None  # decided without DNS


def test_public_hosts_are_reachable_and_plain_http_is_warned():
    assert classify_url("https://example.com/voice").reachable
    assert classify_url("https://8.8.8.8/voice").reachable
    assert classify_url("https://[2001:4860:4860::8888]/voice").reachable
    plain = classify_url("http://example.com/voice")
    assert plain.reachable and plain.reason is None
    assert "unencrypted" in (plain.warning or "") and "https" in (plain.warning or "")
    assert host_needs_lookup("https://Example.COM./voice") == "example.com"


def test_a_public_name_that_resolves_to_private_addresses_is_unreachable():
    reach = classify_url("https://dev.example.com/voice", ["192.168.1.5", "fd00::5"])
    assert not reach.reachable
    assert "resolves here to 192.168.1.5" in (reach.reason or "")
    mixed = classify_url("https://dev.example.com/voice", ["192.168.1.5", "93.184.215.14"])
    assert mixed.reachable


# ---------------------------------------------------------------------------
# The signature


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/voice",
        "https://example.com/voice?user=42&x=a%20b",
        "https://example.com:8443/voice",
        "http://127.0.0.1:5000/sms",
    ],
)
@pytest.mark.parametrize("kind", list(WebhookKind))
def test_post_signature_matches_twilio_python(url, kind):
    params = request_parameters(kind, account_sid="AC" + "a" * 32, sid=marked_sid("CA", "ff"))
    signature = twilio_signature(TOKEN, url, params)
    validator = RequestValidator(TOKEN)
    assert signature == validator.compute_signature(url, params)
    assert validator.validate(url, params, signature)
    assert not RequestValidator("f" * 32).validate(url, params, signature)


def test_get_signature_covers_the_parameters_in_the_url():
    params = request_parameters(WebhookKind.VOICE, account_sid="AC" + "a" * 32, sid=marked_sid("CA", "1"))
    url = url_with_parameters("https://example.com/voice?tenant=7", params)
    assert url.startswith("https://example.com/voice?tenant=7&AccountSid=AC")
    signature = twilio_signature(TOKEN, url)
    assert RequestValidator(TOKEN).validate(url, {}, signature)
    # Change one parameter in the URL and the signature no longer holds.
    assert not RequestValidator(TOKEN).validate(url.replace("ringing", "completed"), {}, signature)


def test_twilio_documented_example():
    # The worked example of https://www.twilio.com/docs/usage/security#validating-requests,
    # also the fixture of twilio-node's and twilio-python's own tests.
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675309",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
    }
    assert twilio_signature("12345", url, params) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_signature_url_drops_credentials_and_fragment_but_keeps_the_port():
    assert (
        signature_url("https://user:pw@example.com:8443/v?x=1#rc=2&rp=all")
        == "https://example.com:8443/v?x=1"
    )
    assert masked_url("https://user:pw@example.com/v") == "https://user:********@example.com/v"
    assert masked_url("https://example.com/v") == "https://example.com/v"


names = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=0x2FF), min_size=1, max_size=12)


@given(params=st.dictionaries(names, st.text(max_size=20), max_size=8), path=st.text(min_size=0, max_size=20))
def test_signature_matches_twilio_python_for_any_form(params, path):
    url = "https://example.com/" + path.replace("#", "").replace("?", "")
    assert twilio_signature(TOKEN, url, params) == RequestValidator(TOKEN).compute_signature(url, params)


def test_repeated_names_sign_every_value_in_order():
    pairs = [("b", "2"), ("a", "z"), ("a", "y")]
    assert twilio_signature(TOKEN, "https://x.example/", pairs) == twilio_signature(
        TOKEN, "https://x.example/", {"a": ["y", "z"], "b": "2"}
    )


# ---------------------------------------------------------------------------
# Parameters


def test_call_parameters_are_twilios_with_marked_test_values():
    params = request_parameters(
        WebhookKind.VOICE,
        account_sid="AC" + "1" * 32,
        sid=marked_sid("CA", "abcdef"),
        to_number="+447700900123",
    )
    for name in (
        "AccountSid",
        "CallSid",
        "From",
        "To",
        "CallStatus",
        "Direction",
        "ApiVersion",
        "Caller",
        "Called",
    ):
        assert name in params
    assert params["CallStatus"] == "ringing" and params["Direction"] == "inbound"
    assert params["Caller"] == params["From"] and params["Called"] == params["To"] == "+447700900123"
    assert re.fullmatch(r"CA[0-9a-f]{32}", params["CallSid"]) and TEST_SID_MARKER in params["CallSid"]
    assert params["From"].startswith("+1500555")
    assert params["FromCountry"] == "US"


def test_message_parameters():
    params = request_parameters(WebhookKind.SMS, account_sid="AC" + "1" * 32, sid=marked_sid("SM", "00"))
    assert params["MessageSid"] == params["SmsSid"] == params["SmsMessageSid"]
    assert params["Body"] == "number-wizard webhook test"
    assert params["NumMedia"] == "0" and params["SmsStatus"] == "received"
    assert "CallSid" not in params


def test_status_callback_parameters():
    moment = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    params = request_parameters(
        WebhookKind.STATUS, account_sid="AC" + "1" * 32, sid="CA" + "0" * 32, now=moment
    )
    assert params["CallStatus"] == "completed"
    assert params["CallbackSource"] == "call-progress-events"
    assert params["Timestamp"] == "Mon, 30 Nov 2026 12:00:00 +0000"


# ---------------------------------------------------------------------------
# Connection overrides


def test_connection_overrides_in_the_fragment():
    overrides = ConnectionOverrides.from_url("https://example.com/v#ct=2000&rt=3000&tt=4000&rc=3&rp=all")
    assert (overrides.connect_timeout, overrides.read_timeout, overrides.total_time) == (2.0, 3.0, 4.0)
    assert not overrides.notes
    clamped = ConnectionOverrides.from_url("https://example.com/v#tt=60000&ct=soon")
    assert clamped.total_time == 15.0 and clamped.connect_timeout is None
    assert len(clamped.notes) == 2
    assert ConnectionOverrides.from_url("https://example.com/v") == ConnectionOverrides()


# ---------------------------------------------------------------------------
# What Twilio makes of an answer


def judge(kind, status=200, content_type="text/xml", body=b"<Response><Say>Hi</Say></Response>", **kw):
    return judge_answer(kind, status=status, content_type=content_type, body=body, **kw)


def test_voice_twiml_is_accepted_and_its_verbs_named():
    result = judge(WebhookKind.VOICE)
    assert result.accepted and result.outcome == "Twilio runs your TwiML: Say."


@pytest.mark.parametrize(("status", "code"), [(404, 11200), (500, 11200), (308, 11216), (301, 11216)])
def test_non_success_status_is_refused(status, code):
    result = judge(WebhookKind.VOICE, status=status)
    assert not result.accepted and result.twilio_error == code


def test_voice_failure_says_what_the_caller_hears():
    assert "voice fallback URL instead" in judge(WebhookKind.VOICE, status=500, has_fallback=True).outcome
    no_fallback = judge(WebhookKind.VOICE, status=500, has_fallback=False).outcome
    assert "an application error has occurred" in no_fallback and "fallback" not in no_fallback
    unknown = judge(WebhookKind.VOICE, status=500).outcome
    assert "if you set one" in unknown
    assert "fallback URL" not in judge(WebhookKind.VOICE, status=500, fallback=True).outcome


def test_html_and_json_are_not_twiml():
    html = judge(
        WebhookKind.VOICE, content_type="text/html", body=b"<!DOCTYPE html><html><body>Oops</body></html>"
    )
    assert not html.accepted and "HTML page" in html.problems[0]
    json = judge(WebhookKind.VOICE, content_type="application/json", body=b'{"ok": true}')
    assert not json.accepted and json.twilio_error == 12300


def test_voice_audio_and_plain_text_are_what_twilio_documents():
    audio = judge(WebhookKind.VOICE, content_type="audio/mpeg", body=b"ID3...")
    assert audio.accepted and "plays this audio" in audio.outcome
    text = judge(WebhookKind.VOICE, content_type="text/plain; charset=utf-8", body=b"Welcome!")
    assert text.accepted and "reads this text aloud" in text.outcome and text.warnings


def test_sms_empty_twiml_and_plain_text():
    assert judge(WebhookKind.SMS, content_type=None, body=b"").accepted
    assert judge(WebhookKind.SMS, status=204, content_type=None, body=b"").accepted
    assert judge(WebhookKind.SMS, body=b"<Response/>").outcome.startswith("Twilio sends no reply")
    reply = judge(WebhookKind.SMS, body=b"<Response><Message>Hi</Message></Response>")
    assert reply.accepted and reply.outcome == "Twilio replies with 1 message."
    text = judge(WebhookKind.SMS, content_type="text/plain", body=b"OK")
    assert text.accepted and "“OK”" in text.outcome and "sent back as an SMS reply" in text.warnings[0]
    wrong = judge(WebhookKind.SMS, body=b"<Response><Say>Hi</Say></Response>")
    assert not wrong.accepted and "voice" in wrong.problems[0]


def test_voice_needs_content_and_a_type():
    assert judge(WebhookKind.VOICE, content_type=None, body=b"<Response/>").twilio_error == 12300
    assert not judge(WebhookKind.VOICE, body=b"").accepted


def test_status_callbacks_need_only_a_2xx():
    assert judge(WebhookKind.STATUS, content_type="application/json", body=b"{}").accepted
    failed = judge(WebhookKind.STATUS, status=503)
    assert not failed.accepted and "the call itself is not affected" in failed.outcome


def test_too_large_an_answer():
    result = judge(WebhookKind.VOICE, body=b"<Response>", truncated=True)
    assert not result.accepted and result.twilio_error == 11750


def test_failure_outcome_names_the_error():
    assert failure_outcome(WebhookKind.SMS, 11205, has_fallback=True).startswith(
        "Twilio logs error 11205 (HTTP connection failure) and calls your SMS fallback URL"
    )


# ---------------------------------------------------------------------------
# The verdict as lines and JSON


def _verdict(**overrides):
    values = {
        "url": "https://example.com/voice",
        "kind": WebhookKind.VOICE,
        "label": "Voice URL",
        "method": "POST",
        "signed": True,
        "unsigned_reason": None,
        "reachable_by_twilio": True,
        "reachability": None,
        "accepted": True,
        "what_twilio_does": "Twilio runs your TwiML: Say.",
        "status": 200,
        "elapsed": 0.123,
        "content_type": "text/xml",
    }
    values.update(overrides)
    return WebhookVerdict(**values)  # type: ignore[arg-type]  # a dict of mixed values, checked at run time


def test_lines_for_a_satisfied_verdict():
    lines = verdict_lines(_verdict())
    assert lines[0] == "✓ Voice URL: POST https://example.com/voice"
    assert lines[1] == "  HTTP 200, in 0.12 s, text/xml, signed"
    assert "Twilio would be satisfied. Twilio runs your TwiML: Say." in lines[2]


def test_lines_for_an_unreachable_but_right_answer():
    verdict = _verdict(
        url="http://127.0.0.1:5000/voice",
        reachable_by_twilio=False,
        reachability="127.0.0.1 is a loopback address, which only this machine can reach",
        what_twilio_does="Twilio logs error 11205 (HTTP connection failure) …",
        answer="Twilio runs your TwiML: Say.",
        twilio_error=11205,
        signed=False,
        unsigned_reason="--unsigned was given",
        redirects=(RedirectHop(302, "http://127.0.0.1:5000/v2", "GET", 0.01),),
    )
    text = "\n".join(verdict_lines(verdict))
    assert text.startswith("✗ ")
    assert "unsigned" in text and "Not signed: --unsigned was given." in text
    assert "Redirected (302) to GET http://127.0.0.1:5000/v2" in text
    assert "Twilio cannot reach this URL: 127.0.0.1 is a loopback address" in text
    assert "The answer itself is right. Twilio runs your TwiML: Say." in text
    assert "https://www.twilio.com/docs/api/errors/11205" in text
    data = verdict.as_json()
    assert data["satisfied"] is False and data["accepted"] is True
    assert data["final_url"] == "http://127.0.0.1:5000/v2"
    assert data["twilio_error_url"].endswith("/11205")
