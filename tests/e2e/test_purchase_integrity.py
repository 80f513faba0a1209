"""Purchase integrity over real HTTP: a served sandbox on loopback, a forwarding
proxy in front of it (a load balancer that misbehaves after forwarding), and the
buyer: `number-wizard buy` in a subprocess, or the wizard driven by Pilot.

Every cell of the fault matrix checks what matters with money: how many purchase
POSTs reached the sandbox (at most one), whether the account owns the number in
the end, what the person is told, the receipt's final outcome (never left
"sending") and, for `buy`, the exit code. Then: processes killed mid-purchase and
run again, two buyers at once, and plain http refused before credentials leave.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.app_factory import make_app
from tests.support.cli import run_number_wizard
from tests.support.loopback import http_get
from tests.support.pilot import checked, reach_review, settle
from tests.support.proxy import ForwardingProxy
from tui.domain.credentials import Credentials, Secret
from tui.sandbox import start_server
from tui.sandbox.accounts import MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN
from tui.services.session import Connection

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
NUMBER = "+31616953194"  # NL, needs no address and no bundle
MOBILE_POST = r"/IncomingPhoneNumbers/Mobile\.json$"
LOOKUP = r"/IncomingPhoneNumbers\.json$"
TWILIO_500 = json.dumps(
    {
        "code": 20500,
        "message": "Internal Server Error",
        "more_info": "https://www.twilio.com/docs/errors/20500",
        "status": 500,
    }
).encode()


@dataclass
class World:
    """A served sandbox, the proxy in front of it, and a private HOME."""

    tmp: Path
    server: Any
    proxy: ForwardingProxy

    @property
    def sandbox(self) -> Any:
        return self.server.sandbox

    def owns(self, number: str = NUMBER) -> bool:
        response = http_get(
            f"{self.server.base_url}/2010-04-01/Accounts/{MAIN_ACCOUNT_SID}/IncomingPhoneNumbers.json",
            params={"PhoneNumber": number},
            auth=(MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN),
        )
        response.raise_for_status()
        return any(n["phone_number"] == number for n in response.json()["incoming_phone_numbers"])

    def posts(self) -> int:
        return self.proxy.count("POST", MOBILE_POST)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "XDG_"))}
        env.update(
            HOME=str(self.tmp / "home"),
            XDG_DATA_HOME=str(self.tmp / "data"),
            XDG_STATE_HOME=str(self.tmp / "state"),
            XDG_CONFIG_HOME=str(self.tmp / "config"),
            PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
            TWILIO_ACCOUNT_SID=MAIN_ACCOUNT_SID,
            TWILIO_AUTH_TOKEN=MAIN_AUTH_TOKEN,
        )
        return env

    def buy_args(self, *extra: str, number: str = NUMBER) -> list[str]:
        return [
            sys.executable,
            "-m",
            "tui",
            "buy",
            "--phone-number",
            number,
            "--yes",
            "--api-url",
            self.proxy.url,
            *extra,
        ]

    def run_buy(self, *extra: str, number: str = NUMBER) -> subprocess.CompletedProcess[str]:
        return run_number_wizard(self.buy_args(*extra, number=number)[3:], env=self.env(), timeout=90)

    def start_buy(self, *extra: str, number: str = NUMBER) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.buy_args(*extra, number=number),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
            env=self.env(),
            stdin=subprocess.DEVNULL,
        )

    def receipts(self, directory: Path | None = None) -> list[dict[str, Any]]:
        folder = directory or self.tmp / "data" / "number-wizard" / "receipts"
        return [json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.json"))]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with start_server() as server, ForwardingProxy(server.base_url) as proxy:
        yield World(tmp_path, server, proxy)


# ---------------------------------------------------------------------------
# The fault matrix


@dataclass(frozen=True)
class Cell:
    name: str
    arm: Callable[[World, int], None]  # (world, lookups made before the one under the lock)
    outcome: str  # the receipt's final outcome
    exit_code: int  # for `buy`
    owned: bool  # does the account own the number in the end
    told: str  # what the person reads (stderr for buy, the screen for the wizard)
    posts: int = 1


def _delay(world: World, lookups_before: int) -> None:
    world.sandbox.faults.add("POST", MOBILE_POST, delay_after_commit=4)


def _drop(world: World, lookups_before: int) -> None:
    world.proxy.after_forwarding("POST", MOBILE_POST, "drop")


def _twilio_500_before(world: World, lookups_before: int) -> None:
    world.sandbox.faults.add("POST", MOBILE_POST, status=500)


def _twilio_500_after(world: World, lookups_before: int) -> None:
    world.proxy.after_forwarding(
        "POST", MOBILE_POST, "replace", status=500, body=TWILIO_500, content_type="application/json"
    )


def _gateway(status: int) -> Callable[[World, int], None]:
    def arm(world: World, lookups_before: int) -> None:
        page = f"<html><body><h1>{status}</h1>gateway</body></html>".encode()
        world.proxy.after_forwarding("POST", MOBILE_POST, "replace", status=status, body=page)

    return arm


def _not_processed(status: int) -> Callable[[World, int], None]:
    def arm(world: World, lookups_before: int) -> None:
        world.sandbox.faults.add("POST", MOBILE_POST, status=status, retry_after=1)

    return arm


def _not_json(status: int) -> Callable[[World, int], None]:
    def arm(world: World, lookups_before: int) -> None:
        world.proxy.after_forwarding(
            "POST", MOBILE_POST, "replace", status=status, body=b"OK", content_type="text/plain"
        )

    return arm


def _refused(world: World, lookups_before: int) -> None:
    # The ownership check just before the POST is answered, then nothing listens:
    # the POST's connection is refused (it never left this machine).
    world.proxy.after_forwarding("GET", LOOKUP, "close-listener", skip=lookups_before)


BOUGHT_BY_LOOKUP = "confirmed by looking it up on the account"
CELLS = (
    Cell("delay-past-read-timeout", _delay, "bought", 0, True, BOUGHT_BY_LOOKUP),
    Cell("dropped-after-commit", _drop, "bought", 0, True, BOUGHT_BY_LOOKUP),
    Cell("twilio-500-not-processed", _twilio_500_before, "unknown", 8, False, "is not on the account yet"),
    Cell("twilio-500-after-commit", _twilio_500_after, "bought", 0, True, BOUGHT_BY_LOOKUP),
    Cell("gateway-502", _gateway(502), "bought", 0, True, BOUGHT_BY_LOOKUP),
    Cell("gateway-504", _gateway(504), "bought", 0, True, BOUGHT_BY_LOOKUP),
    Cell("twilio-503", _not_processed(503), "failed", 7, False, "safe to try again"),
    Cell("twilio-429", _not_processed(429), "failed", 7, False, "safe to try again"),
    Cell("not-json-200", _not_json(200), "bought", 0, True, BOUGHT_BY_LOOKUP),
    Cell("not-json-201", _not_json(201), "bought", 0, True, BOUGHT_BY_LOOKUP),
    Cell("connection-refused", _refused, "failed", 7, False, "safe to try again", posts=0),
)


@pytest.mark.parametrize("cell", CELLS, ids=[c.name for c in CELLS])
def test_buy_fault_matrix(world: World, cell: Cell) -> None:
    cell.arm(world, 1)  # buy looks the number up once before the lookup under the lock
    result = world.run_buy("--wait", "2", "-o", "json")
    assert result.returncode == cell.exit_code, result.stderr
    assert world.posts() == cell.posts
    assert world.owns() is cell.owned
    assert cell.told in result.stderr
    [receipt] = world.receipts()
    assert receipt["outcome"] == cell.outcome
    assert "receipt: " in result.stderr and receipt["request"]["form"]["PhoneNumber"] == NUMBER
    if cell.outcome == "bought":
        assert json.loads(result.stdout)["phone_number"] == NUMBER
        assert receipt["settled_by"] == "lookup"
    else:
        assert json.loads(result.stdout)["outcome"] == cell.outcome


def wizard_on(world: World, tmp_path: Path) -> Any:
    connection = Connection(
        Credentials(MAIN_ACCOUNT_SID, Secret(MAIN_AUTH_TOKEN), source="test"),
        api_url=world.proxy.url,
        purchase_wait=2,
    )
    return make_app(tmp_path / "wizard", connection=connection)


@pytest.mark.parametrize("cell", CELLS, ids=[c.name for c in CELLS])
async def test_wizard_fault_matrix(world: World, cell: Cell, tmp_path: Path) -> None:
    app = wizard_on(world, tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await reach_review(pilot, NUMBER)
        await pilot.press("ctrl+y")
        await checked(pilot)
        cell.arm(world, 0)  # armed after the dialog's check: the next lookup is the one under the lock
        await pilot.click("#yes")
        await settle(pilot)
        if cell.outcome == "failed":
            assert app.screen.STEP_ID == "review"
            told = str(app.screen.query_one("#step-error").content)
        else:
            assert app.screen.id == "summary"
            told = str(app.screen.query_one("#summary-headline").content)
        assert app.attempt is not None and app.attempt.state.value == cell.outcome
    assert cell.told in told
    assert world.posts() == cell.posts
    assert world.owns() is cell.owned
    [receipt] = world.receipts(tmp_path / "wizard" / "receipts")
    assert receipt["outcome"] == cell.outcome


# ---------------------------------------------------------------------------
# Killed mid-purchase, then run again


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_while_waiting_settles_by_lookup_and_says_so(world: World, signum: int) -> None:
    world.sandbox.faults.add("POST", MOBILE_POST, delay_after_commit=30)
    process = world.start_buy("--wait", "60")
    wait_until(world.owns)  # the sandbox committed; its answer is held back
    time.sleep(0.2)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "stopped waiting" in stderr and BOUGHT_BY_LOOKUP in stderr
    assert "receipt: " in stderr
    [receipt] = world.receipts()
    assert receipt["outcome"] == "bought" and receipt["settled_by"] == "lookup"
    assert world.posts() == 1


def test_a_signal_before_sending_sends_nothing(world: World) -> None:
    world.sandbox.faults.add("GET", LOOKUP, delay_after_commit=30)  # buy's ownership check hangs
    process = world.start_buy()
    wait_until(lambda: world.proxy.count("GET", LOOKUP) >= 1)
    time.sleep(0.3)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 7, stderr
    assert "stopped; nothing was sent" in stderr
    assert world.posts() == 0 and not world.owns()
    assert all(r["outcome"] != "sending" for r in world.receipts())


def test_sigkill_leaves_a_sending_receipt_that_the_next_run_settles(world: World) -> None:
    world.sandbox.faults.add("POST", MOBILE_POST, delay_after_commit=30)
    process = world.start_buy("--wait", "60")
    wait_until(world.owns)
    process.kill()
    process.wait(timeout=10)
    [receipt] = world.receipts()
    assert receipt["outcome"] == "sending"
    # The next run settles it first, then refuses to buy what is now owned.
    again = world.run_buy()
    assert again.returncode == 4, again.stderr
    assert f"An earlier purchase of {NUMBER}" in again.stderr and "it went through" in again.stderr
    assert "already owns" in again.stderr
    [receipt] = world.receipts()
    assert receipt["outcome"] == "bought" and receipt["settled_by"] == "lookup"
    assert world.posts() == 1


def test_two_buyers_at_once_post_once(world: World) -> None:
    # Slow ownership checks make the two processes overlap.
    world.sandbox.faults.add("GET", LOOKUP, delay_after_commit=1.5, times=4)
    first = world.start_buy()
    second = world.start_buy()
    results = [(*p.communicate(timeout=90), p.returncode) for p in (first, second)]
    codes = sorted(code for _, _, code in results)
    assert codes == [0, 4], results
    loser = next(stderr for _, stderr, code in results if code == 4)
    assert "already owns" in loser
    assert world.posts() == 1 and world.owns()


# ---------------------------------------------------------------------------
# Plain http only to this computer


COMMANDS = {
    "wizard": [],
    "buy": ["buy", "--phone-number", NUMBER, "--yes"],
    "buy-dry-run": ["buy", "--phone-number", NUMBER, "--dry-run"],
    "search": ["search", "--country", "NL"],
    "profiles-add": ["profiles", "add", "work", "--account-sid", MAIN_ACCOUNT_SID],
    "webhook-check": ["webhook", "check", "https://example.com/voice"],
}


@pytest.mark.parametrize("command", list(COMMANDS), ids=list(COMMANDS))
def test_plain_http_to_another_host_is_refused_before_anything_is_sent(tmp_path: Path, command: str) -> None:
    with ForwardingProxy(upstream="") as counting:  # relays nothing, records everything
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "XDG_"))}
        env.update(
            HOME=str(tmp_path),
            XDG_DATA_HOME=str(tmp_path / "data"),
            XDG_STATE_HOME=str(tmp_path / "state"),
            XDG_CONFIG_HOME=str(tmp_path / "config"),
            PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
            TWILIO_ACCOUNT_SID=MAIN_ACCOUNT_SID,
            TWILIO_AUTH_TOKEN=MAIN_AUTH_TOKEN,
            HTTP_PROXY=counting.url,
            http_proxy=counting.url,
            HTTPS_PROXY=counting.url,
            https_proxy=counting.url,
            NO_PROXY="",
        )
        result = run_number_wizard(
            [*COMMANDS[command], "--api-url", "http://example.com"], env=env, input=MAIN_AUTH_TOKEN
        )
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "refusing plain http to example.com" in result.stderr
    assert "https://example.com" in result.stderr  # the fix
    assert counting.seen == []  # nothing at all left, so no credentials did
    assert MAIN_AUTH_TOKEN not in result.stdout + result.stderr
