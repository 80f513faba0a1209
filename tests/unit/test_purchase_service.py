"""One purchase attempt: the ownership check under the number's lock, the
receipt before the answer, every kind of answer classified (refused, not
processed, never sent, ambiguous → looked up), stopping the wait, and settling
what an earlier process left unfinished. Never a second POST.

Twilio's rules followed here: a 429/20429 and a 503/20503 are never processed
(https://www.twilio.com/docs/errors/20429); after a timeout or a 5xx, look the
number up before trying again (https://www.twilio.com/docs/api/errors/20500).
"""

from __future__ import annotations

import asyncio
import json
import stat
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

import tui.services.receipts as receipts_module
from tests.support.fakes import (
    ACCOUNT_SID,
    AD_SID,
    API_SECRET,
    AUTH_TOKEN,
    PN_SID,
    UK_MOBILE,
    Sleeps,
    key_credentials,
    spec_examples,
    token_credentials,
    twilio_error,
)
from tui.domain.errors import TwilioApiError, TwilioUnreachable
from tui.domain.purchase import PurchaseRequest
from tui.services.purchase import (
    SETTLE_ABSENT_AFTER,
    AlreadyOwned,
    AttemptState,
    OwnershipCheckFailed,
    PurchaseAttempt,
    StoppedWaiting,
    buy,
    describe_recovered,
    recover_unfinished,
    settle,
)
from tui.services.purchase_lock import BuyerBusy, PurchaseLocks
from tui.services.receipts import ReceiptBook
from tui.services.twilio import RetryPolicy, TwilioClient

REQUEST = PurchaseRequest(
    phone_number=UK_MOBILE,
    friendly_name="Support",
    voice_url="https://example.com/voice",
    emergency_address_sid=AD_SID,
)
PURCHASE_PATH = f"/2010-04-01/Accounts/{ACCOUNT_SID}/IncomingPhoneNumbers/Mobile.json"
LOOKUP_PATH = f"/2010-04-01/Accounts/{ACCOUNT_SID}/IncomingPhoneNumbers.json"
START = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def created(**changes) -> dict:
    [body] = spec_examples("CreateIncomingPhoneNumberMobile").values()
    return {
        **body,
        "sid": PN_SID,
        "phone_number": UK_MOBILE,
        "friendly_name": "Support",
        "voice_url": "https://example.com/voice",
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
            if self.lookup_error is not None and self.posts:
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


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def book(tmp_path: Path, clock: Clock) -> ReceiptBook:
    return ReceiptBook(tmp_path / "receipts", clock=clock)


@pytest.fixture
def locks(tmp_path: Path) -> PurchaseLocks:
    return PurchaseLocks(tmp_path / "locks")


def client_for(handler, credentials=None) -> TwilioClient:
    return TwilioClient(
        credentials or token_credentials(),
        transport=httpx.MockTransport(handler),
        sleep=Sleeps(),
        jitter=lambda: 0.0,
        retry=RetryPolicy(attempts=1),
    )


def read(receipt) -> dict:
    return json.loads(receipt.path.read_text("utf-8"))


async def purchase(client, book, locks, request=REQUEST, **options) -> PurchaseAttempt:
    attempt = PurchaseAttempt.prepare(client, request, sandbox=options.pop("sandbox", False))
    return await buy(client, attempt, book, locks, **options)


# ---------------------------------------------------------------------------
# Receipts


async def test_receipt_exists_privately_before_the_post_is_answered(book, locks):
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
        attempt = await purchase(client, book, locks)
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
    assert attempt.receipt is not None
    for text in (seen["text"], attempt.receipt.path.read_text("utf-8")):
        assert API_SECRET not in text and AUTH_TOKEN not in text
    assert stat.S_IMODE(attempt.receipt.path.stat().st_mode) == 0o600


def test_receipts_never_overwrite_each_other(book):
    def start():
        return book.start(
            method="POST",
            url="u",
            form={"PhoneNumber": UK_MOBILE},
            account_sid=ACCOUNT_SID,
            auth_kind="auth_token",
            sandbox=True,
        )

    first, second = start(), start()
    assert first.path != second.path
    assert second.path.name == "20260102T030405Z-447400123456-2.json"
    book.settle(first, "failed", error={"message": "x"})
    records = {r.outcome: r.record for r in book.load_all()}
    assert set(records) == {"failed", "sending"}
    assert records["failed"]["finished_at"] == "2026-01-02T03:04:05+00:00"


def test_unreadable_files_in_the_receipts_folder_are_skipped(book):
    book.directory.mkdir(parents=True)
    (book.directory / "broken.json").write_text("{not json", "utf-8")
    (book.directory / "other.json").write_text("[1, 2]", "utf-8")
    assert book.load_all() == []
    assert ReceiptBook(book.directory / "none").load_all() == []


# ---------------------------------------------------------------------------
# Outcomes


async def test_bought(book, locks):
    twilio = FakeTwilio()
    async with client_for(twilio) as client:
        attempt = await purchase(client, book, locks)
    assert attempt.state is AttemptState.BOUGHT and attempt.settled_by == "answer"
    assert attempt.resource is not None and attempt.resource.sid == PN_SID
    assert attempt.differences == [] and attempt.error is None
    assert attempt.headline() == f"Bought {UK_MOBILE}."
    record = read(attempt.receipt)
    assert record["outcome"] == "bought" and record["settled_by"] == "answer"
    assert record["resource"]["sid"] == PN_SID
    assert record["resource"]["date_created"] == "2015-07-30T23:19:04Z"
    assert "differences" not in record
    # One ownership check before, one POST, nothing after.
    assert len(twilio.posts) == 1 and len(twilio.lookups) == 1


async def test_the_exact_prepared_request_is_sent(book, locks):
    twilio = FakeTwilio()
    async with client_for(twilio) as client:
        attempt = PurchaseAttempt.prepare(client, REQUEST, sandbox=False)
        await buy(client, attempt, book, locks)
    [post] = twilio.posts
    assert str(post.url) == attempt.prepared.url
    assert dict(httpx.QueryParams(post.content.decode())) == attempt.prepared.form


async def test_bought_but_twilio_dropped_a_field(book, locks):
    twilio = FakeTwilio(answer=httpx.Response(201, json=created(emergency_address_sid=None)))
    async with client_for(twilio) as client:
        attempt = await purchase(client, book, locks)
    assert attempt.state is AttemptState.BOUGHT
    assert [(d.field, d.asked, d.got) for d in attempt.differences] == [
        ("emergency_address_sid", AD_SID, None)
    ]
    assert read(attempt.receipt)["differences"] == ["emergency_address_sid"]


async def test_refused_by_twilio(book, locks):
    twilio = FakeTwilio(commit=False, answer=twilio_error(400, 21649, "Bundle required"))
    async with client_for(twilio) as client:
        attempt = await purchase(client, book, locks)
    assert attempt.state is AttemptState.FAILED and not attempt.retry_safe
    assert isinstance(attempt.error, TwilioApiError) and attempt.error.code == 21649
    assert attempt.headline() == f"{UK_MOBILE} was not bought."
    record = read(attempt.receipt)
    assert record["outcome"] == "failed" and record["settled_by"] == "answer"
    assert record["error"] == {
        "status": 400,
        "code": 21649,
        "message": "Bundle required",
        "more_info": "https://www.twilio.com/docs/errors/21649",
        "from_twilio": True,
    }
    assert len(twilio.posts) == 1 and len(twilio.lookups) == 1  # the check before; none after


@pytest.mark.parametrize(("status", "code"), [(429, 20429), (503, 20503)])
async def test_not_processed_is_not_bought_and_safe_to_retry(book, locks, status, code):
    twilio = FakeTwilio(commit=False, answer=twilio_error(status, code, "busy"))
    async with client_for(twilio) as client:
        attempt = await purchase(client, book, locks)
    assert attempt.state is AttemptState.FAILED and attempt.retry_safe
    assert "safe to try again" in attempt.headline()
    assert len(twilio.lookups) == 1  # documented as never processed: nothing to look up
    assert read(attempt.receipt)["retry_safe"] is True


@pytest.mark.parametrize(
    "answer",
    [
        twilio_error(500, 20500, "Internal error"),  # Twilio's own 5xx
        httpx.Response(502, text="<html><body>Bad Gateway</body></html>"),  # a gateway's page
        httpx.Response(504, text="upstream timed out"),
        httpx.Response(503, text="<html>Service Unavailable</html>"),  # 503 but not Twilio's
        httpx.Response(429, json={"error": "slow down"}),  # 429 but not Twilio's body
        httpx.Response(201, text="<html>ok</html>"),  # a success that cannot be read
        httpx.Response(200, text=""),
    ],
    ids=["twilio-500", "gateway-502", "gateway-504", "gateway-503", "foreign-429", "html-201", "empty-200"],
)
async def test_ambiguous_answers_are_looked_up_not_called_failures(book, locks, answer):
    twilio = FakeTwilio(commit=True, answer=answer)
    async with client_for(twilio) as client:
        attempt = await purchase(client, book, locks)
    assert attempt.state is AttemptState.BOUGHT and attempt.settled_by == "lookup"
    assert "confirmed by looking it up" in attempt.headline()
    assert len(twilio.posts) == 1 and len(twilio.lookups) == 2
    record = read(attempt.receipt)
    assert record["outcome"] == "bought" and record["settled_by"] == "lookup" and record["lookup"] == "found"


async def test_ambiguous_answer_and_not_on_the_account_is_unknown_not_failed(book, locks):
    twilio = FakeTwilio(commit=False, answer=httpx.Response(502, text="Bad Gateway"))
    async with client_for(twilio) as client:
        attempt = await purchase(client, book, locks)
    assert attempt.state is AttemptState.UNKNOWN and attempt.lookup == "absent"
    assert "looked up and is not on the account yet" in attempt.headline()
    assert read(attempt.receipt)["outcome"] == "unknown"


async def test_never_left_this_machine_is_not_bought(book, locks):
    calls = []

    def refuse_the_post(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if request.method == "POST":
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(200, json={"incoming_phone_numbers": []})

    async with client_for(refuse_the_post) as client:
        attempt = await purchase(client, book, locks)
    assert attempt.state is AttemptState.FAILED and attempt.retry_safe
    assert isinstance(attempt.error, TwilioUnreachable) and attempt.error.sent is False
    assert read(attempt.receipt)["outcome"] == "failed"
    assert calls == ["GET", "POST"]  # nothing reached Twilio: nothing to look up after


async def test_timeout_after_twilio_committed_is_bought_by_lookup(book, locks):
    twilio = FakeTwilio(commit=True, answer=httpx.ReadTimeout)
    async with client_for(twilio) as client:
        attempt = await purchase(client, book, locks)
    assert attempt.state is AttemptState.BOUGHT and attempt.settled_by == "lookup"
    assert len(twilio.posts) == 1  # never posted again
    assert twilio.lookups[-1].url.params["PhoneNumber"] == UK_MOBILE


async def test_unknown_then_check_again_finds_it(book, locks):
    twilio = FakeTwilio(commit=False, answer=httpx.ReadTimeout)
    async with client_for(twilio) as client:
        attempt = await purchase(client, book, locks)
        assert attempt.state is AttemptState.UNKNOWN
        assert isinstance(attempt.error, TwilioUnreachable) and attempt.error.sent
        assert "never bought twice" in attempt.headline()
        # Later the number shows up: looking again settles it, still without a POST.
        twilio.owned.append(created())
        await settle(client, attempt, book)
    assert attempt.state is AttemptState.BOUGHT and attempt.settled_by == "lookup"
    record = read(attempt.receipt)
    assert record["outcome"] == "bought" and record["settled_by"] == "lookup"
    assert len(twilio.posts) == 1 and len(twilio.lookups) == 3


async def test_still_absent_long_after_sending_settles_as_not_bought(book, locks, clock):
    twilio = FakeTwilio(commit=False, answer=httpx.ReadTimeout)
    async with client_for(twilio) as client:
        attempt = await purchase(client, book, locks)
        assert attempt.state is AttemptState.UNKNOWN
        clock.now = START + timedelta(seconds=SETTLE_ABSENT_AFTER - 1)
        await settle(client, attempt, book)
        assert attempt.state is AttemptState.UNKNOWN  # too soon to say
        clock.now = START + timedelta(seconds=SETTLE_ABSENT_AFTER)
        await settle(client, attempt, book)
    assert attempt.state is AttemptState.FAILED and attempt.settled_by == "lookup" and attempt.retry_safe
    assert "safe to try again" in attempt.headline()
    assert read(attempt.receipt)["outcome"] == "failed"


async def test_timeout_and_the_lookup_fails_too_is_unknown(book, locks):
    twilio = FakeTwilio(
        commit=True, answer=httpx.ReadTimeout, lookup_error=twilio_error(500, 20500, "Internal error")
    )
    async with client_for(twilio) as client:
        attempt = await purchase(client, book, locks)
    assert attempt.state is AttemptState.UNKNOWN and attempt.lookup == "failed"
    assert "could not be looked up" in attempt.headline()
    record = read(attempt.receipt)
    assert record["outcome"] == "unknown" and record["lookup_error"]["code"] == 20500
    assert len(twilio.posts) == 1


async def test_sandbox_flag_is_recorded(book, locks):
    async with client_for(FakeTwilio()) as client:
        attempt = await purchase(client, book, locks, sandbox=True)
    assert read(attempt.receipt)["sandbox"] is True


# ---------------------------------------------------------------------------
# Never an owned number


async def test_an_owned_number_is_never_posted(book, locks):
    twilio = FakeTwilio()
    twilio.owned.append(created())
    async with client_for(twilio) as client:
        attempt = await purchase(client, book, locks)
    assert attempt.state is AttemptState.FAILED and isinstance(attempt.error, AlreadyOwned)
    assert "already yours" in attempt.headline()
    assert PN_SID in str(attempt.error) and "overwrite its settings" in str(attempt.error)
    assert twilio.posts == [] and attempt.receipt is None and book.load_all() == []


async def test_no_purchase_when_ownership_cannot_be_checked(book, locks):
    def lookups_fail(request: httpx.Request) -> httpx.Response:
        assert request.method == "GET", "nothing may be posted"
        return twilio_error(500, 20500, "Internal error")

    async with client_for(lookups_fail) as client:
        attempt = await purchase(client, book, locks)
    assert attempt.state is AttemptState.FAILED and isinstance(attempt.error, OwnershipCheckFailed)
    assert "nothing was sent" in str(attempt.error)
    assert book.load_all() == []


async def test_test_credentials_that_may_not_read_numbers_still_buy(book, locks):
    # Twilio's test credentials get 20008 on reads and change nothing when buying.
    posts = []

    def test_credentials(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return twilio_error(403, 20008, "Cannot access this resource with Test Credentials")
        posts.append(request)
        return httpx.Response(201, json=created())

    async with client_for(test_credentials) as client:
        attempt = await purchase(client, book, locks)
    assert attempt.state is AttemptState.BOUGHT and len(posts) == 1


# ---------------------------------------------------------------------------
# Stopping the wait


async def test_stop_waiting_during_the_post_looks_the_number_up(book, locks):
    posted = asyncio.Event()
    owned: list[dict] = []
    requests: list[str] = []

    async def slow_twilio(request: httpx.Request) -> httpx.Response:
        requests.append(request.method)
        if request.method == "POST":
            owned.append(created())  # Twilio commits, then the answer never comes
            posted.set()
            await asyncio.Event().wait()
        return httpx.Response(200, json={"incoming_phone_numbers": owned})

    sending: list[dict] = []
    async with client_for(slow_twilio) as client:
        attempt = PurchaseAttempt.prepare(client, REQUEST, sandbox=False)
        task = asyncio.create_task(
            buy(client, attempt, book, locks, on_sending=lambda a: sending.append(read(a.receipt)))
        )
        await posted.wait()
        assert attempt.sending and [r["outcome"] for r in sending] == ["sending"]
        attempt.stop_waiting()
        await task
    assert attempt.state is AttemptState.BOUGHT and attempt.settled_by == "lookup"
    assert isinstance(attempt.error, StoppedWaiting) or attempt.error is None
    assert requests == ["GET", "POST", "GET"]
    assert read(attempt.receipt)["outcome"] == "bought"


async def test_stop_waiting_before_sending_sends_nothing(book, locks):
    checking = asyncio.Event()

    async def slow_lookup(request: httpx.Request) -> httpx.Response:
        assert request.method == "GET", "nothing may be posted"
        checking.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async with client_for(slow_lookup) as client:
        attempt = PurchaseAttempt.prepare(client, REQUEST, sandbox=False)
        task = asyncio.create_task(buy(client, attempt, book, locks))
        await checking.wait()
        attempt.stop_waiting()
        await task
    assert attempt.state is AttemptState.FAILED and attempt.retry_safe
    assert isinstance(attempt.error, StoppedWaiting) and attempt.receipt is None


async def test_a_closing_caller_leaves_an_unknown_receipt_never_sending(book, locks):
    posted = asyncio.Event()

    async def never_answers(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            posted.set()
            await asyncio.Event().wait()
        return httpx.Response(200, json={"incoming_phone_numbers": []})

    async with client_for(never_answers) as client:
        attempt = PurchaseAttempt.prepare(client, REQUEST, sandbox=False)
        task = asyncio.create_task(buy(client, attempt, book, locks))
        await posted.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert attempt.state is AttemptState.UNKNOWN and attempt.lookup is None
    assert read(attempt.receipt)["outcome"] == "unknown"


# ---------------------------------------------------------------------------
# One buyer per number


async def test_two_attempts_at_once_post_once(book, locks):
    """Two buyers of one number overlap: the second waits for the lock, then
    finds the number owned. (Two processes: tests/e2e/test_purchase_integrity.py.)"""
    release = asyncio.Event()
    twilio_owned: list[dict] = []
    posts = []

    async def slow_post(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            posts.append(request)
            await release.wait()
            twilio_owned.append(created())
            return httpx.Response(201, json=created())
        return httpx.Response(200, json={"incoming_phone_numbers": list(twilio_owned)})

    waited = []
    async with client_for(slow_post) as client:
        first = asyncio.create_task(purchase(client, book, locks))
        while not posts:
            await asyncio.sleep(0.01)
        second = asyncio.create_task(purchase(client, book, locks, on_lock_wait=lambda: waited.append(1)))
        await asyncio.sleep(0.3)
        assert waited == [1] and len(posts) == 1
        release.set()
        one, two = await first, await second
    assert one.state is AttemptState.BOUGHT
    assert two.state is AttemptState.FAILED and isinstance(two.error, AlreadyOwned)
    assert len(posts) == 1


async def test_a_lock_held_too_long_sends_nothing(book, locks):
    holder = locks.for_number(ACCOUNT_SID, UK_MOBILE)
    assert holder.try_acquire()
    twilio = FakeTwilio()
    try:
        async with client_for(twilio) as client:
            attempt = await purchase(client, book, locks, lock_wait=0.2)
    finally:
        holder.release()
    assert attempt.state is AttemptState.FAILED and isinstance(attempt.error, BuyerBusy)
    assert twilio.posts == [] and twilio.lookups == []


# ---------------------------------------------------------------------------
# Recovery at start


def left_sending(book: ReceiptBook, *, url=None, account=ACCOUNT_SID, sandbox=False, number=UK_MOBILE):
    return book.start(
        method="POST",
        url=url or "https://api.twilio.com" + PURCHASE_PATH,
        form={"PhoneNumber": number, "FriendlyName": "Support"},
        account_sid=account,
        auth_kind="auth_token",
        sandbox=sandbox,
    )


async def test_recovery_settles_what_a_killed_process_left(book, locks, clock):
    bought = left_sending(book)
    clock.now = START + timedelta(seconds=1)
    gone = left_sending(book, number="+447400123999")
    twilio = FakeTwilio()
    twilio.owned.append(created())
    clock.now = START + timedelta(minutes=10)
    async with client_for(twilio) as client:
        found = await recover_unfinished(client, book, locks, sandbox=False)
    states = {a.phone_number: a.state for a in found}
    assert states == {UK_MOBILE: AttemptState.BOUGHT, "+447400123999": AttemptState.FAILED}
    assert read(bought)["outcome"] == "bought" and read(bought)["settled_by"] == "lookup"
    assert read(gone)["outcome"] == "failed" and read(gone)["settled_by"] == "lookup"
    assert twilio.posts == []
    lines = [describe_recovered(a) for a in found]
    assert "it went through" in lines[0] and PN_SID in lines[0]
    assert "it did not go through" in lines[1]


async def test_recovery_soon_after_the_crash_stays_unknown(book, locks, clock):
    receipt = left_sending(book)
    clock.now = START + timedelta(seconds=5)
    async with client_for(FakeTwilio()) as client:
        [attempt] = await recover_unfinished(client, book, locks, sandbox=False)
    assert attempt.state is AttemptState.UNKNOWN and attempt.lookup == "absent"
    assert read(receipt)["outcome"] == "unknown"
    assert "still unknown" in describe_recovered(attempt)


async def test_recovery_leaves_other_accounts_endpoints_and_live_buyers_alone(book, locks):
    other_account = left_sending(book, account="AC" + "9" * 32)
    other_endpoint = left_sending(book, url="http://127.0.0.1:9/2010-04-01/x")
    in_process_sandbox = left_sending(book, sandbox=True)
    busy = left_sending(book, number="+447400123777")
    holder = locks.for_number(ACCOUNT_SID, "+447400123777")
    assert holder.try_acquire()  # another process is buying it right now
    try:
        async with client_for(FakeTwilio()) as client:
            found = await recover_unfinished(client, book, locks, sandbox=False)
    finally:
        holder.release()
    assert found == []
    for receipt in (other_account, other_endpoint, in_process_sandbox, busy):
        assert read(receipt)["outcome"] == "sending"


async def test_in_process_sandbox_receipts_end_with_the_sandbox(book, locks):
    receipt = left_sending(book, sandbox=True)
    twilio = FakeTwilio()
    async with client_for(twilio) as client:
        [attempt] = await recover_unfinished(client, book, locks, sandbox=True)
    assert attempt.state is AttemptState.FAILED and attempt.settled_by == "sandbox-ended"
    assert read(receipt)["outcome"] == "failed"
    assert twilio.lookups == []
    assert "rehearsal" in describe_recovered(attempt)


# ---------------------------------------------------------------------------
# Receipts are written off the event loop


async def test_receipts_are_written_in_threads_not_on_the_event_loop(book, locks, monkeypatch):
    """fsync waits for the disk: never on the loop that draws the screen."""
    loop_thread = threading.current_thread()
    writers: list[tuple[str, bool]] = []
    real_write = receipts_module.write_private

    def recording_write(path, text):
        writers.append((json.loads(text)["outcome"], threading.current_thread() is loop_thread))
        real_write(path, text)

    monkeypatch.setattr(receipts_module, "write_private", recording_write)
    for twilio in (FakeTwilio(), FakeTwilio(commit=True, answer=httpx.ReadTimeout)):
        async with client_for(twilio) as client:
            attempt = await purchase(client, book, locks)
        assert attempt.state is AttemptState.BOUGHT
    assert [outcome for outcome, _ in writers] == ["sending", "bought", "sending", "bought"]
    assert not any(on_loop for _, on_loop in writers), writers


def test_a_slow_receipt_write_never_replaces_a_later_outcome(book):
    """Outcomes are recorded in the order they happen, whichever thread writes first."""
    receipt = left_sending(book)
    stopped = receipt.change(outcome="unknown")  # "stopped waiting", written slowly…
    settled = receipt.change(outcome="bought")  # …after the lookup settled it
    receipt.write(settled)
    receipt.write(stopped)
    assert read(receipt)["outcome"] == "bought"


async def test_stopping_while_the_receipt_is_written_sends_nothing_and_says_so(book, locks, monkeypatch):
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
    async with client_for(twilio) as client:
        attempt = PurchaseAttempt.prepare(client, REQUEST, sandbox=False)
        task = asyncio.create_task(buy(client, attempt, book, locks))
        await asyncio.to_thread(writing.wait, 5)
        attempt.stop_waiting()
        release.set()
        await task
    assert twilio.posts == []
    assert attempt.state is AttemptState.FAILED and attempt.retry_safe
    [receipt] = book.load_all()
    assert receipt.outcome == "failed"
    assert receipt.record["error"]["message"] == "Stopped before the request was sent."
