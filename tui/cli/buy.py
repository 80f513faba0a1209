"""`number-wizard buy`: buy a mobile number without screens."""

from __future__ import annotations

import sys
from typing import Any

import click

from tui.cli.common import (
    EXIT_CODES_HELP,
    Exit,
    connection_options,
    emit_fields,
    emit_json,
    open_connection,
    output_option,
)

# `buy --help` needs only the field catalogue: the models (pydantic), the API
# client and the purchase machinery (tui.cli.buying) are imported to buy.
from tui.domain.fields import FIELDS_BY_NAME, FOLLOW_UP_FIELDS, PURCHASE_FIELDS, FieldSpec


def field_option(spec: FieldSpec) -> Any:
    """A click option for a catalogue field; its rule is applied later, with every
    other field's, so that all problems are reported at once, one line each."""
    # The catalogue's words, as in the wizard's help panel.
    about = f" {spec.about}" if spec.about else ""
    if spec.follow_up:
        default = f" A second request, after the purchase [default: {spec.twilio_default}]"
    else:
        default = "" if spec.required else f" [Twilio's default: {spec.twilio_default}]"
    help_text = spec.help + about + default
    if spec.kind == "bool":
        return click.option(f"{spec.flag}/--no-{spec.flag[2:]}", spec.name, default=None, help=help_text)
    metavar = {"phone": "E164", "sid": f"{spec.sid_prefix}…", "url": "URL", "method": "GET|POST"}.get(
        spec.kind, "|".join(spec.choices) if spec.choices else "TEXT"
    )
    return click.option(spec.flag, spec.name, metavar=metavar, default=None, help=help_text)


def with_purchase_fields(func: Any) -> Any:
    for spec in reversed((*PURCHASE_FIELDS, *FOLLOW_UP_FIELDS)):
        func = field_option(spec)(func)
    return func


def flag_of(name: str) -> str:
    spec = FIELDS_BY_NAME.get(name)
    return spec.flag if spec is not None else name


@click.command(epilog=EXIT_CODES_HELP)
@with_purchase_fields
@click.option("--yes", "-y", is_flag=True, help="Buy without asking for confirmation.")
@click.option("--dry-run", is_flag=True, help="Print the request that would be sent, and send nothing.")
@click.option(
    "--wait",
    "wait",
    type=click.FloatRange(1, 600),
    default=60,
    show_default=True,
    metavar="SECONDS",
    help="How long to wait for Twilio's answer to the purchase; after that the number "
    "is looked up on the account (never posted again).",
)
@click.option(
    "--check-webhooks",
    is_flag=True,
    help="First call every webhook URL given (voice, SMS, their fallbacks, the status callback) "
    "the way Twilio will, signed, as `webhook check` does, and buy nothing if Twilio would not be "
    "satisfied with one (exit 10).",
)
@click.option(
    "--force",
    is_flag=True,
    help="With --check-webhooks: buy even when a check fails (the verdicts are still printed).",
)
@output_option
@connection_options
def buy(
    yes: bool,
    dry_run: bool,
    wait: float,
    check_webhooks: bool,
    force: bool,
    output: str,
    **values: Any,
) -> None:
    """Buy a mobile number and configure it in one request.

    Every body parameter of Twilio's Mobile purchase has a flag. The number is
    checked before anything is sent; the price is shown before you confirm, and
    every attempt leaves a receipt. With --check-webhooks the webhooks are called
    first, and a URL Twilio would not be satisfied with stops the purchase. With
    --messaging-service-sid the number then joins that Messaging Service, by a
    second request whose failure never undoes the purchase (a warning, and
    "messaging_service" in -o json; exit code the purchase's).
    """
    if force and not check_webhooks:
        click.echo("error: --force: it only goes with --check-webhooks.", err=True)
        sys.exit(int(Exit.BAD_INPUT))
    from tui.domain.follow_up import build_follow_up  # pydantic: not for --help
    from tui.domain.purchase import build_request

    follow_up_names = {spec.name for spec in FOLLOW_UP_FIELDS}
    given = {k: v for k, v in values.items() if v is not None}
    request, problems = build_request({k: v for k, v in given.items() if k not in follow_up_names})
    follow_up, follow_up_problems = build_follow_up({k: v for k, v in given.items() if k in follow_up_names})
    problems = problems + follow_up_problems
    if problems:
        for problem in problems:
            where = flag_of(problem.field) if problem.field else "request"
            click.echo(f"error: {where}: {problem.message}", err=True)
        sys.exit(int(Exit.BAD_INPUT))
    assert request is not None and follow_up is not None
    for issue in request.warnings():
        click.echo(f"warning: {flag_of(issue.fields[0])}: {issue.message}", err=True)

    connection = open_connection(output)
    connection.purchase_wait = wait
    client = connection.client()
    if dry_run:
        from tui.cli.pre_checks import compliance_warnings, webhook_gate

        prepared = client.prepare_purchase(request)
        # The wizard's compliance pre-checks, read-only: what Twilio would refuse.
        for warning in compliance_warnings(connection, request):
            click.echo(f"warning: {warning}", err=True)
        if check_webhooks:
            webhook_gate(connection, request, force=force, output=output, dry_run=True)
        # The second request needs the SID of the number bought: shown as PN….
        join = (
            client.prepare_messaging_service_join(follow_up.messaging_service_sid, "PN…")
            if follow_up.messaging_service_sid
            else None
        )
        if output == "json":
            emit_json({**prepared.as_json(), **({"then": [join.as_json()]} if join else {})})
        else:
            click.echo(f"{prepared.method} {prepared.url}")
            emit_fields(list(prepared.form.items()))
            if join is not None:
                click.echo(f"then, once bought: {join.method} {join.url}")
                emit_fields(list(join.form.items()))
        click.echo("dry run: nothing was sent.", err=True)
        return
    from tui.cli.buying import run_purchase  # the purchase itself: not for --help or a dry run

    run_purchase(
        connection,
        request,
        yes=yes,
        output=output,
        check_webhooks=check_webhooks,
        force=force,
        follow_up=follow_up,
    )
