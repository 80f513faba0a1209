"""`number-wizard buy --check-webhooks [--force]`: the request's URLs are called the
way Twilio will (a loopback receiver validates the signature with twilio-python's
RequestValidator) after the recovery and before the ownership check and the
confirmation; a URL Twilio would not be satisfied with stops the purchase (exit
10) unless --force. Subprocesses against the sandbox served on loopback, plus one
in-process run where the checker routes a public-looking host to the receiver (a
check Twilio would be satisfied with cannot be made on loopback)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.cli import run_number_wizard
from tests.support.webhook_receiver import (
    TWIML_MESSAGE,
    Route,
    WebhookReceiver,
    loopback_checker,
    webhook_receiver,
)
from tui.cli.common import Exit
from tui.sandbox import Sandbox, start_server
from tui.sandbox.accounts import MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
NUMBER = "+46701740612"  # seeded in SE, for sale, needs no address and no bundle
MOBILE_POST = "/IncomingPhoneNumbers/Mobile.json"


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with webhook_receiver(MAIN_AUTH_TOKEN) as server:
        server.route("/voice", require_signature=True)
        server.route("/sms", Route(body=TWIML_MESSAGE, require_signature=True))
        server.route("/broken", Route(body=b"<Response><Dial><Say>no</Say></Dial></Response>"))
        yield server


@pytest.fixture
def served() -> Iterator[tuple[str, Sandbox]]:
    with start_server() as server:
        yield server.base_url, server.sandbox


def buy(tmp_path: Path, base_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}
    env.update(
        HOME=str(tmp_path / "home"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        TWILIO_ACCOUNT_SID=MAIN_ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=MAIN_AUTH_TOKEN,
    )
    return run_number_wizard(["buy", "--phone-number", NUMBER, *args, "--api-url", base_url], env=env)


def sent_to_twilio(sandbox: Sandbox) -> list[tuple[str, str]]:
    return [(r["method"], r["path"]) for r in sandbox.requests]


def test_a_url_twilio_cannot_reach_stops_the_purchase_before_anything_is_asked(tmp_path, receiver, served):
    base_url, sandbox = served
    voice = receiver.url("/voice")
    result = buy(tmp_path, base_url, "--voice-url", voice, "--sms-url", receiver.url("/sms"), "--yes",
                 "--check-webhooks")  # fmt: skip

    assert result.returncode == Exit.WEBHOOK_NOT_SATISFIED == 10, result.stderr
    assert "Checking 2 webhook URLs the way Twilio will call them" in result.stderr
    assert f"✗ Voice URL: POST {voice}" in result.stderr
    assert "Twilio cannot reach this URL: 127.0.0.1 is a loopback address" in result.stderr
    assert "error: not bought: nothing was sent; Twilio would not be satisfied with: Voice URL, SMS URL" in (
        result.stderr
    )
    assert MAIN_AUTH_TOKEN not in result.stdout + result.stderr
    # One signed request per URL, validated by RequestValidator; nothing asked of Twilio,
    # not even the ownership check, and nothing bought.
    assert sorted(r.path for r in receiver.received) == ["/sms", "/voice"]
    assert all(r.signature_valid for r in receiver.received)
    assert sent_to_twilio(sandbox) == []


def test_json_output_of_a_refusal(tmp_path, receiver, served):
    base_url, sandbox = served
    result = buy(tmp_path, base_url, "--voice-url", receiver.url("/broken"), "--yes", "--check-webhooks",
                 "-o", "json")  # fmt: skip
    assert result.returncode == 10, result.stderr
    data = json.loads(result.stdout)
    assert data["outcome"] == "not-sent"
    [verdict] = data["webhooks"]
    assert verdict["label"] == "Voice URL" and verdict["satisfied"] is False
    assert "<Say> cannot go inside <Dial>" in verdict["problems"][0]
    assert not any(path.endswith(MOBILE_POST) for _, path in sent_to_twilio(sandbox))


def test_force_buys_all_the_same_and_says_so(tmp_path, receiver, served):
    base_url, sandbox = served
    result = buy(tmp_path, base_url, "--voice-url", receiver.url("/voice"), "--yes", "--check-webhooks",
                 "--force")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "✗ Voice URL" in result.stderr
    assert "warning: --force: going on although Twilio would not be satisfied with: Voice URL." in (
        result.stderr
    )
    requests = sent_to_twilio(sandbox)
    assert ("POST", f"/2010-04-01/Accounts/{MAIN_ACCOUNT_SID}{MOBILE_POST}") in requests
    assert len(receiver.received) == 1  # checked once, before buying


def test_force_alone_and_a_dry_run_with_checks(tmp_path, receiver, served):
    base_url, sandbox = served
    alone = buy(tmp_path, base_url, "--voice-url", receiver.url("/voice"), "--force", "--dry-run")
    assert alone.returncode == Exit.BAD_INPUT
    assert "--force: it only goes with --check-webhooks" in alone.stderr
    assert receiver.received == []

    dry = buy(tmp_path, base_url, "--voice-url", receiver.url("/voice"), "--check-webhooks", "--dry-run")
    assert dry.returncode == 10, dry.stderr
    assert "error: nothing was sent; Twilio would not be satisfied with: Voice URL" in dry.stderr
    assert len(receiver.received) == 1
    assert not any(method == "POST" for method, _ in sent_to_twilio(sandbox))


def test_no_url_means_nothing_to_check(tmp_path, served):
    base_url, sandbox = served
    result = buy(tmp_path, base_url, "--yes", "--check-webhooks")
    assert result.returncode == 0, result.stderr
    assert "no webhook URL is given, so none was checked" in result.stderr
    assert any(path.endswith(MOBILE_POST) for _, path in sent_to_twilio(sandbox))


def test_urls_twilio_would_be_satisfied_with_let_the_purchase_go_on(receiver, monkeypatch, tmp_path):
    from tui.cli import cli
    from tui.services import webhooks

    # Routed from https://hooks.example.com to the receiver's http: a signature over the
    # https URL does not validate there, so these routes do not ask for one.
    receiver.route("/voice")
    receiver.route("/sms", body=TWIML_MESSAGE)
    monkeypatch.setattr(webhooks, "WebhookChecker", lambda: loopback_checker(receiver))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        cli,
        ["buy", "--sandbox", "--phone-number", NUMBER, "--voice-url", "https://hooks.example.com/voice",
         "--sms-url", "https://hooks.example.com/sms", "--yes", "--check-webhooks", "-o", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "✓ Voice URL: POST https://hooks.example.com/voice" in result.stderr
    assert "✓ SMS URL: POST https://hooks.example.com/sms" in result.stderr
    assert "webhooks: Twilio would be satisfied with every URL." in result.stderr
    assert json.loads(result.stdout)["phone_number"] == NUMBER
    assert sorted(r.path for r in receiver.received) == ["/sms", "/voice"]
