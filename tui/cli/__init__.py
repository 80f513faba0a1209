"""The command line: the wizard by default, and scriptable commands in
twilio-cli's style (`buy`, `search`, `sandbox serve`, `profiles`)."""

from __future__ import annotations

import click

from tui import __version__

# Imported under other names so that `tui.cli.buy` etc. stay the modules.
from tui.cli.buy import buy as buy_command
from tui.cli.common import check_api_url, connection_options
from tui.cli.profiles import profiles as profiles_group
from tui.cli.sandbox import sandbox as sandbox_group
from tui.cli.search import search as search_command
from tui.cli.webhook import webhook as webhook_group
from tui.services.credentials.redact import install_log_redaction
from tui.services.session import ConnectionRequest


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="number-wizard")
@connection_options
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Buy and configure a Twilio mobile phone number.

    Without a command, opens the wizard, which walks you through every step. Try
    it safely first with `number-wizard --sandbox`: nothing is bought or charged.
    """
    if ctx.invoked_subcommand is not None:
        return
    options = ctx.ensure_object(dict)
    check_api_url(options.get("api_url"))
    from tui.app import run_wizard  # Textual loads only when the wizard runs

    # Credentials are resolved by the wizard itself (its Account step), so that a
    # missing profile or a locked keyring is explained there, with a way forward.
    run_wizard(
        ConnectionRequest(
            sandbox=bool(options.get("sandbox")),
            api_url=options.get("api_url"),
            profile=options.get("profile"),
        )
    )


cli.add_command(buy_command)
cli.add_command(search_command)
cli.add_command(sandbox_group)
cli.add_command(profiles_group)
cli.add_command(webhook_group)


def main() -> None:
    # Before anything can log: secrets and Basic auth headers are masked in every
    # log record, whichever library writes it.
    install_log_redaction()
    cli(prog_name="number-wizard")
