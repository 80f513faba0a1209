"""The floor of a dry run: the least `buy --dry-run -o json` can cost with the
libraries it is built on.

bare_cli.py's command line, whose `buy --dry-run` does the smallest version of
number-wizard's work: the phone number checked by phonenumbers, the four questions
of the compliance pre-checks (the number, the country's regulations, the
addresses, the bundles) asked through an httpx client of an in-process ASGI app,
then one JSON dump. With `--models` (the default) the purchase is checked by a
pydantic model and each answer read into one, as number-wizard does; with
`--no-models` pydantic is not imported at all. No receipts, no profiles, no
sandbox rules: what remains is what importing and first using click, pydantic,
phonenumbers, httpx and asyncio cost on this machine. scripts/bench.py prints
both beside the dry-run row, so that the distance to this floor can be read.
"""

from __future__ import annotations

import gc

# As number-wizard does until its start is over (tui/services/gc_pause.py), and
# as tui/__init__.py does: httpx's own command line (click, rich, pygments) is
# not imported with httpx.
gc.disable()
import sys  # noqa: E402

sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

import asyncio  # noqa: E402
import json  # noqa: E402
from collections.abc import Awaitable, Callable, MutableMapping  # noqa: E402
from typing import Any  # noqa: E402

import click  # noqa: E402
import httpx  # noqa: E402
import phonenumbers  # noqa: E402
from bare_cli import (  # type: ignore[import-not-found]  # noqa: E402  (this script's folder)
    PURCHASE_PARAMETERS,
    cli,
    connection_options,
    kebab,
    purchase_options,
)

ANSWERS = {
    "/number": {"phone_number": "+31616953194", "iso_country": "NL", "address_requirements": "none"},
    "/regulations": {"results": [{"sid": "RN0", "end_user_type": "business", "number_type": "mobile"}]},
    "/addresses": {"addresses": [{"sid": "AD0", "iso_country": "NL", "validated": True}]},
    "/bundles": {"results": [{"sid": "BU0", "status": "twilio-approved"}]},
}


def e164(value: str) -> str:
    parsed = phonenumbers.parse(value, None)
    if not phonenumbers.is_valid_number(parsed):
        raise click.BadParameter("not a valid phone number", param_hint="--phone-number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def pydantic_models() -> tuple[Any, Any]:
    from pydantic import BaseModel, ConfigDict, field_validator

    class Purchase(BaseModel):
        model_config = ConfigDict(frozen=True, extra="forbid")

        phone_number: str
        friendly_name: str | None = None
        address_sid: str | None = None

        @field_validator("phone_number")
        @classmethod
        def _e164(cls, value: str) -> str:
            return e164(value)

    class Answer(BaseModel):
        model_config = ConfigDict(frozen=True, extra="ignore")

        phone_number: str | None = None
        address_requirements: str | None = None
        results: list[dict[str, Any]] = []
        addresses: list[dict[str, Any]] = []

    return Purchase, Answer


async def asgi_app(
    scope: MutableMapping[str, Any],
    receive: Callable[[], Awaitable[MutableMapping[str, Any]]],
    send: Callable[[MutableMapping[str, Any]], Awaitable[None]],
) -> None:
    body = json.dumps(ANSWERS[scope["path"]]).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def pre_checks() -> list[dict[str, Any]]:
    transport = httpx.ASGITransport(app=asgi_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
        return [(await client.get(path)).json() for path in ANSWERS]


cli.commands.pop("buy")


@cli.command()
@purchase_options
@click.option("--yes", "-y", is_flag=True, help="Buy without asking for confirmation.")
@click.option("--dry-run", is_flag=True, help="Print the request that would be sent, and send nothing.")
@click.option("-o", "--output", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--models/--no-models", default=True, help="Check with pydantic models (the default).")
@connection_options
def buy(yes: bool, dry_run: bool, output: str, models: bool, **values: Any) -> None:
    """Buy a mobile number and configure it in one request."""
    form = {wire: values[kebab(wire).replace("-", "_")] for wire in PURCHASE_PARAMETERS}
    answers = asyncio.run(pre_checks())
    if models:
        purchase_model, answer_model = pydantic_models()
        purchase = purchase_model(phone_number=form["PhoneNumber"], friendly_name=form["FriendlyName"])
        number, *_others = [answer_model.model_validate(answer) for answer in answers]
        needs = number.address_requirements
        address = purchase.address_sid
    else:
        form["PhoneNumber"] = e164(form["PhoneNumber"])
        needs, address = answers[0].get("address_requirements"), form["AddressSid"]
    if needs not in (None, "none") and address is None:
        click.echo("warning: --address-sid: this number needs an address.", err=True)
    request = {
        "method": "POST",
        "url": "https://api.twilio.com/2010-04-01/Accounts/AC0/IncomingPhoneNumbers/Mobile.json",
        "form": {k: v for k, v in form.items() if v is not None},
    }
    click.echo(json.dumps(request, indent=2))


if __name__ == "__main__":
    cli(prog_name="dry-run-floor")
