"""Buying a number: one purchase attempt, from the ownership check to a settled
outcome, used alike by the wizard and by `number-wizard buy`.

What it promises:

* **Never sent twice.** Under a per-number lock on this machine
  (`purchase_lock`), a fresh lookup must show that the account does not own the
  number before the POST goes out; an owned number is never POSTed (Twilio
  treats a re-POST as an update of its settings). The POST itself is never
  retried.
* **Never a false outcome.** Twilio's own refusals (a 4xx with its error body)
  are failures; the answers Twilio documents as "not processed" (429/20429,
  503/20503) are failures that are safe to try again; a request that provably
  never left (connection refused, a name that does not resolve) is a failure.
  Everything else (a timeout, a dropped connection, a 5xx, a gateway's page, an
  unreadable 2xx, the person stopping the wait) is *ambiguous*: the number is
  looked up on the account, and the outcome is "bought" if it is there, else
  "unknown" until a later lookup settles it.
* **Always a receipt.** Written before the request goes out, completed with the
  outcome and how it was settled; unfinished receipts are settled by
  `recover_unfinished` at the next start.

A purchase may carry **follow-ups**: requests that belong with it without being
part of it (adding the new number to a Messaging Service). They run once the number
is bought (by Twilio's answer or by a lookup), each with its own outcome in the
receipt, and never change the purchase's outcome: a failed follow-up leaves a bought
number bought. They are safe to run again (`retry_follow_ups`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from tui.domain.attempt import AttemptState
from tui.domain.errors import TwilioApiError, TwilioUnreachable, WizardError
from tui.domain.fields import FIELDS_BY_WIRE
from tui.domain.follow_up import FollowUpRequest
from tui.domain.purchase import FieldDifference, PurchaseRequest, build_request, differences
from tui.domain.resources import IncomingPhoneNumber, MessagingServicePhoneNumber
from tui.services.purchase_lock import DEFAULT_WAIT, BuyerBusy, PurchaseLocks
from tui.services.receipts import Receipt, ReceiptBook, error_record, outcome_fields
from tui.services.twilio import PreparedRequest, TwilioClient

T = TypeVar("T")

# A number that is still not on the account this long after its POST was sent
# was not bought: the POST's read timeout (60 s) has long passed, so Twilio has
# answered it one way or the other. Sooner than that, "not there yet" proves nothing.
SETTLE_ABSENT_AFTER = 120.0

# Twilio's "not available with test credentials" (https://www.twilio.com/docs/errors/20008).
# Test credentials change nothing on any account
# (https://www.twilio.com/docs/iam/test-credentials): nothing to look up, nothing bought twice.
TEST_CREDENTIALS_CODE = 20008


Lookup = Literal["found", "absent", "failed"]
SettledBy = Literal["answer", "lookup", "sandbox-ended", "test-credentials"]
FollowUpState = Literal["pending", "done", "failed", "unknown"]

# Twilio's "Phone Number or Short Code is already in the Messaging Service": adding a
# number again is refused, which for a retry means it was added the first time
# (https://www.twilio.com/docs/errors/21710, seen in
# https://github.com/mozilla/fx-private-relay/pull/2613).
ALREADY_IN_SERVICE_CODE = 21710


class AlreadyOwned(WizardError):
    """The account owns the number already: buying it again would only overwrite
    its settings, so nothing is sent."""

    def __init__(self, phone_number: str, resource: IncomingPhoneNumber) -> None:
        self.phone_number = phone_number
        self.resource = resource
        name = f', "{resource.friendly_name}"' if resource.friendly_name else ""
        super().__init__(
            f"This account already owns {phone_number} ({resource.sid}{name}), so nothing was "
            "sent: buying it again would only overwrite its settings. Choose another number, "
            "or change this one's settings instead (Change in the wizard, `number-wizard numbers "
            "update` on the command line)."
        )


class OwnershipCheckFailed(WizardError):
    """Whether the account owns the number could not be found out, so nothing was sent."""

    def __init__(self, phone_number: str, cause: WizardError) -> None:
        self.cause = cause
        self.headline = (
            f"Could not check whether this account already owns {phone_number}, so nothing was sent."
        )
        super().__init__(f"{self.headline} ({cause})")

    def lines(self) -> list[str]:
        explain = getattr(self.cause, "lines", None)
        return [self.headline, *(explain() if callable(explain) else [str(self.cause)])]


class StoppedWaiting(WizardError):
    """The person (or a signal) stopped the wait for Twilio's answer."""


class _Stopped(Exception):
    """Internal: `stop_waiting` interrupted a step; `started` says whether the
    step had begun (for the POST: whether the request may have left)."""

    def __init__(self, *, started: bool) -> None:
        super().__init__()
        self.started = started


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(eq=False)
class FollowUp:
    """Adding the bought number to a Messaging Service: a request of its own, sent
    once the number is bought, with an outcome of its own (`pending → done | failed |
    unknown`) that never changes the purchase's. Safe to send again: a number
    already in the service is refused with 21710, which counts as done."""

    service_sid: str
    service_name: str | None = None  # for messages only, when known
    kind: str = "messaging-service"
    state: FollowUpState = "pending"
    error: WizardError | None = None
    already: bool = False  # Twilio said it was in the service already (21710)
    settled_by: Literal["answer", "lookup"] | None = None
    resource: MessagingServicePhoneNumber | None = None
    request: PreparedRequest | None = None  # as last sent
    attempts: int = 0

    @property
    def service(self) -> str:
        return f"{self.service_sid} ({self.service_name})" if self.service_name else self.service_sid

    def headline(self, phone_number: str, *, bought: bool = True) -> str:
        """One line about this follow-up's outcome."""
        where = f"Messaging Service {self.service}"
        if self.state == "done":
            if self.already:
                return f"{phone_number} is in {where} (it was already there)."
            how = " (confirmed by looking it up)" if self.settled_by == "lookup" else ""
            return f"Added {phone_number} to {where}{how}."
        if self.state == "pending":
            if not bought:
                return f"Not added to {where}: the number was not bought."
            return f"{phone_number} will be added to {where}."
        why = f": {self.error}" if self.error is not None else ""
        if self.state == "unknown":
            return (
                f"Unknown whether {phone_number} was added to {where}{why}. The number itself is "
                "bought; adding it again is safe (Twilio says so if it is there already)."
            )
        return f"{phone_number} was not added to {where}{why}. The number itself is bought."

    def record(self) -> dict[str, Any]:
        """What the receipt keeps about this follow-up."""
        record: dict[str, Any] = {
            "kind": self.kind,
            "service_sid": self.service_sid,
            "outcome": self.state,
            "attempts": self.attempts,
        }
        if self.service_name:
            record["service_name"] = self.service_name
        if self.request is not None:
            record["request"] = self.request.as_json()
        if self.settled_by is not None:
            record["settled_by"] = self.settled_by
        if self.already:
            record["already"] = True
        if self.error is not None:
            record["error"] = error_record(self.error)
        if self.resource is not None:
            record["resource"] = self.resource.model_dump(mode="json")
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> FollowUp | None:
        sid = record.get("service_sid")
        if record.get("kind") != "messaging-service" or not isinstance(sid, str):
            return None
        state = record.get("outcome")
        follow_up = cls(
            sid,
            service_name=record.get("service_name") or None,
            state=state if state in ("pending", "done", "failed", "unknown") else "pending",
            already=bool(record.get("already")),
            attempts=int(record.get("attempts") or 0),
        )
        if follow_up.state in ("failed", "unknown") and isinstance(record.get("error"), dict):
            follow_up.error = WizardError(str(record["error"].get("message", "")))
        return follow_up


@dataclass(eq=False)
class PurchaseAttempt:
    """One purchase of one number: the exact request, its receipt and its state
    (`ready → sending → bought | failed | unknown`, and `unknown → bought |
    failed` when a lookup settles it). Whatever shows the purchase (the Review,
    the Summary, the quit dialog, the command line) reads it from here."""

    prepared: PreparedRequest  # exactly what is (or was) sent, never rebuilt
    account_sid: str
    auth_kind: str
    sandbox: bool
    request: PurchaseRequest | None = None  # None for an attempt rebuilt from a receipt it cannot parse
    state: AttemptState = AttemptState.READY
    receipt: Receipt | None = None
    resource: IncomingPhoneNumber | None = None
    error: WizardError | None = None  # why it failed, or why it is unknown
    sent_at: datetime | None = None
    settled_by: SettledBy | None = None
    lookup: Lookup | None = None  # what the last lookup found
    lookup_error: WizardError | None = None
    # Failed, and certainly not processed: nothing left, or Twilio said so.
    retry_safe: bool = False
    differences: list[FieldDifference] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    _pending_stop: bool = field(default=False, repr=False)
    _in_flight: asyncio.Future[Any] | None = field(default=None, repr=False)

    @classmethod
    def prepare(
        cls,
        client: TwilioClient,
        request: PurchaseRequest,
        *,
        sandbox: bool,
        follow_up: FollowUpRequest | None = None,
        service_name: str | None = None,
    ) -> PurchaseAttempt:
        """`follow_up`: what to do with the number once bought (its Messaging
        Service; `service_name` only names it in messages)."""
        creds = client.credentials
        follow_ups = []
        if follow_up is not None and follow_up.messaging_service_sid:
            follow_ups.append(FollowUp(follow_up.messaging_service_sid, service_name=service_name))
        return cls(
            prepared=client.prepare_purchase(request),
            account_sid=creds.account_sid,
            auth_kind=creds.auth_kind,
            sandbox=sandbox,
            request=request,
            follow_ups=follow_ups,
        )

    @classmethod
    def from_receipt(cls, receipt: Receipt) -> PurchaseAttempt:
        """An attempt an earlier process left unfinished, to be settled now."""
        record = receipt.record
        sent = record["request"]
        prepared = PreparedRequest(
            str(sent.get("method", "POST")), str(sent.get("url", "")), dict(sent.get("form") or {})
        )
        request = _request_from_form(prepared.form)
        try:
            sent_at = datetime.fromisoformat(str(record.get("started_at")))
        except ValueError:
            sent_at = None
        follow_ups = [
            follow_up
            for item in record.get("follow_ups") or []
            if isinstance(item, dict) and (follow_up := FollowUp.from_record(item)) is not None
        ]
        return cls(
            prepared=prepared,
            account_sid=str(record.get("account_sid", "")),
            auth_kind=str(record.get("auth_kind", "")),
            sandbox=bool(record.get("sandbox")),
            request=request,
            state=AttemptState.UNKNOWN,
            receipt=receipt,
            sent_at=sent_at,
            follow_ups=follow_ups,
        )

    # -- what it is -----------------------------------------------------------

    @property
    def phone_number(self) -> str:
        return self.prepared.form.get("PhoneNumber", "")

    @property
    def phone_number_sid(self) -> str | None:
        """The bought number's SID (PN…), once known."""
        return self.resource.sid if self.resource is not None else None

    @property
    def follow_ups_to_retry(self) -> list[FollowUp]:
        """Follow-ups of a bought number that did not (certainly) go through."""
        if self.state is not AttemptState.BOUGHT:
            return []
        return [f for f in self.follow_ups if f.state in ("failed", "unknown")]

    def follow_up_lines(self) -> list[str]:
        """One line per follow-up, for the Summary and the command line."""
        bought = self.state is AttemptState.BOUGHT
        return [f.headline(self.phone_number, bought=bought) for f in self.follow_ups]

    @property
    def sending(self) -> bool:
        return self.state is AttemptState.SENDING

    @property
    def settled(self) -> bool:
        return self.state in (AttemptState.BOUGHT, AttemptState.FAILED)

    @property
    def was_sent(self) -> bool:
        """Whether the request may have reached Twilio (a receipt says so)."""
        return self.sent_at is not None

    def headline(self) -> str:
        number = self.phone_number
        if self.state is AttemptState.BOUGHT:
            how = " (confirmed by looking it up on the account)" if self.settled_by == "lookup" else ""
            return f"Bought {number}{how}."
        if self.state is AttemptState.FAILED:
            if isinstance(self.error, AlreadyOwned):
                return f"{number} is already yours: nothing was sent."
            if self.settled_by == "lookup":
                return (
                    f"{number} was not bought: it is still not on the account "
                    f"{SETTLE_ABSENT_AFTER / 60:.0f} minutes after the request was sent. "
                    "It is safe to try again."
                )
            if self.settled_by == "sandbox-ended":
                return (
                    f"{number} was a rehearsal on the in-process sandbox, which forgets "
                    "everything when it exits: nothing was bought or charged."
                )
            if self.settled_by == "test-credentials":
                return (
                    f"{number} was not bought: Twilio's test credentials never buy anything "
                    "(https://www.twilio.com/docs/iam/test-credentials)."
                )
            if self.retry_safe:
                return f"{number} was not bought. Nothing was processed, so it is safe to try again."
            return f"{number} was not bought."
        if self.state is AttemptState.UNKNOWN:
            if self.lookup == "absent":
                found = "it was looked up and is not on the account yet"
            else:
                found = "it could not be looked up" + (
                    f" ({self.lookup_error})" if self.lookup_error is not None else ""
                )
            return (
                f"Unknown whether {number} was bought: the request may have reached Twilio, "
                f"and {found}. Check again in a moment; number-wizard looks the number up "
                "before any new purchase, so it is never bought twice."
            )
        if self.state is AttemptState.SENDING:
            return f"Buying {number}… waiting for Twilio."
        return f"Ready to buy {number}; nothing has been sent."

    # -- stopping the wait ----------------------------------------------------

    def stop_waiting(self) -> None:
        """Stop waiting for whatever the attempt is waiting on. Before the POST
        this means nothing is sent; after it, the number is looked up (a second
        stop during the lookup gives up on it: the outcome is then unknown)."""
        if self._in_flight is not None and not self._in_flight.done():
            self._in_flight.cancel()
        else:
            self._pending_stop = True

    async def _interruptible(self, awaitable: Awaitable[T], *, before_sending: bool) -> T:
        """Await a step that `stop_waiting` may interrupt (raising `_Stopped`).
        A stop asked for between steps stops the next step only before sending:
        a request that may have reached Twilio is always looked up."""
        if self._pending_stop and before_sending:
            self._pending_stop = False
            if asyncio.iscoroutine(awaitable):
                awaitable.close()
            raise _Stopped(started=False)
        self._pending_stop = False
        task = asyncio.ensure_future(awaitable)
        self._in_flight = task
        try:
            return await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if task.cancelled() and not (current is not None and current.cancelling()):
                raise _Stopped(started=True) from None  # stop_waiting cancelled the step, not our caller
            raise
        finally:
            self._in_flight = None


def _request_from_form(form: dict[str, str]) -> PurchaseRequest | None:
    values = {FIELDS_BY_WIRE[k].name: v for k, v in form.items() if k in FIELDS_BY_WIRE}
    request, problems = build_request(values)
    return request if not problems else None


# -- ownership ---------------------------------------------------------------------


async def owned_number(client: TwilioClient, phone_number: str) -> IncomingPhoneNumber | None:
    """The number if the account owns it now (a fresh lookup, never a cached one).

    Raises `OwnershipCheckFailed` when that cannot be found out, except with
    Twilio's test credentials, which may not read numbers (20008) and never buy
    anything: there, None."""
    try:
        return await client.find_owned_number(phone_number)
    except TwilioApiError as error:
        if error.code == TEST_CREDENTIALS_CODE:
            return None
        raise OwnershipCheckFailed(phone_number, error) from None
    except WizardError as error:
        raise OwnershipCheckFailed(phone_number, error) from None


# -- buying ------------------------------------------------------------------------


async def buy(
    client: TwilioClient,
    attempt: PurchaseAttempt,
    receipts: ReceiptBook,
    locks: PurchaseLocks,
    *,
    lock_wait: float = DEFAULT_WAIT,
    on_lock_wait: Callable[[], None] | None = None,
    on_sending: Callable[[PurchaseAttempt], None] | None = None,
) -> PurchaseAttempt:
    """Run a ready attempt to an outcome (see the module doc). An outcome is
    never raised: a failure is in `attempt.error`. `on_sending` learns the moment
    the receipt is on disk and the request is about to leave."""
    if attempt.state is not AttemptState.READY:
        raise RuntimeError(f"a purchase attempt runs once (this one is {attempt.state})")
    number = attempt.phone_number
    lock = locks.for_number(attempt.account_sid, number)
    try:
        await attempt._interruptible(lock.acquire(wait=lock_wait, on_wait=on_lock_wait), before_sending=True)
    except _Stopped:
        return _fail(attempt, StoppedWaiting("Stopped before anything was sent."), retry_safe=True)
    except BuyerBusy as error:
        return _fail(attempt, error, retry_safe=True)
    try:
        try:
            owned = await attempt._interruptible(owned_number(client, number), before_sending=True)
        except _Stopped:
            return _fail(attempt, StoppedWaiting("Stopped before anything was sent."), retry_safe=True)
        except OwnershipCheckFailed as error:
            return _fail(attempt, error, retry_safe=True)
        if owned is not None:
            return _fail(attempt, AlreadyOwned(number, owned))
        await _send(client, attempt, receipts, on_sending)
        return attempt
    finally:
        lock.release()


def _fail(attempt: PurchaseAttempt, error: WizardError, *, retry_safe: bool = False) -> PurchaseAttempt:
    attempt.state = AttemptState.FAILED
    attempt.error = error
    attempt.retry_safe = retry_safe
    attempt.settled_by = "answer"
    return attempt


async def _send(
    client: TwilioClient,
    attempt: PurchaseAttempt,
    receipts: ReceiptBook,
    on_sending: Callable[[PurchaseAttempt], None] | None,
) -> None:
    prepared = attempt.prepared
    # On disk before the request leaves: a crash from here on leaves a "sending"
    # receipt that the next start settles.
    attempt.receipt = await receipts.start_in_thread(
        method=prepared.method,
        url=prepared.url,
        form=prepared.form,
        account_sid=attempt.account_sid,
        auth_kind=attempt.auth_kind,
        sandbox=attempt.sandbox,
        follow_ups=[f.record() for f in attempt.follow_ups],
    )
    attempt.state = AttemptState.SENDING
    attempt.sent_at = receipts.now()
    if on_sending is not None:
        on_sending(attempt)
    try:
        resource = await attempt._interruptible(client.send_purchase(prepared), before_sending=True)
    except _Stopped as stop:
        if not stop.started:
            attempt.sent_at = None
            _fail(attempt, StoppedWaiting("Stopped before the request was sent."), retry_safe=True)
            await _record(receipts, attempt)
            return
        stopped = StoppedWaiting("You stopped waiting for Twilio's answer.")
        await _settle_after(client, attempt, receipts, stopped)
        return
    except asyncio.CancelledError:
        # Our caller is going away (the wizard is closing). Record what is known
        # here, on this thread (a cancelled task should not await), and let it
        # go: the wizard settles the attempt before the process exits, or the
        # next start does.
        attempt.state = AttemptState.UNKNOWN
        attempt.error = StoppedWaiting("number-wizard stopped while waiting for Twilio's answer.")
        if attempt.receipt is not None:
            receipts.settle(attempt.receipt, attempt.state.value, **_receipt_fields(attempt))
        raise
    except TwilioApiError as error:
        if error.not_processed:
            _fail(attempt, error, retry_safe=True)
            await _record(receipts, attempt)
        elif error.refused:
            _fail(attempt, error)
            await _record(receipts, attempt)
        else:  # a 5xx, a gateway's page, an unreadable 2xx: it may have been processed
            await _settle_after(client, attempt, receipts, error)
        return
    except TwilioUnreachable as error:
        if not error.sent:  # the connection was never made: nothing left this machine
            _fail(attempt, error, retry_safe=True)
            await _record(receipts, attempt)
        else:
            await _settle_after(client, attempt, receipts, error)
        return
    attempt.state = AttemptState.BOUGHT
    attempt.resource = resource
    attempt.settled_by = "answer"
    attempt.differences = differences(attempt.request, resource) if attempt.request else []
    await _record(receipts, attempt)
    await run_follow_ups(client, attempt, receipts)


async def _settle_after(
    client: TwilioClient, attempt: PurchaseAttempt, receipts: ReceiptBook, cause: WizardError
) -> None:
    attempt.state = AttemptState.UNKNOWN
    attempt.error = cause
    await settle(client, attempt, receipts)


# -- settling by lookup ------------------------------------------------------------


async def settle(client: TwilioClient, attempt: PurchaseAttempt, receipts: ReceiptBook) -> PurchaseAttempt:
    """Look the number up to settle an attempt whose outcome is unknown (after an
    ambiguous answer, "Check again", or at the next start). Found: bought. Not
    found long enough after sending: failed. Otherwise it stays unknown."""
    if attempt.state is not AttemptState.UNKNOWN:
        raise RuntimeError(f"only an unknown outcome is settled (this one is {attempt.state})")
    try:
        owned = await attempt._interruptible(
            client.find_owned_number(attempt.phone_number), before_sending=False
        )
    except _Stopped:
        attempt.lookup = "failed"
        attempt.lookup_error = StoppedWaiting("you stopped the lookup")
    except TwilioApiError as error:
        if error.code == TEST_CREDENTIALS_CODE:
            attempt.state = AttemptState.FAILED
            attempt.settled_by = "test-credentials"
            attempt.lookup = "failed"
            attempt.lookup_error = error
        else:
            attempt.lookup = "failed"
            attempt.lookup_error = error
    except WizardError as error:
        attempt.lookup = "failed"
        attempt.lookup_error = error
    else:
        attempt.lookup_error = None
        if owned is not None:
            attempt.state = AttemptState.BOUGHT
            attempt.settled_by = "lookup"
            attempt.lookup = "found"
            attempt.resource = owned
            attempt.differences = differences(attempt.request, owned) if attempt.request else []
        else:
            attempt.lookup = "absent"
            sent_at = attempt.sent_at
            if sent_at is not None and (receipts.now() - sent_at).total_seconds() >= SETTLE_ABSENT_AFTER:
                attempt.state = AttemptState.FAILED
                attempt.settled_by = "lookup"
                attempt.retry_safe = True
    await _record(receipts, attempt)
    # Found bought: what was to follow the purchase follows it now.
    await run_follow_ups(client, attempt, receipts)
    return attempt


# -- follow-ups --------------------------------------------------------------------


async def run_follow_ups(
    client: TwilioClient, attempt: PurchaseAttempt, receipts: ReceiptBook, *, retry: bool = False
) -> PurchaseAttempt:
    """Send the follow-ups of a bought number that are still pending (and, with
    `retry`, those that failed or whose outcome is unknown), recording each outcome
    in the receipt. The purchase's own outcome is never touched."""
    sid = attempt.phone_number_sid
    if attempt.state is not AttemptState.BOUGHT or not sid:
        return attempt
    for follow_up in attempt.follow_ups:
        if follow_up.state == "pending" or (retry and follow_up.state in ("failed", "unknown")):
            await _join_service(client, attempt, follow_up, sid)
            await _record(receipts, attempt)
    return attempt


async def retry_follow_ups(
    client: TwilioClient, attempt: PurchaseAttempt, receipts: ReceiptBook
) -> PurchaseAttempt:
    """Send again the follow-ups that did not go through (the Summary's "Retry")."""
    return await run_follow_ups(client, attempt, receipts, retry=True)


async def _join_service(
    client: TwilioClient, attempt: PurchaseAttempt, follow_up: FollowUp, phone_number_sid: str
) -> None:
    prepared = client.prepare_messaging_service_join(follow_up.service_sid, phone_number_sid)
    follow_up.request = prepared
    follow_up.attempts += 1
    follow_up.error = None
    follow_up.already = False
    try:
        resource = await attempt._interruptible(client.join_messaging_service(prepared), before_sending=True)
    except _Stopped as stop:
        if not stop.started:
            follow_up.state = "failed"
            follow_up.error = StoppedWaiting("stopped before it was sent")
            return
        await _look_up_join(
            client, attempt, follow_up, phone_number_sid, StoppedWaiting("you stopped waiting")
        )
        return
    except TwilioApiError as error:
        if error.from_twilio and error.code == ALREADY_IN_SERVICE_CODE:
            follow_up.state, follow_up.already, follow_up.settled_by = "done", True, "answer"
        elif error.refused or error.not_processed:
            follow_up.state, follow_up.error, follow_up.settled_by = "failed", error, "answer"
        else:
            await _look_up_join(client, attempt, follow_up, phone_number_sid, error)
        return
    except TwilioUnreachable as error:
        if not error.sent:
            follow_up.state, follow_up.error, follow_up.settled_by = "failed", error, "answer"
        else:
            await _look_up_join(client, attempt, follow_up, phone_number_sid, error)
        return
    follow_up.state, follow_up.resource, follow_up.settled_by = "done", resource, "answer"


async def _look_up_join(
    client: TwilioClient,
    attempt: PurchaseAttempt,
    follow_up: FollowUp,
    phone_number_sid: str,
    cause: WizardError,
) -> None:
    """The join's answer was lost: is the number in the service now?"""
    try:
        found = await attempt._interruptible(
            client.find_messaging_service_number(follow_up.service_sid, phone_number_sid),
            before_sending=False,
        )
    except (_Stopped, WizardError):
        follow_up.state, follow_up.error = "unknown", cause
        return
    follow_up.settled_by = "lookup"
    if found is not None:
        follow_up.state, follow_up.resource = "done", found
    else:
        follow_up.state, follow_up.error = "failed", cause


def _receipt_fields(attempt: PurchaseAttempt) -> dict[str, Any]:
    fields = outcome_fields(
        error=attempt.error,
        resource=attempt.resource,
        differences=(d.field for d in attempt.differences),
        settled_by=attempt.settled_by,
        lookup_error=attempt.lookup_error,
        retry_safe=attempt.retry_safe,
    )
    if attempt.lookup is not None:
        fields["lookup"] = attempt.lookup
        fields["looked_up_at"] = _now().isoformat()
    if attempt.follow_ups:
        fields["follow_ups"] = [f.record() for f in attempt.follow_ups]
    return fields


async def _record(receipts: ReceiptBook, attempt: PurchaseAttempt) -> None:
    if attempt.receipt is not None:
        await receipts.finish_in_thread(attempt.receipt, attempt.state.value, **_receipt_fields(attempt))


# -- recovery at start -------------------------------------------------------------


async def recover_unfinished(
    client: TwilioClient, receipts: ReceiptBook, locks: PurchaseLocks, *, sandbox: bool
) -> list[PurchaseAttempt]:
    """Settle the unfinished receipts (`sending`, `unknown`) of this account and
    endpoint by looking their numbers up; returns what was found, to be told to
    the person before anything else. A number another process is buying right
    now (its lock is held) is left to that process."""
    found: list[PurchaseAttempt] = []
    pending = await asyncio.to_thread(
        receipts.unfinished,
        account_sid=client.credentials.account_sid,
        url=client.purchase_url(),
        sandbox=sandbox,
    )
    for receipt in pending:
        attempt = PurchaseAttempt.from_receipt(receipt)
        lock = locks.for_number(attempt.account_sid, attempt.phone_number)
        if not lock.try_acquire():
            continue
        try:
            if attempt.sandbox:
                # The in-process sandbox keeps nothing between runs: the world that
                # purchase happened in is gone, and nothing was ever charged.
                attempt.state = AttemptState.FAILED
                attempt.settled_by = "sandbox-ended"
                await _record(receipts, attempt)
            else:
                await settle(client, attempt, receipts)
        finally:
            lock.release()
        found.append(attempt)
    return found


def describe_recovered(attempt: PurchaseAttempt) -> str:
    """One line about an interrupted purchase found at start."""
    when = f" (started {attempt.sent_at:%Y-%m-%d %H:%M} UTC)" if attempt.sent_at else ""
    prefix = f"An earlier purchase of {attempt.phone_number}{when} was interrupted: "
    if attempt.state is AttemptState.BOUGHT:
        sid = attempt.resource.sid if attempt.resource else ""
        then = "".join(" " + line for line in attempt.follow_up_lines())
        return prefix + f"it went through, the number is on the account ({sid}).{then}"
    if attempt.state is AttemptState.FAILED:
        if attempt.settled_by == "sandbox-ended":
            return prefix + "it was a rehearsal on the in-process sandbox; nothing was bought or charged."
        if attempt.settled_by == "test-credentials":
            return prefix + "it used Twilio's test credentials, which never buy anything."
        return prefix + "it did not go through (the number is not on the account); safe to buy again."
    if attempt.lookup == "absent":
        return prefix + "still unknown: the number is not on the account yet; it is checked again next time."
    why = f" ({attempt.lookup_error})" if attempt.lookup_error else ""
    return prefix + f"still unknown: it could not be looked up{why}; it is checked again next time."
