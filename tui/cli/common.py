"""What every command shares: connection options, exit codes, error reporting,
output formats."""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Sequence
from enum import IntEnum
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from tui.domain.errors import (
    TwilioApiError,
    TwilioUnreachable,
    WizardError,
    category_of_error,
)
from tui.domain.rules import RuleError
from tui.services.credentials.errors import CredentialsError
from tui.services.hosts import check_base_url

if TYPE_CHECKING:
    # Imported when a command connects: `--help` never loads the API client.
    from tui.services.session import Connection


class Exit(IntEnum):
    """Distinct exit codes for distinct failures, so scripts can tell "needs an
    address" from "number taken" (twilio-cli folds both into 21)."""

    OK = 0
    UNEXPECTED = 1
    BAD_INPUT = 2
    CREDENTIALS = 3
    NUMBER_UNAVAILABLE = 4
    COMPLIANCE = 5
    ACCOUNT_LIMIT = 6
    TWILIO_ERROR = 7  # not done: another Twilio error, or Twilio could not be reached
    OUTCOME_UNKNOWN = 8  # a purchase was sent and its outcome is unknown (looked up)
    DECLINED = 9
    # A webhook check found Twilio would not be satisfied (`webhook check`; `buy
    # --check-webhooks` then buys nothing). The check itself worked: not 7 or 8.
    WEBHOOK_NOT_SATISFIED = 10


EXIT_CODES_HELP = (
    "Exit codes: 0 done; 1 unexpected error (a bug); 2 bad input; 3 credentials; "
    "4 number not available, invalid or already yours; 5 address, bundle or identity "
    "needed; 6 account limit; 7 not done: another Twilio error, or Twilio could not be "
    "reached; 8 purchase sent, outcome unknown (looked up; see the receipt); "
    "9 not confirmed; 10 a webhook check found Twilio would not be satisfied "
    "(--check-webhooks: not bought)."
)


def exit_for(error: BaseException) -> Exit:
    if isinstance(error, TwilioApiError):
        # Classified once, in tui.domain.errors: a category's value is its exit code.
        return Exit(category_of_error(error.code))
    if isinstance(error, TwilioUnreachable):
        return Exit.TWILIO_ERROR
    if isinstance(error, CredentialsError):
        return Exit.CREDENTIALS
    if isinstance(error, RuleError):
        return Exit.BAD_INPUT
    return Exit.UNEXPECTED


def fail(message: str, code: Exit) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(int(code))


def report_error(
    error: WizardError | RuleError,
    output: str,
    *,
    code: Exit | None = None,
    extra: dict[str, Any] | None = None,
) -> NoReturn:
    """Explain an error on stderr (and as JSON on stdout with -o json), then exit
    with `code` (by default the error's own, `exit_for`)."""
    if isinstance(error, TwilioApiError):
        for i, line in enumerate(error.lines("cli")):
            click.echo(("error: " if i == 0 else "  ") + line, err=True)
        detail: dict[str, Any] = {
            "status": error.status,
            "code": error.code,
            "message": error.message,
            "more_info": error.more_info,
            "explanation": error.summary,
            "next_step": error.next_step_for("cli"),
        }
    else:
        click.echo(f"error: {error}", err=True)
        detail = {"message": str(error)}
    if output == "json":
        emit_json({"error": detail, **(extra or {})})
    sys.exit(int(code if code is not None else exit_for(error)))


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def emit_table(rows: Sequence[Sequence[str]], headers: Sequence[str]) -> None:
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()  # noqa: E731
    click.echo(line(headers))
    click.echo(line(["-" * w for w in widths]))
    for row in rows:
        click.echo(line(row))


def emit_fields(pairs: Sequence[tuple[str, str]]) -> None:
    width = max((len(k) for k, _ in pairs), default=0)
    for key, value in pairs:
        click.echo(f"{key.ljust(width)}  {value}")


F = TypeVar("F", bound=Callable[..., Any])


def connection_options(func: F) -> F:
    """--sandbox, --api-url and --profile, accepted by the main command and by
    every subcommand (a subcommand's value wins)."""

    @click.option(
        "--sandbox",
        is_flag=True,
        default=None,
        help="Use the built-in offline sandbox and its test account: nothing is bought or charged.",
    )
    @click.option(
        "--api-url",
        metavar="URL",
        default=None,
        help="Send every request to this base URL (a served sandbox, a proxy) instead of Twilio.",
    )
    @click.option("--profile", metavar="NAME", default=None, help="Use this stored credentials profile.")
    @functools.wraps(func)
    def wrapper(
        *args: Any, sandbox: bool | None, api_url: str | None, profile: str | None, **kwargs: Any
    ) -> Any:
        ctx = click.get_current_context()
        inherited = ctx.find_object(dict) or {}
        options = {
            "sandbox": sandbox if sandbox is not None else inherited.get("sandbox", False),
            "api_url": api_url or inherited.get("api_url"),
            "profile": profile or inherited.get("profile"),
        }
        ctx.ensure_object(dict).update(options)
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def check_api_url(api_url: str | None) -> None:
    """Refuse a bad --api-url (e.g. plain http to another computer) before anything
    starts, let alone sends credentials: exit 2 with the reason and the fix."""
    if not api_url:
        return
    try:
        check_base_url(api_url.rstrip("/"))
    except RuleError as error:
        fail(f"--api-url: {error}", Exit.BAD_INPUT)


def open_connection(output: str = "table") -> Connection:
    from tui.services.session import resolve_connection

    ctx = click.get_current_context()
    options = ctx.find_object(dict) or {}
    sandbox = bool(options.get("sandbox"))
    if sandbox:
        ignored = [
            flag for flag, key in (("--api-url", "api_url"), ("--profile", "profile")) if options.get(key)
        ]
        if ignored:
            click.echo(
                f"note: {' and '.join(ignored)} ignored: --sandbox uses the built-in "
                "sandbox and its own account.",
                err=True,
            )
    try:
        return resolve_connection(
            sandbox=sandbox,
            api_url=options.get("api_url"),
            profile=options.get("profile"),
            env=os.environ,
        )
    except (RuleError, CredentialsError) as error:
        click.echo(f"error: {error}", err=True)
        if output == "json":
            emit_json({"error": {"message": str(error)}})
        # Credentials (incl. a bad TWILIO_* variable) exit 3; a bad option such as
        # --api-url is bad input.
        bad_option = isinstance(error, RuleError) and not isinstance(error, CredentialsError)
        sys.exit(int(Exit.BAD_INPUT if bad_option else Exit.CREDENTIALS))


output_option = click.option(
    "-o",
    "--output",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format: a readable table, or JSON for scripts.",
)
