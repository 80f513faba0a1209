"""The Voice, Messaging and Review steps' "Test webhooks": each configured URL is
called once per press, the way Twilio would call it, against a loopback receiver
that validates X-Twilio-Signature with twilio-python's RequestValidator; the
verdicts are shown in plain words; API key credentials ask before testing
unsigned; moving on is never blocked; a crash goes through the app's funnel."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.app_factory import sandbox_of
from tests.support.pilot import go, set_mode, settle, step_of, type_into
from tests.support.webhook_receiver import (
    TWIML_MESSAGE,
    Route,
    WebhookReceiver,
    loopback_checker,
    webhook_receiver,
)
from tui.domain.credentials import Credentials, Secret
from tui.sandbox.accounts import API_KEY_SECRET, API_KEY_SID, MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN
from tui.services.session import Connection
from tui.widgets.footer import SteadyFooter
from tui.widgets.webhook_checks import WebhookChecks

BAD_TWIML = b'<?xml version="1.0"?>\n<Response>\n  <say>Hello</say>\n</Response>\n'


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    # The in-process sandbox's main account signs: its Auth Token validates.
    with webhook_receiver(MAIN_AUTH_TOKEN) as server:
        yield server


def results(app) -> str:
    return str(app.screen.query_one("#webhook-results").content)


def status(app) -> str:
    return str(app.screen.query_one("#webhook-checks-status").content)


async def test_voice_step_tests_its_url_signed_and_says_twilio_cannot_reach_a_local_server(
    make_app, receiver
):
    url = receiver.route("/voice", require_signature=True)
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "voice")
        await type_into(pilot, "voice_url", url)
        await pilot.press("ctrl+t")
        await settle(pilot)

        [request] = receiver.received
        assert request.method == "POST" and request.signature_valid is True
        assert request.parameters["AccountSid"] == MAIN_ACCOUNT_SID
        assert request.parameters["CallStatus"] == "ringing"
        text = results(app)
        assert text.startswith(f"✗ Voice URL: POST {url}")
        assert "HTTP 200" in text and "signed" in text
        assert "Twilio cannot reach this URL: 127.0.0.1 is a loopback address" in text
        assert "The answer itself is right. Twilio runs your TwiML: Say." in text
        assert status(app) == "✗ Twilio would not be satisfied with the URL"
        assert MAIN_AUTH_TOKEN not in text


async def test_a_satisfied_url_and_a_twiml_problem_named(make_app, receiver):
    receiver.route("/voice", Route())
    receiver.route("/broken", Route(body=BAD_TWIML))
    app = make_app()
    app.webhook_checker = loopback_checker(receiver)  # public-looking hosts reach the receiver
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "voice")
        await type_into(pilot, "voice_url", "https://hooks.example.com/voice")
        await type_into(pilot, "voice_fallback_url", "https://hooks.example.com/broken")
        app.screen.query_one("#test-webhooks").scroll_visible(animate=False)
        await pilot.pause()
        await pilot.click("#test-webhooks")
        await settle(pilot)

        assert [r.path for r in receiver.received].count("/voice") == 1
        assert [r.path for r in receiver.received].count("/broken") == 1
        text = results(app)
        assert "✓ Voice URL: POST https://hooks.example.com/voice" in text
        assert "Twilio would be satisfied. Twilio runs your TwiML: Say." in text
        assert "✗ Voice fallback URL: POST https://hooks.example.com/broken" in text
        assert "Problem: line 3: <say> is not a TwiML name" in text and "did you mean <Say>?" in text
        assert "the caller hears" in text
        assert status(app) == "✗ Twilio would be satisfied with 1 URL(s), not with 1"


async def test_each_step_tests_only_its_own_urls_and_the_review_all(make_app, receiver):
    voice = receiver.route("/voice", require_signature=True)
    sms = receiver.route("/sms", Route(body=TWIML_MESSAGE, require_signature=True))
    status_callback = receiver.route("/status", body=b"", content_type=None, require_signature=True)
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "voice")
        await type_into(pilot, "voice_url", voice)
        await go(pilot, "messaging")
        await type_into(pilot, "sms_url", sms)
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert [r.path for r in receiver.received] == ["/sms"]
        assert receiver.received[0].parameters["Body"] == "number-wizard webhook test"
        assert "SMS URL" in results(app) and "Voice URL" not in results(app)

        receiver.received.clear()
        app.draft.set("phone_number", "+46701740612")
        app.draft.set("status_callback", status_callback)
        app.draft_changed()
        await go(pilot, "review")
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert sorted(r.path for r in receiver.received) == ["/sms", "/status", "/voice"]
        assert all(r.signature_valid for r in receiver.received)
        assert all(r.parameters["To"] == "+46701740612" for r in receiver.received)
        text = results(app)
        for label in ("Voice URL", "SMS URL", "Status callback"):
            assert f"✗ {label}: POST http://127.0.0.1" in text
        # The Review's own requests to the sandbox are not webhook calls: no purchase.
        assert not [r for r in sandbox_of(app).requests if r["method"] == "POST"]


def footer_keys(app: Any) -> list[str]:
    """The descriptions of the keys the step's footer shows."""
    footer = app.screen.query_one(SteadyFooter)
    return [
        key.description for key in footer.query("*") if isinstance(getattr(key, "description", None), str)
    ]


async def test_the_key_and_panel_follow_the_way_of_handling(make_app, receiver):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "voice")
        checks = app.screen.query_one(WebhookChecks)
        assert app.screen.check_action("test_webhooks", ()) is True
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert status(app) == "Nothing to test yet: enter a URL first"
        assert receiver.received == []

        await set_mode(pilot, "application")
        assert app.screen.check_action("test_webhooks", ()) is False
        assert not checks.parent.display  # hidden with the webhook fields
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert receiver.received == []
        # The footer follows: no key while there is nothing to test, back with the URLs.
        assert "Test webhooks" not in footer_keys(app)
        await set_mode(pilot, "webhook")
        await type_into(pilot, "voice_url", "https://example.com/voice")
        assert "Test webhooks" in footer_keys(app)


async def test_the_review_hides_the_panel_without_urls(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        app.draft.set("phone_number", "+46701740612")
        from tui.wizard.draft import SmsMode, VoiceMode

        app.draft.voice_mode, app.draft.sms_mode = VoiceMode.NONE, SmsMode.NONE
        app.draft_changed()
        await go(pilot, "review")
        assert not app.screen.query_one(WebhookChecks).display
        assert app.screen.check_action("test_webhooks", ()) is False


async def test_changed_urls_clear_the_verdicts(make_app, receiver):
    url = receiver.route("/voice")
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "voice")
        await type_into(pilot, "voice_url", url)
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert results(app)
        await type_into(pilot, "voice_url", url + "2")
        assert status(app) == "The URLs changed since the last test: test again"
        assert not app.screen.query_one("#webhook-results").display


async def test_api_key_credentials_ask_before_testing_unsigned(make_app, receiver):
    url = receiver.route("/voice")
    connection = Connection(
        credentials=Credentials(MAIN_ACCOUNT_SID, Secret(API_KEY_SECRET), api_key_sid=API_KEY_SID),
        transport=make_app().connection.transport,  # an in-process sandbox
        sandbox=True,
    )
    app = make_app(connection=connection)
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "voice")
        await type_into(pilot, "voice_url", url)
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert receiver.received == []  # nothing sent before the person agrees
        reason = str(app.screen.query_one("#webhook-unsigned-reason").content)
        assert f"API key credentials ({API_KEY_SID})" in reason and "Auth Token" in reason
        assert app.screen.query_one("#webhook-unsigned").display

        await pilot.click("#test-unsigned")
        await settle(pilot)
        [request] = receiver.received
        assert request.signature_valid is None and "X-Twilio-Signature" not in request.headers
        assert "unsigned" in results(app) and "Not signed: these are API key credentials" in results(app)

        await pilot.press("ctrl+t")  # asked once per step
        await settle(pilot)
        assert len(receiver.received) == 2
        assert not app.screen.query_one("#webhook-unsigned").display


async def test_testing_never_blocks_moving_on_and_a_second_press_replaces_the_first(make_app, receiver):
    # The answers wait until the test has seen both presses in flight (a fixed delay
    # ran out before the first check on a loaded machine).
    released = threading.Event()
    url = receiver.route("/slow", released=released)
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "voice")
        await type_into(pilot, "voice_url", url)
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert status(app).startswith("Testing 1 URL…")
        await pilot.press("ctrl+t")  # replaces the first test (one worker at a time)
        await pilot.pause()
        voice = app.screen
        assert len([w for w in app.workers if w.group == "webhooks" and not w.is_finished]) == 1
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert step_of(app) == "messaging"
        released.set()
        await settle(pilot)
        await asyncio.sleep(0.2)
        assert len(receiver.received) == 2  # one request per press
        assert "✗ Voice URL" in str(voice.query_one("#webhook-results").content)


@pytest.mark.worker_errors_expected
async def test_a_crash_while_testing_goes_through_the_error_funnel(make_app, receiver, monkeypatch):
    from tui.services.webhooks import WebhookChecker

    url = receiver.route("/voice")

    async def broken(self, settings, signing):
        raise RuntimeError("boom")

    monkeypatch.setattr(WebhookChecker, "check", broken)
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "voice")
        await type_into(pilot, "voice_url", url)
        await pilot.press("ctrl+t")
        await settle(pilot)
        error = str(app.screen.query_one("#step-error").content)
        assert "testing the webhooks" in error
        assert status(app) == "The test stopped on an unexpected error (see above)"


async def test_ctrl_t_at_once_after_typing_tests_the_url_on_the_screen(make_app, receiver):
    """ctrl+t handled before the typed URL's messages reach the draft (a paste and
    ctrl+t at once, a loaded machine) tested nothing, or the older URL."""
    from textual.widgets import Input

    url = receiver.route("/voice", require_signature=True)
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "voice")
        voice_url = app.screen.query_one("#control-voice_url", Input)
        voice_url.value = url  # its Changed message is only queued
        app.screen.action_test_webhooks()  # handled before that message, as a key can be
        await settle(pilot)
        [request] = receiver.received
        assert request.path == "/voice"
        assert results(app).startswith(f"✗ Voice URL: POST {url}")
