"""Updating and releasing an owned number (tui.services.number_changes) against
the in-process sandbox: a receipt on disk before the request leaves, each kind of
answer classified, ambiguous answers settled by fetching the number, never a
second request, and unfinished receipts settled at the next run."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from tui.domain.attempt import ChangeState
from tui.domain.credentials import Credentials, Secret
from tui.domain.errors import TwilioApiError
from tui.domain.number_settings import current_settings, plan_update
from tui.domain.rules import RuleError
from tui.sandbox import Sandbox, SandboxTransport
from tui.sandbox.accounts import MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN
from tui.services.number_changes import (
    ChangeAttempt,
    NotOwned,
    find_number,
    parse_reference,
    recover_unfinished_changes,
    run_change,
)
from tui.services.receipts import ReceiptBook
from tui.services.twilio import RetryPolicy, TwilioClient

UK = "+447802019939"
SE = "+46701740698"
ONE = r"/IncomingPhoneNumbers/PN"


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox()


@pytest.fixture
def book(tmp_path: Path) -> ReceiptBook:
    return ReceiptBook(tmp_path / "receipts")


def client_for(sandbox: Sandbox) -> TwilioClient:
    credentials = Credentials(account_sid=MAIN_ACCOUNT_SID, secret=Secret(MAIN_AUTH_TOKEN), source="test")
    return TwilioClient(
        credentials, transport=SandboxTransport(sandbox), retry=RetryPolicy(attempts=1), sleep=_no_sleep
    )


async def _no_sleep(_: float) -> None:
    return None


def changes(sandbox: Sandbox) -> list[tuple[str, Any]]:
    return [(r["method"], r["form"]) for r in sandbox.requests if r["method"] in ("POST", "DELETE")]


async def update_of(client: TwilioClient, number: str, clear: tuple[str, ...] = (), **requested: Any):
    resource = await find_number(client, number)
    update, problems = plan_update(resource.sid or "", number, current_settings(resource), requested, clear)
    assert problems == [] and update is not None
    return ChangeAttempt.for_update(client, update, sandbox=True)


def test_references() -> None:
    assert parse_reference(" +44 7802 019939 ") == ("number", UK)
    assert parse_reference("PN" + "A" * 32) == ("sid", "PN" + "A" * 32)
    with pytest.raises(RuleError, match="capital PN"):  # the SID rule of the catalogue
        parse_reference("pn" + "a" * 32)
    with pytest.raises(RuleError, match="neither a number's SID"):
        parse_reference("support line")


def test_find_number_by_sid_or_number_and_not_owned(sandbox: Sandbox) -> None:
    async def go() -> None:
        async with client_for(sandbox) as client:
            by_number = await find_number(client, UK)
            assert (await find_number(client, by_number.sid or "")).phone_number == UK
            with pytest.raises(NotOwned):
                await find_number(client, "PN" + "0" * 32)
            with pytest.raises(NotOwned):
                await find_number(client, "+447491828501")  # another account's

    asyncio.run(go())


def test_an_update_writes_its_receipt_before_sending_and_reads_the_answer(
    sandbox: Sandbox, book: ReceiptBook
) -> None:
    seen: list[dict[str, Any]] = []

    async def go() -> ChangeAttempt:
        async with client_for(sandbox) as client:
            attempt = await update_of(client, UK, clear=("sms_url",), voice_url="https://example.com/v")
            sandbox.clear_requests()

            def on_sending(a: ChangeAttempt) -> None:
                assert a.receipt is not None
                seen.append(json.loads(a.receipt.path.read_text()))
                assert sandbox.requests == []  # on disk before anything left

            return await run_change(client, attempt, book, on_sending=on_sending)

    attempt = asyncio.run(go())
    assert seen[0]["outcome"] == "sending" and seen[0]["kind"] == "update"
    assert attempt.state is ChangeState.DONE and attempt.settled_by == "answer"
    assert attempt.resource is not None and attempt.resource.voice_url == "https://example.com/v"
    assert changes(sandbox) == [("POST", {"SmsUrl": "", "VoiceUrl": "https://example.com/v"})]
    record = json.loads(attempt.receipt.path.read_text())  # type: ignore[union-attr]
    assert record["outcome"] == "done" and record["phone_number"] == UK
    assert attempt.headline() == f"Updated {UK}."


def test_a_refused_update_fails_with_twilios_error(sandbox: Sandbox, book: ReceiptBook) -> None:
    async def go() -> ChangeAttempt:
        async with client_for(sandbox) as client:
            attempt = await update_of(client, UK, address_sid="AD" + "0" * 32)
            return await run_change(client, attempt, book)

    attempt = asyncio.run(go())
    assert attempt.state is ChangeState.FAILED and not attempt.retry_safe
    assert isinstance(attempt.error, TwilioApiError) and attempt.error.refused


def test_a_not_processed_answer_is_safe_to_repeat(sandbox: Sandbox, book: ReceiptBook) -> None:
    async def go() -> ChangeAttempt:
        async with client_for(sandbox) as client:
            attempt = await update_of(client, UK, friendly_name="New")
            sandbox.faults.add("POST", ONE, status=429, code=20429)
            return await run_change(client, attempt, book)

    attempt = asyncio.run(go())
    assert attempt.state is ChangeState.FAILED and attempt.retry_safe
    assert "safe to try again" in attempt.headline()


@pytest.mark.parametrize("fault", [{"status": 500, "commit": True}, {"drop_after_commit": True}])
def test_an_update_applied_but_unanswered_is_confirmed_by_a_fetch(
    sandbox: Sandbox, book: ReceiptBook, fault: dict[str, Any]
) -> None:
    async def go() -> ChangeAttempt:
        async with client_for(sandbox) as client:
            attempt = await update_of(client, UK, friendly_name="New")
            sandbox.faults.add("POST", ONE, **fault)
            return await run_change(client, attempt, book)

    attempt = asyncio.run(go())
    assert (attempt.state, attempt.settled_by) == (ChangeState.DONE, "lookup")
    assert [m for m, _ in changes(sandbox)] == ["POST"]


def test_an_update_not_applied_is_found_so_and_said_safe_to_repeat(
    sandbox: Sandbox, book: ReceiptBook
) -> None:
    async def go() -> ChangeAttempt:
        async with client_for(sandbox) as client:
            attempt = await update_of(client, UK, friendly_name="New")
            sandbox.faults.add("POST", ONE, status=502)  # answered instead of processing
            return await run_change(client, attempt, book)

    attempt = asyncio.run(go())
    assert (attempt.state, attempt.settled_by, attempt.retry_safe) == (ChangeState.FAILED, "lookup", True)
    assert [m.field for m in attempt.mismatches] == ["friendly_name"]
    assert "safe to send again" in attempt.headline()


@pytest.mark.parametrize(
    ("faults", "state", "words"),
    [
        ([("DELETE", {"drop_after_commit": True})], ChangeState.DONE, "Released"),
        ([("DELETE", {"status": 500})], ChangeState.FAILED, "still on the account"),
        ([("DELETE", {"status": 500}), ("GET", {"status": 500})], ChangeState.UNKNOWN, "Unknown whether"),
    ],
)
def test_an_ambiguous_release_is_looked_up_never_repeated(
    sandbox: Sandbox,
    book: ReceiptBook,
    faults: list[tuple[str, dict[str, Any]]],
    state: ChangeState,
    words: str,
) -> None:
    async def go() -> ChangeAttempt:
        async with client_for(sandbox) as client:
            resource = await find_number(client, SE)
            attempt = ChangeAttempt.for_release(client, resource, sandbox=True)
            for method, fault in faults:
                sandbox.faults.add(method, ONE, **fault)
            return await run_change(client, attempt, book)

    attempt = asyncio.run(go())
    assert attempt.state is state
    assert words in attempt.headline()
    assert [m for m, _ in changes(sandbox)] == ["DELETE"]
    assert json.loads(attempt.receipt.path.read_text())["outcome"] == state.value  # type: ignore[union-attr]


def test_unfinished_changes_are_settled_at_the_next_run(sandbox: Sandbox, book: ReceiptBook) -> None:
    async def go() -> list[ChangeAttempt]:
        async with client_for(sandbox) as client:
            resource = await find_number(client, SE)
            # An earlier run wrote its receipts and stopped before any answer.
            release = client.prepare_release(resource.sid or "")
            book.start(method="DELETE", url=release.url, form={}, account_sid=MAIN_ACCOUNT_SID,
                       auth_kind="auth_token", sandbox=False, kind="release", phone_number=SE)  # fmt: skip
            uk = await find_number(client, UK)
            update = client.prepare_update(uk.sid or "", {"FriendlyName": "Support line (UK)", "SmsUrl": ""})
            book.start(method="POST", url=update.url, form=update.form, account_sid=MAIN_ACCOUNT_SID,
                       auth_kind="auth_token", sandbox=False, kind="update", phone_number=UK)  # fmt: skip
            found = await recover_unfinished_changes(client, book, sandbox=False)
            assert await recover_unfinished_changes(client, book, sandbox=False) == []  # settled once
            return found

    release, update = asyncio.run(go())
    # The number is still there: the release did not go through.
    assert (release.kind, release.state, release.settled_by) == ("release", ChangeState.FAILED, "lookup")
    # The name is as asked, the SMS URL is not cleared: not applied.
    assert (update.kind, update.state) == ("update", ChangeState.FAILED)
    assert [m.field for m in update.mismatches] == ["sms_url"]
    assert changes(sandbox) == []  # nothing sent again
