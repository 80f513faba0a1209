"""The plain wizard with the wizard's services: an interrupted purchase settled
at start, credentials typed line by line and kept through the same service as
the wizard, and the command line choosing the plain mode."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from tests.support.app_factory import draft_store_in, fixed_clock, profile_store_in
from tests.support.keyrings import MemoryKeyring
from tests.support.plain import (
    ACCOUNT,
    DETAILS,
    NO_SMS,
    NO_VOICE,
    SUMMARY_QUIT,
    compliance,
    make_plain,
    typed,
)
from tui.cli import cli
from tui.domain.credentials import Credentials, Secret
from tui.domain.purchase import PurchaseRequest
from tui.plain.choose import plain_reason
from tui.sandbox import MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN, Sandbox, SandboxTransport, start_server
from tui.services.receipts import ReceiptBook
from tui.services.session import Connection, ConnectionRequest

NUMBER = "+31616953194"  # NL, needs no address and no bundle


def test_an_interrupted_purchase_that_went_through_is_told_and_its_draft_opens_the_summary(
    tmp_path: Path,
) -> None:
    # A "real" endpoint (not the in-process sandbox, whose purchases end with the
    # process): the sandbox's main account, looked up when the wizard starts.
    sandbox = Sandbox(clock=fixed_clock)
    connection = Connection(
        Credentials(MAIN_ACCOUNT_SID, Secret(MAIN_AUTH_TOKEN), source="test"),
        transport=SandboxTransport(sandbox),
    )
    receipts = ReceiptBook(tmp_path / "receipts", clock=fixed_clock)

    async def bought_then_crashed() -> None:
        # What a process killed after sending leaves: a "sending" receipt, and the
        # number on the account.
        async with connection.client() as client:
            prepared = client.prepare_purchase(PurchaseRequest(phone_number=NUMBER))
            receipts.start(
                method=prepared.method,
                url=prepared.url,
                form=prepared.form,
                account_sid=MAIN_ACCOUNT_SID,
                auth_kind="auth_token",
                sandbox=False,
            )
            await client.send_purchase(prepared)

    asyncio.run(bought_then_crashed())
    draft_store_in(tmp_path).save({"version": 1, "values": {"phone_number": NUMBER}})
    posts = len([r for r in sandbox.requests if r["method"] == "POST"])

    wizard, output = make_plain(
        tmp_path, [("Resume it", ""), *SUMMARY_QUIT], connection=connection, receipts=receipts
    )
    assert wizard.run() == 0
    text = output.getvalue()
    assert f"An earlier purchase of {NUMBER}" in text and "it went through" in text
    assert f"Bought {NUMBER} (confirmed by looking it up on the account)." in text
    assert f"Phone number: {NUMBER}" in text  # the Summary, not the Review
    assert "Step 7 of 7" not in text
    assert len([r for r in sandbox.requests if r["method"] == "POST"]) == posts  # never bought twice
    [receipt] = [json.loads(p.read_text()) for p in (tmp_path / "receipts").glob("*.json")]
    assert receipt["outcome"] == "bought" and receipt["settled_by"] == "lookup"
    assert draft_store_in(tmp_path).load() is None  # it has served its purpose


@pytest.mark.e2e
def test_credentials_typed_line_by_line_are_checked_and_saved_as_a_profile(tmp_path: Path) -> None:
    keyring = MemoryKeyring()
    profiles = profile_store_in(tmp_path, keyring)
    with start_server() as server:
        wizard, output = make_plain(
            tmp_path,
            [
                ("Kind (1-2)", "2"),  # Auth Token
                ("Account SID [", "AC123"),
                ("Account SID [", MAIN_ACCOUNT_SID),
                ("Auth Token [not shown as you type]", "too-short"),
                ("Auth Token [not shown as you type]", "sandbox-wrong-auth-token-0000001"),
                ("Region (optional) [", ""),
                ("Save them as a profile", ""),
                ("Profile name [", "work"),
                # Twilio refuses the token: asked again (the rest is kept).
                ("Auth Token [not shown as you type]", MAIN_AUTH_TOKEN),
                ("Region (optional) [", ""),
                ("Save them as a profile", ""),
                ("Profile name [work]", ""),
                ("Choose the number (", "quit"),
            ],
            connection=None,
            request=ConnectionRequest(api_url=server.base_url),
            profiles=profiles,
            echo=True,
        )
        assert wizard.run() == 0
    text = output.getvalue()
    assert "No Twilio credentials yet" in text
    assert "Twilio did not accept" in text
    assert "Twilio accepted them: Sandbox Account, Full (paid) account, active." in text
    assert text.rpartition("From: ")[2].startswith('profile "work"')
    # The secret: never on the screen, in the keyring only.
    assert MAIN_AUTH_TOKEN not in text and "sandbox-wrong-auth-token" not in text
    assert [p.name for p in profiles.list_profiles()] == ["work"]
    [stored] = keyring.entries.values()
    assert json.loads(stored)["secret"] == MAIN_AUTH_TOKEN
    config = (tmp_path / "config" / "config.toml").read_text()
    assert MAIN_AUTH_TOKEN not in config


@pytest.mark.parametrize(
    ("env", "stdin_tty", "stdout_tty", "said"),
    [
        ({"TERM": "dumb"}, True, True, "TERM is dumb"),
        ({"TERM": "xterm-256color"}, True, False, "Standard output is not a terminal"),
        ({"TERM": "xterm-256color"}, False, True, "Standard input is not a terminal"),
        ({"TERM": "xterm-256color"}, True, True, None),
    ],
)
def test_the_plain_mode_is_chosen_where_the_full_screen_wizard_cannot_run(
    env: dict[str, str], stdin_tty: bool, stdout_tty: bool, said: str | None
) -> None:
    class Stream:
        def __init__(self, tty: bool) -> None:
            self.tty = tty

        def isatty(self) -> bool:
            return self.tty

    reason = plain_reason(env, Stream(stdin_tty), Stream(stdout_tty))
    if said is None:
        assert reason is None
    else:
        assert reason is not None and reason.startswith(said)
        assert "For the full-screen wizard" in reason


def test_the_command_line_runs_the_plain_mode_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["--sandbox"], input="\nquit\n")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Standard output is not a terminal, so number-wizard asks its questions")
    assert "Step 1 of 7: Account" in result.output and "Step 2 of 7: Number" in result.output

    result = CliRunner().invoke(cli, ["--plain", "--sandbox"], input="quit\n")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("SANDBOX: nothing is bought")  # asked for: no reason given


class LookupsFailAfterThePurchase(httpx.AsyncBaseTransport):
    """The sandbox, except that once a purchase has been sent, looking numbers up
    fails (a 500) until `heal()`: the outcome stays unknown until then."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.purchase_sent = False
        self.healed = False

    def heal(self) -> str:
        self.healed = True
        return ""  # the answer: the Summary's default, check again

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/Mobile.json"):
            self.purchase_sent = True
        elif (
            self.purchase_sent and not self.healed and request.url.path.endswith("/IncomingPhoneNumbers.json")
        ):
            return httpx.Response(
                500, json={"code": 20500, "message": "Internal Server Error", "status": 500}
            )
        return await self.inner.handle_async_request(request)


def test_an_unknown_outcome_is_said_and_checked_again_from_the_summary(tmp_path: Path) -> None:
    sandbox = Sandbox(clock=fixed_clock)
    transport = LookupsFailAfterThePurchase(SandboxTransport(sandbox))
    connection = Connection(
        Credentials(MAIN_ACCOUNT_SID, Secret(MAIN_AUTH_TOKEN), source="test"), transport=transport
    )

    def drop_the_answer() -> str:
        # Twilio buys the number, and its answer never arrives.
        sandbox.faults.add("POST", r"/IncomingPhoneNumbers/Mobile\.json$", drop_after_commit=True)
        return "yes"

    wizard, output = make_plain(
        tmp_path,
        [
            *ACCOUNT,
            *typed(NUMBER),
            *NO_VOICE,
            *NO_SMS,
            *DETAILS,
            *compliance(),
            ("What next (", ""),
            (f"Type yes to buy {NUMBER}", drop_the_answer),
            ("What next (1-3) [Check again whether it was bought]", transport.heal),
            *SUMMARY_QUIT,
        ],
        connection=connection,
    )
    assert wizard.run() == 0
    text = output.getvalue()
    assert f"Unknown whether {NUMBER} was bought" in text
    assert f"Bought {NUMBER} (confirmed by looking it up on the account)." in text
    assert len([r for r in sandbox.requests if r["method"] == "POST"]) == 1
    [receipt] = [json.loads(p.read_text()) for p in (tmp_path / "receipts").glob("*.json")]
    assert receipt["outcome"] == "bought" and receipt["settled_by"] == "lookup"


def test_credentials_twilio_refuses_are_explained_with_a_way_forward(tmp_path: Path) -> None:
    connection = Connection(
        Credentials(MAIN_ACCOUNT_SID, Secret("sandbox-wrong-auth-token-0000001"), source="test"),
        transport=SandboxTransport(Sandbox(clock=fixed_clock)),
    )
    wizard, output = make_plain(
        tmp_path,
        [
            ("Credentials (1-2)", ""),  # no way on without accepted credentials
            ("Credentials (1-2)", "1"),  # check again: still refused
            ("Credentials (1-2)", "quit"),
        ],
        connection=connection,
    )
    assert wizard.run() == 0
    text = output.getvalue()
    assert text.count("Twilio did not accept these credentials.") == 2
    assert "Twilio error 20003" in text
    assert "  1. Check these credentials with Twilio again" in text
    assert "  2. Use other credentials (typed here)" in text
    assert "Choose a number from 1 to 2." in text
