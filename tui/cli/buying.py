"""Running a purchase from the command line: recovery of earlier attempts, the
webhook checks (--check-webhooks, tui/cli/pre_checks.py), the ownership check, the
confirmation, the attempt itself with signals handled, and what is printed and
returned. Imported by `buy` only when it buys (its `--help` and a dry run stay
light)."""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import Any

import click

from tui.cli.buy import flag_of
from tui.cli.common import Exit, emit_fields, emit_json, fail, report_error
from tui.cli.pre_checks import gate_on_webhooks
from tui.domain import rules
from tui.domain.errors import TwilioApiError, WizardError
from tui.domain.follow_up import FollowUpRequest
from tui.domain.purchase import PurchaseRequest
from tui.domain.resources import IncomingPhoneNumber, MobilePrice
from tui.services.account_session import mobile_price_or_unknown
from tui.services.purchase import (
    AlreadyOwned,
    AttemptState,
    FollowUp,
    OwnershipCheckFailed,
    PurchaseAttempt,
    describe_recovered,
    owned_number,
    recover_unfinished,
)
from tui.services.purchase import buy as buy_number
from tui.services.purchase_lock import PurchaseLocks
from tui.services.receipts import ReceiptBook
from tui.services.session import Connection
from tui.services.signals import SignalHandler, on_signals


def run_purchase(
    connection: Connection,
    request: PurchaseRequest,
    *,
    yes: bool,
    output: str,
    check_webhooks: bool = False,
    force: bool = False,
    follow_up: FollowUpRequest | None = None,
) -> None:
    """Buy, then (when asked) add the number to a Messaging Service."""
    try:
        asyncio.run(
            _buy(
                connection,
                request,
                yes=yes,
                output=output,
                check_webhooks=check_webhooks,
                force=force,
                follow_up=follow_up,
            )
        )
    except asyncio.CancelledError:  # a signal before anything was sent
        if output == "json":
            emit_json({"error": {"message": "stopped before anything was sent"}, "outcome": "not-sent"})
        sys.exit(int(Exit.TWILIO_ERROR))


def resource_json(resource: IncomingPhoneNumber) -> dict[str, Any]:
    data = resource.model_dump(mode="json")
    if data.get("type") is None:
        data.pop("type", None)  # not part of the Mobile resource
    return data


def resource_pairs(resource: IncomingPhoneNumber) -> list[tuple[str, str]]:
    pairs = []
    for key, value in resource_json(resource).items():
        if isinstance(value, dict):
            value = ", ".join(k for k, on in value.items() if on) or "none"
        pairs.append((key, "" if value is None else str(value)))
    return pairs


async def _buy(
    connection: Connection,
    request: PurchaseRequest,
    *,
    yes: bool,
    output: str,
    check_webhooks: bool = False,
    force: bool = False,
    follow_up: FollowUpRequest | None = None,
) -> None:
    receipts, locks = ReceiptBook(), PurchaseLocks()
    async with connection.client() as client:
        # Before anything is sent, a signal simply stops: nothing to settle.
        with on_signals(_stop_before_sending(asyncio.current_task())):
            await _recover(client, receipts, locks, sandbox=connection.sandbox)
            if check_webhooks:
                # Before the ownership check and the confirmation: a webhook that
                # fails stops the purchase before anything about it is asked.
                await gate_on_webhooks(connection, request, force=force, output=output)
            # Asked here for a clear answer before the confirmation; asked again,
            # under the number's lock, just before sending (only that one decides).
            try:
                owned = await owned_number(client, request.phone_number)
            except OwnershipCheckFailed as error:
                click.echo(f"error: {error.headline}", err=True)
                report_error(error.cause, output)
            if owned is not None:
                report_error(AlreadyOwned(request.phone_number, owned), output, code=Exit.NUMBER_UNAVAILABLE)
            region = rules.phone_number_facts(request.phone_number).region
            price = None if yes else await mobile_price_or_unknown(client, region)
        if price is not None:
            _confirm(connection, request, price, follow_up)  # a blocking prompt: Ctrl+C there is click's
        attempt = PurchaseAttempt.prepare(client, request, sandbox=connection.sandbox, follow_up=follow_up)
        with on_signals(_stop_waiting(attempt)):
            await buy_number(
                client,
                attempt,
                receipts,
                locks,
                on_lock_wait=lambda: click.echo(
                    f"waiting: another number-wizard on this computer is buying {request.phone_number}…",
                    err=True,
                ),
            )
    _finish(attempt, output)


async def _recover(client: Any, receipts: ReceiptBook, locks: PurchaseLocks, *, sandbox: bool) -> None:
    """Settle what earlier runs left unfinished with this account, and say so."""
    for earlier in await recover_unfinished(client, receipts, locks, sandbox=sandbox):
        click.echo(f"note: {describe_recovered(earlier)}", err=True)
        if earlier.receipt is not None:
            click.echo(f"  receipt: {earlier.receipt.path}", err=True)


def _finish(attempt: PurchaseAttempt, output: str) -> None:
    """Say what happened, where the receipt is, and exit with its code: 0 bought,
    8 unknown, otherwise the failure's own code (4 already yours, 5 compliance…,
    7 not bought for another reason)."""
    receipt = attempt.receipt.path if attempt.receipt else None
    if attempt.state is not AttemptState.BOUGHT:
        click.echo(f"error: {attempt.headline()}", err=True)
        if receipt:
            click.echo(f"  receipt: {receipt}", err=True)
        if attempt.state is AttemptState.UNKNOWN:
            if attempt.error is not None:
                click.echo(f"  cause: {attempt.error}", err=True)
            if output == "json":
                emit_json(_attempt_json(attempt))
            sys.exit(int(Exit.OUTCOME_UNKNOWN))
        error = attempt.error or WizardError("not bought")
        code = Exit.NUMBER_UNAVAILABLE if isinstance(error, AlreadyOwned) else None
        if code is None and not (isinstance(error, TwilioApiError) and error.refused):
            code = Exit.TWILIO_ERROR  # not processed, never left, or stopped: not bought
        report_error(error, output, code=code, extra=_attempt_json(attempt))
    assert attempt.resource is not None
    click.echo(attempt.headline(), err=True)
    for difference in attempt.differences:
        click.echo(
            f"warning: {flag_of(difference.field)}: asked for {difference.asked!r}, "
            f"Twilio has {difference.got!r}.",
            err=True,
        )
    _report_follow_ups(attempt)
    if receipt:
        click.echo(f"receipt: {receipt}", err=True)
    if output == "json":
        emit_json({**resource_json(attempt.resource), **_follow_ups_json(attempt)})
    else:
        emit_fields(resource_pairs(attempt.resource))


def _report_follow_ups(attempt: PurchaseAttempt) -> None:
    """What followed the purchase, on stderr. A failure is a warning: the number
    is bought, the exit code stays the purchase's, and the way to retry just that
    step is printed (it is safe: Twilio refuses a number already in the service)."""
    from tui.wizard.commands import join_service_twilio_cli

    for follow_up in attempt.follow_ups:
        line = follow_up.headline(attempt.phone_number)
        if follow_up.state == "done":
            click.echo(line, err=True)
            continue
        click.echo(f"warning: --messaging-service-sid: {line}", err=True)
        if isinstance(follow_up.error, TwilioApiError) and follow_up.error.explanation:
            click.echo(f"  {follow_up.error.explanation.summary}", err=True)
        click.echo("  to retry just this step (safe to repeat):", err=True)
        click.echo(
            f"  {join_service_twilio_cli(follow_up.service_sid, attempt.phone_number_sid or '')}", err=True
        )


def _follow_up_json(follow_up: FollowUp, phone_number_sid: str | None) -> dict[str, Any]:
    from tui.wizard.commands import join_service_twilio_cli

    data: dict[str, Any] = {
        "service_sid": follow_up.service_sid,
        "outcome": follow_up.state,  # done, failed, unknown, or pending (never sent)
        "already": follow_up.already,
        "error": follow_up.record().get("error"),
    }
    if follow_up.state in ("failed", "unknown") and phone_number_sid:
        data["retry"] = join_service_twilio_cli(follow_up.service_sid, phone_number_sid)
    return data


def _follow_ups_json(attempt: PurchaseAttempt) -> dict[str, Any]:
    """`messaging_service` in -o json (README, "buy"), when one was asked for."""
    for follow_up in attempt.follow_ups:
        return {"messaging_service": _follow_up_json(follow_up, attempt.phone_number_sid)}
    return {}


def _attempt_json(attempt: PurchaseAttempt) -> dict[str, Any]:
    return {
        "outcome": attempt.state.value,
        "phone_number": attempt.phone_number,
        "settled_by": attempt.settled_by,
        "lookup": attempt.lookup,
        "retry_safe": attempt.retry_safe,
        "receipt": str(attempt.receipt.path) if attempt.receipt else None,
        **_follow_ups_json(attempt),
    }


def _stop_before_sending(task: asyncio.Task[Any] | None) -> SignalHandler:
    def stop(signum: signal.Signals) -> None:
        click.echo(f"\n{signum.name}: stopped; nothing was sent.", err=True)
        if task is not None:
            task.cancel()

    return stop


def _stop_waiting(attempt: PurchaseAttempt) -> SignalHandler:
    """Stop the attempt's wait: before sending nothing is sent; after it the number
    is looked up and the outcome printed with the receipt. A second signal gives
    up on the lookup (the outcome is then unknown, and the receipt says so)."""

    def stop(signum: signal.Signals) -> None:
        if attempt.sending:
            click.echo(
                f"\n{signum.name}: stopped waiting; looking {attempt.phone_number} up on the account "
                "(again to give up on the lookup)…",
                err=True,
            )
        else:
            click.echo(f"\n{signum.name}: stopping…", err=True)
        attempt.stop_waiting()

    return stop


def _confirm(
    connection: Connection, request: PurchaseRequest, price: MobilePrice, follow_up: FollowUpRequest | None
) -> None:
    if not sys.stdin.isatty():
        fail(
            "not bought: a confirmation is needed; run in a terminal, or pass --yes to buy without asking.",
            Exit.DECLINED,
        )
    facts = rules.phone_number_facts(request.phone_number)
    creds = connection.credentials
    where = "the SANDBOX (nothing is charged)" if connection.sandbox else f"account {creds.account_sid}"
    click.echo(f"Number:  {request.phone_number} ({facts.describe()})", err=True)
    click.echo(f"Price:   {price.describe()}, billed monthly from today", err=True)
    click.echo(f"Account: {where}", err=True)
    if follow_up is not None and follow_up.messaging_service_sid:
        click.echo(f"Then:    added to Messaging Service {follow_up.messaging_service_sid}", err=True)
    try:
        confirmed = click.confirm(
            f"Buy {request.phone_number} for {price.describe()}?", default=False, err=True
        )
    except click.Abort:  # Ctrl+C or end of input at the prompt
        confirmed = False
    if not confirmed:
        fail("not bought: you did not confirm; nothing was sent.", Exit.DECLINED)
