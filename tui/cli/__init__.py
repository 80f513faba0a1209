"""The command line: the wizard by default, and scriptable commands in
twilio-cli's style (`buy`, `search`, `numbers`, `sandbox serve`, `profiles`).

Each command's module is imported only when that command runs (or shows its own
help): `number-wizard --help` imports none of them, and none of the API client,
the pydantic models, keyring or Textual. tests/unit/test_start_imports.py keeps it so.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from tui import __version__
from tui.cli.common import check_api_url, connection_options
from tui.services import gc_pause
from tui.services.credentials.redact import install_log_redaction


class LazyGroup(click.Group):
    """A group whose commands are imported on first use.

    `lazy_commands` maps a command's name to its `module:attribute` and the one
    line the group's `--help` lists it with (the first line of its docstring, which
    a test compares with the command's own), so listing the commands imports none.
    """

    def __init__(self, *args: Any, lazy_commands: dict[str, tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = lazy_commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy_commands:
            module_name, attribute = self.lazy_commands[cmd_name][0].split(":")
            command = getattr(importlib.import_module(module_name), attribute)
            self.add_command(command, cmd_name)
        gc_pause.resume()  # a command is loaded: the start is over
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            if name in self.lazy_commands and name not in self.commands:
                # Shortened as click shortens the command's own help.
                summary = click.Command(name, help=self.lazy_commands[name][1]).get_short_help_str(limit)
            else:
                command = self.get_command(ctx, name)
                if command is None or command.hidden:
                    continue
                summary = command.get_short_help_str(limit)
            rows.append((name, summary))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


COMMANDS = {
    "buy": ("tui.cli.buy:buy", "Buy a mobile number and configure it in one request."),
    "search": ("tui.cli.search:search", "Search the mobile numbers available to buy in one country."),
    "sandbox": ("tui.cli.sandbox:sandbox", "The offline Twilio sandbox."),
    "profiles": (
        "tui.cli.profiles:profiles",
        "Stored Twilio credentials: the secret in the system keyring, the rest in "
        "number-wizard's config file.",
    ),
    "webhook": ("tui.cli.webhook:webhook", "Check webhooks the way Twilio calls them."),
    "numbers": (
        "tui.cli.numbers:numbers",
        "The numbers this account owns: list, show, change and release them.",
    ),
}


@click.group(
    cls=LazyGroup,
    lazy_commands=COMMANDS,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, "--version", "-V", prog_name="number-wizard")
@click.option(
    "--plain",
    is_flag=True,
    help="Ask the wizard's questions one line at a time (for screen readers, simple "
    "terminals and logs). Chosen by itself when TERM=dumb or the output is not a terminal.",
)
@connection_options
@click.pass_context
def cli(ctx: click.Context, plain: bool) -> None:
    """Buy and configure a Twilio mobile phone number.

    Without a command, opens the wizard, which walks you through every step. Try
    it safely first with `number-wizard --sandbox`: nothing is bought or charged.
    """
    if ctx.invoked_subcommand is not None:
        return
    options = ctx.ensure_object(dict)
    check_api_url(options.get("api_url"))
    from tui.plain.choose import plain_reason
    from tui.services.session import ConnectionRequest

    # Credentials are resolved by the wizard itself (its Account step), so that a
    # missing profile or a locked keyring is explained there, with a way forward.
    request = ConnectionRequest(
        sandbox=bool(options.get("sandbox")),
        api_url=options.get("api_url"),
        profile=options.get("profile"),
    )
    reason = plain_reason(os.environ, sys.stdin, sys.stdout)
    if plain or reason:
        from tui.plain.run import run_plain  # neither Textual nor Rich

        gc_pause.resume()
        sys.exit(run_plain(request, reason=None if plain else reason))
    from tui.app import run_wizard  # Textual loads only when the wizard runs

    # The collector stays paused until the wizard's first frame (tui/screens/base.py).
    run_wizard(request)


def main() -> None:
    gc_pause.pause()  # until the start is over (tui/services/gc_pause.py)
    # Before anything can log: secrets and Basic auth headers are masked in every
    # log record, whichever library writes it.
    install_log_redaction()
    # NO_COLOR (https://no-color.org): click writes no colour either (Textual and
    # Rich read the variable themselves).
    cli(prog_name="number-wizard", color=False if os.environ.get("NO_COLOR") else None)
