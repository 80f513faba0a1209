"""`numbers update --messaging-service-sid / --leave-messaging-service`: finding the
Messaging Service the number is in before anything is sent, the requests to send
(tui/services/service_membership.py), and what is printed about their outcomes.
Imported by tui.cli.numbers_running only when a command runs."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import click

from tui.cli.common import Exit, emit_json, exit_for
from tui.domain.attempt import ChangeState
from tui.domain.errors import TwilioApiError, WizardError
from tui.domain.resources import IncomingPhoneNumber, MessagingService
from tui.services.service_membership import MembershipChange, describe_service, service_of
from tui.services.twilio import TwilioClient

JOIN_FLAG = "--messaging-service-sid"
LEAVE_FLAG = "--leave-messaging-service"
IN_ANOTHER_SERVICE_CODE = 21712


@dataclass(frozen=True)
class MembershipRequest:
    """What the flags ask: join this service (MG…), leave the current one, or both
    (leave first: a number is in one service at a time)."""

    join: str | None = None
    leave: bool = False

    @property
    def asked(self) -> bool:
        return self.join is not None or self.leave


def _refuse(message: str, output: str, code: Exit) -> None:
    click.echo(f"error: {message}", err=True)
    if output == "json":
        emit_json({"error": {"message": message}, "outcome": "not-sent"})
    sys.exit(int(code))


async def plan_membership(
    client: TwilioClient,
    resource: IncomingPhoneNumber,
    request: MembershipRequest,
    *,
    sandbox: bool,
    output: str,
) -> list[MembershipChange]:
    """The requests to send, in order (leave, then join), after asking each of the
    account's services whether the number is in it. What needs nothing sent is
    said; a join Twilio would refuse because the number is in another service
    (21712) stops here, before anything is sent (exit 7)."""
    sid, number = resource.sid or "", resource.phone_number or ""
    services: list[MessagingService] = []
    current: MessagingService | None = None
    known = True
    try:
        services = await client.list_messaging_services()
        current = await service_of(client, sid, services)
    except WizardError as error:
        known = False
        click.echo(f"warning: could not find which Messaging Service {number} is in ({error}).", err=True)
    names = {service.sid: service.friendly_name for service in services}

    def change(kind: Any, service_sid: str) -> MembershipChange:
        return MembershipChange.prepare(
            client,
            kind,
            service_sid=service_sid,
            phone_number_sid=sid,
            phone_number=number,
            sandbox=sandbox,
            service_name=names.get(service_sid),
        )

    if request.join is not None and known and request.join not in names:
        _refuse(
            f"{JOIN_FLAG}: this account has no Messaging Service {request.join}; nothing was sent. "
            "See the account's services in the Console (Messaging › Services).",
            output,
            Exit.BAD_INPUT,
        )
    changes: list[MembershipChange] = []
    if request.leave:
        if not known:
            _refuse(
                f"{LEAVE_FLAG}: which Messaging Service {number} is in could not be found; nothing was sent.",
                output,
                Exit.TWILIO_ERROR,
            )
        if current is None:
            click.echo(
                f"note: {LEAVE_FLAG}: {number} is in no Messaging Service: nothing to remove.", err=True
            )
        elif current.sid != request.join:
            changes.append(change("leave", current.sid))
    if request.join is not None:
        if current is not None and current.sid == request.join:
            click.echo(
                f"{number} is already in Messaging Service {describe_service(current)}: nothing to send.",
                err=True,
            )
        elif current is not None and not request.leave:
            _refuse(
                f"{JOIN_FLAG}: {number} is in Messaging Service {describe_service(current)}, and a "
                "number is in one service at a time (Twilio would refuse with 21712, "
                "https://www.twilio.com/docs/errors/21712). To move it, add "
                f"{LEAVE_FLAG}; nothing was sent.",
                output,
                Exit.TWILIO_ERROR,
            )
        else:
            changes.append(change("join", request.join))
    return changes


def describe_planned(change: MembershipChange) -> str:
    verb = "join" if change.kind == "join" else "leave"
    return f"Messaging Service: {verb} {change.service}"


def retry_command(change: MembershipChange, changes: Sequence[MembershipChange]) -> str:
    """The command that sends this step again (both steps are safe to repeat).
    A join whose leave did not go through needs the leave again too."""
    words = ["number-wizard", "numbers", "update", change.phone_number_sid]
    leave = next((c for c in changes if c.kind == "leave"), None)
    if change.kind == "leave" or (leave is not None and leave.state is not ChangeState.DONE):
        words.append(LEAVE_FLAG)
    join = next((c for c in changes if c.kind == "join"), None)
    if join is not None and (change.kind == "join" or join.state is not ChangeState.DONE):
        words += [JOIN_FLAG, join.service_sid]
    return shlex.join(words)


def done(change: MembershipChange) -> bool:
    return change.not_sent is None and change.state is ChangeState.DONE


def report(changes: Sequence[MembershipChange], *, prefix_failures: str) -> None:
    """The outcomes on stderr: a line each, and for one not done, why, the
    command to retry it and its receipt."""
    for change in changes:
        flag = JOIN_FLAG if change.kind == "join" else LEAVE_FLAG
        if done(change):
            click.echo(change.headline(), err=True)
        else:
            click.echo(f"{prefix_failures}: {flag}: {change.headline()}", err=True)
            error = change.error
            if isinstance(error, TwilioApiError) and error.explanation:
                click.echo(f"  {error.explanation.summary}", err=True)
            if isinstance(error, TwilioApiError) and error.code == IN_ANOTHER_SERVICE_CODE:
                click.echo(f"  add {LEAVE_FLAG} to move it from the service it is in.", err=True)
            click.echo("  to retry just this step (safe to repeat):", err=True)
            click.echo(f"  {retry_command(change, changes)}", err=True)
        if change.receipt is not None:
            click.echo(f"  receipt: {change.receipt.path}", err=True)


def change_json(change: MembershipChange, changes: Sequence[MembershipChange]) -> dict[str, Any]:
    error = change.record().get("error")
    if change.not_sent is not None:
        error = {"message": f"not sent: {change.not_sent}"}
    data: dict[str, Any] = {
        "service_sid": change.service_sid,
        "outcome": "not-sent" if change.not_sent is not None else change.state.value,
        "already": change.already,
        "error": error,
        "receipt": str(change.receipt.path) if change.receipt else None,
    }
    if not done(change):
        data["retry"] = retry_command(change, changes)
    return data


def changes_json(changes: Sequence[MembershipChange]) -> dict[str, Any]:
    """`messaging_service` (the join, shaped as buy's) and `left_messaging_service`."""
    data: dict[str, Any] = {}
    for change in changes:
        key = "messaging_service" if change.kind == "join" else "left_messaging_service"
        data[key] = change_json(change, changes)
    return data


def exit_code(changes: Sequence[MembershipChange]) -> Exit:
    """When the membership is all that was asked, its outcome decides: 8 when one
    is unknown, else the first failure's code, else 0."""
    if any(c.not_sent is None and c.state is ChangeState.UNKNOWN for c in changes):
        return Exit.OUTCOME_UNKNOWN
    for change in changes:
        if done(change):
            continue
        error = change.error
        if isinstance(error, TwilioApiError) and error.refused:
            return exit_for(error)
        return Exit.TWILIO_ERROR
    return Exit.OK
