"""What `buy` checks before anything is sent, for a dry run as for a purchase:
the wizard's compliance pre-checks and the webhook checks (--check-webhooks).
Apart from tui/cli/buying.py so that a dry run loads none of the purchase
machinery (receipts, locks, recovery)."""

from __future__ import annotations

import asyncio
import sys

import click

from tui.cli.buy import flag_of
from tui.cli.common import Exit, emit_json
from tui.domain.errors import WizardError
from tui.domain.purchase import PurchaseRequest
from tui.services.session import Connection


def compliance_warnings(connection: Connection, request: PurchaseRequest) -> list[str]:
    """The wizard's compliance pre-checks for a dry run (reads only): the number's
    address requirement and the country's bundle rule against the flags given,
    each warning naming the flag that fixes it. When Twilio cannot be asked, one
    line says the checks were not made (a dry run still prints the request)."""
    return asyncio.run(_compliance_warnings(connection, request))


async def _compliance_warnings(connection: Connection, request: PurchaseRequest) -> list[str]:
    from tui.services.account_session import AccountSession
    from tui.wizard.compliance import compliance_issues
    from tui.wizard.context import PurchaseContext

    async with connection.client() as client:
        try:
            facts = await PurchaseContext().load_facts(AccountSession(client), request.phone_number, None)
        except WizardError as error:
            return [f"the compliance checks could not be made ({error})."]
    values = {k: v for k, v in request.values().items() if v is not None}
    return [f"{flag_of(issue.fields[0])}: {issue.message}" for issue in compliance_issues(values, facts)]


def webhook_gate(
    connection: Connection, request: PurchaseRequest, *, force: bool, output: str, dry_run: bool = False
) -> None:
    """`--check-webhooks` on its own (a dry run): see `gate_on_webhooks`."""
    asyncio.run(gate_on_webhooks(connection, request, force=force, output=output, dry_run=dry_run))


async def gate_on_webhooks(
    connection: Connection, request: PurchaseRequest, *, force: bool, output: str, dry_run: bool = False
) -> None:
    """Call every URL of the request the way Twilio will (signed with the Auth
    Token in use; unsigned, and said so, with an API key) and print the verdicts on
    stderr. When Twilio would not be satisfied with one, exit 10 before anything
    is bought, unless `force`."""
    from tui.domain.webhook_verdicts import verdict_lines
    from tui.services.webhooks import Signing, WebhookChecker, plan_number_webhooks

    plan = plan_number_webhooks(request)
    for skipped in plan.skipped:
        click.echo(f"note: --check-webhooks: {skipped}", err=True)
    if not plan.targets:
        click.echo("note: --check-webhooks: no webhook URL is given, so none was checked.", err=True)
        return
    count = len(plan.targets)
    click.echo(
        f"Checking {count} webhook URL{'s' if count > 1 else ''} the way Twilio will call them…", err=True
    )
    verdicts = await WebhookChecker().check(plan, Signing.from_credentials(connection.credentials))
    for verdict in verdicts:
        for line in verdict_lines(verdict):
            click.echo(line, err=True)
    failing = [verdict.label for verdict in verdicts if not verdict.satisfied]
    if not failing:
        click.echo("webhooks: Twilio would be satisfied with every URL.", err=True)
        return
    which = ", ".join(failing)
    if force:
        click.echo(
            f"warning: --force: going on although Twilio would not be satisfied with: {which}.", err=True
        )
        return
    nothing = "nothing was sent" if dry_run else "not bought: nothing was sent"
    message = f"{nothing}; Twilio would not be satisfied with: {which}. Fix them, or pass --force."
    click.echo(f"error: {message}", err=True)
    if output == "json":
        emit_json(
            {
                "error": {"message": message},
                "outcome": "not-sent",
                "webhooks": [verdict.as_json() for verdict in verdicts],
            }
        )
    sys.exit(int(Exit.WEBHOOK_NOT_SATISFIED))
