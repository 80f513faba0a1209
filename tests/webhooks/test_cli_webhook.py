"""`number-wizard webhook check` in a subprocess against the loopback receiver:
exit codes, -o json, and where the signing token comes from."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import run_number_wizard
from tests.support.webhook_receiver import TWIML_MESSAGE, Route, WebhookReceiver, webhook_receiver
from tui.cli.webhook import WEBHOOK_NOT_SATISFIED
from tui.sandbox.accounts import API_KEY_SECRET, API_KEY_SID, MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
TOKEN = "c0ffee00c0ffee00c0ffee00c0ffee00"
ACCOUNT = "AC" + "c0ffee00" * 4


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with webhook_receiver(TOKEN) as server:
        yield server


def run(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}
    base.update(
        HOME=str(tmp_path / "home"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    base.update(env or {})
    return run_number_wizard(["webhook", "check", *args], env=base)


AUTH_TOKEN_ENV = {"TWILIO_ACCOUNT_SID": ACCOUNT, "TWILIO_AUTH_TOKEN": TOKEN}


def test_signed_check_of_a_local_server(tmp_path, receiver):
    url = receiver.route("/voice", require_signature=True)
    result = run(tmp_path, url, env=AUTH_TOKEN_ENV)
    # Right answer, but Twilio cannot reach 127.0.0.1: not satisfied.
    assert result.returncode == WEBHOOK_NOT_SATISFIED, result.stderr
    assert result.stdout.startswith(f"✗ Voice webhook: POST {url}")
    assert "HTTP 200" in result.stdout and "signed" in result.stdout
    assert "Twilio cannot reach this URL: 127.0.0.1 is a loopback address" in result.stdout
    assert "The answer itself is right. Twilio runs your TwiML: Say." in result.stdout
    assert receiver.received[0].signature_valid is True
    assert TOKEN not in result.stdout + result.stderr

    allowed = run(tmp_path, url, "--allow-unreachable", env=AUTH_TOKEN_ENV)
    assert allowed.returncode == 0, allowed.stdout


def test_json_output(tmp_path, receiver):
    url = receiver.route("/sms", Route(body=TWIML_MESSAGE, require_signature=True))
    result = run(
        tmp_path,
        url,
        "--kind",
        "sms",
        "--method",
        "get",
        "--to",
        "+447400123456",
        "-o",
        "json",
        env=AUTH_TOKEN_ENV,
    )
    assert result.returncode == WEBHOOK_NOT_SATISFIED
    verdict = json.loads(result.stdout)
    assert verdict["kind"] == "sms" and verdict["method"] == "GET"
    assert (
        verdict["accepted"] is True
        and verdict["reachable_by_twilio"] is False
        and verdict["satisfied"] is False
    )
    assert verdict["status"] == 200 and verdict["signed"] is True
    assert verdict["answer"] == "Twilio replies with 1 message."
    assert verdict["twilio_error"] == 11205
    request = receiver.received[0]
    assert request.method == "GET" and request.signature_valid
    assert request.parameters["To"] == "+447400123456"


def test_a_bad_answer_fails_even_when_unreachable_is_allowed(tmp_path, receiver):
    url = receiver.route(
        "/voice", body=b"<Response>\n<Gather><Dial>+15005550006</Dial></Gather>\n</Response>"
    )
    result = run(tmp_path, url, "--allow-unreachable", "-o", "json", env=AUTH_TOKEN_ENV)
    assert result.returncode == WEBHOOK_NOT_SATISFIED
    verdict = json.loads(result.stdout)
    assert verdict["accepted"] is False
    assert verdict["problems"][0].startswith("line 2: <Dial> cannot go inside <Gather>")


def test_without_credentials_it_checks_unsigned_and_says_so(tmp_path, receiver):
    url = receiver.route("/voice")
    result = run(tmp_path, url, "--allow-unreachable")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Not signed: no credentials were found" in result.stdout
    assert "unsigned" in result.stdout
    assert "X-Twilio-Signature" not in receiver.received[0].headers


def test_api_key_credentials_check_unsigned(tmp_path, receiver):
    url = receiver.route("/voice")
    env = {
        "TWILIO_ACCOUNT_SID": MAIN_ACCOUNT_SID,
        "TWILIO_API_KEY": API_KEY_SID,
        "TWILIO_API_SECRET": API_KEY_SECRET,
    }
    result = run(tmp_path, url, "-o", "json", env=env)
    verdict = json.loads(result.stdout)
    assert verdict["signed"] is False and "API key" in verdict["unsigned_reason"]
    assert receiver.received[0].parameters["AccountSid"] == MAIN_ACCOUNT_SID
    assert API_KEY_SECRET not in result.stdout + result.stderr


def test_sandbox_signs_with_the_sandbox_token(tmp_path):
    with webhook_receiver(MAIN_AUTH_TOKEN) as sandbox_receiver:
        url = sandbox_receiver.route("/voice", require_signature=True)
        result = run(tmp_path, url, "--sandbox", "--allow-unreachable")
        assert result.returncode == 0, result.stdout + result.stderr
        assert sandbox_receiver.received[0].signature_valid is True
        assert sandbox_receiver.received[0].parameters["AccountSid"] == MAIN_ACCOUNT_SID


def test_unsigned_flag_reads_no_credentials(tmp_path, receiver):
    url = receiver.route("/voice")
    result = run(tmp_path, url, "--unsigned", "--profile", "does-not-exist", "--allow-unreachable")
    assert result.returncode == 0
    assert "Not signed: --unsigned was given." in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("not a url",), 2, "URL: "),
        (("ftp://example.com/x",), 2, "https://"),
        (("http://127.0.0.1:9/x", "--to", "12345"), 2, "--to: "),
        (("http://127.0.0.1:9/x", "--profile", "nobody"), 3, 'There is no profile "nobody"'),
    ],
)
def test_bad_input_and_unreadable_credentials(tmp_path, args, code, words):
    result = run(tmp_path, *args)
    assert result.returncode == code, result.stdout + result.stderr
    assert words in result.stderr


def test_help_documents_the_exit_codes(tmp_path):
    result = run(tmp_path, "--help")
    assert result.returncode == 0
    assert f"{WEBHOOK_NOT_SATISFIED} Twilio would not be satisfied" in " ".join(result.stdout.split())
