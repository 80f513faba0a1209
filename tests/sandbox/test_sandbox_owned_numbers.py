"""The sandbox's FetchIncomingPhoneNumber, UpdateIncomingPhoneNumber and
DeleteIncomingPhoneNumber, as Twilio documents them
(https://www.twilio.com/docs/phone-numbers/api/incomingphonenumber-resource): an
unknown SID or another account's number is 404/20404; an update changes only the
parameters sent (an empty value clears a URL or a SID) and answers the number in
the official schema; a released number is gone and never for sale again."""

from __future__ import annotations

from typing import Any

import pytest
from sandbox_helpers import (
    account_path,
    assert_error,
    call,
    request_body_validator,
    response_validator,
    schema_errors,
)

from tui.sandbox import Sandbox, seed
from tui.sandbox.accounts import OTHER_ACCOUNT_SID
from tui.sandbox.formats import make_sid

API = "twilio_api_v2010"
ONE = "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json"
UK = "+447802019939"  # seeded on the main account, with an SMS URL and a bundle


def owned(sandbox: Sandbox) -> dict[str, dict[str, Any]]:
    body = call(sandbox, "GET", f"{account_path()}/IncomingPhoneNumbers.json").json()
    return {n["phone_number"]: n for n in body["incoming_phone_numbers"]}


def one(sid: str) -> str:
    return f"{account_path()}/IncomingPhoneNumbers/{sid}.json"


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_an_unknown_sid_is_not_found(sandbox: Sandbox, method: str) -> None:
    response = call(
        sandbox, method, one("PN" + "0" * 32), form={"FriendlyName": "x"} if method == "POST" else None
    )
    assert_error(response, 404, 20404)


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_another_accounts_number_is_not_found(sandbox: Sandbox, method: str) -> None:
    # The SID the sandbox gave another account's seeded number (deterministic).
    theirs = make_sid("PN", OTHER_ACCOUNT_SID, seed.FOREIGN_OWNED_NUMBERS[0])
    response = call(sandbox, method, one(theirs), form={"FriendlyName": "x"} if method == "POST" else None)
    assert_error(response, 404, 20404)
    # Still theirs: not for sale to us.
    bought = call(
        sandbox,
        "POST",
        f"{account_path()}/IncomingPhoneNumbers/Mobile.json",
        form={"PhoneNumber": seed.FOREIGN_OWNED_NUMBERS[0]},
    )
    assert_error(bought, 400, 21422)


def test_an_update_changes_only_what_is_sent_and_conforms(sandbox: Sandbox) -> None:
    before = owned(sandbox)[UK]
    form = {"VoiceUrl": "https://example.com/voice", "SmsUrl": "", "VoiceCallerIdLookup": "true"}
    # The spec types the flag as a boolean; on the wire it is the text "true".
    assert (
        schema_errors(request_body_validator(API, ONE, "post"), {**form, "VoiceCallerIdLookup": True}) == []
    )
    response = call(sandbox, "POST", one(before["sid"]), form=form)
    assert response.status == 200
    after = response.json()
    assert schema_errors(response_validator(API, ONE, "post", "200"), after) == []
    assert (after["voice_url"], after["sms_url"], after["voice_caller_id_lookup"]) == (
        "https://example.com/voice",
        "",
        True,
    )
    unchanged = set(before) - {"voice_url", "sms_url", "voice_caller_id_lookup", "date_updated"}
    assert {k: after[k] for k in unchanged} == {k: before[k] for k in unchanged}
    fetched = call(sandbox, "GET", one(before["sid"]))
    assert schema_errors(response_validator(API, ONE, "get", "200"), fetched.json()) == []
    assert fetched.json() == after


def test_an_empty_sid_clears_it(sandbox: Sandbox) -> None:
    sid = owned(sandbox)[UK]["sid"]
    response = call(sandbox, "POST", one(sid), form={"BundleSid": ""})
    assert response.status == 200 and response.json()["bundle_sid"] is None


def test_a_trunk_replaces_the_voice_application(sandbox: Sandbox) -> None:
    sid = owned(sandbox)[UK]["sid"]
    app = call(sandbox, "POST", f"{account_path()}/Applications.json", form={"FriendlyName": "IVR"}).json()[
        "sid"
    ]
    with_app = call(sandbox, "POST", one(sid), form={"VoiceApplicationSid": app}).json()
    assert with_app["voice_application_sid"] == app
    trunk = seed.TRUNK_PBX
    with_trunk = call(sandbox, "POST", one(sid), form={"TrunkSid": trunk}).json()
    assert (with_trunk["trunk_sid"], with_trunk["voice_application_sid"]) == (trunk, None)


def test_release_answers_204_and_the_number_is_gone_for_good(sandbox: Sandbox) -> None:
    sid = owned(sandbox)[UK]["sid"]
    deleted = call(sandbox, "DELETE", one(sid))
    assert (deleted.status, deleted.body) == (204, b"")
    assert UK not in owned(sandbox)
    assert_error(call(sandbox, "GET", one(sid)), 404, 20404)
    assert_error(call(sandbox, "DELETE", one(sid)), 404, 20404)
    again = call(
        sandbox, "POST", f"{account_path()}/IncomingPhoneNumbers/Mobile.json", form={"PhoneNumber": UK}
    )
    assert_error(again, 400, 21422)
