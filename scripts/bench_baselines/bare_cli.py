"""Baseline: a bare click program of number-wizard's shape.

A group with the same root options and subcommands, a `buy` with one option per
body parameter of the Mobile purchase (help texts of similar length), and
`buy --dry-run -o json` printing one JSON dump. It imports nothing but click and
json: what a command line costs before it does anything.
"""

from __future__ import annotations

import json
import re
from typing import Any

import click

PURCHASE_PARAMETERS = (
    "PhoneNumber", "ApiVersion", "FriendlyName", "SmsApplicationSid", "SmsFallbackMethod",
    "SmsFallbackUrl", "SmsMethod", "SmsUrl", "StatusCallback", "StatusCallbackMethod",
    "VoiceApplicationSid", "VoiceCallerIdLookup", "VoiceFallbackMethod", "VoiceFallbackUrl",
    "VoiceMethod", "VoiceUrl", "IdentitySid", "AddressSid", "EmergencyStatus",
    "EmergencyAddressSid", "TrunkSid", "VoiceReceiveMode", "BundleSid",
)  # fmt: skip


def kebab(wire: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", wire).lower()


def connection_options(func: Any) -> Any:
    func = click.option("--sandbox", is_flag=True, default=None, help="Use the offline sandbox.")(func)
    func = click.option("--api-url", metavar="URL", default=None, help="Send requests here.")(func)
    return click.option("--profile", metavar="NAME", default=None, help="Use this profile.")(func)


def purchase_options(func: Any) -> Any:
    for wire in reversed(PURCHASE_PARAMETERS):
        flag = "--" + kebab(wire)
        help_text = f"The {wire} body parameter of the purchase, checked before sending. [default: none]"
        func = click.option(flag, kebab(wire).replace("-", "_"), default=None, help=help_text)(func)
    return func


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option("0.1.0", "--version", "-V", prog_name="bare-cli")
@connection_options
def cli(**options: Any) -> None:
    """Buy and configure a phone number (baseline)."""


@cli.command(epilog="Exit codes: 0 done; 2 bad input.")
@purchase_options
@click.option("--yes", "-y", is_flag=True, help="Buy without asking for confirmation.")
@click.option("--dry-run", is_flag=True, help="Print the request that would be sent, and send nothing.")
@click.option("-o", "--output", type=click.Choice(["table", "json"]), default="table", show_default=True)
@connection_options
def buy(yes: bool, dry_run: bool, output: str, **values: Any) -> None:
    """Buy a mobile number and configure it in one request."""
    form = {wire: values[kebab(wire).replace("-", "_")] for wire in PURCHASE_PARAMETERS}
    request = {
        "method": "POST",
        "url": "https://api.twilio.com/2010-04-01/Accounts/AC0/IncomingPhoneNumbers/Mobile.json",
        "form": {k: v for k, v in form.items() if v is not None},
    }
    click.echo(json.dumps(request, indent=2))


@cli.command()
@click.option("--country", metavar="CC", default=None, help="Two-letter ISO country code.")
@connection_options
def search(**options: Any) -> None:
    """List available mobile numbers."""


@cli.group()
def sandbox() -> None:
    """The offline sandbox."""


@sandbox.command()
@click.option("--port", default=8080, show_default=True, help="Port to listen on.")
def serve(port: int) -> None:
    """Serve the sandbox."""


@cli.group()
def profiles() -> None:
    """Stored credentials."""


if __name__ == "__main__":
    cli(prog_name="bare-cli")
