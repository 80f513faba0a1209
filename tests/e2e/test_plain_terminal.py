"""The plain mode through a real pseudo-terminal: `python -m tui --plain` driven
by pexpect, against the in-process sandbox (`--sandbox`) and a served one
(`--api-url`, credentials from TWILIO_* variables). Whole purchases, invalid
answers, back and quit, Ctrl+C while waiting for Twilio, an interrupted
purchase recovered, credentials typed without echo, and never an escape
sequence in what the terminal receives.

The answers are the unit tests' (tests/support/plain.py): each is sent once its
question (or the line just before it) has appeared.
"""

from __future__ import annotations

import io
import json
import os
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pexpect
import pytest

from tests.support.loopback import http_get
from tests.support.plain import (
    ACCOUNT,
    DETAILS,
    NO_SMS,
    NO_VOICE,
    SMS_URL,
    SMS_WEBHOOK,
    SUMMARY_QUIT,
    VOICE_URL,
    VOICE_WEBHOOK,
    Answer,
    compliance,
    search,
    typed,
)
from tui.sandbox import MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN, SandboxServer, start_server
from tui.sandbox.seed import ADDRESS_GB, BUNDLE_GB_MOBILE_APPROVED

pytestmark = pytest.mark.e2e

MOBILE_POST = r"/IncomingPhoneNumbers/Mobile\.json$"
TIMEOUT = 30


def default_ctrl_c() -> None:
    """Run in the child before it starts: Ctrl+C as a terminal's shell gives it to
    a program it starts. A pytest run started in the background (`cmd &` in a
    script) ignores SIGINT, its children inherit that, and Python then never
    raises KeyboardInterrupt: the Ctrl+C tests would hang for that reason alone."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class PlainTerminal:
    """`python -m tui <args>` on a pseudo-terminal; everything it writes is kept."""

    def __init__(self, args: Sequence[str], env: dict[str, str]) -> None:
        self.log = io.StringIO()
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "tui", *args],
            env=env,
            encoding="utf-8",
            timeout=TIMEOUT,
            dimensions=(40, 200),
            preexec_fn=default_ctrl_c,
        )
        self.child.logfile_read = self.log

    def expect(self, text: str) -> None:
        self.child.expect_exact(text)

    def answer(self, answers: Sequence[Answer]) -> None:
        for question, text in answers:
            self.expect(question)
            self.child.sendline(text() if callable(text) else text)

    def finish(self) -> str:
        """Wait for the end; the transcript (checked free of escape sequences)."""
        self.child.expect(pexpect.EOF)
        self.child.close()
        assert self.child.exitstatus == 0, self.transcript
        return self.transcript

    @property
    def transcript(self) -> str:
        text = self.log.getvalue()
        assert "\x1b" not in text, "an escape sequence reached the terminal"
        return text


@pytest.fixture
def terminal_env(isolated_environment: Path) -> dict[str, str]:
    """The isolated environment (tests/conftest.py) for the program under test."""
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    env["TERM"] = "xterm-256color"
    env["COLUMNS"], env["LINES"] = "200", "40"
    return env


@contextmanager
def endpoint(kind: str, env: dict[str, str]) -> Iterator[tuple[list[str], SandboxServer | None]]:
    """The in-process sandbox, or a served one with credentials from the environment."""
    if kind == "in-process":
        yield ["--plain", "--sandbox"], None
        return
    with start_server() as server:
        env.update(TWILIO_ACCOUNT_SID=MAIN_ACCOUNT_SID, TWILIO_AUTH_TOKEN=MAIN_AUTH_TOKEN)
        yield ["--plain", "--api-url", server.base_url], server


def posts(server: SandboxServer) -> int:
    return sum(
        1 for r in server.sandbox.requests if r["method"] == "POST" and r["path"].endswith("/Mobile.json")
    )


def wait_until_owned(server: SandboxServer, number: str, timeout: float = 20.0) -> None:
    """Until the sandbox has committed the purchase (its answer may be held back):
    a signal sent before that finds the number not yet owned, an honest "unknown"."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = http_get(
            f"{server.base_url}/2010-04-01/Accounts/{MAIN_ACCOUNT_SID}/IncomingPhoneNumbers.json",
            params={"PhoneNumber": number},
            auth=(MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN),
        )
        response.raise_for_status()
        if any(n["phone_number"] == number for n in response.json()["incoming_phone_numbers"]):
            return
        time.sleep(0.05)
    raise AssertionError(f"the sandbox never committed the purchase of {number}")


def receipts(env: dict[str, str]) -> list[dict[str, object]]:
    folder = Path(env["XDG_DATA_HOME"]) / "number-wizard" / "receipts"
    return [json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.json"))]


@pytest.mark.parametrize("kind", ["in-process", "served"])
def test_a_search_purchase_with_voice_and_sms_webhooks(kind: str, terminal_env: dict[str, str]) -> None:
    number = "+46701740612"
    with endpoint(kind, terminal_env) as (args, server):
        terminal = PlainTerminal(args, terminal_env)
        terminal.answer(
            [
                *ACCOUNT,
                *search("SE", can_do="voice, sms", pick="2"),
                *VOICE_WEBHOOK,
                *SMS_WEBHOOK,
                *DETAILS,
                *compliance(),
                ("What next (", ""),
            ]
        )
        terminal.expect(f"Type yes to buy {number} for ")
        terminal.child.sendline("yes")
        terminal.answer(SUMMARY_QUIT)
        text = terminal.finish()
        if server is not None:
            assert posts(server) == 1
    assert "  2. +46701740612, Voice, SMS; needs no address;" in text
    assert f"Bought {number}." in text
    assert f"Voice URL: {VOICE_URL}" in text and f"SMS URL: {SMS_URL}" in text
    [receipt] = receipts(terminal_env)
    assert receipt["outcome"] == "bought"


@pytest.mark.parametrize("kind", ["in-process", "served"])
def test_a_compliance_purchase_with_a_bundle_and_an_address(kind: str, terminal_env: dict[str, str]) -> None:
    number = "+447437283605"  # GB: an address (any) and an approved bundle
    with endpoint(kind, terminal_env) as (args, server):
        terminal = PlainTerminal(args, terminal_env)
        terminal.answer(
            [
                *ACCOUNT,
                *search("GB", pick=number),
                *NO_VOICE,
                *NO_SMS,
                *DETAILS,
                *compliance(address="1", bundle="1"),
                ("What next (", ""),
                (f"Type yes to buy {number}", "yes"),
                *SUMMARY_QUIT,
            ]
        )
        text = terminal.finish()
        if server is not None:
            assert posts(server) == 1
    assert f"Bought {number}." in text
    assert f"Address: {ADDRESS_GB}" in text and f"Regulatory bundle: {BUNDLE_GB_MOBILE_APPROVED}" in text


def test_invalid_answers_back_and_quit(terminal_env: dict[str, str]) -> None:
    number = "+46701740612"
    terminal = PlainTerminal(["--plain", "--sandbox"], terminal_env)
    terminal.answer(
        [
            ("Credentials (1-2)", "9"),  # a choice
            ("Choose a number from 1 to 2.", ""),
            ("Choose the number (", "2"),
            ("Phone number [", "0701740612"),  # a typed value
            ("Start with + and the country code", number),
            ("Incoming calls (", "1"),
            ("Voice URL [", "ftp://example.org"),
            ("Voice URL [", VOICE_URL),
            ("Voice method (", "PUT"),  # a choice typed
            ("Choose GET or POST.", "back"),  # back within the step, the value kept
            (f"Voice URL [{VOICE_URL}]", "back"),
            ("Incoming calls (", "back"),  # back into the Number step
            (f"Phone number [{number}]", ""),
            ("Incoming calls (", ""),
            (f"Voice URL [{VOICE_URL}]", ""),
            ("Voice method (", ""),
            ("Voice fallback URL [", ""),
            ("Voice fallback method (", ""),
            ("Caller name lookup, yes or no", "perhaps"),  # a yes or no
            ("Answer true or false.", "quit"),
            ("Quit number-wizard, yes or no [no]", "no"),
        ]
    )
    terminal.expect("Caller name lookup, yes or no")
    terminal.child.sendintr()  # Ctrl+C at a question: quit, asked first
    terminal.expect("Quit number-wizard, yes or no [no]")
    terminal.child.sendintr()  # again: leave
    text = terminal.finish()
    assert text.count("What you typed is kept as a draft") == 2
    draft = json.loads(
        (Path(terminal_env["XDG_STATE_HOME"]) / "number-wizard" / "draft-sandbox.json").read_text()
    )
    assert draft["values"] == {"phone_number": number, "voice_url": VOICE_URL}


def test_ctrl_c_while_waiting_for_twilio_stops_waiting_and_looks_the_number_up(
    terminal_env: dict[str, str],
) -> None:
    number = "+31616953194"
    with endpoint("served", terminal_env) as (args, server):
        assert server is not None
        terminal = PlainTerminal(args, terminal_env)
        terminal.answer([*ACCOUNT, *typed(number), *NO_VOICE, *NO_SMS, *DETAILS, *compliance()])
        terminal.answer([("What next (", "")])
        terminal.expect(f"Type yes to buy {number}")
        # Twilio commits the purchase and holds its answer back.
        server.sandbox.faults.add("POST", MOBILE_POST, delay_after_commit=60)
        terminal.child.sendline("yes")
        terminal.expect("waiting for Twilio")
        wait_until_owned(server, number)
        terminal.child.sendintr()
        terminal.expect(f"SIGINT: stopped waiting; checking whether {number} was bought")
        terminal.expect(f"Bought {number} (confirmed by looking it up on the account).")
        terminal.answer(SUMMARY_QUIT)
        terminal.finish()
        assert posts(server) == 1
    [receipt] = receipts(terminal_env)
    assert receipt["outcome"] == "bought" and receipt["settled_by"] == "lookup"


def test_an_interrupted_purchase_is_recovered_at_the_next_start(terminal_env: dict[str, str]) -> None:
    number = "+31616953194"
    with endpoint("served", terminal_env) as (args, server):
        assert server is not None
        first = PlainTerminal(args, terminal_env)
        first.answer(
            [*ACCOUNT, *typed(number), *NO_VOICE, *NO_SMS, *DETAILS, *compliance(), ("What next (", "")]
        )
        first.expect(f"Type yes to buy {number}")
        server.sandbox.faults.add("POST", MOBILE_POST, delay_after_commit=60)
        first.child.sendline("yes")
        first.expect("waiting for Twilio")
        wait_until_owned(server, number)
        first.child.kill(signal.SIGKILL)  # no chance to settle anything
        first.child.expect(pexpect.EOF)
        first.child.close()
        assert first.child.signalstatus == signal.SIGKILL
        [receipt] = receipts(terminal_env)
        assert receipt["outcome"] == "sending"

        second = PlainTerminal(args, terminal_env)
        second.expect(f"An earlier purchase of {number}")
        second.expect("it went through, the number is on the account")
        second.answer([("Resume it, yes or no [yes]", "")])
        second.expect(f"Bought {number} (confirmed by looking it up on the account).")
        second.answer(SUMMARY_QUIT)
        text = second.finish()
        assert posts(server) == 1  # never a second purchase
    assert "Step 7 of 7: Review" not in text  # the Summary, not an offer to buy it again
    [receipt] = receipts(terminal_env)
    assert receipt["outcome"] == "bought" and receipt["settled_by"] == "lookup"


def test_credentials_typed_without_echo_and_used_for_this_session(terminal_env: dict[str, str]) -> None:
    with start_server() as server:
        terminal = PlainTerminal(["--plain", "--api-url", server.base_url], terminal_env)
        terminal.expect("No Twilio credentials yet")
        terminal.answer(
            [
                ("Kind (1-2)", "2"),
                ("Account SID [", MAIN_ACCOUNT_SID),
                ("Auth Token [not shown as you type]: ", MAIN_AUTH_TOKEN),
                ("Region (optional) [", ""),
                # The tests' keyring is keyring's fail backend: nothing can be saved.
                ("Without a keyring (1-2)", "1"),
                ("Choose the number (", "quit"),
            ]
        )
        text = terminal.finish()
    assert "No usable system keyring, so nothing can be saved." in text
    assert "Twilio accepted them: Sandbox Account" in text
    assert "From: this session only (not saved)" in text
    assert MAIN_AUTH_TOKEN not in text  # getpass: not echoed


def test_term_dumb_chooses_the_plain_mode_and_says_so(terminal_env: dict[str, str]) -> None:
    terminal_env["TERM"] = "dumb"
    terminal = PlainTerminal(["--sandbox"], terminal_env)
    terminal.expect("TERM is dumb (a terminal without cursor movement), so number-wizard asks its questions")
    terminal.expect("For the full-screen wizard, start it in a terminal that has cursor movement")
    terminal.answer([*ACCOUNT, ("Choose the number (", "quit")])
    terminal.finish()
