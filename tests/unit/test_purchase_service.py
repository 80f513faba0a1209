"""Buying with a receipt: the receipt exists before the answer, outcomes, and
reconciliation by lookup after a lost answer, never a second POST
(docs/twilio-api.md#repeats-timeouts-and-retries)."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from tests.support.fakes import (
    ACCOUNT_SID,
    AD_SID,
    API_SECRET,
    AUTH_TOKEN,
    PN_SID,
    UK_MOBILE,
    Recorder,
    Sleeps,
    key_credentials,
    spec_examples,
    token_credentials,
    twilio_error,
)
from tests.support.receipts import receipts_in
from tui.domain.errors import TwilioApiError, TwilioUnreachable
from tui.domain.purchase import PurchaseRequest
from tui.services.purchase import buy, check_again
from tui.services.receipts import Receipt, ReceiptBook
from tui.services.twilio import TwilioClient

REQUEST = PurchaseRequest(
    phone_number=UK_MOBILE,
    friendly_name="Support",
    voice_url="https://example.com/voice",
    emergency_status="Active",
    emergency_address_sid=AD_SID,
)
PURCHASE_PATH = f"/2010-04-01/Accounts/{ACCOUNT_SID}/IncomingPhoneNumbers/Mobile.json"
LOOKUP_PATH = f"/2010-04-01/Accounts/{ACCOUNT_SID}/IncomingPhoneNumbers.json"


def created(**changes) -> dict:
    [body] = spec_examples("CreateIncomingPhoneNumberMobile").values()
    return {
        **body,
        "sid": PN_SID,
        "phone_number": UK_MOBILE,
        "friendly_name": "Support",
        "voice_url": "https://example.com/voice",
        "emergency_status": "Active",
        "emergency_address_sid": AD_SID,
        **changes,
    }


class FakeTwilio:
    """Just enough of Twilio for one purchase: the POST buys the number (or
    not), then answers, fails or loses the answer; the lookup lists what the
    account owns."""

    def __init__(self, *, commit: bool = True, answer=None, lookup_error: httpx.Response | None = None):
        self.commit = commit
        self.answer = answer  # None: 201 with the created number
        self.lookup_error = lookup_error
        self.owned: list[dict] = []
        self.posts: list[httpx.Request] = []
        self.lookups: list[httpx.Request] = []
        self.on_post: Callable[[httpx.Request], None] | None = None  # called while the POST is handled

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == PURCHASE_PATH:
            self.posts.append(request)
            if self.on_post:
                self.on_post(request)
            if self.commit:
                self.owned.append(created())
            if isinstance(self.answer, type):
                raise self.answer("simulated", request=request)
            return self.answer if self.answer is not None else httpx.Response(201, json=created())
        if request.method == "GET" and request.url.path == LOOKUP_PATH:
            self.lookups.append(request)
            if self.lookup_error is not None:
                return self.lookup_error
            wanted = request.url.params["PhoneNumber"]
            return httpx.Response(
                200,
                json={
                    "incoming_phone_numbers": [n for n in self.owned if n["phone_number"] == wanted],
                    "next_page_uri": None,
                },
            )
        raise AssertionError(f"unexpected {request.method} {request.url}")


@pytest.fixture
def book(tmp_path: Path) -> ReceiptBook:
    return ReceiptBook(tmp_path / "receipts", clock=lambda: datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))


def client_for(handler, credentials=None) -> TwilioClient:
    return TwilioClient(
        credentials or token_credentials(),
        transport=httpx.MockTransport(handler),
        sleep=Sleeps(),
        jitter=lambda: 0.0,
    )


def read(receipt) -> dict:
    return json.loads(receipt.path.read_text("utf-8"))


# ---------------------------------------------------------------------------
# Receipts


async def test_receipt_exists_privately_before_the_post_is_answered(book):
    seen: dict = {}

    def inspect_receipts(request: httpx.Request) -> None:
        [path] = list(book.directory.glob("*.json"))
        seen["mode"] = stat.S_IMODE(path.stat().st_mode)
        seen["dir_mode"] = stat.S_IMODE(book.directory.stat().st_mode)
        seen["text"] = path.read_text("utf-8")
        seen["name"] = path.name

    twilio = FakeTwilio()
    twilio.on_post = inspect_receipts
    async with client_for(twilio, key_credentials()) as client:
        outcome = await buy(client, REQUEST, book)
    assert seen["mode"] == 0o600 and seen["dir_mode"] == 0o700
    assert seen["name"] == "20260102T030405Z-447400123456.json"
    record = json.loads(seen["text"])
    assert record["outcome"] == "sending"
    assert record["request"] == {
        "method": "POST",
        "url": "https://api.twilio.com" + PURCHASE_PATH,
        "form": REQUEST.to_form(),
    }
    assert record["account_sid"] == ACCOUNT_SID and record["auth_kind"] == "api_key"
    assert record["sandbox"] is False
    # No secret, before or after.
    assert outcome.receipt is not None
    for text in (seen["text"], outcome.receipt.path.read_text("utf-8")):
        assert API_SECRET not in text and AUTH_TOKEN not in text
    assert stat.S_IMODE(outcome.receipt.path.stat().st_mode) == 0o600


async def test_receipts_never_overwrite_each_other(book):
    first = book.start(
        method="POST",
        url="u",
        form={"PhoneNumber": UK_MOBILE},
        account_sid=ACCOUNT_SID,
        auth_kind="auth_token",
        sandbox=True,
    )
    second = book.start(
        method="POST",
        url="u",
        form={"PhoneNumber": UK_MOBILE},
        account_sid=ACCOUNT_SID,
        auth_kind="auth_token",
        sandbox=True,
    )
    assert first.path != second.path
    assert second.path.name == "20260102T030405Z-447400123456-2.json"
    await book.finish_in_thread(first, "failed", error={"message": "x"})
    records = {r["outcome"]: r for r in receipts_in(book)}
    assert set(records) == {"failed", "sending"}
    assert records["failed"]["finished_at"] == "2026-01-02T03:04:05+00:00"


# ---------------------------------------------------------------------------
# Outcomes


async def test_bought(book):
    twilio = FakeTwilio()
    async with client_for(twilio) as client:
        outcome = await buy(client, REQUEST, book)
    assert outcome.status == "bought" and not outcome.reconciled
    assert outcome.resource is not None and outcome.resource.sid == PN_SID
    assert outcome.differences == [] and outcome.error is None
    assert outcome.headline() == f"Bought {UK_MOBILE}."
    record = read(outcome.receipt)
    assert record["outcome"] == "bought"
    assert record["resource"]["sid"] == PN_SID
    assert record["resource"]["date_created"] == "2015-07-30T23:19:04Z"
    assert record["differences"] == []
    assert len(twilio.posts) == 1 and twilio.lookups == []


async def test_bought_but_twilio_dropped_a_field(book):
    twilio = FakeTwilio(answer=httpx.Response(201, json=created(emergency_address_sid=None)))
    async with client_for(twilio) as client:
        outcome = await buy(client, REQUEST, book)
    assert outcome.status == "bought"
    assert [(d.field, d.asked, d.got) for d in outcome.differences] == [
        ("emergency_address_sid", AD_SID, None)
    ]
    assert read(outcome.receipt)["differences"] == ["emergency_address_sid"]


async def test_failed_with_a_twilio_error(book):
    twilio = FakeTwilio(commit=False, answer=twilio_error(400, 21649, "Bundle required"))
    async with client_for(twilio) as client:
        outcome = await buy(client, REQUEST, book)
    assert outcome.status == "failed"
    assert isinstance(outcome.error, TwilioApiError) and outcome.error.code == 21649
    assert outcome.headline() == f"{UK_MOBILE} was not bought."
    record = read(outcome.receipt)
    assert record["outcome"] == "failed"
    assert record["error"] == {
        "status": 400,
        "code": 21649,
        "message": "Bundle required",
        "more_info": "https://www.twilio.com/docs/errors/21649",
    }
    assert len(twilio.posts) == 1 and twilio.lookups == []


async def test_failed_when_nothing_was_sent(book):
    twilio = FakeTwilio(commit=False, answer=httpx.ConnectError)
    async with client_for(twilio) as client:
        outcome = await buy(client, REQUEST, book)
    assert outcome.status == "failed"
    assert isinstance(outcome.error, TwilioUnreachable) and outcome.error.sent is False
    assert read(outcome.receipt)["outcome"] == "failed"
    assert twilio.lookups == []  # nothing reached Twilio: nothing to reconcile


async def test_timeout_after_twilio_committed_is_reconciled_as_bought(book):
    twilio = FakeTwilio(commit=True, answer=httpx.ReadTimeout)
    async with client_for(twilio) as client:
        outcome = await buy(client, REQUEST, book)
    assert outcome.status == "bought" and outcome.reconciled is True
    assert outcome.resource is not None and outcome.resource.sid == PN_SID
    assert "confirmed by looking it up" in outcome.headline()
    assert len(twilio.posts) == 1  # never posted again
    [lookup] = twilio.lookups
    assert lookup.url.params["PhoneNumber"] == UK_MOBILE
    record = read(outcome.receipt)
    assert record["outcome"] == "bought" and record["reconciled"] is True


async def test_timeout_and_the_lookup_does_not_find_it_is_unknown(book):
    twilio = FakeTwilio(commit=False, answer=httpx.ReadTimeout)
    async with client_for(twilio) as client:
        outcome = await buy(client, REQUEST, book)
        assert outcome.status == "unknown"
        assert isinstance(outcome.error, TwilioUnreachable) and outcome.error.sent
        assert "Unknown whether" in outcome.headline() and "cannot buy it twice" in outcome.headline()
        record = read(outcome.receipt)
        assert record["outcome"] == "unknown" and record["reconciled_absent"] is True
        # Later the number shows up: "Check again" confirms it, still without a POST.
        twilio.owned.append(created())
        again = await check_again(client, outcome, book)
    assert again.status == "bought" and again.reconciled
    assert again.receipt is not None and outcome.receipt is not None
    assert again.receipt.path == outcome.receipt.path
    assert read(again.receipt)["outcome"] == "bought"
    assert len(twilio.posts) == 1 and len(twilio.lookups) == 2


async def test_timeout_and_the_lookup_fails_too_is_unknown(book):
    twilio = FakeTwilio(
        commit=True, answer=httpx.ReadTimeout, lookup_error=twilio_error(500, 20500, "Internal error")
    )
    async with client_for(twilio) as client:
        outcome = await buy(client, REQUEST, book)
    assert outcome.status == "unknown"
    record = read(outcome.receipt)
    assert record["outcome"] == "unknown"
    assert record["reconcile_error"]["code"] == 20500
    assert len(twilio.posts) == 1


async def test_a_success_whose_body_cannot_be_read_is_reconciled_not_failed(book):
    # Twilio said 201 (the number is bought) but the body is not JSON, e.g. mangled
    # by a proxy. Reporting "not bought" would be wrong: look it up instead.
    twilio = FakeTwilio(commit=True, answer=httpx.Response(201, text="<html>ok</html>"))
    async with client_for(twilio) as client:
        outcome = await buy(client, REQUEST, book)
    assert outcome.status == "bought" and outcome.reconciled
    assert len(twilio.posts) == 1 and len(twilio.lookups) == 1


async def test_sandbox_flag_is_recorded(book):
    async with client_for(FakeTwilio()) as client:
        outcome = await buy(client, REQUEST, book, sandbox=True)
    assert read(outcome.receipt)["sandbox"] is True


async def test_purchase_posts_once_even_through_the_recorder():
    # The same guarantee, counted at the transport.
    recorder = Recorder(httpx.ReadTimeout, handler=None)
    async with TwilioClient(token_credentials(), transport=recorder.transport, sleep=Sleeps()) as client:
        with pytest.raises(TwilioUnreachable):
            await client.purchase(REQUEST)
    assert [r.method for r in recorder.requests] == ["POST"]


async def test_stopping_to_wait_leaves_an_unknown_receipt_that_settles_by_lookup(book):
    import asyncio

    from tui.services.purchase import settle_interrupted

    posted = asyncio.Event()
    owned: list[dict] = []
    requests: list[httpx.Request] = []

    async def slow_twilio(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        if request.method == "POST":
            owned.append(created())  # Twilio commits, then the answer never comes
            posted.set()
            await asyncio.Event().wait()
        return httpx.Response(200, json={"incoming_phone_numbers": owned})

    receipts_seen: list[Receipt] = []
    async with client_for(slow_twilio) as client:
        task = asyncio.create_task(buy(client, REQUEST, book, on_receipt=receipts_seen.append))
        await posted.wait()
        # The receipt was handed over before the request went out.
        [receipt] = receipts_seen
        assert read(receipt)["outcome"] == "sending"
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert read(receipt)["outcome"] == "unknown"
        outcome = await settle_interrupted(
            client, REQUEST, book, receipt, TwilioUnreachable("stopped waiting", sent=True)
        )
    assert outcome.status == "bought" and outcome.reconciled
    assert read(receipt)["outcome"] == "bought"
    assert [r.method for r in requests] == ["POST", "GET"]


# ---------------------------------------------------------------------------
# Receipts are written off the event loop


async def test_receipts_are_written_in_threads_not_on_the_event_loop(book, monkeypatch):
    """fsync waits for the disk: never on the loop that draws the screen."""
    import threading

    import tui.services.receipts as receipts_module

    loop_thread = threading.current_thread()
    writers: list[tuple[str, bool]] = []
    real_write = receipts_module.write_private

    def recording_write(path, text):
        writers.append((json.loads(text)["outcome"], threading.current_thread() is loop_thread))
        real_write(path, text)

    monkeypatch.setattr(receipts_module, "write_private", recording_write)
    for twilio in (FakeTwilio(), FakeTwilio(commit=True, answer=httpx.ReadTimeout)):
        async with client_for(twilio) as client:
            outcome = await buy(client, REQUEST, book)
        assert outcome.status == "bought"
    assert [outcome for outcome, _ in writers] == ["sending", "bought", "sending", "bought"]
    assert not any(on_loop for _, on_loop in writers), writers


def test_a_slow_receipt_write_never_replaces_a_later_outcome(book):
    """Outcomes are recorded in the order they happen, whichever thread writes first."""
    receipt = book.start(
        method="POST",
        url="u",
        form={"PhoneNumber": UK_MOBILE},
        account_sid=ACCOUNT_SID,
        auth_kind="auth_token",
        sandbox=False,
    )
    stopped = receipt.change(outcome="unknown")  # "stopped waiting", written slowly…
    settled = receipt.change(outcome="bought")  # …after the lookup settled it
    receipt.write(settled)
    receipt.write(stopped)
    assert read(receipt)["outcome"] == "bought"


async def test_stopping_while_the_receipt_is_written_sends_nothing_and_says_so(book, monkeypatch):
    import asyncio
    import threading

    import tui.services.receipts as receipts_module

    writing = threading.Event()
    release = threading.Event()
    real_write = receipts_module.write_private

    def slow_write(path, text):
        if json.loads(text)["outcome"] == "sending":
            writing.set()
            release.wait(5)
        real_write(path, text)

    monkeypatch.setattr(receipts_module, "write_private", slow_write)
    twilio = FakeTwilio()
    seen: list[Receipt] = []
    async with client_for(twilio) as client:
        task = asyncio.create_task(buy(client, REQUEST, book, on_receipt=seen.append))
        await asyncio.to_thread(writing.wait, 5)
        task.cancel()
        release.set()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert twilio.posts == [] and seen == []
    [record] = receipts_in(book)
    assert record["outcome"] == "failed"
    assert record["error"] == {"message": "stopped before the request was sent"}
