"""Buying a number: one POST, a receipt around it, and reconciliation when the
outcome is unknown.

A timeout never buys twice: after a POST that may have reached Twilio, the number
is looked up on the account (GET IncomingPhoneNumbers?PhoneNumber=…) instead of
being posted again. If it is there, the purchase happened. If it is not, the
outcome stays "unknown": the person may check again or retry the *same* number,
which cannot buy a second one (a specific number is bought at most once).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from tui.domain.errors import TwilioApiError, TwilioUnreachable, WizardError
from tui.domain.purchase import FieldDifference, PurchaseRequest, differences
from tui.domain.resources import IncomingPhoneNumber
from tui.services.receipts import Receipt, ReceiptBook
from tui.services.twilio import TwilioClient

OutcomeStatus = Literal["bought", "failed", "unknown"]


@dataclass
class PurchaseOutcome:
    status: OutcomeStatus
    request: PurchaseRequest
    resource: IncomingPhoneNumber | None = None
    error: WizardError | None = None
    reconciled: bool = False  # the purchase was confirmed by a lookup after a timeout
    receipt: Receipt | None = None
    differences: list[FieldDifference] = field(default_factory=list)

    def headline(self) -> str:
        number = self.request.phone_number
        if self.status == "bought":
            how = " (confirmed by looking it up after the answer was lost)" if self.reconciled else ""
            return f"Bought {number}{how}."
        if self.status == "failed":
            return f"{number} was not bought."
        return (
            f"Unknown whether {number} was bought: Twilio's answer was lost and the "
            "number is not on the account yet. Check again in a moment; trying again "
            "with the same number cannot buy it twice."
        )


def _error_record(error: WizardError) -> dict[str, object]:
    if isinstance(error, TwilioApiError):
        return {
            "status": error.status,
            "code": error.code,
            "message": error.message,
            "more_info": error.more_info,
        }
    return {"message": str(error)}


async def reconcile(client: TwilioClient, phone_number: str) -> IncomingPhoneNumber | None:
    """Whether the account owns the number now; raises if that cannot be known."""
    return await client.find_owned_number(phone_number)


async def buy(
    client: TwilioClient,
    request: PurchaseRequest,
    receipts: ReceiptBook,
    *,
    sandbox: bool = False,
    on_receipt: Callable[[Receipt], None] | None = None,
) -> PurchaseOutcome:
    """Send the purchase once. `on_receipt` learns the receipt before the request
    goes out, so that a caller who stops waiting can settle it afterwards."""
    prepared = client.prepare_purchase(request)
    creds = client.credentials
    # Receipts are written in a thread (fsync would hold up the event loop), and
    # this one is on disk before the request is sent.
    receipt = await receipts.start_in_thread(
        method=prepared.method,
        url=prepared.url,
        form=prepared.form,
        account_sid=creds.account_sid,
        auth_kind=creds.auth_kind,
        sandbox=sandbox,
    )
    if on_receipt is not None:
        on_receipt(receipt)
    try:
        resource = await client.purchase(request)
    except asyncio.CancelledError:
        # The person stopped waiting. The request may have reached Twilio: the
        # outcome is unknown until `settle_interrupted` looks the number up.
        await receipts.finish_in_thread(
            receipt, "unknown", error={"message": "stopped waiting for Twilio's answer"}
        )
        raise
    except TwilioApiError as error:
        if 200 <= error.status < 300:
            # Twilio accepted the purchase but its answer could not be read (not
            # JSON): the number may well be bought, so look it up, never say "failed".
            return await settle_interrupted(client, request, receipts, receipt, error)
        await receipts.finish_in_thread(receipt, "failed", error=_error_record(error))
        return PurchaseOutcome("failed", request, error=error, receipt=receipt)
    except TwilioUnreachable as error:
        if not error.sent:
            await receipts.finish_in_thread(receipt, "failed", error=_error_record(error))
            return PurchaseOutcome("failed", request, error=error, receipt=receipt)
        return await settle_interrupted(client, request, receipts, receipt, error)
    found = differences(request, resource)
    await receipts.finish_in_thread(
        receipt, "bought", resource=resource.model_dump(mode="json"), differences=[d.field for d in found]
    )
    return PurchaseOutcome("bought", request, resource=resource, receipt=receipt, differences=found)


async def settle_interrupted(
    client: TwilioClient,
    request: PurchaseRequest,
    receipts: ReceiptBook,
    receipt: Receipt,
    cause: WizardError,
) -> PurchaseOutcome:
    try:
        owned = await reconcile(client, request.phone_number)
    except WizardError as lookup_error:
        await receipts.finish_in_thread(
            receipt, "unknown", error=_error_record(cause), reconcile_error=_error_record(lookup_error)
        )
        return PurchaseOutcome("unknown", request, error=cause, receipt=receipt)
    if owned is None:
        await receipts.finish_in_thread(
            receipt, "unknown", error=_error_record(cause), reconciled_absent=True
        )
        return PurchaseOutcome("unknown", request, error=cause, receipt=receipt)
    found = differences(request, owned)
    await receipts.finish_in_thread(
        receipt,
        "bought",
        resource=owned.model_dump(mode="json"),
        reconciled=True,
        differences=[d.field for d in found],
    )
    return PurchaseOutcome(
        "bought", request, resource=owned, reconciled=True, receipt=receipt, differences=found
    )


async def check_again(
    client: TwilioClient, outcome: PurchaseOutcome, receipts: ReceiptBook
) -> PurchaseOutcome:
    """Look the number up again after an unknown outcome (the "Check again" button)."""
    assert outcome.status == "unknown" and outcome.receipt is not None
    return await settle_interrupted(
        client,
        outcome.request,
        receipts,
        outcome.receipt,
        outcome.error or TwilioUnreachable("unknown", sent=True),
    )
