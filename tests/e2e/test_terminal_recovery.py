"""A real terminal: the wizard is killed (SIGKILL) while Twilio holds back the
answer to its purchase, then started again. The second run settles the receipt
the first one left, tells the person the purchase went through, opens the
number's Summary from the resumed draft, and sends no second POST.

The wizard runs in tmux against a served sandbox (behind a counting proxy) with
credentials from the environment, so that its world outlives the killed process.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.test_terminal_smoke import Terminal, terminal  # noqa: F401 - the fixture
from tests.support.loopback import http_get
from tests.support.proxy import ForwardingProxy
from tui.sandbox import start_server
from tui.sandbox.accounts import MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN

pytestmark = pytest.mark.e2e

NUMBER = "+31616953194"  # NL, needs no address and no bundle
MOBILE_POST = r"/IncomingPhoneNumbers/Mobile\.json$"


def owns(base_url: str) -> bool:
    response = http_get(
        f"{base_url}/2010-04-01/Accounts/{MAIN_ACCOUNT_SID}/IncomingPhoneNumbers.json",
        params={"PhoneNumber": NUMBER},
        auth=(MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN),
    )
    return any(n["phone_number"] == NUMBER for n in response.json()["incoming_phone_numbers"])


def test_a_wizard_killed_mid_purchase_is_settled_at_the_next_start(
    terminal: Terminal,  # noqa: F811
    tmp_path: Path,
) -> None:
    config = tmp_path / "tmux.conf"
    config.write_text("set -g remain-on-exit on\nset -g status off\n", "utf-8")
    terminal.env.update(TWILIO_ACCOUNT_SID=MAIN_ACCOUNT_SID, TWILIO_AUTH_TOKEN=MAIN_AUTH_TOKEN)
    with start_server() as server, ForwardingProxy(server.base_url) as proxy:
        command = [
            "env",
            "TERM=xterm-256color",
            sys.executable,
            "-m",
            "tui",
            "--api-url",
            proxy.url,
        ]
        # A draft of an earlier session: the number, no call or message handling.
        draft = Path(terminal.env["XDG_STATE_HOME"]) / "number-wizard" / "draft.json"
        draft.parent.mkdir(parents=True)
        draft.write_text(
            json.dumps(
                {
                    "version": 1,
                    "values": {"phone_number": NUMBER},
                    "voice_mode": "none",
                    "sms_mode": "none",
                    "picked": None,
                    "search": {},
                }
            )
        )
        terminal.start(command, config)
        terminal.wait_for("Continue where you left off?")
        terminal.keys("Enter")  # "Resume draft" has the focus
        terminal.wait_for("Full (paid) account")
        for step in range(2, 8):
            terminal.keys("C-n")
            terminal.wait_for(f"Step {step} of 7")
        terminal.wait_for(f"Buying   {NUMBER}")

        # Twilio commits the purchase and holds its answer back; the wizard waits.
        server.sandbox.faults.add("POST", MOBILE_POST, delay_after_commit=60)
        terminal.keys("C-y")
        terminal.wait_for(f"Buy {NUMBER}?")
        terminal.keys("Tab", "Enter")
        terminal.wait_for("waiting for Twilio")
        pid = int(terminal.run("display-message", "-p", "-t", terminal.session, "#{pane_pid}").strip())
        # "waiting for Twilio" is drawn as the request leaves; on a loaded machine
        # the sandbox may commit a moment later.
        deadline = time.monotonic() + 20
        while not owns(server.base_url):
            assert time.monotonic() < deadline, "the sandbox never committed the purchase"
            time.sleep(0.05)
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 20
        while terminal.run("display-message", "-p", "-t", terminal.session, "#{pane_dead}").strip() != "1":
            assert time.monotonic() < deadline, "the killed wizard's pane is still alive"
            time.sleep(0.1)
        receipts_dir = Path(terminal.env["XDG_DATA_HOME"]) / "number-wizard" / "receipts"
        [receipt] = [json.loads(p.read_text()) for p in receipts_dir.glob("*.json")]
        assert receipt["outcome"] == "sending"

        # Started again: what happened is told first, then the draft opens the Summary.
        terminal.run("respawn-pane", "-k", "-t", terminal.session, *command)
        screen = terminal.wait_for("An earlier purchase was interrupted")
        assert f"An earlier purchase of {NUMBER}" in screen and "it went through" in screen
        terminal.keys("Enter")
        terminal.wait_for("Continue where you left off?")
        terminal.keys("Enter")  # "Resume draft" has the focus
        screen = terminal.wait_for(f"Bought {NUMBER}")
        assert "Summary" in screen
        assert proxy.count("POST", MOBILE_POST) == 1  # never a second purchase
        [receipt] = [json.loads(p.read_text()) for p in receipts_dir.glob("*.json")]
        assert receipt["outcome"] == "bought" and receipt["settled_by"] == "lookup"
        terminal.keys("C-q")
