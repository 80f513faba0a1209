"""The command line: the wizard by default, and scriptable commands in
twilio-cli's style (`buy`, `search`, `sandbox serve`, `profiles`)."""

from __future__ import annotations

import click

from tui import __version__
from tui.cli.buy import buy
from tui.cli.common import connection_options, open_connection
from tui.cli.sandbox import sandbox
from tui.cli.search import search


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
    from tui.app import run_wizard  # Textual loads only when the wizard runs

    run_wizard(open_connection())


cli.add_command(buy)
cli.add_command(search)
cli.add_command(sandbox)


def main() -> None:
    cli(prog_name="number-wizard")
