"""`number-wizard sandbox serve`: the offline Twilio over HTTP; `sandbox simulate`:
a call or message to a number bought on it, its webhooks called as Twilio would."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click

from tui.cli.common import Exit, emit_json, fail, output_option
from tui.services.hosts import check_base_url


@click.group()
def sandbox() -> None:
    """The offline Twilio sandbox."""


@sandbox.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind. Anything but loopback exposes the sandbox, its published test "
    "credentials and its unauthenticated admin endpoints to your network.",
)
@click.option(
    "--port",
    default=8080,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0 picks a free one).",
)
@click.option(
    "--state",
    type=str,
    default=None,
    metavar="FILE",
    help="Keep the sandbox's state (purchases, released numbers) in this JSON file across "
    "restarts. A missing file starts afresh; a file that is not a sandbox state is refused.",
)
def serve(host: str, port: int, state: str | None) -> None:
    """Serve the sandbox over HTTP until interrupted (Ctrl+C).

    Prints the base URL and the test credentials. Point number-wizard at it with
    --api-url, or Twilio's own helper libraries with a custom HTTP client.

    \b
    Examples:
      number-wizard sandbox serve --port 8080 --state sandbox-state.json
      number-wizard --api-url http://127.0.0.1:8080 buy --phone-number +46701740612 --yes
    """
    from tui.sandbox.server import serve_forever
    from tui.sandbox.state import StateFileError

    if state is not None and not state.strip():
        _fail("--state: give a file name, e.g. --state sandbox-state.json")
    try:
        serve_forever(
            host,
            port,
            Path(state) if state is not None else None,
            announce=lambda line: click.echo(line),
            warn=lambda line: click.echo(line, err=True),
        )
    except StateFileError as error:
        _fail(f"--state: {error}")
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror or error}") from None


def _fail(message: str) -> None:
    """One line on stderr and exit code 2 (bad input), as the other commands do."""
    click.echo(f"error: {message}", err=True)
    raise SystemExit(2)


@sandbox.command(
    epilog="Exit codes: 0 Twilio would be satisfied; 2 bad input; 7 not done (the sandbox "
    "refused: a number it does not own; or it could not be reached); 10 Twilio would not "
    "be satisfied with an answer (or could not reach a URL)."
)
@click.argument("kind", type=click.Choice(["call", "sms"]))
@click.argument("number", metavar="NUMBER")
@click.option(
    "--base-url",
    metavar="URL",
    default=None,
    help="The served sandbox (what `sandbox serve` prints), e.g. http://127.0.0.1:8080. "
    "Default: the --api-url given before the command.",
)
@click.option("--from", "caller", metavar="E164", default=None, help="The caller (default +15005550100).")
@click.option("--body", metavar="TEXT", default=None, help="The message's text (sms only).")
@click.option(
    "--allow-unreachable",
    is_flag=True,
    help="Exit 0 when every answer is right even though Twilio could not reach the URLs "
    "(a server on this machine, as in most rehearsals).",
)
@output_option
def simulate(
    kind: str,
    number: str,
    base_url: str | None,
    caller: str | None,
    body: str | None,
    allow_unreachable: bool,
    output: str,
) -> None:
    """Rehearse a number's first call or message: the served sandbox calls the
    webhooks of NUMBER (a number bought on it) exactly as Twilio would, and each
    answer is judged as `webhook check` judges it.

    The sandbox sends Twilio's parameters, signs with the owning account's Auth Token
    (X-Twilio-Signature), and calls only the URLs configured on the number: the
    voice or SMS URL, its fallback when it fails, and a call's status callback.

    \b
    Examples:
      number-wizard sandbox simulate call +46701740612 --base-url http://127.0.0.1:8080
      number-wizard sandbox simulate sms +46701740612 --body "Hi" --base-url http://127.0.0.1:8080
    """
    from tui.domain import rules
    from tui.services.rehearsal import RehearsalError, rehearse

    options = click.get_current_context().find_object(dict) or {}
    base = base_url or options.get("api_url")
    if not base:
        fail(
            "--base-url: give the served sandbox's URL, e.g. --base-url http://127.0.0.1:8080", Exit.BAD_INPUT
        )
    try:
        check_base_url(base.rstrip("/"))
    except rules.RuleError as error:
        fail(f"--base-url: {error}", Exit.BAD_INPUT)
    try:
        number = rules.phone_number(number)
    except rules.RuleError as error:
        fail(f"NUMBER: {error}", Exit.BAD_INPUT)
    if caller is not None:
        try:
            caller = rules.phone_number(caller)
        except rules.RuleError as error:
            fail(f"--from: {error}", Exit.BAD_INPUT)
    if body is not None and kind != "sms":
        fail("--body: only a message (sms) has a body", Exit.BAD_INPUT)
    try:
        rehearsal = asyncio.run(
            rehearse("call" if kind == "call" else "sms", number, base_url=base, caller=caller, body=body)
        )
    except RehearsalError as error:
        if output == "json":
            emit_json({"error": {"message": str(error)}})
        fail(str(error), Exit.TWILIO_ERROR)
    if output == "json":
        emit_json(rehearsal.as_json())
    else:
        for line in rehearsal.lines():
            click.echo(line)
    passed = rehearsal.satisfied or (allow_unreachable and rehearsal.accepted)
    sys.exit(int(Exit.OK) if passed else int(Exit.WEBHOOK_NOT_SATISFIED))
