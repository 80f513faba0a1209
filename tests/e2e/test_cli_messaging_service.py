"""`number-wizard buy --messaging-service-sid` end to end over real HTTP (a
subprocess talking to the sandbox served on 127.0.0.1): the number joins the
service by a second request after the purchase; a dry run shows both requests; a
second request that fails is a warning with the way to retry it, never a failed
purchase; a bad SID is refused before anything is sent."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_cli_loopback import NUMBER, Served, run_cli
from tests.support.loopback import http_get, http_post
from tui.sandbox import Sandbox, start_server
from tui.sandbox.accounts import MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN
from tui.sandbox.seed import MESSAGING_SERVICE_NOTIFICATIONS, MESSAGING_SERVICE_SUPPORT

pytestmark = pytest.mark.e2e

SERVICE = MESSAGING_SERVICE_NOTIFICATIONS
JOIN_PATH = f"/v1/Services/{SERVICE}/PhoneNumbers"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Served, Sandbox]]:
    with start_server(state_path=tmp_path / "sandbox-state.json") as server:
        yield Served(server.base_url, None, tmp_path / "sandbox-state.json"), server.sandbox


def numbers_in(served: Served, service_sid: str) -> list[str]:
    response = http_get(
        f"{served.base_url}/v1/Services/{service_sid}/PhoneNumbers", auth=(MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN)
    )
    response.raise_for_status()
    return [n["sid"] for n in response.json()["phone_numbers"]]


def receipt(tmp_path: Path) -> dict:
    [path] = (tmp_path / "data" / "number-wizard" / "receipts").glob("*.json")
    return json.loads(path.read_text())


def test_buy_then_join_the_messaging_service(tmp_path: Path, served) -> None:
    server, sandbox = served
    result = run_cli(
        tmp_path,
        server,
        "buy",
        "--phone-number",
        NUMBER,
        "--messaging-service-sid",
        SERVICE,
        "--yes",
        "-o",
        "json",
    )
    assert result.returncode == 0, result.stderr
    resource = json.loads(result.stdout)
    sid = resource["sid"]
    assert re.fullmatch(r"PN[0-9a-f]{32}", sid)
    assert resource["messaging_service"] == {
        "service_sid": SERVICE,
        "outcome": "done",
        "already": False,
        "error": None,
    }
    assert f"Added {NUMBER} to Messaging Service {SERVICE}." in result.stderr
    assert numbers_in(server, SERVICE) == [sid]
    # The purchase's own form never carries it; the join has the number's SID.
    posts = [r for r in sandbox.requests if r["method"] == "POST"]
    assert [r["path"] for r in posts] == [
        f"/2010-04-01/Accounts/{MAIN_ACCOUNT_SID}/IncomingPhoneNumbers/Mobile.json",
        JOIN_PATH,
    ]
    assert "MessagingServiceSid" not in posts[0]["form"] and posts[1]["form"] == {"PhoneNumberSid": sid}
    follow_up = receipt(tmp_path)["follow_ups"][0]
    assert follow_up["outcome"] == "done" and follow_up["service_sid"] == SERVICE


def test_dry_run_shows_the_second_request(tmp_path: Path, served) -> None:
    server, sandbox = served
    result = run_cli(
        tmp_path, server, "buy", "--phone-number", NUMBER, "--messaging-service-sid", SERVICE, "--dry-run"
    )
    assert result.returncode == 0, result.stderr
    assert f"then, once bought: POST {server.base_url}{JOIN_PATH}" in result.stdout
    assert "PhoneNumberSid" in result.stdout and "PN…" in result.stdout
    as_json = run_cli(
        tmp_path,
        server,
        "buy",
        "--phone-number",
        NUMBER,
        "--messaging-service-sid",
        SERVICE,
        "--dry-run",
        "-o",
        "json",
    )
    then = json.loads(as_json.stdout)["then"]
    assert then == [
        {"method": "POST", "url": f"{server.base_url}{JOIN_PATH}", "form": {"PhoneNumberSid": "PN…"}}
    ]
    assert [r for r in sandbox.requests if r["method"] == "POST"] == []


def test_a_failed_join_is_a_warning_with_the_way_to_retry_it(tmp_path: Path, served) -> None:
    server, sandbox = served
    sandbox.faults.add("POST", JOIN_PATH + "$", status=503)
    result = run_cli(
        tmp_path,
        server,
        "buy",
        "--phone-number",
        NUMBER,
        "--messaging-service-sid",
        SERVICE,
        "--yes",
        "-o",
        "json",
    )
    # The purchase's exit code: the number is bought.
    assert result.returncode == 0, result.stderr
    resource = json.loads(result.stdout)
    sid = resource["sid"]
    assert NUMBER in server.owned_numbers()
    assert resource["messaging_service"]["outcome"] == "failed"
    retry = (
        "twilio api:messaging:v1:services:phone-numbers:create "
        f"--service-sid {SERVICE} --phone-number-sid {sid}"
    )
    assert resource["messaging_service"]["retry"] == retry
    assert (
        f"warning: --messaging-service-sid: {NUMBER} was not added to Messaging Service {SERVICE}"
        in result.stderr
    )
    assert "The number itself is bought." in result.stderr
    assert "to retry just this step (safe to repeat):" in result.stderr and retry in result.stderr
    assert numbers_in(server, SERVICE) == []
    assert receipt(tmp_path)["outcome"] == "bought"
    assert receipt(tmp_path)["follow_ups"][0]["outcome"] == "failed"
    # The retry printed is the same request: sent now, the number joins.
    response = http_post(
        f"{server.base_url}{JOIN_PATH}",
        data={"PhoneNumberSid": sid},
        auth=(MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN),
    )
    assert response.status_code == 201
    assert numbers_in(server, SERVICE) == [sid]


def test_a_number_in_another_service_is_refused_by_twilio_and_explained(tmp_path: Path, served) -> None:
    server, _ = served
    first = run_cli(
        tmp_path,
        server,
        "buy",
        "--phone-number",
        NUMBER,
        "--messaging-service-sid",
        MESSAGING_SERVICE_SUPPORT,
        "--yes",
        "-o",
        "json",
    )
    assert first.returncode == 0, first.stderr
    sid = json.loads(first.stdout)["sid"]
    # Joining a second service: Twilio answers 21712 (the sandbox as Twilio does).
    response = http_post(
        f"{server.base_url}{JOIN_PATH}",
        data={"PhoneNumberSid": sid},
        auth=(MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN),
    )
    assert response.status_code in (400, 409)
    assert response.json()["code"] == 21712


def test_a_bad_service_sid_is_refused_before_anything_is_sent(tmp_path: Path, served) -> None:
    server, sandbox = served
    result = run_cli(
        tmp_path, server, "buy", "--phone-number", NUMBER, "--messaging-service-sid", "MG123", "--yes"
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: --messaging-service-sid: ")
    assert sandbox.requests == []
