"""An owned number joining or leaving a Messaging Service, each a request of its own
with its own receipt (`kind` "messaging-service-join" / "messaging-service-leave"),
used by `number-wizard numbers update --messaging-service-sid / --leave-messaging-service`.

Joining is `POST /v1/Services/{ServiceSid}/PhoneNumbers` with `PhoneNumberSid`,
leaving `DELETE /v1/Services/{ServiceSid}/PhoneNumbers/{PhoneNumberSid}`
(https://www.twilio.com/docs/messaging/api/phonenumber-resource). A number is in one
service at a time: adding it to another is refused with 21712
(https://www.twilio.com/docs/errors/21712), so before sending, `service_of` finds the
service it is in (if any) for the person to be told. Both requests are safe to send
again: a number already in the service is refused with 21710
(https://www.twilio.com/docs/errors/21710), which counts as done, and removing a
number that is not in the service answers 404, which counts as done too. When an
answer is lost, the service's number is looked up to settle the outcome.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Literal

from tui.domain.attempt import ChangeState
from tui.domain.errors import TwilioApiError, TwilioUnreachable, WizardError
from tui.domain.resources import MessagingService, MessagingServicePhoneNumber
from tui.services.receipts import Receipt, ReceiptBook, outcome_fields
from tui.services.twilio import PreparedRequest, TwilioClient

MembershipKind = Literal["join", "leave"]

ALREADY_IN_SERVICE_CODE = 21710
NOT_FOUND_CODE = 20404


async def service_of(
    client: TwilioClient, phone_number_sid: str, services: list[MessagingService] | None = None
) -> MessagingService | None:
    """The account's Messaging Service the number is in, or None. Twilio has no
    reverse lookup: each service (`services`, else the account's list) is asked (an
    account has few). Raises WizardError when they cannot be listed or asked."""
    if services is None:
        services = await client.list_messaging_services()
    found = await asyncio.gather(
        *(client.find_messaging_service_number(service.sid, phone_number_sid) for service in services)
    )
    for service, number in zip(services, found, strict=True):
        if number is not None:
            return service
    return None


def describe_service(service: MessagingService) -> str:
    return f"{service.sid} ({service.friendly_name})" if service.friendly_name else service.sid


@dataclass(eq=False)
class MembershipChange:
    """Adding an owned number to a Messaging Service, or removing it from one:
    `ready → sending → done | failed | unknown` (unknown when the answer was lost
    and the lookup failed too). `not_sent` says why it was never sent (an update
    before it did not go through)."""

    kind: MembershipKind
    prepared: PreparedRequest
    service_sid: str
    phone_number_sid: str
    phone_number: str
    account_sid: str
    auth_kind: str
    sandbox: bool
    service_name: str | None = None  # for messages only, when known
    state: ChangeState = ChangeState.READY
    already: bool = False  # it was in (join) / not in (leave) the service already
    error: WizardError | None = None
    settled_by: Literal["answer", "lookup"] | None = None
    receipt: Receipt | None = None
    resource: MessagingServicePhoneNumber | None = None
    not_sent: str | None = None

    @classmethod
    def prepare(
        cls,
        client: TwilioClient,
        kind: MembershipKind,
        *,
        service_sid: str,
        phone_number_sid: str,
        phone_number: str,
        sandbox: bool,
        service_name: str | None = None,
    ) -> MembershipChange:
        prepare = (
            client.prepare_messaging_service_join
            if kind == "join"
            else client.prepare_messaging_service_leave
        )
        creds = client.credentials
        return cls(
            kind=kind,
            prepared=prepare(service_sid, phone_number_sid),
            service_sid=service_sid,
            phone_number_sid=phone_number_sid,
            phone_number=phone_number,
            account_sid=creds.account_sid,
            auth_kind=creds.auth_kind,
            sandbox=sandbox,
            service_name=service_name,
        )

    @property
    def service(self) -> str:
        return f"{self.service_sid} ({self.service_name})" if self.service_name else self.service_sid

    @property
    def settled(self) -> bool:
        return self.state in (ChangeState.DONE, ChangeState.FAILED)

    def headline(self) -> str:
        where = f"Messaging Service {self.service}"
        number = self.phone_number
        joining = self.kind == "join"
        if self.not_sent is not None:
            action = "added to" if joining else "removed from"
            return f"{number} was not {action} {where}: not sent, {self.not_sent}."
        if self.state is ChangeState.DONE:
            if self.already:
                return (
                    f"{number} is in {where} (it was already there)."
                    if joining
                    else (f"{number} is not in {where} (it was not there).")
                )
            how = " (confirmed by looking it up)" if self.settled_by == "lookup" else ""
            return f"Added {number} to {where}{how}." if joining else f"Removed {number} from {where}{how}."
        why = f": {self.error}" if self.error is not None else ""
        if self.state is ChangeState.UNKNOWN:
            action = "added to" if joining else "removed from"
            return f"Unknown whether {number} was {action} {where}{why}. Sending it again is safe."
        if self.state is ChangeState.FAILED:
            action = "added to" if joining else "removed from"
            return f"{number} was not {action} {where}{why}."
        action = "Adding" if joining else "Removing"
        return f"{action} {number} {'to' if joining else 'from'} {where}…"

    def record(self) -> dict[str, Any]:
        """The receipt's fields for the outcome."""
        fields: dict[str, Any] = {"service_sid": self.service_sid, "phone_number_sid": self.phone_number_sid}
        fields |= outcome_fields(error=self.error, resource=self.resource, settled_by=self.settled_by)
        if self.already:
            fields["already"] = True
        return fields


async def run_membership(
    client: TwilioClient, change: MembershipChange, receipts: ReceiptBook
) -> MembershipChange:
    """Send a ready join or leave once, with a receipt, and settle its outcome
    (looked up when the answer was lost). An outcome is never raised: a failure is
    in `change.error`."""
    if change.state is not ChangeState.READY:
        raise RuntimeError(f"a membership change runs once (this one is {change.state})")
    prepared = change.prepared
    change.receipt = await receipts.start_in_thread(
        method=prepared.method,
        url=prepared.url,
        form=prepared.form,
        account_sid=change.account_sid,
        auth_kind=change.auth_kind,
        sandbox=change.sandbox,
        kind=f"messaging-service-{change.kind}",
        phone_number=change.phone_number,
    )
    change.state = ChangeState.SENDING
    try:
        if change.kind == "join":
            change.resource = await client.join_messaging_service(prepared)
        else:
            await client.leave_messaging_service(prepared)
    except asyncio.CancelledError:
        change.state = ChangeState.UNKNOWN
        change.error = WizardError("number-wizard stopped while waiting for Twilio's answer.")
        receipts.settle(change.receipt, change.state.value, **change.record())
        raise
    except TwilioApiError as error:
        if error.from_twilio and _means_already(change.kind, error):
            change.state, change.already, change.settled_by = ChangeState.DONE, True, "answer"
        elif error.refused or error.not_processed:
            change.state, change.error, change.settled_by = ChangeState.FAILED, error, "answer"
        else:  # a 5xx, a gateway's page: it may have been processed
            await _look_up(client, change, error)
    except TwilioUnreachable as error:
        if not error.sent:
            change.state, change.error, change.settled_by = ChangeState.FAILED, error, "answer"
        else:
            await _look_up(client, change, error)
    else:
        change.state, change.settled_by = ChangeState.DONE, "answer"
    await receipts.finish_in_thread(change.receipt, change.state.value, **change.record())
    return change


def _means_already(kind: MembershipKind, error: TwilioApiError) -> bool:
    if kind == "join":
        return error.code == ALREADY_IN_SERVICE_CODE
    return error.status == 404 and error.code == NOT_FOUND_CODE


async def _look_up(client: TwilioClient, change: MembershipChange, cause: WizardError) -> None:
    """The answer was lost: is the number in the service now?"""
    try:
        found = await client.find_messaging_service_number(change.service_sid, change.phone_number_sid)
    except WizardError:
        change.state, change.error = ChangeState.UNKNOWN, cause
        return
    change.settled_by = "lookup"
    went_through = (found is not None) if change.kind == "join" else (found is None)
    if went_through:
        change.state, change.resource = ChangeState.DONE, found
    else:
        change.state, change.error = ChangeState.FAILED, cause


RECEIPT_KINDS: dict[str, MembershipKind] = {
    "messaging-service-join": "join",
    "messaging-service-leave": "leave",
}


def _from_receipt(client: TwilioClient, receipt: Receipt) -> MembershipChange | None:
    """The join or leave an earlier run left unfinished, when it was made with this
    client's account against its endpoint (re-preparing it must give the very
    request the receipt holds); None for any other receipt."""
    record = receipt.record
    kind = RECEIPT_KINDS.get(str(record.get("kind")))
    if kind is None or receipt.outcome not in ("sending", "unknown"):
        return None
    if record.get("account_sid") != client.credentials.account_sid:
        return None
    request = record.get("request") or {}
    url, form = str(request.get("url", "")), dict(request.get("form") or {})
    if kind == "join":
        number_sid = str(form.get("PhoneNumberSid", ""))
        service_sid = url.rstrip("/").split("/")[-2] if url.endswith("/PhoneNumbers") else ""
    else:
        number_sid = url.rstrip("/").split("/")[-1]
        parts = url.rstrip("/").split("/")
        service_sid = parts[-3] if len(parts) >= 3 else ""
    if not (service_sid and number_sid):
        return None
    prepare = (
        client.prepare_messaging_service_join if kind == "join" else client.prepare_messaging_service_leave
    )
    prepared = prepare(service_sid, number_sid)
    if prepared.url != url or prepared.method != request.get("method"):
        return None  # another endpoint: a lookup here would say nothing about it
    return MembershipChange(
        kind=kind,
        prepared=prepared,
        service_sid=service_sid,
        phone_number_sid=number_sid,
        phone_number=receipt.phone_number,
        account_sid=client.credentials.account_sid,
        auth_kind=str(record.get("auth_kind", "")),
        sandbox=bool(record.get("sandbox")),
        state=ChangeState.UNKNOWN,
        receipt=receipt,
    )


async def recover_unfinished_memberships(
    client: TwilioClient, receipts: ReceiptBook, *, sandbox: bool
) -> list[MembershipChange]:
    """Settle the joins and leaves of this account and endpoint that an earlier
    run left `sending` (it ended while waiting) or `unknown` (the answer and the
    lookup were lost): the service's number is looked up, as for a lost answer.
    Nothing is sent again: the person decides (the headline says it is safe)."""
    found = []
    for receipt in await asyncio.to_thread(receipts.load_all):
        if bool(receipt.record.get("sandbox")) != sandbox:
            continue
        change = _from_receipt(client, receipt)
        if change is None:
            continue
        cause = WizardError("an earlier run of number-wizard stopped before Twilio's answer was read.")
        if sandbox:
            # The in-process sandbox keeps nothing between runs: nothing to look up.
            change.state, change.error = (
                ChangeState.FAILED,
                WizardError("a rehearsal on the in-process sandbox, which forgets everything"),
            )
        else:
            await _look_up(client, change, cause)
        await receipts.finish_in_thread(receipt, change.state.value, **change.record())
        found.append(change)
    return found


def describe_recovered_membership(change: MembershipChange) -> str:
    what = "joining" if change.kind == "join" else "leaving"
    return f"An earlier {what} of a Messaging Service was interrupted: {change.headline()}"
