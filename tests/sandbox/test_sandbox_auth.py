"""Authentication, the account in the path, test credentials and routing."""

from __future__ import annotations

import json
import re

import pytest
from sandbox_helpers import (
    API_KEY,
    MAIN,
    TEST,
    TRIAL,
    account_path,
    assert_error,
    basic,
    buy,
    call,
)

from tui.sandbox import (
    API_KEY_SID,
    CREDENTIALS,
    MAIN_ACCOUNT_SID,
    TEST_ACCOUNT_SID,
    TRIAL_ACCOUNT_SID,
    Sandbox,
)

OWNED = "IncomingPhoneNumbers.json"


def test_account_pair_reads_its_account(sandbox: Sandbox) -> None:
    response = call(sandbox, "GET", f"{account_path()}.json")
    assert response.status == 200
    assert response.json()["sid"] == MAIN_ACCOUNT_SID


@pytest.mark.parametrize(
    "headers",
    [
        {},
        basic(MAIN_ACCOUNT_SID, "wrong-token-wrong-token-wrong-tok"),
        basic(MAIN_ACCOUNT_SID, MAIN[1] + " "),
        basic(" " + MAIN_ACCOUNT_SID, MAIN[1]),
        basic(API_KEY_SID, MAIN[1]),
        {"Authorization": "Basic !!!not-base64!!!"},
        {"Authorization": f"Bearer {MAIN[1]}"},
    ],
)
def test_anything_but_a_known_pair_is_401_authenticate(sandbox: Sandbox, headers: dict[str, str]) -> None:
    response = sandbox.handle("GET", f"{account_path()}/{OWNED}", [], headers, b"")
    assert response.status == 401
    assert response.json() == {
        "code": 20003,
        "message": "Authenticate",
        "more_info": "https://www.twilio.com/docs/errors/20003",
        "status": 401,
    }


def test_api_key_uses_the_accounts_resources(sandbox: Sandbox) -> None:
    response = call(sandbox, "GET", f"{account_path()}/{OWNED}", auth=API_KEY)
    assert response.status == 200
    assert response.json()["incoming_phone_numbers"]
    assert buy(sandbox, "+46701740612", auth=API_KEY).status == 201


def test_standard_api_key_cannot_fetch_the_account(sandbox: Sandbox) -> None:
    assert_error(call(sandbox, "GET", f"{account_path()}.json", auth=API_KEY), 401, 20003)


def test_api_key_answer_on_accounts_is_configurable() -> None:
    sandbox = Sandbox(api_key_on_accounts_error=(403, 20403))
    assert_error(call(sandbox, "GET", f"{account_path()}.json", auth=API_KEY), 403, 20403)


def test_api_key_sid_in_the_path_is_404(sandbox: Sandbox) -> None:
    response = call(sandbox, "GET", f"/2010-04-01/Accounts/{API_KEY_SID}/{OWNED}", auth=API_KEY)
    assert_error(response, 404, 20404)


def test_another_account_in_the_path_is_401_by_default(sandbox: Sandbox) -> None:
    response = call(sandbox, "GET", f"{account_path(TRIAL_ACCOUNT_SID)}/{OWNED}", auth=MAIN)
    assert_error(response, 401, 20003)


def test_another_account_in_the_path_answer_is_configurable() -> None:
    sandbox = Sandbox(other_account_in_path_error=(404, 20404))
    response = call(sandbox, "GET", f"{account_path(TRIAL_ACCOUNT_SID)}/{OWNED}", auth=MAIN)
    assert_error(response, 404, 20404)


def test_malformed_account_sid_in_the_path_is_404(sandbox: Sandbox) -> None:
    assert_error(call(sandbox, "GET", f"/2010-04-01/Accounts/ACnope/{OWNED}"), 404, 20404)


@pytest.mark.parametrize(
    "path",
    [
        f"{account_path(TEST_ACCOUNT_SID)}.json",
        f"{account_path(TEST_ACCOUNT_SID)}/Balance.json",
        f"{account_path(TEST_ACCOUNT_SID)}/AvailablePhoneNumbers.json",
        f"{account_path(TEST_ACCOUNT_SID)}/AvailablePhoneNumbers/GB/Mobile.json",
        f"{account_path(TEST_ACCOUNT_SID)}/{OWNED}",
        f"{account_path(TEST_ACCOUNT_SID)}/Addresses.json",
        "/v2/RegulatoryCompliance/Bundles",
        "/v1/PhoneNumbers/Countries/GB",
    ],
)
def test_test_credentials_cannot_read(sandbox: Sandbox, path: str) -> None:
    assert_error(call(sandbox, "GET", path, auth=TEST), 403, 20008)


def test_test_credentials_buy_magic_numbers_without_changing_anything(sandbox: Sandbox) -> None:
    before = sandbox.state_snapshot()
    first = buy(sandbox, "+15005550006", auth=TEST, VoiceUrl="https://example.com/v")
    again = buy(sandbox, "+15005550006", auth=TEST)
    assert (first.status, again.status) == (201, 201)
    assert first.json()["account_sid"] == TEST_ACCOUNT_SID
    assert first.json()["voice_url"] == "https://example.com/v"
    assert first.json()["sid"] == again.json()["sid"]
    assert_error(buy(sandbox, "+15005550000", auth=TEST), 400, 21422)
    assert_error(buy(sandbox, "+15005550001", auth=TEST), 400, 21421)
    assert sandbox.state_snapshot() == before


def test_test_credentials_validate_other_numbers_as_if_live(sandbox: Sandbox) -> None:
    before = sandbox.state_snapshot()
    # NL +31616953194 needs no address and no bundle: the purchase "succeeds", and
    # nothing changes; GB needs a bundle the test account does not have.
    assert buy(sandbox, "+31616953194", auth=TEST).status == 201
    assert_error(buy(sandbox, "+447929436483", auth=TEST), 400, 21649)
    assert sandbox.state_snapshot() == before


def test_trial_account_may_own_only_one_number(sandbox: Sandbox) -> None:
    assert buy(sandbox, "+31616953194", auth=TRIAL).status == 201
    body = assert_error(buy(sandbox, "+31648362374", auth=TRIAL), 400, 21404)
    assert body["message"].startswith("Trial accounts are allowed only one Twilio number")
    # Re-buying the number it owns is an update, not a second number.
    assert buy(sandbox, "+31616953194", auth=TRIAL).status == 201


def test_trial_account_reports_its_type(sandbox: Sandbox) -> None:
    body = call(sandbox, "GET", f"{account_path(TRIAL_ACCOUNT_SID)}.json", auth=TRIAL).json()
    assert body["type"] == "Trial"


@pytest.mark.parametrize(
    "path",
    [
        f"{account_path()}/IncomingPhoneNumbers",  # v2010 answers JSON only for .json
        f"{account_path()}/IncomingPhoneNumbers.xml",
        f"{account_path()}/Nope.json",
        "/2010-04-01/Accounts.json/extra",
        "/v3/Something",
        "/",
    ],
)
def test_unknown_paths_are_404(sandbox: Sandbox, path: str) -> None:
    assert_error(call(sandbox, "GET", path), 404, 20404)


def test_routing_ignores_the_host_so_one_base_url_serves_all(sandbox: Sandbox) -> None:
    # The same Sandbox answers v2010, numbers v2 and pricing paths.
    for path in (f"{account_path()}.json", "/v2/RegulatoryCompliance/Bundles",
                 "/v1/PhoneNumbers/Countries"):  # fmt: skip
        assert call(sandbox, "GET", path).status == 200


def test_wrong_method_is_405(sandbox: Sandbox) -> None:
    assert_error(call(sandbox, "DELETE", f"{account_path()}/Addresses.json"), 405, 20004)


def test_json_body_is_not_read(sandbox: Sandbox) -> None:
    headers = {**basic(*MAIN), "Content-Type": "application/json"}
    body = json.dumps({"PhoneNumber": "+15005550006"}).encode()
    path = f"{account_path()}/IncomingPhoneNumbers/Mobile.json"
    assert_error(sandbox.handle("POST", path, [], headers, body), 400, 21421)


def test_documented_credentials_are_well_formed() -> None:
    names = {credential.name for credential in CREDENTIALS}
    assert names == {"main", "api-key", "trial", "test"}
    for credential in CREDENTIALS:
        assert len(credential.account_sid) == 34 and credential.account_sid.startswith("AC")
        assert re.fullmatch(r"(AC|SK)[0-9a-f]{32}", credential.username)
        assert len(credential.password) == 32


def test_extra_credentials_are_accepted_alongside_the_documented_ones() -> None:
    import base64

    from tui.sandbox import Sandbox
    from tui.sandbox.accounts import API_KEY_SID, MAIN_ACCOUNT_SID, CredentialKind, SandboxCredential

    extra = SandboxCredential(
        name="mine",
        kind=CredentialKind.API_KEY,
        username="SK" + "c" * 32,
        password="my-own-rehearsal-secret",
        account_sid=MAIN_ACCOUNT_SID,
        description="test",
    )
    path = f"/2010-04-01/Accounts/{MAIN_ACCOUNT_SID}/IncomingPhoneNumbers.json"

    def status(sandbox: Sandbox, user: str, password: str) -> int:
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        return sandbox.handle("GET", path, [], {"Authorization": f"Basic {token}"}, b"").status

    assert status(Sandbox(extra_credentials=[extra]), extra.username, extra.password) == 200
    assert status(Sandbox(), extra.username, extra.password) == 401
    assert status(Sandbox(extra_credentials=[extra]), API_KEY_SID, extra.password) == 401
