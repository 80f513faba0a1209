"""The plain mode with the account's resources: a Messaging Service chosen from a
numbered list of the account's services, the second request shown on the Review
and sent after the purchase, a failure of it reported apart and retried alone;
TwiML applications listed for the application fields; an account with none."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.app_factory import fixed_clock
from tests.support.plain import (
    ACCOUNT,
    DETAILS,
    NO_VOICE,
    SUMMARY_QUIT,
    Answer,
    buy,
    compliance,
    make_plain,
    typed,
)
from tui.domain.credentials import Credentials, Secret
from tui.sandbox import Sandbox, SandboxTransport
from tui.sandbox.accounts import TRIAL_ACCOUNT_SID, TRIAL_AUTH_TOKEN
from tui.sandbox.seed import APPLICATION_IVR, MESSAGING_SERVICE_NOTIFICATIONS
from tui.services.session import SANDBOX_SOURCE, Connection, sandbox_connection

NUMBER = "+46701740612"  # SE: needs no address and no bundle
JOIN_PATH = f"/v1/Services/{MESSAGING_SERVICE_NOTIFICATIONS}/PhoneNumbers"
SERVICE: list[Answer] = [("Incoming messages (", "3"), ("Messaging Service (", "1")]


def sandbox_in(connection: Connection) -> Sandbox:
    transport = connection.transport
    assert isinstance(transport, SandboxTransport)
    return transport.sandbox


def run(directory: Path, answers: list[Answer], connection: Connection) -> str:
    wizard, output = make_plain(directory, answers, connection=connection)
    assert wizard.run() == 0
    return output.getvalue()


def receipt_in(folder: Path) -> dict[str, Any]:
    [path] = sorted(folder.glob("*.json"))
    return json.loads(path.read_text("utf-8"))


def service_numbers(sandbox: Sandbox) -> list[str]:
    entries = sandbox.state_snapshot()["messaging_service_numbers"]
    return [e["sid"] for e in entries if e["service_sid"] == MESSAGING_SERVICE_NOTIFICATIONS]


def test_a_purchase_that_joins_a_messaging_service_picked_from_the_list(tmp_path: Path) -> None:
    connection = sandbox_connection(clock=fixed_clock)
    text = run(
        tmp_path,
        [
            *ACCOUNT,
            *typed(NUMBER),
            *NO_VOICE,
            *SERVICE,
            *DETAILS,
            *compliance(),
            *buy(NUMBER),
            *SUMMARY_QUIT,
        ],
        connection,
    )
    # The account's services, by name and where their messages go.
    assert (
        f"  1. Sandbox notifications · messages → https://example.com/messages/inbound · "
        f"{MESSAGING_SERVICE_NOTIFICATIONS}"
    ) in text
    assert "the number's own SMS URL (the service defers to it)" in text
    # The Review: the second request, apart from the purchase's form.
    assert "a second request adds it to the Messaging Service" in text
    assert f"POST https://messaging.twilio.com{JOIN_PATH}" in text
    assert "twilio api:messaging:v1:services:phone-numbers:create" in text
    assert f"--messaging-service-sid {MESSAGING_SERVICE_NOTIFICATIONS}" in text
    # The Summary reports both.
    assert f"Bought {NUMBER}." in text
    assert (
        f"Added {NUMBER} to Messaging Service {MESSAGING_SERVICE_NOTIFICATIONS} (Sandbox notifications)."
        in text
    )
    receipt = receipt_in(tmp_path / "receipts")
    assert "MessagingServiceSid" not in receipt["request"]["form"]
    assert receipt["follow_ups"][0]["outcome"] == "done"
    assert receipt["resource"]["sid"] in service_numbers(sandbox_in(connection))


def test_a_failed_second_request_is_reported_and_retried_alone(tmp_path: Path) -> None:
    connection = sandbox_connection(clock=fixed_clock)
    sandbox = sandbox_in(connection)
    sandbox.faults.add("POST", JOIN_PATH + "$", status=503)
    text = run(
        tmp_path,
        [
            *ACCOUNT,
            *typed(NUMBER),
            *NO_VOICE,
            *SERVICE,
            *DETAILS,
            *compliance(),
            *buy(NUMBER),
            ("What next (", ""),  # Retry is the Summary's default then
            *SUMMARY_QUIT,
        ],
        connection,
    )
    assert f"Bought {NUMBER}." in text
    assert f"{NUMBER} was not added to Messaging Service" in text and "The number itself is bought." in text
    assert "Retry adding the number to its Messaging Service" in text
    assert "twilio api:messaging:v1:services:phone-numbers:create --service-sid" in text
    assert f"Adding {NUMBER} to its Messaging Service again…" in text
    assert text.rstrip().count("Added ") == 1 and f"Added {NUMBER} to Messaging Service" in text
    purchases = [r for r in sandbox.requests if r["method"] == "POST" and r["path"].endswith("/Mobile.json")]
    joins = [r for r in sandbox.requests if r["method"] == "POST" and r["path"] == JOIN_PATH]
    assert len(purchases) == 1 and len(joins) == 2
    receipt = receipt_in(tmp_path / "receipts")
    assert receipt["outcome"] == "bought"
    assert receipt["follow_ups"][0]["outcome"] == "done" and receipt["follow_ups"][0]["attempts"] == 2


def test_applications_are_listed_and_an_account_without_any_is_told(tmp_path: Path) -> None:
    listed = run(
        tmp_path / "main",
        [
            *ACCOUNT,
            *typed(NUMBER),
            ("Incoming calls (", "2"),
            ("Voice application (", "1"),
            ("Caller name lookup, yes or no", ""),
            ("Receive mode (", ""),
            ("Incoming messages (", "quit"),
            ("Quit number-wizard", "yes"),
        ],
        sandbox_connection(clock=fixed_clock),
    )
    assert f"Sandbox IVR · calls → https://example.com/ivr/voice · {APPLICATION_IVR}" in listed
    trial = Connection(
        credentials=Credentials(TRIAL_ACCOUNT_SID, Secret(TRIAL_AUTH_TOKEN), source=SANDBOX_SOURCE),
        transport=SandboxTransport(Sandbox(clock=fixed_clock)),
        sandbox=True,
    )
    empty = run(
        tmp_path / "trial",
        [
            *ACCOUNT,
            *typed(NUMBER),
            ("Incoming calls (", "2"),
            ("Voice application [", "AP" + "1" * 32),  # typed: nothing to list
            ("Caller name lookup, yes or no", ""),
            ("Receive mode (", ""),
            ("Incoming messages (", "quit"),
            ("Quit number-wizard", "yes"),
        ],
        trial,
    )
    assert "This account has no TwiML applications yet." in empty
