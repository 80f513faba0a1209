"""`number-wizard buy`: buy a mobile number without screens."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from tui.cli.common import (
    EXIT_CODES_HELP,
    Exit,
    connection_options,
    emit_fields,
    emit_json,
    fail,
    open_connection,
    output_option,
    report_error,
)
from tui.domain import rules
from tui.domain.errors import WizardError
from tui.domain.fields import PURCHASE_FIELDS, FieldSpec

if TYPE_CHECKING:
    # Imported where they are used: `buy --help` needs only the field catalogue,
    # not the models (pydantic), the API client or the receipts.
    from tui.domain.purchase import PurchaseRequest
    from tui.domain.resources import IncomingPhoneNumber, MobilePrice
    from tui.services.session import Connection


def field_option(spec: FieldSpec) -> Any:
    """A click option for a catalogue field; its rule is applied later, with every
    other field's, so that all problems are reported at once, one line each."""
    help_text = spec.help + ("" if spec.required else f" [Twilio's default: {spec.twilio_default}]")
    if spec.kind == "bool":
        return click.option(f"{spec.flag}/--no-{spec.flag[2:]}", spec.name, default=None, help=help_text)
    metavar = {"phone": "E164", "sid": f"{spec.sid_prefix}…", "url": "URL", "method": "GET|POST"}.get(
        spec.kind, "|".join(spec.choices) if spec.choices else "TEXT"
    )
    return click.option(spec.flag, spec.name, metavar=metavar, default=None, help=help_text)


def with_purchase_fields(func: Any) -> Any:
    for spec in reversed(PURCHASE_FIELDS):
        func = field_option(spec)(func)
    return func


def flag_of(name: str) -> str:
    for spec in PURCHASE_FIELDS:
        if spec.name == name:
            return spec.flag
    return name


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


@click.command(epilog=EXIT_CODES_HELP)
@with_purchase_fields
@click.option("--yes", "-y", is_flag=True, help="Buy without asking for confirmation.")
@click.option("--dry-run", is_flag=True, help="Print the request that would be sent, and send nothing.")
@output_option
@connection_options
def buy(yes: bool, dry_run: bool, output: str, **values: Any) -> None:
    """Buy a mobile number and configure it in one request.

    Every body parameter of Twilio's Mobile purchase has a flag. The number is
    checked before anything is sent; the price is shown before you confirm, and
    every attempt leaves a receipt.
    """
    from tui.domain.purchase import build_request

    request, problems = build_request({k: v for k, v in values.items() if v is not None})
    if problems:
        for problem in problems:
            where = flag_of(problem.field) if problem.field else "request"
            click.echo(f"error: {where}: {problem.message}", err=True)
        sys.exit(int(Exit.BAD_INPUT))
    assert request is not None
    for issue in request.warnings():
        click.echo(f"warning: {flag_of(issue.fields[0])}: {issue.message}", err=True)

    connection = open_connection(output)
    client = connection.client()
    if dry_run:
        prepared = client.prepare_purchase(request)
        if output == "json":
            emit_json(prepared.as_json())
        else:
            click.echo(f"{prepared.method} {prepared.url}")
            emit_fields(list(prepared.form.items()))
        click.echo("dry run: nothing was sent.", err=True)
        return
    import asyncio  # not for --help or a dry run

    asyncio.run(_buy(connection, request, yes=yes, output=output))


async def _buy(connection: Connection, request: PurchaseRequest, *, yes: bool, output: str) -> None:
    from tui.services.purchase import buy as buy_number
    from tui.services.receipts import ReceiptBook

    async with connection.client() as client:
        try:
            owned = await client.find_owned_number(request.phone_number)
        except WizardError:
            # Only a courtesy: some credentials may not read numbers (Twilio's test
            # credentials get 20008) and re-buying an owned number buys nothing
            # twice, so the purchase goes on.
            owned = None
        if owned is not None:
            fail(
                f"this account already owns {request.phone_number} ({owned.sid}); nothing was "
                "bought. Change its settings in the Twilio Console or with twilio-cli's "
                "phone-numbers:update.",
                Exit.NUMBER_UNAVAILABLE,
            )
        if not yes:
            price = await _price_or_unknown(client, request.phone_number)
            _confirm(connection, request, price)
        outcome = await buy_number(client, request, ReceiptBook(), sandbox=connection.sandbox)

    receipt = outcome.receipt.path if outcome.receipt else None
    if outcome.status != "bought":
        click.echo(f"error: {outcome.headline()}", err=True)
        if receipt:
            click.echo(f"  receipt: {receipt}", err=True)
        assert outcome.error is not None
        report_error(outcome.error, output)
    assert outcome.resource is not None
    click.echo(outcome.headline(), err=True)
    for difference in outcome.differences:
        click.echo(
            f"warning: {flag_of(difference.field)}: asked for {difference.asked!r}, "
            f"Twilio has {difference.got!r}.",
            err=True,
        )
    if receipt:
        click.echo(f"receipt: {receipt}", err=True)
    if output == "json":
        emit_json(resource_json(outcome.resource))
    else:
        emit_fields(resource_pairs(outcome.resource))


async def _price_or_unknown(client: Any, phone_number: str) -> MobilePrice:
    from tui.domain.resources import MobilePrice

    region = rules.phone_number_facts(phone_number).region
    if not region:
        return MobilePrice()
    try:
        return await client.fetch_mobile_price(region)
    except WizardError:
        return MobilePrice(iso_country=region)


def _confirm(connection: Connection, request: PurchaseRequest, price: MobilePrice) -> None:
    if not sys.stdin.isatty():
        fail("confirmation needed: run in a terminal, or pass --yes to buy without asking.", Exit.BAD_INPUT)
    facts = rules.phone_number_facts(request.phone_number)
    creds = connection.credentials
    where = "the SANDBOX (nothing is charged)" if connection.sandbox else f"account {creds.account_sid}"
    click.echo(f"Number:  {request.phone_number} ({facts.describe()})", err=True)
    click.echo(f"Price:   {price.describe()}, billed monthly from today", err=True)
    click.echo(f"Account: {where}", err=True)
    if not click.confirm(f"Buy {request.phone_number} for {price.describe()}?", default=False, err=True):
        fail("not bought: you did not confirm.", Exit.DECLINED)
