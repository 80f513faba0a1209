"""`number-wizard numbers update --messaging-service-sid / --leave-messaging-service`
in subprocesses, over real HTTP to the sandbox served on 127.0.0.1: the owned number
joins (or leaves) a Messaging Service by a request of its own, after the settings
update; each step has its own receipt; a failed join after an update is a warning
with the command to retry it (the update's exit code), alone it is the exit code; a
number in another service is refused before anything is sent; a dry run shows both
requests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_cli_numbers import NUMBERS, UK, owned, receipts, run
from tests.support.loopback import http_get, http_post
from tui.sandbox import start_server
from tui.sandbox.accounts import MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN
from tui.sandbox.seed import MESSAGING_SERVICE_NOTIFICATIONS, MESSAGING_SERVICE_SUPPORT
from tui.sandbox.server import SandboxServer

pytestmark = pytest.mark.e2e

SERVICE = MESSAGING_SERVICE_NOTIFICATIONS
OTHER = MESSAGING_SERVICE_SUPPORT
AUTH = (MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN)


@pytest.fixture
def served() -> Iterator[SandboxServer]:
    with start_server() as server:
        yield server


def join_path(service_sid: str) -> str:
    return f"/v1/Services/{service_sid}/PhoneNumbers"


def numbers_in(server: SandboxServer, service_sid: str) -> list[str]:
    response = http_get(f"{server.base_url}{join_path(service_sid)}", auth=AUTH)
    response.raise_for_status()
    return [n["sid"] for n in response.json()["phone_numbers"]]


def add_directly(server: SandboxServer, service_sid: str, sid: str) -> None:
    response = http_post(
        f"{server.base_url}{join_path(service_sid)}", data={"PhoneNumberSid": sid}, auth=AUTH
    )
    assert response.status_code == 201, response.text


def sent(server: SandboxServer) -> list[dict[str, Any]]:
    """The requests that changed something: on the number, or on a service's numbers."""
    return [
        {"method": r["method"], "path": r["path"], "form": r["form"]}
        for r in server.sandbox.requests
        if r["method"] in ("POST", "DELETE")
        and (r["path"].startswith(f"{NUMBERS}/PN") or r["path"].startswith("/v1/Services/"))
    ]


def uk_sid(server: SandboxServer) -> str:
    return owned(server)[UK]["sid"]


def test_join_alone_adds_the_number_with_a_receipt(tmp_path: Path, served: SandboxServer) -> None:
    sid = uk_sid(served)
    result = run(tmp_path, served, "update", UK, "--messaging-service-sid", SERVICE, "--yes", "-o", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["outcome"] == "done" and data["sid"] == sid
    assert data["messaging_service"]["outcome"] == "done"
    assert data["messaging_service"]["already"] is False
    assert "retry" not in data["messaging_service"]
    assert f"Messaging Service: join {SERVICE}" in result.stderr
    assert f"Added {UK} to Messaging Service {SERVICE}" in result.stderr
    assert numbers_in(served, SERVICE) == [sid]
    # Only the join was sent: no settings update without settings flags.
    assert sent(served) == [{"method": "POST", "path": join_path(SERVICE), "form": {"PhoneNumberSid": sid}}]
    [receipt] = receipts(tmp_path)
    assert receipt["kind"] == "messaging-service-join" and receipt["outcome"] == "done"
    assert receipt["request"]["form"] == {"PhoneNumberSid": sid}
    assert receipt["service_sid"] == SERVICE


def test_settings_first_then_the_join_each_with_its_receipt(tmp_path: Path, served: SandboxServer) -> None:
    sid = uk_sid(served)
    result = run(
        tmp_path,
        served,
        "update",
        sid,
        "--friendly-name",
        "Shop line",
        "--messaging-service-sid",
        SERVICE,
        "--yes",
        "-o",
        "json",
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["outcome"] == "done" and data["number"]["friendly_name"] == "Shop line"
    assert data["messaging_service"]["outcome"] == "done"
    assert [(r["method"], r["path"]) for r in sent(served)] == [
        ("POST", f"{NUMBERS}/{sid}.json"),
        ("POST", join_path(SERVICE)),
    ]
    kinds = sorted((r["kind"], r["outcome"]) for r in receipts(tmp_path))
    assert kinds == [("messaging-service-join", "done"), ("update", "done")]


def test_dry_run_shows_both_requests_and_sends_nothing(tmp_path: Path, served: SandboxServer) -> None:
    sid = uk_sid(served)
    args = ("update", UK, "--friendly-name", "Shop line", "--messaging-service-sid", SERVICE, "--dry-run")
    as_json = run(tmp_path, served, *args, "-o", "json")
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    assert data["method"] == "POST" and data["url"] == f"{served.base_url}{NUMBERS}/{sid}.json"
    assert data["form"] == {"FriendlyName": "Shop line"}
    assert data["then"] == [
        {"method": "POST", "url": f"{served.base_url}{join_path(SERVICE)}", "form": {"PhoneNumberSid": sid}}
    ]
    as_text = run(tmp_path, served, *args)
    assert f"then: POST {served.base_url}{join_path(SERVICE)}" in as_text.stdout
    assert "dry run: nothing was sent." in as_text.stderr
    assert sent(served) == [] and receipts(tmp_path) == []


def test_already_in_the_service_needs_nothing_sent(tmp_path: Path, served: SandboxServer) -> None:
    sid = uk_sid(served)
    add_directly(served, SERVICE, sid)
    result = run(tmp_path, served, "update", UK, "--messaging-service-sid", SERVICE, "--yes", "-o", "json")
    assert result.returncode == 0, result.stderr
    assert f"{UK} is already in Messaging Service {SERVICE}" in result.stderr
    assert json.loads(result.stdout)["outcome"] == "unchanged"
    assert [
        r for r in sent(served) if r["path"] != join_path(SERVICE) or r["form"] != {"PhoneNumberSid": sid}
    ] == []
    assert len(sent(served)) == 1  # only the direct add above


def test_twilio_answering_21710_counts_as_done(tmp_path: Path, served: SandboxServer) -> None:
    # The number joins between the check and the join (another tool, a retry):
    # Twilio answers 21710, which means it is there.
    sid = uk_sid(served)
    served.sandbox.faults.add(
        "POST",
        join_path(SERVICE) + "$",
        status=400,
        code=21710,
        message="Unable to create record: Phone Number or Short Code is already in the Messaging Service.",
    )
    result = run(tmp_path, served, "update", UK, "--messaging-service-sid", SERVICE, "--yes", "-o", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["messaging_service"]["outcome"] == "done" and data["messaging_service"]["already"] is True
    assert f"{UK} is in Messaging Service {SERVICE}" in result.stderr
    assert "(it was already there)." in result.stderr
    assert receipts(tmp_path)[0]["already"] is True
    assert sid  # the number itself is untouched


def test_in_another_service_is_said_before_anything_is_sent(tmp_path: Path, served: SandboxServer) -> None:
    sid = uk_sid(served)
    add_directly(served, OTHER, sid)
    before = len(sent(served))
    result = run(
        tmp_path, served, "update", UK, "--friendly-name", "Shop", "--messaging-service-sid", SERVICE, "--yes"
    )
    assert result.returncode == 7, result.stderr
    assert f"{UK} is in Messaging Service {OTHER}" in result.stderr
    assert "21712" in result.stderr and "--leave-messaging-service" in result.stderr
    assert "nothing was sent" in result.stderr
    assert len(sent(served)) == before  # not even the settings update
    assert receipts(tmp_path) == []
    assert owned(served)[UK]["friendly_name"] != "Shop"


def test_leave_then_join_moves_the_number(tmp_path: Path, served: SandboxServer) -> None:
    sid = uk_sid(served)
    add_directly(served, OTHER, sid)
    result = run(
        tmp_path,
        served,
        "update",
        UK,
        "--leave-messaging-service",
        "--messaging-service-sid",
        SERVICE,
        "--yes",
        "-o",
        "json",
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["left_messaging_service"]["outcome"] == "done"
    assert data["left_messaging_service"]["service_sid"] == OTHER
    assert data["messaging_service"]["outcome"] == "done"
    assert numbers_in(served, OTHER) == [] and numbers_in(served, SERVICE) == [sid]
    assert [(r["method"], r["path"]) for r in sent(served)][1:] == [
        ("DELETE", f"{join_path(OTHER)}/{sid}"),
        ("POST", join_path(SERVICE)),
    ]
    kinds = sorted(r["kind"] for r in receipts(tmp_path))
    assert kinds == ["messaging-service-join", "messaging-service-leave"]


def test_leave_when_in_no_service_sends_nothing(tmp_path: Path, served: SandboxServer) -> None:
    result = run(tmp_path, served, "update", UK, "--leave-messaging-service", "--yes")
    assert result.returncode == 0, result.stderr
    assert "is in no Messaging Service: nothing to remove" in result.stderr
    assert sent(served) == []


def test_a_failed_join_after_an_update_is_a_warning_with_the_retry(
    tmp_path: Path, served: SandboxServer
) -> None:
    sid = uk_sid(served)
    served.sandbox.faults.add("POST", join_path(SERVICE) + "$", status=503)
    result = run(
        tmp_path,
        served,
        "update",
        UK,
        "--friendly-name",
        "Shop line",
        "--messaging-service-sid",
        SERVICE,
        "--yes",
        "-o",
        "json",
    )
    # The update went through: its exit code, and the join's failure never hides it.
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["outcome"] == "done" and data["number"]["friendly_name"] == "Shop line"
    retry = f"number-wizard numbers update {sid} --messaging-service-sid {SERVICE}"
    assert data["messaging_service"]["outcome"] == "failed"
    assert data["messaging_service"]["retry"] == retry
    assert f"Updated {UK}" in result.stderr
    assert (
        f"warning: --messaging-service-sid: {UK} was not added to Messaging Service {SERVICE}"
        in result.stderr
    )
    assert "to retry just this step (safe to repeat):" in result.stderr and retry in result.stderr
    assert numbers_in(served, SERVICE) == []
    outcomes = sorted((r["kind"], r["outcome"]) for r in receipts(tmp_path))
    assert outcomes == [("messaging-service-join", "failed"), ("update", "done")]
    # The command printed, run as printed, finishes the step.
    served.sandbox.faults.clear()
    again = run(tmp_path, served, *retry.split()[2:], "--yes")  # run() adds "numbers"
    assert again.returncode == 0, again.stderr
    assert numbers_in(served, SERVICE) == [sid]


def test_a_failed_join_alone_is_the_exit_code(tmp_path: Path, served: SandboxServer) -> None:
    served.sandbox.faults.add(
        "POST",
        join_path(SERVICE) + "$",
        status=400,
        code=21712,
        message="Unable to create record: Phone Number or Short Code is associated with another "
        "Messaging Service.",
    )
    result = run(tmp_path, served, "update", UK, "--messaging-service-sid", SERVICE, "--yes", "-o", "json")
    assert result.returncode == 7, result.stderr
    data = json.loads(result.stdout)
    assert data["outcome"] == "failed" and data["messaging_service"]["outcome"] == "failed"
    assert data["messaging_service"]["error"]["code"] == 21712
    assert "already in another Messaging Service" in result.stderr  # the plain-language explanation
    assert "add --leave-messaging-service to move it" in result.stderr


def test_a_join_after_a_failed_update_is_not_sent(tmp_path: Path, served: SandboxServer) -> None:
    sid = uk_sid(served)
    served.sandbox.faults.add("POST", f"{NUMBERS}/{sid}.json$", status=400, code=21421, message="Invalid")
    result = run(
        tmp_path,
        served,
        "update",
        UK,
        "--friendly-name",
        "Shop line",
        "--messaging-service-sid",
        SERVICE,
        "--yes",
        "-o",
        "json",
    )
    assert result.returncode != 0
    data = json.loads(result.stdout)
    assert data["messaging_service"]["outcome"] == "not-sent"
    assert "the settings update did not go through" in result.stderr
    assert [r["path"] for r in sent(served)] == [f"{NUMBERS}/{sid}.json"]
    assert numbers_in(served, SERVICE) == []


def test_a_service_the_account_does_not_have_is_refused(tmp_path: Path, served: SandboxServer) -> None:
    result = run(tmp_path, served, "update", UK, "--messaging-service-sid", "MG" + "0" * 32, "--yes")
    assert result.returncode == 2, result.stderr
    assert "this account has no Messaging Service" in result.stderr
    assert sent(served) == []


def test_a_malformed_service_sid_is_refused_at_the_flag(tmp_path: Path, served: SandboxServer) -> None:
    result = run(tmp_path, served, "update", UK, "--messaging-service-sid", "AP123", "--yes")
    assert result.returncode == 2
    assert result.stderr.startswith("error: --messaging-service-sid:")
    assert served.sandbox.requests == []


def test_a_lost_answer_is_settled_by_looking_the_number_up(tmp_path: Path, served: SandboxServer) -> None:
    sid = uk_sid(served)
    # Processed, then a gateway's 500: the outcome is read from the service.
    served.sandbox.faults.add("POST", join_path(SERVICE) + "$", status=500, commit=True)
    result = run(tmp_path, served, "update", UK, "--messaging-service-sid", SERVICE, "--yes", "-o", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["messaging_service"]["outcome"] == "done"
    assert "(confirmed by looking it up)" in result.stderr
    assert receipts(tmp_path)[0]["settled_by"] == "lookup"
    assert numbers_in(served, SERVICE) == [sid]


def test_leave_alone_removes_the_number(tmp_path: Path, served: SandboxServer) -> None:
    sid = uk_sid(served)
    add_directly(served, OTHER, sid)
    result = run(tmp_path, served, "update", UK, "--leave-messaging-service", "--yes", "-o", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["left_messaging_service"]["outcome"] == "done" and "messaging_service" not in data
    assert f"Removed {UK} from Messaging Service {OTHER}" in result.stderr
    assert numbers_in(served, OTHER) == []
    [receipt] = receipts(tmp_path)
    assert receipt["kind"] == "messaging-service-leave" and receipt["request"]["method"] == "DELETE"


def test_a_join_killed_while_waiting_is_settled_at_the_next_run(
    tmp_path: Path, served: SandboxServer
) -> None:
    """SIGKILL while Twilio holds its answer to the join: the receipt stays
    "sending"; the next `numbers` command that changes something looks the number
    up in the service, settles the receipt and says so, without sending it again."""
    import signal
    import subprocess
    import sys
    import time

    from tests.e2e.test_cli_numbers import REPO, numbers_env

    sid = uk_sid(served)
    served.sandbox.faults.add("POST", join_path(SERVICE) + "$", delay_after_commit=60)
    env = numbers_env(tmp_path)
    command = [sys.executable, "-m", "tui", "numbers", "update", UK, "--messaging-service-sid", SERVICE]
    process = subprocess.Popen(
        [*command, "--yes", "--api-url", served.base_url],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while numbers_in(served, SERVICE) != [sid]:  # committed; the answer is held back
            assert time.monotonic() < deadline, "the sandbox never took the join"
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    [receipt] = receipts(tmp_path)
    assert receipt["kind"] == "messaging-service-join" and receipt["outcome"] == "sending"
    joins_sent = len([r for r in sent(served) if r["path"] == join_path(SERVICE)])

    result = run(tmp_path, served, "update", UK, "--friendly-name", "Support line", "--yes")
    assert result.returncode == 0, result.stderr
    assert "An earlier joining of a Messaging Service was interrupted" in result.stderr
    assert f"Added {UK} to Messaging Service {SERVICE}" in result.stderr
    assert "(confirmed by looking it up)" in result.stderr
    settled = next(r for r in receipts(tmp_path) if r.get("kind") == "messaging-service-join")
    assert settled["outcome"] == "done" and settled["settled_by"] == "lookup"
    assert len([r for r in sent(served) if r["path"] == join_path(SERVICE)]) == joins_sent  # not sent again
