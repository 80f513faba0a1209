"""The Summary of a number bought on the sandbox: "Simulate a call" (i) and "Simulate
a message" (m) make the in-process sandbox call the number's webhooks as Twilio would,
to a loopback receiver validating X-Twilio-Signature with twilio-python's
RequestValidator; the answers are judged as "Test webhooks" judges them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from twilio.request_validator import RequestValidator

from tests.support.app_factory import sandbox_of
from tests.support.pilot import buy, reach_review, settle
from tests.support.webhook_receiver import (
    TWIML_MESSAGE,
    LoopbackRoutingTransport,
    Route,
    TaskClock,
    WebhookReceiver,
    webhook_receiver,
)
from tui.sandbox.accounts import MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN
from tui.sandbox.webhooks import WebhookOptions
from tui.wizard.draft import SmsMode

NUMBER = "+46701740612"


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with webhook_receiver(MAIN_AUTH_TOKEN) as server:
        yield server


def status(app) -> str:
    return str(app.screen.query_one("#rehearsal #webhook-checks-status").content)


def results(app) -> str:
    return str(app.screen.query_one("#rehearsal #webhook-results").content)


async def bought(pilot, *, voice_url: str | None = None, sms_url: str | None = None) -> None:
    app = pilot.app
    if sms_url:
        app.draft.sms_mode = SmsMode.WEBHOOK
        app.draft.set("sms_url", sms_url)
    await reach_review(pilot, NUMBER, voice_url=voice_url)
    if sms_url:  # reach_review chose "no messaging"; the draft holds the URL again
        app.draft.sms_mode = SmsMode.WEBHOOK
        app.draft.set("sms_url", sms_url)
        app.draft_changed()
    await buy(pilot)
    assert app.screen.id == "summary"


async def test_a_simulated_call_reaches_the_voice_url_signed_and_is_judged(make_app, receiver):
    receiver.route("/voice", Route())
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await bought(pilot, voice_url="https://hooks.example.com/voice")
        sandbox_of(app).webhooks = WebhookOptions(
            transport=LoopbackRoutingTransport(receiver), clock=TaskClock()
        )

        await pilot.press("i")
        await settle(pilot)

        [request] = receiver.received
        assert request.method == "POST" and request.headers["Host"] == "hooks.example.com"
        # Signed for the https URL configured (the routing to loopback is plain http).
        validator = RequestValidator(MAIN_AUTH_TOKEN)
        signature = request.headers["X-Twilio-Signature"]
        assert validator.validate("https://hooks.example.com/voice", request.form, signature)
        assert request.parameters["AccountSid"] == MAIN_ACCOUNT_SID
        assert request.parameters["To"] == NUMBER and request.parameters["CallStatus"] == "ringing"
        assert (
            status(app)
            == f"✓ Simulated an incoming call from +15005550100 to {NUMBER}: the sandbox called 1 URL"
        )
        text = results(app)
        assert "✓ Voice URL: POST https://hooks.example.com/voice" in text
        assert "Twilio would be satisfied. Twilio runs your TwiML: Say." in text
        assert MAIN_AUTH_TOKEN not in text


async def test_a_simulated_message_to_a_local_server_says_twilio_cannot_reach_it(make_app, receiver):
    url = receiver.route("/sms", Route(body=TWIML_MESSAGE, require_signature=True))
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await bought(pilot, sms_url=url)

        await pilot.click("#simulate-sms")
        await settle(pilot)

        [request] = receiver.received
        assert request.signature_valid is True and request.parameters["SmsStatus"] == "received"
        assert status(app).startswith("✗ Simulated an incoming message")
        text = results(app)
        assert "Twilio cannot reach this URL: 127.0.0.1 is a loopback address" in text
        assert "The answer itself is right. Twilio replies with 1 message." in text


async def test_a_broken_voice_url_is_named_and_the_fallback_shown(make_app, receiver):
    receiver.route("/voice", Route(body=b"<Response><say>hi</say></Response>"))
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        app.draft.set("voice_fallback_url", "https://hooks.example.com/fallback")
        await bought(pilot, voice_url="https://hooks.example.com/voice")
        receiver.route("/fallback", Route())
        sandbox_of(app).webhooks = WebhookOptions(
            transport=LoopbackRoutingTransport(receiver), clock=TaskClock()
        )

        await pilot.press("i")
        await settle(pilot)

        text = results(app)
        assert "<say> is not a TwiML verb for a call), so Twilio called the fallback URL" in text
        assert "✗ Voice URL: POST https://hooks.example.com/voice" in text
        assert "✓ Voice fallback URL: POST https://hooks.example.com/fallback" in text
        assert status(app).startswith("✗ Simulated an incoming call")


async def test_nothing_configured_is_said_and_nothing_called(make_app, receiver):
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await bought(pilot, voice_url="https://hooks.example.com/voice")

        await pilot.press("m")
        await settle(pilot)

        assert receiver.received == []
        assert "no URL was called" in status(app)
        assert "No SMS URL is configured: the message is received and nothing replies." in results(app)


async def test_a_number_the_sandbox_no_longer_owns_is_refused_in_plain_words(make_app, receiver):
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await bought(pilot, voice_url=receiver.url("/voice"))
        sandbox_of(app).reset()  # the seeded world again: the number is for sale, not owned

        await pilot.press("i")
        await settle(pilot)

        assert status(app) == (
            f"✗ Not simulated: the sandbox did not simulate: No account of the sandbox owns {NUMBER}: "
            "buy it first (only owned numbers receive calls and messages). (error 20404)"
        )
        assert receiver.received == []


async def test_the_keys_are_offered_only_for_a_number_bought_on_the_sandbox(make_app):
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await bought(pilot)
        assert app.screen.check_action("simulate", ("call",)) is True
        assert app.screen.query_one("#rehearsal").display is True
