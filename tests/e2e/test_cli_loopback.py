"""End to end over real HTTP: `number-wizard buy` / `search` in subprocesses, talking
over 127.0.0.1 to the sandbox served on loopback: by this process's sandbox server
for most tests (starting `sandbox serve` for each was most of their time), and by
`number-wizard sandbox serve` in a process of its own where the command itself is
under test (a restart keeps the state)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.cli import run_number_wizard
from tests.support.loopback import http_get
from tui.sandbox import seed, start_server
from tui.sandbox.accounts import (
    API_KEY_SECRET,
    API_KEY_SID,
    MAIN_ACCOUNT_SID,
    MAIN_AUTH_TOKEN,
    TEST_ACCOUNT_SID,
    TEST_AUTH_TOKEN,
)

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Served:
    base_url: str
    process: subprocess.Popen[str] | None  # None: served by this process
    state: Path

    def owned_numbers(self) -> list[str]:
        response = http_get(
            f"{self.base_url}/2010-04-01/Accounts/{MAIN_ACCOUNT_SID}/IncomingPhoneNumbers.json",
            auth=(MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN),
        )
        response.raise_for_status()
        return [n["phone_number"] for n in response.json()["incoming_phone_numbers"]]


def _isolated_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}
    env.update(
        HOME=str(tmp_path / "home"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    return env


def _serve(tmp_path: Path, state: Path) -> Served:
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", "sandbox", "serve", "--port", "0", "--state", str(state)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=REPO,
        env=_isolated_env(tmp_path),
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    match = re.search(r"(http://127\.0\.0\.1:\d+)", first)
    if not match:
        process.kill()
        pytest.fail(f"sandbox serve did not announce its URL: {first!r}")
    return Served(match.group(1), process, state)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """The sandbox, with its state in a file, served by this process."""
    state = tmp_path / "sandbox-state.json"
    with start_server(state_path=state) as server:
        yield Served(server.base_url, None, state)


@pytest.fixture
def served_by_the_command(tmp_path: Path) -> Iterator[Served]:
    """`number-wizard sandbox serve` in a process of its own."""
    server = _serve(tmp_path, tmp_path / "sandbox-state.json")
    try:
        yield server
    finally:
        assert server.process is not None
        server.process.terminate()
        server.process.wait(timeout=10)


def run_cli(
    tmp_path: Path,
    served: Served,
    *args: str,
    token: str = MAIN_AUTH_TOKEN,
    api_key: bool = False,
    account_sid: str = MAIN_ACCOUNT_SID,
) -> subprocess.CompletedProcess[str]:
    env = _isolated_env(tmp_path)
    env["TWILIO_ACCOUNT_SID"] = account_sid
    if api_key:
        env.update(TWILIO_API_KEY=API_KEY_SID, TWILIO_API_SECRET=API_KEY_SECRET)
    else:
        env["TWILIO_AUTH_TOKEN"] = token
    return run_number_wizard([*args, "--api-url", served.base_url], env=env)


NUMBER = "+46701740612"  # seeded in SE: needs no address and no bundle


def test_buy_prints_the_created_resource(tmp_path: Path, served: Served) -> None:
    result = run_cli(
        tmp_path,
        served,
        "buy",
        "--phone-number",
        NUMBER,
        "--voice-url",
        "https://example.com/voice",
        "--yes",
        "-o",
        "json",
    )
    assert result.returncode == 0, result.stderr
    resource = json.loads(result.stdout)
    assert resource["phone_number"] == NUMBER
    assert re.fullmatch(r"PN[0-9a-f]{32}", resource["sid"])
    assert resource["voice_url"] == "https://example.com/voice"
    assert resource["status"] == "in-use"
    assert NUMBER in served.owned_numbers()
    receipts = list((tmp_path / "data" / "number-wizard" / "receipts").glob("*.json"))
    assert len(receipts) == 1
    assert json.loads(receipts[0].read_text())["outcome"] == "bought"


def test_dry_run_prints_the_request_and_buys_nothing(tmp_path: Path, served: Served) -> None:
    before = served.owned_numbers()
    result = run_cli(
        tmp_path,
        served,
        "buy",
        "--phone-number",
        NUMBER,
        "--voice-url",
        "https://example.com/voice",
        "--voice-caller-id-lookup",
        "--dry-run",
        "-o",
        "json",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "method": "POST",
        "url": f"{served.base_url}/2010-04-01/Accounts/{MAIN_ACCOUNT_SID}/IncomingPhoneNumbers/Mobile.json",
        "form": {
            "PhoneNumber": NUMBER,
            "VoiceCallerIdLookup": "true",
            "VoiceUrl": "https://example.com/voice",
        },
    }
    assert served.owned_numbers() == before


@pytest.mark.parametrize(("number", "code"), [("+15005550000", 21422), ("+15005550001", 21421)])
def test_magic_numbers_that_fail_with_the_test_credentials(
    tmp_path: Path, served: Served, number: str, code: int
) -> None:
    result = run_cli(
        tmp_path,
        served,
        "buy",
        "--phone-number",
        number,
        "--yes",
        account_sid=TEST_ACCOUNT_SID,
        token=TEST_AUTH_TOKEN,
    )
    assert result.returncode == 4
    assert f"Twilio error {code}" in result.stderr
    assert f"https://www.twilio.com/docs/errors/{code}" in result.stderr


def test_the_magic_number_is_not_for_sale_with_live_credentials(tmp_path: Path, served: Served) -> None:
    result = run_cli(tmp_path, served, "buy", "--phone-number", "+15005550006", "--yes")
    assert result.returncode == 4
    assert "Twilio error 21422" in result.stderr
    assert "+15005550006" not in served.owned_numbers()


def test_wrong_token_is_explained(tmp_path: Path, served: Served) -> None:
    result = run_cli(tmp_path, served, "buy", "--phone-number", NUMBER, "--yes", token="0" * 32)
    assert result.returncode == 3
    assert "Twilio error 20003" in result.stderr
    assert "did not accept these credentials" in result.stderr
    assert "0" * 32 not in result.stderr + result.stdout


def test_number_needing_an_address_bought_without_one_gives_21631(tmp_path: Path, served: Served) -> None:
    number = next(
        row.phone_number for row in seed.MOBILE_INVENTORY["SE"] if row.address_requirements == "any"
    )
    result = run_cli(tmp_path, served, "buy", "--phone-number", number, "--yes")
    assert result.returncode == 5, result.stderr
    assert "Twilio error 21631" in result.stderr
    assert "Next:" in result.stderr


def test_regulated_country_without_bundle_gives_21649(tmp_path: Path, served: Served) -> None:
    number = next(
        row.phone_number for row in seed.MOBILE_INVENTORY["GB"] if row.address_requirements == "none"
    )
    result = run_cli(tmp_path, served, "buy", "--phone-number", number, "--yes", "-o", "json")
    assert result.returncode == 5, result.stderr
    assert "Twilio error 21649" in result.stderr
    assert json.loads(result.stdout)["error"]["code"] == 21649
    bought = run_cli(
        tmp_path,
        served,
        "buy",
        "--phone-number",
        number,
        "--yes",
        "-o",
        "json",
        "--bundle-sid",
        seed.BUNDLE_GB_MOBILE_APPROVED,
    )
    assert bought.returncode == 0, bought.stderr
    assert json.loads(bought.stdout)["bundle_sid"] == seed.BUNDLE_GB_MOBILE_APPROVED


def test_bought_number_survives_a_server_restart(tmp_path: Path, served_by_the_command: Served) -> None:
    served = served_by_the_command
    assert served.process is not None
    number = next(
        row.phone_number for row in seed.MOBILE_INVENTORY["NL"] if row.address_requirements == "none"
    )
    assert run_cli(tmp_path, served, "buy", "--phone-number", number, "--yes").returncode == 0
    served.process.terminate()
    served.process.wait(timeout=10)
    restarted = _serve(tmp_path, served.state)
    assert restarted.process is not None
    try:
        assert number in restarted.owned_numbers()
        again = run_cli(tmp_path, restarted, "buy", "--phone-number", number, "--yes")
        assert again.returncode == 4
        assert "already owns" in again.stderr
    finally:
        restarted.process.terminate()
        restarted.process.wait(timeout=10)


def test_api_key_credentials_buy(tmp_path: Path, served: Served) -> None:
    result = run_cli(tmp_path, served, "buy", "--phone-number", NUMBER, "--yes", "-o", "json", api_key=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["account_sid"] == MAIN_ACCOUNT_SID


def test_search_lists_mobile_numbers_with_the_price(tmp_path: Path, served: Served) -> None:
    result = run_cli(tmp_path, served, "search", "--country", "GB", "--sms-enabled", "-o", "json")
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    numbers = body["available_phone_numbers"]
    assert numbers and all(n["capabilities"]["sms"] for n in numbers)
    assert all(n["phone_number"].startswith("+44") for n in numbers)
    assert body["monthly_price"]["currency"] == "USD"
    table = run_cli(tmp_path, served, "search", "--country", "GB", "--contains", "+447%")
    assert table.returncode == 0, table.stderr
    assert "mobile numbers in GB" in table.stdout


def test_search_in_a_country_without_mobile_numbers(tmp_path: Path, served: Served) -> None:
    result = run_cli(tmp_path, served, "search", "--country", "US")
    assert result.returncode == 7
    assert "Twilio error 20404" in result.stderr
    assert "the country sells no mobile numbers (the US sells none)" in result.stderr


def test_bad_input_is_refused_before_anything_is_sent(tmp_path: Path, served: Served) -> None:
    before = served.owned_numbers()
    result = run_cli(
        tmp_path,
        served,
        "buy",
        "--phone-number",
        "447400123456",
        "--sms-method",
        "PUT",
        "--trunk-sid",
        "TK" + "a" * 32,
        "--voice-application-sid",
        "AP" + "b" * 32,
        "--yes",
    )
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert any(line.startswith("error: --phone-number:") for line in lines)
    assert any(line.startswith("error: --sms-method:") for line in lines)
    assert served.owned_numbers() == before
    contains = run_cli(tmp_path, served, "search", "--country", "GB", "--contains", "7*7")
    assert contains.returncode == 2
    assert contains.stderr.startswith("error: --contains:")


def test_version_and_help(tmp_path: Path) -> None:
    env = _isolated_env(tmp_path)
    version = subprocess.run(
        [sys.executable, "-m", "tui", "--version"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=30,
    )
    assert version.returncode == 0
    assert re.search(r"number-wizard, version \d+\.\d+\.\d+", version.stdout)
    helped = subprocess.run(
        [sys.executable, "-m", "tui", "buy", "--help"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=30,
    )
    assert helped.returncode == 0
    # Help text comes from the field catalogue.
    from tui.domain.fields import PURCHASE_FIELDS

    flat = " ".join(helped.stdout.split())
    for spec in PURCHASE_FIELDS:
        assert spec.flag in flat
        assert " ".join(spec.help.split()) in flat
