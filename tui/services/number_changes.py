"""Changing and releasing numbers the account owns, with the care of a purchase
(tui/services/purchase.py), used alike by the wizard and `number-wizard numbers`.

* **A receipt first.** Written before the request leaves (`kind` "update" or
  "release"), completed with the outcome and how it was settled; what a crash
  leaves unfinished is settled by `recover_unfinished_changes` at the next start.
* **Sent once.** Neither request is retried automatically. An update is safe to
  send again (the person may, once told it did not apply); a release is not
  repeated blindly: after an ambiguous failure the number is looked up.
* **Never a false outcome.** Twilio's refusals and its documented "not processed"
  answers are failures; a timeout, a dropped connection or a 5xx are *ambiguous*:
  the number is fetched. An update is done when the number carries every change;
  a release is done when the number is gone (404). If the fetch itself fails, the
  outcome stays unknown.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from tui.domain import rules
from tui.domain.attempt import ChangeState
from tui.domain.errors import TwilioApiError, TwilioUnreachable, WizardError
from tui.domain.fields import FIELDS_BY_NAME, FIELDS_BY_WIRE
from tui.domain.number_settings import Mismatch, NumberUpdate, SettingChange, mismatches
from tui.domain.resources import IncomingPhoneNumber
from tui.services.receipts import Receipt, ReceiptBook, outcome_fields
from tui.services.twilio import PreparedRequest, TwilioClient

ChangeKind = Literal["update", "release"]
SettledBy = Literal["answer", "lookup"]

NOT_FOUND_CODE = 20404


class NotOwned(WizardError):
    """The account has no such number (or it is another account's)."""

    def __init__(self, reference: str) -> None:
        self.reference = reference
        super().__init__(
            f"This account owns no number {reference}. List the account's numbers with "
            "`number-wizard numbers list`."
        )


def _is_not_found(error: BaseException) -> bool:
    return isinstance(error, TwilioApiError) and error.from_twilio and error.code == NOT_FOUND_CODE


def parse_reference(reference: str) -> tuple[str, str]:
    """("sid", "PN…") or ("number", "+E164") from what the person typed; raises
    rules.RuleError when it is neither."""
    text = reference.strip()
    if text[:2].upper() == "PN":
        return "sid", rules.sid(text, prefix="PN")
    try:
        return "number", rules.phone_number(text)
    except rules.RuleError:
        raise rules.RuleError(
            f"{reference!r} is neither a number's SID (PN followed by 32 hexadecimal digits) "
            "nor a phone number in E.164 (+ then the country code and the number)."
        ) from None


async def find_number(client: TwilioClient, reference: str) -> IncomingPhoneNumber:
    """The owned number named by its SID or its E.164 number (read fresh).
    Raises NotOwned when the account has no such number."""
    kind, value = parse_reference(reference)
    if kind == "sid":
        try:
            return await client.fetch_number(value)
        except TwilioApiError as error:
            if _is_not_found(error):
                raise NotOwned(value) from None
            raise
    found = await client.find_owned_number(value)
    if found is None:
        raise NotOwned(value)
    return found


def matches(resource: IncomingPhoneNumber, text: str) -> bool:
    """Whether a listed number matches a search: its number (digits, spaces and
    signs ignored) or its friendly name (any case)."""
    needle = text.strip().lower()
    if not needle:
        return True
    digits = "".join(ch for ch in needle if ch.isdigit())
    number = resource.phone_number or ""
    if digits and digits == "".join(ch for ch in needle if ch not in " +-().") and digits in number:
        return True
    return needle in (resource.friendly_name or "").lower() or needle in number


@dataclass(eq=False)
class ChangeAttempt:
    """One update or release of one owned number: the exact request, its receipt
    and its state."""

    kind: ChangeKind
    prepared: PreparedRequest
    sid: str
    phone_number: str
    account_sid: str
    auth_kind: str
    sandbox: bool
    update: NumberUpdate | None = None  # what an update asked for
    state: ChangeState = ChangeState.READY
    receipt: Receipt | None = None
    resource: IncomingPhoneNumber | None = None  # the number as read back (update)
    error: WizardError | None = None
    settled_by: SettledBy | None = None
    lookup_error: WizardError | None = None
    retry_safe: bool = False
    mismatches: list[Mismatch] = field(default_factory=list)

    @classmethod
    def for_update(cls, client: TwilioClient, update: NumberUpdate, *, sandbox: bool) -> ChangeAttempt:
        creds = client.credentials
        return cls(
            kind="update",
            prepared=client.prepare_update(update.sid, update.to_form()),
            sid=update.sid,
            phone_number=update.phone_number,
            account_sid=creds.account_sid,
            auth_kind=creds.auth_kind,
            sandbox=sandbox,
            update=update,
        )

    @classmethod
    def for_release(
        cls, client: TwilioClient, resource: IncomingPhoneNumber, *, sandbox: bool
    ) -> ChangeAttempt:
        creds = client.credentials
        sid = resource.sid or ""
        return cls(
            kind="release",
            prepared=client.prepare_release(sid),
            sid=sid,
            phone_number=resource.phone_number or "",
            account_sid=creds.account_sid,
            auth_kind=creds.auth_kind,
            sandbox=sandbox,
        )

    @classmethod
    def from_receipt(cls, receipt: Receipt) -> ChangeAttempt:
        """A change an earlier process left unfinished, to be settled now."""
        record = receipt.record
        sent = record.get("request") or {}
        prepared = PreparedRequest(
            str(sent.get("method", "")), str(sent.get("url", "")), dict(sent.get("form") or {})
        )
        kind: ChangeKind = "release" if record.get("kind") == "release" else "update"
        sid = prepared.url.rsplit("/", 1)[-1].removesuffix(".json")
        update = None
        if kind == "update":
            update = NumberUpdate(sid, receipt.phone_number, _changes_from_form(prepared.form))
        return cls(
            kind=kind,
            prepared=prepared,
            sid=sid,
            phone_number=receipt.phone_number,
            account_sid=str(record.get("account_sid", "")),
            auth_kind=str(record.get("auth_kind", "")),
            sandbox=bool(record.get("sandbox")),
            update=update,
            state=ChangeState.UNKNOWN,
            receipt=receipt,
        )

    @property
    def settled(self) -> bool:
        return self.state in (ChangeState.DONE, ChangeState.FAILED)

    def headline(self) -> str:
        number = self.phone_number
        looked = " (confirmed by looking the number up)" if self.settled_by == "lookup" else ""
        if self.kind == "release":
            if self.state is ChangeState.DONE:
                return f"Released {number}{looked}: it is no longer on the account."
            if self.state is ChangeState.FAILED:
                if self.settled_by == "lookup":
                    return f"{number} was not released: it is still on the account."
                safe = " Nothing was processed." if self.retry_safe else ""
                return f"{number} was not released.{safe}"
            if self.state is ChangeState.UNKNOWN:
                return (
                    f"Unknown whether {number} was released: the request may have reached Twilio "
                    f"and the number could not be looked up{_why(self.lookup_error)}. Look at "
                    f"`number-wizard numbers show {number}` before trying again."
                )
            if self.state is ChangeState.SENDING:
                return f"Releasing {number}… waiting for Twilio."
            return f"Ready to release {number}; nothing has been sent."
        if self.state is ChangeState.DONE:
            if self.mismatches:
                names = ", ".join(FIELDS_BY_NAME[m.field].label for m in self.mismatches)
                return f"Updated {number}{looked}, but Twilio does not show as asked: {names}."
            return f"Updated {number}{looked}."
        if self.state is ChangeState.FAILED:
            if self.settled_by == "lookup":
                return (
                    f"{number} was not updated: looked up, it does not carry the changes. "
                    "An update is safe to send again."
                )
            safe = " Nothing was processed; it is safe to try again." if self.retry_safe else ""
            return f"{number} was not updated.{safe}"
        if self.state is ChangeState.UNKNOWN:
            return (
                f"Unknown whether {number} was updated: the request may have reached Twilio and "
                f"the number could not be looked up{_why(self.lookup_error)}. An update is safe "
                "to send again."
            )
        if self.state is ChangeState.SENDING:
            return f"Updating {number}… waiting for Twilio."
        return f"Ready to update {number}; nothing has been sent."


def _why(error: WizardError | None) -> str:
    return f" ({error})" if error is not None else ""


def _changes_from_form(form: dict[str, str]) -> tuple[SettingChange, ...]:
    changes = []
    for wire, raw in form.items():
        spec = FIELDS_BY_WIRE.get(wire)
        if spec is None:
            continue
        after: Any
        if raw == "":
            after = None
        elif spec.kind == "bool":
            after = raw == "true"
        else:
            after = raw
        changes.append(SettingChange(spec.name, None, after))
    return tuple(changes)


def _receipt_fields(attempt: ChangeAttempt) -> dict[str, Any]:
    return outcome_fields(
        error=attempt.error,
        resource=attempt.resource,
        differences=(m.field for m in attempt.mismatches),
        settled_by=attempt.settled_by,
        lookup_error=attempt.lookup_error,
        retry_safe=attempt.retry_safe,
    )


async def _record(receipts: ReceiptBook, attempt: ChangeAttempt) -> None:
    if attempt.receipt is not None:
        await receipts.finish_in_thread(attempt.receipt, attempt.state.value, **_receipt_fields(attempt))


def _fail(attempt: ChangeAttempt, error: WizardError, *, retry_safe: bool = False) -> None:
    attempt.state = ChangeState.FAILED
    attempt.error = error
    attempt.retry_safe = retry_safe
    attempt.settled_by = "answer"


async def run_change(
    client: TwilioClient,
    attempt: ChangeAttempt,
    receipts: ReceiptBook,
    *,
    on_sending: Callable[[ChangeAttempt], None] | None = None,
) -> ChangeAttempt:
    """Send a ready update or release once and settle its outcome (see the module
    doc). An outcome is never raised: a failure is in `attempt.error`."""
    if attempt.state is not ChangeState.READY:
        raise RuntimeError(f"a change runs once (this one is {attempt.state})")
    prepared = attempt.prepared
    attempt.receipt = await receipts.start_in_thread(
        method=prepared.method,
        url=prepared.url,
        form=prepared.form,
        account_sid=attempt.account_sid,
        auth_kind=attempt.auth_kind,
        sandbox=attempt.sandbox,
        kind=attempt.kind,
        phone_number=attempt.phone_number,
    )
    attempt.state = ChangeState.SENDING
    if on_sending is not None:
        on_sending(attempt)
    try:
        if attempt.kind == "update":
            resource = await client.send_update(prepared)
        else:
            await client.send_release(prepared)
            resource = None
    except asyncio.CancelledError:
        attempt.state = ChangeState.UNKNOWN
        attempt.error = WizardError("number-wizard stopped while waiting for Twilio's answer.")
        if attempt.receipt is not None:
            receipts.settle(attempt.receipt, attempt.state.value, **_receipt_fields(attempt))
        raise
    except TwilioApiError as error:
        if error.not_processed:
            _fail(attempt, error, retry_safe=True)
        elif error.refused:
            _fail(attempt, error)
        else:  # a 5xx, a gateway's page, an unreadable 2xx: it may have been processed
            attempt.state = ChangeState.UNKNOWN
            attempt.error = error
            await settle_change(client, attempt, receipts)
            return attempt
        await _record(receipts, attempt)
        return attempt
    except TwilioUnreachable as error:
        if not error.sent:
            _fail(attempt, error, retry_safe=True)
            await _record(receipts, attempt)
        else:
            attempt.state = ChangeState.UNKNOWN
            attempt.error = error
            await settle_change(client, attempt, receipts)
        return attempt
    attempt.state = ChangeState.DONE
    attempt.settled_by = "answer"
    if resource is not None:
        # Read back: what the number carries now, not only what the answer said.
        # (If that fails, the answer describes the number too.)
        with contextlib.suppress(WizardError):
            resource = await client.fetch_number(attempt.sid)
    attempt.resource = resource
    if attempt.update is not None and resource is not None:
        attempt.mismatches = mismatches(attempt.update, resource)
    await _record(receipts, attempt)
    return attempt


async def settle_change(client: TwilioClient, attempt: ChangeAttempt, receipts: ReceiptBook) -> ChangeAttempt:
    """Fetch the number to settle a change whose outcome is unknown."""
    if attempt.state is not ChangeState.UNKNOWN:
        raise RuntimeError(f"only an unknown outcome is settled (this one is {attempt.state})")
    try:
        found: IncomingPhoneNumber | None = await client.fetch_number(attempt.sid)
    except WizardError as error:
        if _is_not_found(error):
            found = None
        else:
            attempt.lookup_error = error
            await _record(receipts, attempt)
            return attempt
    attempt.lookup_error = None
    attempt.settled_by = "lookup"
    if attempt.kind == "release":
        attempt.state = ChangeState.DONE if found is None else ChangeState.FAILED
    elif found is None:
        # The number is gone from the account (released meanwhile): the update cannot apply.
        attempt.state = ChangeState.FAILED
        attempt.error = NotOwned(attempt.sid)
    else:
        attempt.resource = found
        attempt.mismatches = mismatches(attempt.update, found) if attempt.update else []
        if attempt.mismatches:
            attempt.state = ChangeState.FAILED
            attempt.retry_safe = True  # an update is safe to send again
        else:
            attempt.state = ChangeState.DONE
    await _record(receipts, attempt)
    return attempt


async def recover_unfinished_changes(
    client: TwilioClient, receipts: ReceiptBook, *, sandbox: bool
) -> list[ChangeAttempt]:
    """Settle the updates and releases of this account and endpoint that an
    earlier run left unfinished (their number is fetched); returns them."""
    prefix = client.api_url("/IncomingPhoneNumbers/")
    pending = await asyncio.to_thread(receipts.load_all)
    found = []
    for receipt in pending:
        record = receipt.record
        if (
            record.get("kind") not in ("update", "release")
            or receipt.outcome not in ("sending", "unknown")
            or record.get("account_sid") != client.credentials.account_sid
            or bool(record.get("sandbox")) != sandbox
            or not str(record["request"].get("url", "")).startswith(prefix)
        ):
            continue
        attempt = ChangeAttempt.from_receipt(receipt)
        if sandbox:
            # The in-process sandbox keeps nothing between runs: nothing to look up.
            attempt.state = ChangeState.FAILED
            attempt.error = WizardError("a rehearsal on the in-process sandbox, which forgets everything")
            await _record(receipts, attempt)
        else:
            await settle_change(client, attempt, receipts)
        found.append(attempt)
    return found


def describe_recovered_change(attempt: ChangeAttempt) -> str:
    what = "An earlier update" if attempt.kind == "update" else "An earlier release"
    return f"{what} of {attempt.phone_number} was interrupted: {attempt.headline()}"
