"""`number-wizard numbers`: the numbers the account owns: list, show, update,
release. Like twilio-cli's `phone-numbers:list|update` and
`incoming-phone-numbers:remove`, with every setting `buy` has, receipts, and a
typed confirmation before a release.

Only click and the field catalogue are imported here (`--help` stays light); the
API client, the models and the change machinery load in tui.cli.numbers_running.
"""

from __future__ import annotations

from typing import Any

import click

from tui.cli.buy import field_option
from tui.cli.common import EXIT_CODES_HELP, connection_options, output_option
from tui.domain.fields import PURCHASE_FIELDS

NUMBERS_EXIT_CODES = (
    EXIT_CODES_HELP.removesuffix(".")
    + ". For numbers: 4 the account owns no such number; 7 not done (also: a release "
    "refused while an emergency address is set, or a Messaging Service to join while the "
    "number is in another); 8 an update or release was sent and its outcome is unknown."
)

REFERENCE = click.argument("number", metavar="PN…|+E164")

SETTING_SPECS = tuple(spec for spec in PURCHASE_FIELDS if spec.name != "phone_number")


def clear_flag(name: str) -> str:
    """The flag that clears a setting, e.g. `--clear-voice-url`."""
    for spec in SETTING_SPECS:
        if spec.name == name:
            return "--clear-" + spec.flag[2:]
    return name


def with_setting_fields(func: Any) -> Any:
    for spec in reversed(SETTING_SPECS):
        if spec.clearable:
            func = click.option(
                "--clear-" + spec.flag[2:],
                "clear_" + spec.name,
                is_flag=True,
                help=f"Clear the {spec.label} (sent empty).",
            )(func)
        func = field_option(spec)(func)
    return func


@click.group()
def numbers() -> None:
    """The numbers this account owns: list, show, change and release them."""


@numbers.command("list", epilog=NUMBERS_EXIT_CODES)
@click.option(
    "--contains",
    metavar="TEXT",
    default=None,
    help="Only numbers whose number or friendly name contains TEXT.",
)
@output_option
@connection_options
def list_numbers(contains: str | None, output: str) -> None:
    """List the account's numbers: how each handles calls and messages, and its
    compliance documents."""
    from tui.cli.numbers_running import run_list

    run_list(contains, output)


@numbers.command("show", epilog=NUMBERS_EXIT_CODES)
@REFERENCE
@output_option
@connection_options
def show_number(number: str, output: str) -> None:
    """Show one of the account's numbers, by its SID or its number."""
    from tui.cli.numbers_running import run_show

    run_show(number, output)


@numbers.command("update", epilog=NUMBERS_EXIT_CODES)
@REFERENCE
@with_setting_fields
@click.option(
    "--messaging-service-sid",
    "messaging_service_sid",
    metavar="MG…",
    default=None,
    help="Add the number to this Messaging Service, by a request of its own after the settings "
    "change (if any). A number is in one service at a time: if it is in another one, you are "
    "told before anything is sent (add --leave-messaging-service to move it).",
)
@click.option(
    "--leave-messaging-service",
    is_flag=True,
    help="Remove the number from the Messaging Service it is in (before it joins the one "
    "of --messaging-service-sid, when both are given).",
)
@click.option("--yes", "-y", is_flag=True, help="Update without asking for confirmation.")
@click.option("--dry-run", is_flag=True, help="Print the request that would be sent, and send nothing.")
@output_option
@connection_options
def update_number(
    number: str,
    messaging_service_sid: str | None,
    leave_messaging_service: bool,
    yes: bool,
    dry_run: bool,
    output: str,
    **values: Any,
) -> None:
    """Change an owned number's settings: only what the flags change is sent.

    Takes every settings flag of `buy`; a --clear-… flag empties a URL or a SID.
    The confirmation lists each setting before → after; every update leaves a
    receipt, and the number is read back to check that it carries the changes.
    Joining or leaving a Messaging Service is a request of its own, sent after
    the settings change, with its own receipt; when it fails after a settings
    change, it is a warning with the command to retry it (the exit code is the
    settings change's).
    """
    from tui.cli.numbers_membership import MembershipRequest
    from tui.cli.numbers_running import run_update

    clear = [name.removeprefix("clear_") for name, on in values.items() if name.startswith("clear_") and on]
    requested = {name: value for name, value in values.items() if not name.startswith("clear_")}
    membership = MembershipRequest(join=messaging_service_sid, leave=leave_messaging_service)
    run_update(number, requested, clear, yes=yes, dry_run=dry_run, output=output, membership=membership)


@numbers.command("release", epilog=NUMBERS_EXIT_CODES)
@REFERENCE
@click.option("--yes", "-y", is_flag=True, help="Release without typing the number to confirm.")
@output_option
@connection_options
def release_number(number: str, yes: bool, output: str) -> None:
    """Release (give up) an owned number: calls and messages stop at once.

    Without --yes you type the number to confirm. Twilio refuses while an
    emergency address is set (clear it first with `numbers update
    --clear-emergency-address-sid`). A release is never retried: when its
    outcome is unclear the number is looked up, and the receipt says what was found.
    """
    from tui.cli.numbers_running import run_release

    run_release(number, yes=yes, output=output)
