"""Running `number-wizard numbers …`: reading the account's numbers, planning an
update, the confirmations, and sending an update or a release with a receipt.
Imported by tui.cli.numbers only when a command runs (its `--help` stays light)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping
from typing import Any, NoReturn

import click

from tui.cli import numbers_membership as membership_cli
from tui.cli.buy import flag_of
from tui.cli.buying import resource_json, resource_pairs
from tui.cli.common import Exit, emit_fields, emit_json, emit_table, fail, open_connection, report_error
from tui.cli.numbers import clear_flag
from tui.cli.numbers_membership import MembershipRequest
from tui.domain import rules
from tui.domain.attempt import ChangeState
from tui.domain.errors import TwilioApiError, WizardError
from tui.domain.fields import FIELDS_BY_NAME
from tui.domain.number_settings import (
    RELEASE_CONSEQUENCES,
    NumberUpdate,
    confirms_release,
    current_settings,
    describe_compliance,
    describe_messaging,
    describe_voice,
    plan_update,
    release_refusal,
)
from tui.domain.resources import IncomingPhoneNumber
from tui.services.number_changes import (
    ChangeAttempt,
    NotOwned,
    describe_recovered_change,
    find_number,
    matches,
    recover_unfinished_changes,
    run_change,
)
from tui.services.receipts import ReceiptBook
from tui.services.service_membership import MembershipChange, run_membership
from tui.services.session import Connection
from tui.services.twilio import TwilioClient


def _bad_reference(error: rules.RuleError, output: str) -> None:
    report_error(error, output, code=Exit.BAD_INPUT)


def _report_lookup_error(error: WizardError, output: str) -> None:
    if isinstance(error, NotOwned):
        report_error(error, output, code=Exit.NUMBER_UNAVAILABLE)
    report_error(error, output)


def _summary_row(resource: IncomingPhoneNumber) -> dict[str, str]:
    settings = current_settings(resource)
    return {
        "sid": resource.sid or "",
        "phone_number": resource.phone_number or "",
        "friendly_name": resource.friendly_name or "",
        "calls": describe_voice(settings),
        "messages": describe_messaging(settings),
        "compliance": describe_compliance(settings),
    }


# -- list and show ------------------------------------------------------------------


def run_list(contains: str | None, output: str) -> None:
    connection = open_connection(output)
    try:
        found = asyncio.run(_list(connection, contains or ""))
    except WizardError as error:
        report_error(error, output)
    if output == "json":
        emit_json([resource_json(resource) for resource in found])
        return
    if not found:
        what = f" containing {contains!r}" if contains else ""
        click.echo(f"This account owns no numbers{what}.", err=True)
        return
    rows = [list(_summary_row(resource).values()) for resource in found]
    emit_table(rows, ["SID", "Number", "Friendly name", "Calls", "Messages", "Compliance"])


async def _list(connection: Connection, contains: str) -> list[IncomingPhoneNumber]:
    async with connection.client() as client:
        owned = await client.list_owned_numbers()
    return [resource for resource in owned if matches(resource, contains)]


def run_show(reference: str, output: str) -> None:
    connection = open_connection(output)
    resource = _find(connection, reference, output)
    if output == "json":
        emit_json(resource_json(resource))
        return
    summary = _summary_row(resource)
    emit_fields(
        [
            ("calls", summary["calls"]),
            ("messages", summary["messages"]),
            ("compliance", summary["compliance"]),
            *resource_pairs(resource),
        ]
    )


def _find(connection: Connection, reference: str, output: str) -> IncomingPhoneNumber:
    try:
        return asyncio.run(_find_async(connection, reference))
    except rules.RuleError as error:
        _bad_reference(error, output)
    except WizardError as error:
        _report_lookup_error(error, output)
    raise AssertionError("unreachable")


async def _find_async(connection: Connection, reference: str) -> IncomingPhoneNumber:
    async with connection.client() as client:
        return await find_number(client, reference)


# -- update -------------------------------------------------------------------------


def run_update(
    reference: str,
    requested: Mapping[str, Any],
    clear: list[str],
    *,
    yes: bool,
    dry_run: bool,
    output: str,
    membership: MembershipRequest | None = None,
) -> None:
    try:
        asyncio.run(
            _update(
                reference,
                requested,
                clear,
                yes=yes,
                dry_run=dry_run,
                output=output,
                membership=membership or MembershipRequest(),
            )
        )
    except rules.RuleError as error:
        _bad_reference(error, output)


async def _update(
    reference: str,
    requested: Mapping[str, Any],
    clear: list[str],
    *,
    yes: bool,
    dry_run: bool,
    output: str,
    membership: MembershipRequest,
) -> None:
    # The flags are checked before anything is asked of Twilio: each value by its
    # field rule (the whole update is planned again below, against the number).
    checked = {**requested, "messaging_service_sid": membership.join}
    for name, raw in checked.items():
        if raw is None:
            continue
        try:
            FIELDS_BY_NAME[name].check(raw)
        except rules.RuleError as error:
            click.echo(f"error: {flag_of(name)}: {error}", err=True)
            sys.exit(int(Exit.BAD_INPUT))
    settings_asked = any(v is not None for v in requested.values()) or bool(clear)
    if not settings_asked and not membership.asked:
        fail(
            "nothing to change: give at least one settings flag, --clear-… flag, "
            "--messaging-service-sid or --leave-messaging-service.",
            Exit.BAD_INPUT,
        )
    if membership.join is not None:
        membership = MembershipRequest(
            join=FIELDS_BY_NAME["messaging_service_sid"].check(membership.join), leave=membership.leave
        )
    connection = open_connection(output)
    receipts = ReceiptBook()
    async with connection.client() as client:
        if not dry_run:
            await _recover(client, receipts, sandbox=connection.sandbox)
        try:
            resource = await find_number(client, reference)
        except WizardError as error:
            _report_lookup_error(error, output)
        update: NumberUpdate | None = None
        if settings_asked:
            update, problems = plan_update(
                resource.sid or "", resource.phone_number or "", current_settings(resource), requested, clear
            )
            if problems:
                for problem in problems:
                    where = flag_of(problem.field) if problem.field else "request"
                    click.echo(f"error: {where}: {problem.message}", err=True)
                sys.exit(int(Exit.BAD_INPUT))
            assert update is not None
            for issue in update.warnings:
                click.echo(f"warning: {flag_of(issue.fields[0])}: {issue.message}", err=True)
            if update.empty:
                click.echo(f"{update.phone_number} already has these settings: nothing to send.", err=True)
                update = None
        # Before anything is sent: which service the number is in (a join Twilio
        # would refuse stops here).
        memberships: list[MembershipChange] = []
        if membership.asked:
            memberships = await membership_cli.plan_membership(
                client, resource, membership, sandbox=connection.sandbox, output=output
            )
        if update is None and not memberships:
            if output == "json":
                emit_json({"outcome": "unchanged", "phone_number": resource.phone_number, "changes": []})
            return
        _print_changes(resource, update, memberships)
        requests = [client.prepare_update(update.sid, update.to_form())] if update is not None else []
        requests += [change.prepared for change in memberships]
        if dry_run:
            _print_dry_run(requests, output)
            return
        if not yes:
            _confirm_update(connection, resource.phone_number or "")
        attempt = None
        if update is not None:
            attempt = ChangeAttempt.for_update(client, update, sandbox=connection.sandbox)
            await run_change(client, attempt, receipts)
        await _run_memberships(client, attempt, memberships, receipts)
    if attempt is None:
        _finish_memberships(resource, memberships, output)
    _finish(attempt, output, memberships)


async def _run_memberships(
    client: TwilioClient,
    attempt: ChangeAttempt | None,
    memberships: list[MembershipChange],
    receipts: ReceiptBook,
) -> None:
    """The settings first, then leave, then join; a step is not sent when the one
    before did not go through (a join after a failed leave would be refused)."""
    for change in memberships:
        if attempt is not None and attempt.state is not ChangeState.DONE:
            change.not_sent = "the settings update did not go through"
            continue
        before = [c for c in memberships if c is not change and c.kind == "leave" and change.kind == "join"]
        if before and not membership_cli.done(before[0]):
            change.not_sent = f"{change.phone_number} could not be removed from {before[0].service} first"
            continue
        await run_membership(client, change, receipts)


def _print_dry_run(requests: list[Any], output: str) -> None:
    """As `buy --dry-run`: the first request, then the others under `then`."""
    first, *then = requests
    if output == "json":
        emit_json({**first.as_json(), **({"then": [r.as_json() for r in then]} if then else {})})
    else:
        click.echo(f"{first.method} {first.url}")
        emit_fields([(k, repr(v) if v == "" else v) for k, v in first.form.items()])
        for request in then:
            click.echo(f"then: {request.method} {request.url}")
            emit_fields(list(request.form.items()))
    click.echo("dry run: nothing was sent.", err=True)


def _print_changes(
    resource: IncomingPhoneNumber, update: NumberUpdate | None, memberships: list[MembershipChange]
) -> None:
    click.echo(f"Changes to {resource.phone_number} ({resource.sid}):", err=True)
    for change in update.changes if update is not None else ():
        click.echo(f"  {change.spec.label}: {change.describe()}", err=True)
    for membership in memberships:
        click.echo(f"  {membership_cli.describe_planned(membership)}", err=True)


def _confirm_update(connection: Connection, phone_number: str) -> None:
    if not sys.stdin.isatty():
        fail(
            "not updated: a confirmation is needed; run in a terminal, or pass --yes.",
            Exit.DECLINED,
        )
    where = "the SANDBOX" if connection.sandbox else f"account {connection.credentials.account_sid}"
    try:
        confirmed = click.confirm(
            f"Send these changes to {phone_number} on {where}?", default=False, err=True
        )
    except click.Abort:
        confirmed = False
    if not confirmed:
        fail("not updated: you did not confirm; nothing was sent.", Exit.DECLINED)


# -- release ------------------------------------------------------------------------


def run_release(reference: str, *, yes: bool, output: str) -> None:
    try:
        asyncio.run(_release(reference, yes=yes, output=output))
    except rules.RuleError as error:
        _bad_reference(error, output)


async def _release(reference: str, *, yes: bool, output: str) -> None:
    connection = open_connection(output)
    receipts = ReceiptBook()
    async with connection.client() as client:
        await _recover(client, receipts, sandbox=connection.sandbox)
        try:
            resource = await find_number(client, reference)
        except WizardError as error:
            _report_lookup_error(error, output)
        refusal = release_refusal(resource)
        if refusal:
            message = (
                f"not released: {refusal} Run: number-wizard numbers update {resource.sid} "
                f"{clear_flag('emergency_address_sid')}"
            )
            report_error(WizardError(message), output, code=Exit.TWILIO_ERROR)
        if not yes:
            _confirm_release(connection, resource)
        attempt = ChangeAttempt.for_release(client, resource, sandbox=connection.sandbox)
        await run_change(client, attempt, receipts)
    _finish(attempt, output)


def _confirm_release(connection: Connection, resource: IncomingPhoneNumber) -> None:
    number = resource.phone_number or ""
    where = "the SANDBOX" if connection.sandbox else f"account {connection.credentials.account_sid}"
    name = f' "{resource.friendly_name}"' if resource.friendly_name else ""
    click.echo(f"Release {number}{name} ({resource.sid}) from {where}?", err=True)
    for line in RELEASE_CONSEQUENCES:
        click.echo(f"  - {line}", err=True)
    try:
        typed = click.prompt("Type the number to release it", default="", show_default=False, err=True)
    except click.Abort:  # Ctrl+C or end of input
        typed = ""
    if not confirms_release(typed, number):
        fail(f"not released: what you typed is not {number}; nothing was sent.", Exit.DECLINED)


# -- shared -------------------------------------------------------------------------


async def _recover(client: TwilioClient, receipts: ReceiptBook, *, sandbox: bool) -> None:
    from tui.services.service_membership import (
        describe_recovered_membership,
        recover_unfinished_memberships,
    )

    for earlier in await recover_unfinished_changes(client, receipts, sandbox=sandbox):
        click.echo(f"note: {describe_recovered_change(earlier)}", err=True)
        if earlier.receipt is not None:
            click.echo(f"  receipt: {earlier.receipt.path}", err=True)
    for membership in await recover_unfinished_memberships(client, receipts, sandbox=sandbox):
        click.echo(f"note: {describe_recovered_membership(membership)}", err=True)
        if membership.receipt is not None:
            click.echo(f"  receipt: {membership.receipt.path}", err=True)


def _finish_memberships(
    resource: IncomingPhoneNumber, memberships: list[MembershipChange], output: str
) -> NoReturn:
    """Only a Messaging Service was asked: its outcome decides the exit code."""
    membership_cli.report(memberships, prefix_failures="error")
    code = membership_cli.exit_code(memberships)
    if output == "json":
        emit_json(
            {
                "outcome": "done"
                if code is Exit.OK
                else "failed"
                if code is not Exit.OUTCOME_UNKNOWN
                else "unknown",
                "kind": "messaging-service",
                "phone_number": resource.phone_number,
                "sid": resource.sid,
                **membership_cli.changes_json(memberships),
            }
        )
    elif code is Exit.OK:
        emit_fields(resource_pairs(resource))
    sys.exit(int(code))


def _finish(attempt: ChangeAttempt, output: str, memberships: list[MembershipChange] | None = None) -> None:
    """Say what happened and exit with the update's (or release's) code. The
    Messaging Service steps that followed an update are reported after it; their
    failure is a warning with the command to retry them, as `buy` does."""
    memberships = memberships or []
    receipt = attempt.receipt.path if attempt.receipt else None
    extra = {
        "outcome": attempt.state.value,
        "kind": attempt.kind,
        "phone_number": attempt.phone_number,
        "sid": attempt.sid,
        "settled_by": attempt.settled_by,
        "retry_safe": attempt.retry_safe,
        "receipt": str(receipt) if receipt else None,
        **membership_cli.changes_json(memberships),
    }
    if attempt.state is not ChangeState.DONE:
        click.echo(f"error: {attempt.headline()}", err=True)
        if receipt:
            click.echo(f"  receipt: {receipt}", err=True)
        membership_cli.report(memberships, prefix_failures="warning")
        if attempt.state is ChangeState.UNKNOWN:
            if attempt.error is not None:
                click.echo(f"  cause: {attempt.error}", err=True)
            if output == "json":
                emit_json(extra)
            sys.exit(int(Exit.OUTCOME_UNKNOWN))
        error = attempt.error or WizardError(attempt.headline())
        code = None
        if isinstance(error, NotOwned):
            code = Exit.NUMBER_UNAVAILABLE
        elif not (isinstance(error, TwilioApiError) and error.refused):
            code = Exit.TWILIO_ERROR
        report_error(error, output, code=code, extra=extra)
    click.echo(attempt.headline(), err=True)
    for mismatch in attempt.mismatches:
        click.echo(
            f"warning: {flag_of(mismatch.field)}: asked for {mismatch.asked!r}, Twilio has {mismatch.got!r}.",
            err=True,
        )
    if receipt:
        click.echo(f"receipt: {receipt}", err=True)
    membership_cli.report(memberships, prefix_failures="warning")
    if attempt.kind == "release":
        if output == "json":
            emit_json(extra)
        return
    assert attempt.resource is not None
    if output == "json":
        emit_json(
            {
                **extra,
                "changes": [
                    {"field": c.spec.wire, "before": c.before, "after": c.after}
                    for c in attempt.update.changes
                ]
                if attempt.update
                else [],
                "differences": [m.field for m in attempt.mismatches],
                "number": resource_json(attempt.resource),
            }
        )
    else:
        emit_fields(resource_pairs(attempt.resource))
