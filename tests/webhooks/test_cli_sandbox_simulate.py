"""`number-wizard sandbox simulate call|sms NUMBER` in a subprocess: a number bought on
a served sandbox, whose webhooks (a receiver on loopback validating the signature
with twilio-python's RequestValidator) the sandbox calls as Twilio would."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import run_number_wizard
from tests.support.loopback import http_post
from tests.support.webhook_receiver import TWIML_MESSAGE, WebhookReceiver, webhook_receiver
from tui.cli.common import Exit
from tui.sandbox import MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN, SandboxServer, start_server

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
NUMBER = "+46701740612"


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with webhook_receiver(MAIN_AUTH_TOKEN) as server:
        yield server


@pytest.fixture
def served() -> Iterator[SandboxServer]:
    with start_server() as server:
        yield server


def buy(server: SandboxServer, **settings: str) -> None:
    answer = http_post(
        f"{server.base_url}/2010-04-01/Accounts/{MAIN_ACCOUNT_SID}/IncomingPhoneNumbers/Mobile.json",
        data={"PhoneNumber": NUMBER, **settings},
        auth=(MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN),
    )
    assert answer.status_code == 201, answer.text


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}
    env.update(HOME=str(tmp_path / "home"), XDG_CONFIG_HOME=str(tmp_path / "config"))
    return run_number_wizard(list(args), env=env)


def test_a_call_rehearsed_on_the_served_sandbox(tmp_path, served, receiver):
    buy(served, VoiceUrl=receiver.route("/voice", require_signature=True))

    result = run(tmp_path, "sandbox", "simulate", "call", NUMBER, "--base-url", served.base_url)

    # The answer is right, but Twilio could not reach 127.0.0.1: not satisfied...
    assert result.returncode == Exit.WEBHOOK_NOT_SATISFIED, result.stderr
    assert f"Simulated an incoming call from +15005550100 to {NUMBER}" in result.stdout
    assert "The answer itself is right. Twilio runs your TwiML: Say." in result.stdout
    assert receiver.received[0].signature_valid is True
    # ... unless the person says that is expected.
    again = run(
        tmp_path, "--api-url", served.base_url, "sandbox", "simulate", "call", NUMBER, "--allow-unreachable"
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert MAIN_AUTH_TOKEN not in result.stdout + again.stdout


def test_a_message_rehearsed_as_json(tmp_path, served, receiver):
    buy(served, SmsUrl=receiver.route("/sms", body=TWIML_MESSAGE, require_signature=True), SmsMethod="GET")

    result = run(
        tmp_path,
        "sandbox",
        "simulate",
        "sms",
        NUMBER,
        "--body",
        "ping",
        "-o",
        "json",
        "--base-url",
        served.base_url,
    )

    report = json.loads(result.stdout)
    (verdict,) = report["verdicts"]
    assert verdict["accepted"] and verdict["method"] == "GET" and verdict["signed"]
    assert verdict["what_twilio_does"].startswith("Twilio logs error 11205")  # loopback
    assert receiver.received[0].parameters["Body"] == "ping" and receiver.received[0].signature_valid


def test_a_broken_voice_url_is_named_and_the_fallback_called(tmp_path, served, receiver):
    voice = receiver.route("/voice", body=b"<Response><Sya>typo</Sya></Response>")
    buy(served, VoiceUrl=voice, VoiceFallbackUrl=receiver.route("/fallback"))

    result = run(tmp_path, "sandbox", "simulate", "call", NUMBER, "--base-url", served.base_url, "-o", "json")

    assert result.returncode == Exit.WEBHOOK_NOT_SATISFIED
    report = json.loads(result.stdout)
    first, fallback = report["verdicts"]
    assert not first["accepted"] and "Sya" in first["problems"][0]
    assert fallback["label"] == "Voice fallback URL" and fallback["accepted"]


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (("call", NUMBER), "--base-url: give the served sandbox's URL", Exit.BAD_INPUT),
        (("call", "12", "--base-url", "http://127.0.0.1:9"), "NUMBER:", Exit.BAD_INPUT),
        (
            ("call", NUMBER, "--body", "x", "--base-url", "http://127.0.0.1:9"),
            "only a message",
            Exit.BAD_INPUT,
        ),
        (("call", NUMBER, "--base-url", "http://example.com"), "--base-url:", Exit.BAD_INPUT),
        (("call", NUMBER, "--base-url", "http://127.0.0.1:9"), "could not be reached", Exit.TWILIO_ERROR),
    ],
)
def test_bad_input_and_an_absent_sandbox(tmp_path, args, message, code):
    result = run(tmp_path, "sandbox", "simulate", *args)

    assert result.returncode == code, result.stdout + result.stderr
    assert message in result.stderr


def test_a_number_the_sandbox_does_not_own(tmp_path, served):
    result = run(tmp_path, "sandbox", "simulate", "sms", NUMBER, "--base-url", served.base_url)

    assert result.returncode == Exit.TWILIO_ERROR
    assert "No account of the sandbox owns +46701740612: buy it first" in result.stderr
    assert "(error 20404)" in result.stderr
