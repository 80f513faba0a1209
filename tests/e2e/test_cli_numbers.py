"""`number-wizard numbers list|show|update|release` in subprocesses, over real HTTP
to the sandbox served on 127.0.0.1: what each prints, the exact requests the
sandbox received (only changed fields sent, a cleared URL sent empty, a release
sent once), exit codes, receipts, and ambiguous answers settled by a fetch."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import run_number_wizard
from tests.support.loopback import http_get, http_post
from tui.sandbox import start_server
from tui.sandbox.accounts import MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN
from tui.sandbox.server import SandboxServer

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
UK = "+447802019939"  # seeded: the main account's, with an SMS URL and a bundle
SE = "+46701740698"  # seeded: the main account's, nothing configured
FOREIGN = "+447491828501"  # seeded: another account's
NUMBERS = f"/2010-04-01/Accounts/{MAIN_ACCOUNT_SID}/IncomingPhoneNumbers"


@pytest.fixture
def served() -> Iterator[SandboxServer]:
    with start_server() as server:
        yield server


def numbers_env(tmp_path: Path) -> dict[str, str]:
    """A home of the test's own and the sandbox's main account in TWILIO_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}
    env.update(
        HOME=str(tmp_path / "home"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        TWILIO_ACCOUNT_SID=MAIN_ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=MAIN_AUTH_TOKEN,
    )
    return env


def run(
    tmp_path: Path, server: SandboxServer, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = numbers_env(tmp_path)
    return run_number_wizard(["numbers", *args, "--api-url", server.base_url], env=env, input=stdin)


def owned(server: SandboxServer) -> dict[str, dict[str, Any]]:
    response = http_get(f"{server.base_url}{NUMBERS}.json", auth=(MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN))
    response.raise_for_status()
    return {n["phone_number"]: n for n in response.json()["incoming_phone_numbers"]}


def changes_sent(server: SandboxServer) -> list[dict[str, Any]]:
    """The requests that changed something (POST/DELETE on one number)."""
    return [
        {"method": r["method"], "path": r["path"], "form": r["form"]}
        for r in server.sandbox.requests
        if r["method"] in ("POST", "DELETE") and r["path"].startswith(f"{NUMBERS}/PN")
    ]


def receipts(tmp_path: Path) -> list[dict[str, Any]]:
    folder = tmp_path / "data" / "number-wizard" / "receipts"
    return [json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))]


# -- list and show --------------------------------------------------------------------


def test_list_shows_the_accounts_numbers_and_how_they_are_handled(
    tmp_path: Path, served: SandboxServer
) -> None:
    result = run(tmp_path, served, "list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["SID", "Number", "Friendly", "name", "Calls", "Messages", "Compliance"]
    uk = next(line for line in lines if UK in line)
    assert "Support line (UK)" in uk and "POST https://example.com/sms/uk" in uk and uk.endswith("bundle")
    assert any(SE in line for line in lines)
    assert FOREIGN not in result.stdout  # another account's number is not listed


def test_list_json_and_contains(tmp_path: Path, served: SandboxServer) -> None:
    result = run(tmp_path, served, "list", "--contains", "support", "-o", "json")
    assert result.returncode == 0, result.stderr
    assert [n["phone_number"] for n in json.loads(result.stdout)] == [UK]
    digits = run(tmp_path, served, "list", "--contains", "70174", "-o", "json")
    assert [n["phone_number"] for n in json.loads(digits.stdout)] == [SE]
    none = run(tmp_path, served, "list", "--contains", "nothing like it")
    assert none.returncode == 0 and "owns no numbers containing" in none.stderr


def test_show_by_number_and_by_sid(tmp_path: Path, served: SandboxServer) -> None:
    sid = owned(served)[UK]["sid"]
    by_number = run(tmp_path, served, "show", UK, "-o", "json")
    by_sid = run(tmp_path, served, "show", sid, "-o", "json")
    assert by_number.returncode == by_sid.returncode == 0
    assert json.loads(by_number.stdout) == json.loads(by_sid.stdout)
    assert json.loads(by_sid.stdout)["sms_url"] == "https://example.com/sms/uk"
    table = run(tmp_path, served, "show", UK)
    assert table.stdout.splitlines()[1].split() == ["messages", "POST", "https://example.com/sms/uk"]


@pytest.mark.parametrize("reference", ["PN" + "0" * 32, FOREIGN])
def test_a_number_the_account_does_not_own_is_not_found(
    tmp_path: Path, served: SandboxServer, reference: str
) -> None:
    for command in (["show", reference], ["update", reference, "--friendly-name", "x", "--yes"]):
        result = run(tmp_path, served, *command, "-o", "json")
        assert result.returncode == 4, result.stderr
        assert f"owns no number {reference}" in result.stderr
        assert "owns no number" in json.loads(result.stdout)["error"]["message"]
    assert changes_sent(served) == []


def test_a_malformed_reference_is_bad_input(tmp_path: Path, served: SandboxServer) -> None:
    result = run(tmp_path, served, "show", "PN123")
    assert result.returncode == 2
    assert "34 characters" in result.stderr
    assert served.sandbox.requests == []  # refused before anything was asked


# -- update ---------------------------------------------------------------------------


def test_update_dry_run_prints_only_the_changes_and_sends_nothing(
    tmp_path: Path, served: SandboxServer
) -> None:
    sid = owned(served)[UK]["sid"]
    result = run(
        tmp_path,
        served,
        "update",
        UK,
        "--voice-url",
        "https://example.com/voice",
        "--friendly-name",
        "Support line (UK)",  # its name already: not sent
        "--clear-sms-url",
        "--dry-run",
        "-o",
        "json",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "method": "POST",
        "url": f"{served.base_url}{NUMBERS}/{sid}.json",
        "form": {"SmsUrl": "", "VoiceUrl": "https://example.com/voice"},
    }
    assert "SMS URL: https://example.com/sms/uk → (cleared)" in result.stderr
    assert "Voice URL: (not set) → https://example.com/voice" in result.stderr
    assert "dry run: nothing was sent." in result.stderr
    assert changes_sent(served) == []
    assert receipts(tmp_path) == []


def test_update_sends_only_the_changed_fields_and_reads_the_number_back(
    tmp_path: Path, served: SandboxServer
) -> None:
    before = owned(served)[UK]
    result = run(
        tmp_path,
        served,
        "update",
        before["sid"],
        "--voice-url",
        "https://example.com/voice",
        "--voice-method",
        "GET",
        "--sms-method",
        "POST",  # unchanged: not sent
        "--clear-sms-url",
        "--yes",
        "-o",
        "json",
    )
    assert result.returncode == 0, result.stderr
    assert changes_sent(served) == [
        {
            "method": "POST",
            "path": f"{NUMBERS}/{before['sid']}.json",
            "form": {"SmsUrl": "", "VoiceMethod": "GET", "VoiceUrl": "https://example.com/voice"},
        }
    ]
    after = owned(served)[UK]
    assert (after["voice_url"], after["voice_method"], after["sms_url"]) == (
        "https://example.com/voice",
        "GET",
        "",
    )
    # Fields not sent are unchanged.
    for name in ("friendly_name", "bundle_sid", "sms_method", "status_callback"):
        assert after[name] == before[name]
    out = json.loads(result.stdout)
    assert out["outcome"] == "done" and out["differences"] == []
    assert [c["field"] for c in out["changes"]] == ["SmsUrl", "VoiceMethod", "VoiceUrl"]
    [receipt] = receipts(tmp_path)
    assert (receipt["kind"], receipt["outcome"], receipt["phone_number"]) == ("update", "done", UK)
    assert receipt["request"]["form"] == {
        "SmsUrl": "",
        "VoiceMethod": "GET",
        "VoiceUrl": "https://example.com/voice",
    }


def test_update_with_nothing_different_sends_nothing(tmp_path: Path, served: SandboxServer) -> None:
    result = run(tmp_path, served, "update", UK, "--friendly-name", "Support line (UK)", "--yes")
    assert result.returncode == 0
    assert "already has these settings: nothing to send" in result.stderr
    assert changes_sent(served) == []


def test_update_refuses_what_the_purchase_rules_refuse(tmp_path: Path, served: SandboxServer) -> None:
    bad_url = run(tmp_path, served, "update", UK, "--voice-url", "ftp://example.com", "--yes")
    assert bad_url.returncode == 2 and "--voice-url" in bad_url.stderr
    assert served.sandbox.requests == []  # checked before anything was asked
    # The number's own SMS URL would be cleared under a new fallback URL (21406).
    fallback = run(
        tmp_path,
        served,
        "update",
        UK,
        "--clear-sms-url",
        "--sms-fallback-url",
        "https://example.com/f",
        "--yes",
    )
    assert fallback.returncode == 2
    assert "--sms-fallback-url" in fallback.stderr and "21406" in fallback.stderr
    both = run(tmp_path, served, "update", UK, "--clear-voice-url", "--voice-url", "https://example.com/v")
    assert both.returncode == 2 and "both set and cleared" in both.stderr
    assert changes_sent(served) == []


def test_update_needs_a_confirmation_without_yes(tmp_path: Path, served: SandboxServer) -> None:
    result = run(tmp_path, served, "update", UK, "--voice-url", "https://example.com/voice")
    assert result.returncode == 9
    assert "Voice URL: (not set) → https://example.com/voice" in result.stderr
    assert changes_sent(served) == []


def test_a_refused_update_is_explained_with_twilios_code(tmp_path: Path, served: SandboxServer) -> None:
    # An address of nobody on this account: Twilio refuses, with its code.
    result = run(tmp_path, served, "update", UK, "--address-sid", "AD" + "0" * 32, "--yes", "-o", "json")
    assert result.returncode not in (0, 8), result.stderr
    error = json.loads(result.stdout)["error"]
    assert error["code"] and error["more_info"] == f"https://www.twilio.com/docs/errors/{error['code']}"
    assert f"Twilio error {error['code']}" in result.stderr
    assert receipts(tmp_path)[0]["outcome"] == "failed"


def test_an_update_whose_answer_is_lost_is_settled_by_reading_the_number(
    tmp_path: Path, served: SandboxServer
) -> None:
    served.sandbox.faults.add("POST", r"/IncomingPhoneNumbers/PN", status=500, commit=True)
    result = run(tmp_path, served, "update", UK, "--voice-url", "https://example.com/voice", "--yes")
    assert result.returncode == 0, result.stderr
    assert "Updated +447802019939 (confirmed by looking the number up)." in result.stderr
    assert len(changes_sent(served)) == 1  # never sent twice
    assert receipts(tmp_path)[0]["settled_by"] == "lookup"


# -- release --------------------------------------------------------------------------


def test_release_with_the_number_typed(tmp_path: Path, served: SandboxServer) -> None:
    sid = owned(served)[SE]["sid"]
    result = run(tmp_path, served, "release", SE, stdin="+46 70 174 06 98\n")
    assert result.returncode == 0, result.stderr
    assert "Calls and messages to the number stop at once." in result.stderr
    assert "Released +46701740698" in result.stderr
    assert SE not in owned(served)
    assert changes_sent(served) == [{"method": "DELETE", "path": f"{NUMBERS}/{sid}.json", "form": None}]
    [receipt] = receipts(tmp_path)
    assert (receipt["kind"], receipt["outcome"]) == ("release", "done")
    # Gone for good: not found, and never for sale again (21422).
    again = run(tmp_path, served, "show", sid)
    assert again.returncode == 4
    buy = http_post(
        f"{served.base_url}{NUMBERS}/Mobile.json",
        data={"PhoneNumber": SE},
        auth=(MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN),
    )
    assert buy.json()["code"] == 21422


@pytest.mark.parametrize("typed", ["", "+4670174069\n", "yes\n"])
def test_release_is_not_sent_unless_the_number_is_typed(
    tmp_path: Path, served: SandboxServer, typed: str
) -> None:
    result = run(tmp_path, served, "release", SE, stdin=typed)
    assert result.returncode == 9
    assert "not released" in result.stderr and "nothing was sent" in result.stderr
    assert SE in owned(served)
    assert changes_sent(served) == []


def test_release_is_refused_while_an_emergency_address_is_set(tmp_path: Path, served: SandboxServer) -> None:
    auth = (MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN)
    address = http_post(
        f"{served.base_url}/2010-04-01/Accounts/{MAIN_ACCOUNT_SID}/Addresses.json",
        data={
            "CustomerName": "Ada",
            "Street": "1 Main St",
            "City": "London",
            "Region": "London",
            "PostalCode": "SW1A 1AA",
            "IsoCountry": "GB",
            "EmergencyEnabled": "true",
        },
        auth=auth,
    ).json()["sid"]
    sid = owned(served)[UK]["sid"]
    set_it = run(tmp_path, served, "update", UK, "--emergency-address-sid", address, "--yes")
    assert set_it.returncode == 0, set_it.stderr
    served.sandbox.clear_requests()
    refused = run(tmp_path, served, "release", UK, "--yes")
    assert refused.returncode == 7
    assert "emergency address" in refused.stderr
    assert f"numbers update {sid} --clear-emergency-address-sid" in refused.stderr
    assert changes_sent(served) == []
    cleared = run(tmp_path, served, "update", UK, "--clear-emergency-address-sid", "--yes")
    assert cleared.returncode == 0, cleared.stderr
    released = run(tmp_path, served, "release", UK, "--yes")
    assert released.returncode == 0, released.stderr
    assert UK not in owned(served)


def test_an_ambiguous_release_that_went_through_is_found_gone(tmp_path: Path, served: SandboxServer) -> None:
    served.sandbox.faults.add("DELETE", r"/IncomingPhoneNumbers/PN", drop_after_commit=True)
    result = run(tmp_path, served, "release", SE, "--yes", "-o", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["settled_by"] == "lookup"
    assert "confirmed by looking the number up" in result.stderr
    assert [r["method"] for r in changes_sent(served)] == ["DELETE"]  # never retried


def test_an_ambiguous_release_that_did_not_go_through_is_not_retried(
    tmp_path: Path, served: SandboxServer
) -> None:
    served.sandbox.faults.add("DELETE", r"/IncomingPhoneNumbers/PN", status=500)
    result = run(tmp_path, served, "release", SE, "--yes")
    assert result.returncode == 7
    assert "was not released: it is still on the account" in result.stderr
    assert SE in owned(served)
    assert [r["method"] for r in changes_sent(served)] == ["DELETE"]
    assert receipts(tmp_path)[0]["settled_by"] == "lookup"


def test_an_ambiguous_release_that_cannot_be_looked_up_is_unknown(
    tmp_path: Path, served: SandboxServer
) -> None:
    served.sandbox.faults.add("DELETE", r"/IncomingPhoneNumbers/PN", status=502)
    served.sandbox.faults.add("GET", r"/IncomingPhoneNumbers/PN", status=500)  # the lookup fails
    result = run(tmp_path, served, "release", SE, "--yes", "-o", "json")
    assert result.returncode == 8, result.stderr
    assert "Unknown whether +46701740698 was released" in result.stderr
    assert json.loads(result.stdout)["outcome"] == "unknown"
    [receipt] = receipts(tmp_path)
    assert receipt["outcome"] == "unknown"
    assert [r["method"] for r in changes_sent(served)] == ["DELETE"]
    # The next release settles it first (the number is still there: not released).
    again = run(tmp_path, served, "release", SE, stdin="\n")
    assert "An earlier release of +46701740698 was interrupted" in again.stderr
    assert "still on the account" in again.stderr
    assert receipts(tmp_path)[0]["outcome"] == "failed"


# -- Twilio's own library reads what the command changed --------------------------------


def test_twilio_python_reads_the_updated_number_and_sees_the_release(
    tmp_path: Path, served: SandboxServer
) -> None:
    from urllib.parse import urlsplit, urlunsplit

    from twilio.base.exceptions import TwilioRestException
    from twilio.http.http_client import TwilioHttpClient
    from twilio.rest import Client

    class ToSandbox(TwilioHttpClient):
        def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            base, parts = urlsplit(served.base_url), urlsplit(url)
            return super().request(
                method, urlunsplit((base.scheme, base.netloc, parts.path, parts.query, "")), *args, **kwargs
            )

    client = Client(
        MAIN_ACCOUNT_SID,
        MAIN_AUTH_TOKEN,
        http_client=ToSandbox(timeout=10),
        environment={"TWILIO_REGION": "", "TWILIO_EDGE": ""},
    )
    sid = owned(served)[UK]["sid"]
    result = run(
        tmp_path,
        served,
        "update",
        UK,
        "--voice-url",
        "https://example.com/voice",
        "--voice-caller-id-lookup",
        "--clear-sms-url",
        "--friendly-name",
        "Renamed",
        "--yes",
    )
    assert result.returncode == 0, result.stderr
    number = client.incoming_phone_numbers(sid).fetch()
    assert (number.phone_number, number.friendly_name) == (UK, "Renamed")
    assert (number.voice_url, number.voice_caller_id_lookup, number.sms_url) == (
        "https://example.com/voice",
        True,
        "",
    )
    assert number.bundle_sid == owned(served)[UK]["bundle_sid"]  # not sent, kept
    released = run(tmp_path, served, "release", sid, "--yes")
    assert released.returncode == 0, released.stderr
    with pytest.raises(TwilioRestException) as error:
        client.incoming_phone_numbers(sid).fetch()
    assert (error.value.status, error.value.code) == (404, 20404)
