"""What follows a purchase: adding the bought number to a Messaging Service
(https://www.twilio.com/docs/messaging/api/phonenumber-resource), with an outcome of
its own that never changes the purchase's. Sent once the number is bought (by the
answer or by a lookup, also when an interrupted purchase is recovered), never when
it is not; a lost answer is looked up, never sent twice; a retry is safe (21710, the
number already in the service, counts as done). In-memory Twilio (httpx.MockTransport)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from tests.support.fakes import ACCOUNT_SID, PN_SID, UK_MOBILE, twilio_error
from tests.unit.test_purchase_service import (
    LOOKUP_PATH,
    PURCHASE_PATH,
    REQUEST,
    START,
    Clock,
    client_for,
    created,
    read,
)
from tui.domain.follow_up import FollowUpRequest, build_follow_up
from tui.services.purchase import (
    AttemptState,
    PurchaseAttempt,
    buy,
    describe_recovered,
    recover_unfinished,
    retry_follow_ups,
)
from tui.services.purchase_lock import PurchaseLocks
from tui.services.receipts import ReceiptBook
from tui.wizard.commands import curl_command, join_service_twilio_cli, number_wizard_command

SERVICE = "MG" + "4" * 32
JOIN_PATH = f"/v1/Services/{SERVICE}/PhoneNumbers"
FOLLOW_UP = FollowUpRequest(messaging_service_sid=SERVICE)


def in_service(sid: str = PN_SID) -> dict:
    return {
        "sid": sid,
        "service_sid": SERVICE,
        "account_sid": "AC" + "0" * 32,
        "phone_number": UK_MOBILE,
        "country_code": "GB",
        "date_created": "2026-01-02T03:04:05Z",
        "url": f"https://messaging.twilio.com{JOIN_PATH}/{sid}",
    }


class FakeTwilio:
    """A purchase that buys (or is refused), and a Messaging Service whose join
    answers from `join_answers` in turn (default: 201)."""

    def __init__(self, *, refuse_purchase: bool = False, join_answers=(), lookup=None):
        self.refuse_purchase = refuse_purchase
        self.join_answers = list(join_answers)
        self.lookup = lookup  # the service's GET of the number: a Response, or None for "what joined"
        self.owned: list[dict] = []
        self.joined: list[str] = []
        self.joins: list[httpx.Request] = []
        self.service_lookups: list[httpx.Request] = []
        self.purchases = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST" and path == PURCHASE_PATH:
            self.purchases += 1
            if self.refuse_purchase:
                return twilio_error(400, 21422, "not available")
            self.owned.append(created())
            return httpx.Response(201, json=created())
        if request.method == "GET" and path == LOOKUP_PATH:
            wanted = request.url.params["PhoneNumber"]
            return httpx.Response(
                200,
                json={"incoming_phone_numbers": [n for n in self.owned if n["phone_number"] == wanted]},
            )
        if request.method == "POST" and path == JOIN_PATH:
            assert request.url.host == "messaging.twilio.com"
            self.joins.append(request)
            answer = self.join_answers.pop(0) if self.join_answers else None
            sid = dict(httpx.QueryParams(request.content.decode()))["PhoneNumberSid"]
            if answer is None or answer == "commit-then-lose":
                self.joined.append(sid)
            if answer == "commit-then-lose":
                raise httpx.ReadTimeout("simulated", request=request)
            if isinstance(answer, httpx.Response):
                return answer
            return httpx.Response(201, json=in_service(sid))
        if request.method == "GET" and path.startswith(JOIN_PATH + "/"):
            self.service_lookups.append(request)
            if self.lookup is not None:
                return self.lookup
            sid = path.rsplit("/", 1)[1]
            if sid in self.joined:
                return httpx.Response(200, json=in_service(sid))
            return twilio_error(404, 20404, "not found")
        raise AssertionError(f"unexpected {request.method} {request.url}")


@pytest.fixture
def book(tmp_path: Path) -> ReceiptBook:
    return ReceiptBook(tmp_path / "receipts", clock=Clock())


@pytest.fixture
def locks(tmp_path: Path) -> PurchaseLocks:
    return PurchaseLocks(tmp_path / "locks")


async def bought_with_service(twilio, book, locks) -> PurchaseAttempt:
    async with client_for(twilio) as client:
        attempt = PurchaseAttempt.prepare(
            client, REQUEST, sandbox=False, follow_up=FOLLOW_UP, service_name="Alerts"
        )
        return await buy(client, attempt, book, locks)


async def test_the_number_joins_its_service_right_after_it_is_bought(book, locks):
    twilio = FakeTwilio()
    attempt = await bought_with_service(twilio, book, locks)
    assert attempt.state is AttemptState.BOUGHT
    [follow_up] = attempt.follow_ups
    assert follow_up.state == "done" and follow_up.settled_by == "answer" and follow_up.attempts == 1
    assert [dict(httpx.QueryParams(r.content.decode())) for r in twilio.joins] == [{"PhoneNumberSid": PN_SID}]
    assert attempt.follow_up_lines() == [f"Added {UK_MOBILE} to Messaging Service {SERVICE} (Alerts)."]
    record = read(attempt.receipt)
    assert record["outcome"] == "bought"
    assert record["follow_ups"] == [
        {
            "kind": "messaging-service",
            "service_sid": SERVICE,
            "outcome": "done",
            "attempts": 1,
            "service_name": "Alerts",
            "request": {
                "method": "POST",
                "url": f"https://messaging.twilio.com{JOIN_PATH}",
                "form": {"PhoneNumberSid": PN_SID},
            },
            "settled_by": "answer",
            "resource": {**in_service(), "date_created": "2026-01-02T03:04:05Z"},
        }
    ]


async def test_nothing_follows_a_purchase_that_failed(book, locks):
    twilio = FakeTwilio(refuse_purchase=True)
    attempt = await bought_with_service(twilio, book, locks)
    assert attempt.state is AttemptState.FAILED
    assert twilio.joins == [] and attempt.follow_ups[0].state == "pending"
    assert attempt.follow_up_lines() == [
        f"Not added to Messaging Service {SERVICE} (Alerts): the number was not bought."
    ]
    assert attempt.follow_ups_to_retry == []


async def test_a_refused_join_keeps_the_purchase_and_a_retry_sends_only_the_join(book, locks):
    twilio = FakeTwilio(join_answers=[twilio_error(409, 21712, "in another Messaging Service")])
    attempt = await bought_with_service(twilio, book, locks)
    assert attempt.state is AttemptState.BOUGHT
    [follow_up] = attempt.follow_ups
    assert follow_up.state == "failed" and follow_up.error is not None
    assert "21712" in str(follow_up.error) or getattr(follow_up.error, "code", None) == 21712
    assert attempt.follow_ups_to_retry == [follow_up]
    line = attempt.follow_up_lines()[0]
    assert line.startswith(f"{UK_MOBILE} was not added to Messaging Service {SERVICE} (Alerts):")
    assert line.endswith("The number itself is bought.")
    assert read(attempt.receipt)["outcome"] == "bought"
    assert read(attempt.receipt)["follow_ups"][0]["outcome"] == "failed"
    async with client_for(twilio) as client:
        await retry_follow_ups(client, attempt, book)
    assert follow_up.state == "done" and follow_up.attempts == 2 and follow_up.error is None
    assert twilio.purchases == 1 and len(twilio.joins) == 2
    assert read(attempt.receipt)["follow_ups"][0]["outcome"] == "done"


async def test_already_in_the_service_counts_as_done(book, locks):
    twilio = FakeTwilio(join_answers=[twilio_error(400, 21710, "already in the Messaging Service")])
    attempt = await bought_with_service(twilio, book, locks)
    [follow_up] = attempt.follow_ups
    assert follow_up.state == "done" and follow_up.already
    assert attempt.follow_up_lines() == [
        f"{UK_MOBILE} is in Messaging Service {SERVICE} (Alerts) (it was already there)."
    ]


async def test_a_lost_answer_is_looked_up_never_sent_twice(book, locks):
    twilio = FakeTwilio(join_answers=["commit-then-lose"])
    attempt = await bought_with_service(twilio, book, locks)
    [follow_up] = attempt.follow_ups
    assert follow_up.state == "done" and follow_up.settled_by == "lookup"
    assert len(twilio.joins) == 1 and len(twilio.service_lookups) == 1
    assert "(confirmed by looking it up)" in attempt.follow_up_lines()[0]


async def test_a_lost_answer_and_not_in_the_service_is_failed(book, locks):
    twilio = FakeTwilio(join_answers=[twilio_error(500, 20500, "internal error")])
    attempt = await bought_with_service(twilio, book, locks)
    [follow_up] = attempt.follow_ups
    assert follow_up.state == "failed" and follow_up.settled_by == "lookup"
    assert len(twilio.joins) == 1


async def test_a_lost_answer_that_cannot_be_looked_up_is_unknown(book, locks):
    twilio = FakeTwilio(
        join_answers=[twilio_error(500, 20500, "internal error")],
        lookup=twilio_error(500, 20500, "internal error"),
    )
    attempt = await bought_with_service(twilio, book, locks)
    [follow_up] = attempt.follow_ups
    assert follow_up.state == "unknown"
    assert attempt.follow_up_lines()[0].startswith(f"Unknown whether {UK_MOBILE} was added")
    assert "adding it again is safe" in attempt.follow_up_lines()[0]
    assert attempt.follow_ups_to_retry == [follow_up]


async def test_a_recovered_purchase_found_bought_joins_its_service(tmp_path, locks):
    clock = Clock()
    book = ReceiptBook(tmp_path / "recovered", clock=clock)
    receipt = book.start(
        method="POST",
        url="https://api.twilio.com" + PURCHASE_PATH,
        form={"PhoneNumber": UK_MOBILE, "FriendlyName": "Support"},
        account_sid=ACCOUNT_SID,
        auth_kind="auth_token",
        sandbox=False,
        follow_ups=[
            {"kind": "messaging-service", "service_sid": SERVICE, "outcome": "pending", "attempts": 0}
        ],
    )
    twilio = FakeTwilio()
    twilio.owned.append(created())
    clock.now = START + timedelta(minutes=10)
    async with client_for(twilio) as client:
        [attempt] = await recover_unfinished(client, book, locks, sandbox=False)
    assert attempt.state is AttemptState.BOUGHT
    assert attempt.follow_ups[0].state == "done" and len(twilio.joins) == 1
    assert read(receipt)["follow_ups"][0]["outcome"] == "done"
    assert describe_recovered(attempt).endswith(f"Added {UK_MOBILE} to Messaging Service {SERVICE}.")


def test_a_follow_up_sid_is_checked_by_the_catalogue_rule():
    follow_up, problems = build_follow_up({"messaging_service_sid": "MG123"})
    assert follow_up is None and [p.field for p in problems] == ["messaging_service_sid"]
    follow_up, problems = build_follow_up({"messaging_service_sid": f"  {SERVICE} "})
    assert problems == [] and follow_up is not None and follow_up.messaging_service_sid == SERVICE
    assert build_follow_up({})[0] == FollowUpRequest() and FollowUpRequest().empty


def test_the_commands_carry_the_second_request():
    assert number_wizard_command(REQUEST, sandbox=False, follow_up=FOLLOW_UP).endswith(
        f"--messaging-service-sid {SERVICE}"
    )
    # The SID only known later stays a shell variable, expanded by the shell.
    assert join_service_twilio_cli(SERVICE) == (
        f"twilio api:messaging:v1:services:phone-numbers:create --service-sid {SERVICE} "
        '--phone-number-sid "$PHONE_NUMBER_SID"'
    )
    async_free = client_for(FakeTwilio())
    join = async_free.prepare_messaging_service_join(SERVICE, "$PHONE_NUMBER_SID")
    curl = curl_command(join, api_key=False)
    assert f"curl -X POST https://messaging.twilio.com{JOIN_PATH}" in curl
    assert '--data-urlencode "PhoneNumberSid=$PHONE_NUMBER_SID"' in curl
    # Anything typed is quoted: never expanded.
    odd = client_for(FakeTwilio()).prepare_messaging_service_join(SERVICE, "$(rm -rf ~)")
    assert "--data-urlencode 'PhoneNumberSid=$(rm -rf ~)'" in curl_command(odd, api_key=False)


def test_a_receipt_record_reads_back():
    from tui.services.purchase import FollowUp

    follow_up = FollowUp(SERVICE, service_name="Alerts", state="failed", attempts=2)
    back = FollowUp.from_record(json.loads(json.dumps(follow_up.record())))
    assert back is not None
    assert (back.service_sid, back.service_name, back.state, back.attempts) == (
        SERVICE,
        "Alerts",
        "failed",
        2,
    )
    assert FollowUp.from_record({"kind": "something else", "service_sid": SERVICE}) is None
