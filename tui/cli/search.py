"""`number-wizard search`: list available mobile numbers with every Twilio filter."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import click

from tui.cli.common import (
    EXIT_CODES_HELP,
    Exit,
    connection_options,
    emit_json,
    emit_table,
    open_connection,
    output_option,
    report_error,
)
from tui.domain.errors import WizardError
from tui.domain.fields import FieldSpec
from tui.domain.search import SEARCH_FIELDS, MobileSearch, build_search
from tui.services.account_session import mobile_price_or_unknown
from tui.services.session import Connection

ADDRESS_WORDS = {"none": "no", "any": "any address", "local": "local address", "foreign": "foreign address"}


def _filter_option(spec: FieldSpec) -> Any:
    help_text = f"{spec.help} [Twilio's default: {spec.twilio_default}]"
    if spec.kind == "bool":
        return click.option(f"{spec.flag}/--no-{spec.flag[2:]}", spec.name, default=None, help=help_text)
    return click.option(
        spec.flag, spec.name, default=None, metavar=spec.placeholder or "TEXT", help=help_text
    )


def with_search_fields(func: Any) -> Any:
    for spec in reversed(SEARCH_FIELDS):
        func = _filter_option(spec)(func)
    return func


def _flag(name: str) -> str:
    if name == "country_code":
        return "--country"
    return next((s.flag for s in SEARCH_FIELDS if s.name == name), name)


@click.command(epilog=EXIT_CODES_HELP)
@click.option(
    "--country",
    "country_code",
    metavar="CC",
    default=None,
    help=(
        "Two-letter ISO country code, e.g. GB. `number-wizard search --list-countries` "
        "lists those that sell mobile numbers."
    ),
)
@click.option(
    "--list-countries", is_flag=True, help="List the countries that sell mobile numbers, then exit."
)
@with_search_fields
@output_option
@connection_options
def search(list_countries: bool, output: str, **values: Any) -> None:
    """Search the mobile numbers available to buy in one country."""
    connection = open_connection(output)
    if list_countries:
        asyncio.run(_list_countries(connection, output))
        return
    if not values.get("country_code"):
        click.echo("error: --country: give a two-letter country code, e.g. --country GB.", err=True)
        sys.exit(int(Exit.BAD_INPUT))
    query, problems = build_search({k: v for k, v in values.items() if v is not None})
    if problems:
        for problem in problems:
            click.echo(f"error: {_flag(problem.field)}: {problem.message}", err=True)
        sys.exit(int(Exit.BAD_INPUT))
    assert query is not None
    for issue in query.issues():
        click.echo(f"warning: {_flag(issue.fields[0])}: {issue.message}", err=True)
    asyncio.run(_search(connection, query, output))


async def _list_countries(connection: Connection, output: str) -> None:
    async with connection.client() as client:
        try:
            countries = await client.list_mobile_countries()
        except WizardError as error:
            report_error(error, output)
    if output == "json":
        emit_json([c.model_dump(mode="json") for c in countries])
    else:
        emit_table(
            [[c.country_code, c.country or "", "beta" if c.beta else ""] for c in countries],
            ["code", "country", "beta"],
        )


async def _search(connection: Connection, query: MobileSearch, output: str) -> None:
    async with connection.client() as client:
        try:
            numbers = await client.search_mobile(query)
        except WizardError as error:
            report_error(error, output)
        price = await mobile_price_or_unknown(client, query.country_code)
        bundle_note = await _bundle_note(client, query.country_code)
    if output == "json":
        emit_json(
            {
                "country_code": query.country_code,
                "monthly_price": price.model_dump(mode="json"),
                "bundle_required": bundle_note[0],
                "available_phone_numbers": [n.model_dump(mode="json") for n in numbers],
            }
        )
        return
    if bundle_note[1]:
        click.echo(bundle_note[1], err=True)
    if not numbers:
        click.echo(
            f"No mobile numbers in {query.country_code} match. Loosen a filter "
            "(Contains, capabilities, address exclusions) and search again.",
            err=True,
        )
        return
    click.echo(f"{len(numbers)} mobile numbers in {query.country_code}, {price.describe()}:")
    emit_table(
        [
            [
                n.phone_number or "",
                n.locality or "",
                n.capabilities.describe() if n.capabilities else "",
                ADDRESS_WORDS.get(n.address_requirements or "", n.address_requirements or ""),
                "beta" if n.beta else "",
            ]
            for n in numbers
        ],
        ["number", "locality", "capabilities", "address needed", "beta"],
    )


async def _bundle_note(client: Any, iso_country: str) -> tuple[bool | None, str]:
    """Whether the country regulates mobile numbers (Twilio's Regulations API, read
    rather than hard-coded, as Twilio asks), and a line saying what that means."""
    try:
        regulations = await client.list_regulations(iso_country)
    except WizardError:
        return None, f"note: could not check whether {iso_country} requires a regulatory bundle."
    if not regulations:
        return False, ""
    return True, (
        f"note: {iso_country} requires an approved regulatory bundle for mobile numbers: "
        "buy with --bundle-sid BU… (twilio-approved), or Twilio refuses with 21649."
    )
