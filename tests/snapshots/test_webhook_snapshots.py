"""Snapshots of the "Test webhooks" panel: a URL Twilio would be satisfied with, a
TwiML problem named, and URLs Twilio cannot reach (tried from here all the same);
and of the Summary's rehearsal: a simulated call Twilio would be satisfied with, a
simulated message whose TwiML problem is named.

The requests are real HTTP to a loopback receiver; the checker routes every host
there (so a public-looking URL shows what an accepted one looks like), looks
nothing up in DNS, and times each answer with a clock that makes it take 0.04 s.
Update with `pytest tests/snapshots --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.snapshots.scenes import MAGIC_NUMBER, build_app, buy, fill_to_review
from tests.support.app_factory import sandbox_of
from tests.support.pilot import go, scrolled_still, settle, type_into
from tests.support.webhook_receiver import (
    TWIML_MESSAGE,
    LoopbackRoutingTransport,
    Route,
    TaskClock,
    WebhookReceiver,
    loopback_checker,
    webhook_receiver,
)
from tui.app import WizardApp
from tui.sandbox.accounts import MAIN_AUTH_TOKEN
from tui.sandbox.webhooks import WebhookOptions

SIZE = (100, 32)
BAD_TWIML = b'<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n  <say>Hello</say>\n</Response>\n'


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with webhook_receiver(MAIN_AUTH_TOKEN) as server:
        server.route("/voice", Route())
        server.route("/broken", Route(body=BAD_TWIML))
        server.route("/sms", Route(body=TWIML_MESSAGE))
        yield server


def app_for(tmp_path: Path, receiver: WebhookReceiver) -> WizardApp:
    app = build_app(tmp_path)
    app.webhook_checker = loopback_checker(receiver)
    return app


async def check_voice_url(pilot: Pilot[Any], url: str) -> None:
    await go(pilot, "voice")
    await type_into(pilot, "voice_url", url)
    await pilot.press("ctrl+t")
    await settle(pilot)
    await scrolled_still(pilot)


def test_voice_url_twilio_accepts(snap_compare, tmp_path: Path, receiver: WebhookReceiver) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await check_voice_url(pilot, "https://hooks.example.com/voice")

    assert snap_compare(app_for(tmp_path, receiver), run_before=run_before, terminal_size=SIZE)


def test_voice_url_twiml_problem_named(snap_compare, tmp_path: Path, receiver: WebhookReceiver) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await check_voice_url(pilot, "https://hooks.example.com/broken")

    assert snap_compare(app_for(tmp_path, receiver), run_before=run_before, terminal_size=SIZE)


def test_review_urls_twilio_cannot_reach(snap_compare, tmp_path: Path, receiver: WebhookReceiver) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, WizardApp)
        app.draft.set("phone_number", MAGIC_NUMBER)
        app.draft.set("voice_url", "http://localhost:3000/voice")
        app.draft.set("sms_url", "http://192.168.1.20/sms")
        app.draft_changed()
        await go(pilot, "review")
        await pilot.press("ctrl+t")
        await settle(pilot)
        await scrolled_still(pilot)

    assert snap_compare(app_for(tmp_path, receiver), run_before=run_before, terminal_size=SIZE)


async def rehearse(pilot: Pilot[Any], receiver: WebhookReceiver, key: str) -> None:
    """Buy on the in-process sandbox (https://example.com/voice and /sms), route the
    sandbox's webhook requests to the receiver, press the Summary's key."""
    await fill_to_review(pilot)
    await buy(pilot)
    app = pilot.app
    assert isinstance(app, WizardApp) and app.screen.id == "summary"
    sandbox_of(app).webhooks = WebhookOptions(transport=LoopbackRoutingTransport(receiver), clock=TaskClock())
    await pilot.press(key)
    await settle(pilot)
    await scrolled_still(pilot)


def test_summary_rehearsed_call(snap_compare, tmp_path: Path, receiver: WebhookReceiver) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await rehearse(pilot, receiver, "i")

    assert snap_compare(build_app(tmp_path), run_before=run_before, terminal_size=SIZE)


def test_summary_rehearsed_message_twiml_problem(
    snap_compare, tmp_path: Path, receiver: WebhookReceiver
) -> None:
    receiver.route("/sms", Route(body=b"<Response><Mesage>Thanks!</Mesage></Response>"))

    async def run_before(pilot: Pilot[Any]) -> None:
        await rehearse(pilot, receiver, "m")

    assert snap_compare(build_app(tmp_path), run_before=run_before, terminal_size=SIZE)
