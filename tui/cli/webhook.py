"""`number-wizard webhook check URL`: call a webhook the way Twilio will and say
whether Twilio would be satisfied with the answer."""

from __future__ import annotations

import asyncio
import os
import sys
from typing import TYPE_CHECKING, NoReturn

import click

from tui.cli.common import Exit, check_api_url, connection_options, emit_json, output_option

if TYPE_CHECKING:
    from tui.services.webhooks import Signing

# Exit code for "Twilio would not be satisfied" (bad answer, too slow, unreachable
# by Twilio); `buy --check-webhooks` uses it too.
WEBHOOK_NOT_SATISFIED = int(Exit.WEBHOOK_NOT_SATISFIED)

WEBHOOK_EXIT_CODES_HELP = (
    "Exit codes: 0 Twilio would be satisfied; 2 bad input; 3 credentials could not be "
    "read (a missing profile or keyring; with no credentials at all the check runs "
    f"unsigned); {WEBHOOK_NOT_SATISFIED} Twilio would not be satisfied (the answer, its time, or "
    "a URL Twilio cannot reach)."
)


@click.group()
def webhook() -> None:
    """Check webhooks the way Twilio calls them."""


@webhook.command(epilog=WEBHOOK_EXIT_CODES_HELP)
@click.argument("url")
@click.option(
    "--kind",
    type=click.Choice(["voice", "sms", "status"]),
    default="voice",
    show_default=True,
    help="What Twilio calls the URL for: an incoming call (TwiML expected), an incoming "
    "message (TwiML or nothing), or a call's status callback (any 2xx).",
)
@click.option(
    "--method",
    type=click.Choice(["GET", "POST"], case_sensitive=False),
    metavar="GET|POST",
    default="POST",
    show_default=True,
    help="The HTTP method configured for the URL (Twilio's default is POST).",
)
@click.option(
    "--to",
    "to_number",
    metavar="E164",
    default=None,
    help="The number being called or texted (the To parameter). Default: Twilio's test number +15005550006.",
)
@click.option(
    "--unsigned",
    is_flag=True,
    help="Send no X-Twilio-Signature and read no credentials.",
)
@click.option(
    "--allow-unreachable",
    is_flag=True,
    help="Exit 0 when the answer is right even though Twilio could not reach the URL "
    "(a server on this machine or a private network, tried from here).",
)
@output_option
@connection_options
def check(
    url: str,
    kind: str,
    method: str,
    to_number: str | None,
    unsigned: bool,
    allow_unreachable: bool,
    output: str,
) -> None:
    """Send URL the request Twilio would send, and judge the answer as Twilio would.

    The request has Twilio's parameters for an incoming call, an incoming message or a
    status callback (test values: SIDs marked 000000007e57, numbers +1 500 555…),
    Twilio's headers, and X-Twilio-Signature computed with the account's Auth Token
    (from --profile, TWILIO_* variables or the active profile; --sandbox signs with the
    sandbox's). With API key credentials, or none, it is sent unsigned and the verdict
    says so. At most 5 redirects are followed, Twilio's 15 s limit applies, and at most
    64 kB of the answer is read.

    The verdict says the status, the time, the content type, any redirects, whether the
    answer is one Twilio accepts (TwiML that parses, with the first problem named), and
    what Twilio does otherwise. A URL Twilio cannot reach (localhost, a private or
    link-local address, a .local name) is still tried from here, and the verdict says
    that Twilio itself could not reach it.
    """
    from tui.domain import rules
    from tui.domain.webhook_verdicts import verdict_lines
    from tui.domain.webhooks import WebhookKind
    from tui.services.webhooks import WebhookTarget, check_webhook

    try:
        rules.url(url)
    except rules.RuleError as error:
        _bad_input(f"URL: {error}", output)
    if to_number is not None:
        try:
            to_number = rules.phone_number(to_number)
        except rules.RuleError as error:
            _bad_input(f"--to: {error}", output)
    signing = _signing(unsigned, output)  # unsigned: the verdict says why

    target = WebhookTarget(url, WebhookKind(kind), method.upper(), label=_label(kind))
    verdict = asyncio.run(check_webhook(target, signing=signing, to_number=to_number))
    if output == "json":
        emit_json(verdict.as_json())
    else:
        for line in verdict_lines(verdict):
            click.echo(line)
    passed = verdict.satisfied or (allow_unreachable and verdict.accepted)
    sys.exit(int(Exit.OK) if passed else WEBHOOK_NOT_SATISFIED)


def _label(kind: str) -> str:
    return {"voice": "Voice webhook", "sms": "SMS webhook", "status": "Status callback"}[kind]


def _bad_input(message: str, output: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    if output == "json":
        emit_json({"error": {"message": message}})
    sys.exit(int(Exit.BAD_INPUT))


def _signing(unsigned: bool, output: str) -> Signing:
    """Who signs: the Auth Token of the credentials the options point at. No
    credentials at all is not an error here (the check runs unsigned); credentials
    that exist but cannot be read are, since the person asked for them."""
    from tui.services.credentials.errors import CredentialsError, NoCredentialsError
    from tui.services.session import resolve_connection
    from tui.services.webhooks import Signing

    if unsigned:
        return Signing.unsigned("--unsigned was given")
    options = click.get_current_context().find_object(dict) or {}
    if options.get("api_url"):
        check_api_url(options["api_url"])  # refused as by every command, though not used here
        click.echo("note: --api-url is not used: webhooks are called directly, not through Twilio.", err=True)
    try:
        connection = resolve_connection(
            sandbox=bool(options.get("sandbox")),
            api_url=None,
            profile=options.get("profile"),
            env=os.environ,
        )
    except NoCredentialsError:
        return Signing.unsigned(
            "no credentials were found (no --profile, TWILIO_* variables or active profile), so "
            "the Auth Token Twilio signs with is not known"
        )
    except CredentialsError as error:
        message = f"{error} (or check unsigned with --unsigned)"
        click.echo(f"error: {message}", err=True)
        if output == "json":
            emit_json({"error": {"message": message}})
        sys.exit(int(Exit.CREDENTIALS))
    return Signing.from_credentials(connection.credentials)
