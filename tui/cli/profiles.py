"""`number-wizard profiles …`: stored credentials, the secret in the system keyring.

    profiles add NAME --account-sid AC… [--api-key SK…] [--region R --edge E]
    profiles list | use NAME | show NAME | remove NAME

The secret is never a flag (it would sit in shell history and the process list):
it is typed at a masked prompt, or read from standard input when that is not a
terminal. `add` checks the keyring before asking for it and verifies the
credentials with Twilio before saving; when the keyring is unusable it explains
why and how to fix it, and stores nothing.
"""

from __future__ import annotations

import asyncio
import functools
import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import click
import httpx

from tui.cli.common import Exit, emit_fields, emit_json, emit_table, fail, output_option
from tui.domain import credentials as credential_rules
from tui.domain.credentials import MASK, Credentials, Secret
from tui.domain.errors import TwilioUnreachable
from tui.domain.rules import RuleError
from tui.services.credentials.add import add_credentials
from tui.services.credentials.environment import CREDENTIAL_VARIABLES
from tui.services.credentials.errors import (
    CredentialsError,
    KeyringUnavailableError,
    ProfileExistsError,
    VerificationError,
)
from tui.services.credentials.guidance import ENVIRONMENT_ALTERNATIVE
from tui.services.credentials.keyring_store import KeyringStatus
from tui.services.credentials.profiles import (
    ProfileDetails,
    ProfileInfo,
    ProfileStore,
    check_region_and_edge,
    profile_name,
)
from tui.services.credentials.redact import install_log_redaction
from tui.services.hosts import resolve_hosts

F = TypeVar("F", bound=Callable[..., Any])


def _store() -> ProfileStore:
    return ProfileStore.open_default()


def _exit_code(error: Exception) -> Exit:
    if isinstance(error, VerificationError) and isinstance(error.cause, TwilioUnreachable):
        return Exit.TWILIO_ERROR
    if isinstance(error, (RuleError, ProfileExistsError)):
        return Exit.BAD_INPUT
    return Exit.CREDENTIALS


def _reporting_errors(func: F) -> F:
    """One clear message on stderr and a distinct exit code, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (CredentialsError, RuleError) as error:
            fail(str(error), _exit_code(error))

    return wrapper  # type: ignore[return-value]


def _environment_has_credentials() -> bool:
    return any(os.environ.get(name, "").strip() for name in CREDENTIAL_VARIABLES)


def _note(message: str) -> None:
    click.echo(f"note: {message}", err=True)


@click.group()
def profiles() -> None:
    """Stored Twilio credentials: the secret in the system keyring, the rest in
    number-wizard's config file.

    Which credentials a command uses: --profile NAME if given, else the TWILIO_*
    environment variables if set, else the active profile.
    """
    install_log_redaction()


# -- add ------------------------------------------------------------------------


def _stdin_is_terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def _read_secret(label: str, rule: Callable[[str], Secret]) -> Secret:
    """The secret from a masked prompt, or from standard input when it is piped."""
    if _stdin_is_terminal():

        def convert(raw: str) -> Secret:
            try:
                return rule(raw)
            except RuleError as error:
                raise click.BadParameter(str(error)) from None

        return click.prompt(label, hide_input=True, value_proc=convert)
    text = sys.stdin.read() if sys.stdin is not None else ""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise RuleError(
            f"No {label} on standard input. Type it at the prompt (run in a terminal), or "
            "pipe it in, e.g. from a password manager's command line tool."
        )
    if len(lines) > 1:
        raise RuleError(f"Standard input has {len(lines)} lines; give only the {label}, on one line.")
    return rule(lines[0])


def _verification_target(
    sandbox: bool, api_url: str | None
) -> tuple[str | None, httpx.AsyncBaseTransport | None]:
    if sandbox:
        try:
            from tui.services.session import sandbox_connection

            return None, sandbox_connection().transport
        except ImportError:
            raise RuleError("The offline sandbox is not available in this installation.") from None
    if api_url:
        try:
            resolve_hosts(api_url=api_url)  # refuses anything but an absolute http(s) URL
        except RuleError as error:
            raise RuleError(f"--api-url: {error}") from None
    return api_url, None


def _keyring_refusal(status: KeyringStatus) -> NoReturn:
    fail(
        "Cannot store a profile: " + status.explain() + "\nNothing was saved. " + ENVIRONMENT_ALTERNATIVE,
        Exit.CREDENTIALS,
    )


@profiles.command("add")
@click.argument("name")
@click.option(
    "--account-sid", required=True, metavar="AC…", help="The Account SID (AC followed by 32 hex digits)."
)
@click.option(
    "--api-key",
    "api_key_sid",
    metavar="SK…",
    help="Use this API key (recommended) instead of the Auth Token; you are then asked for the key's secret.",
)
@click.option("--region", metavar="REGION", help="Twilio region of the credentials, e.g. ie1 (needs --edge).")
@click.option("--edge", metavar="EDGE", help="Twilio edge location, e.g. dublin.")
@click.option("--replace", is_flag=True, help="Overwrite a profile of the same name.")
@click.option(
    "--sandbox",
    is_flag=True,
    default=None,
    help="Verify against the built-in offline sandbox (its documented credentials) instead of Twilio.",
)
@click.option(
    "--api-url",
    metavar="URL",
    default=None,
    help="Verify against this base URL (a served sandbox, a proxy) instead of Twilio.",
)
@click.pass_context
@_reporting_errors
def add_command(
    ctx: click.Context,
    name: str,
    account_sid: str,
    api_key_sid: str | None,
    region: str | None,
    edge: str | None,
    replace: bool,
    sandbox: bool | None,
    api_url: str | None,
) -> None:
    """Verify credentials with Twilio and store them as profile NAME.

    The secret (the Auth Token, or with --api-key the API key's secret) is asked
    for at a masked prompt, or read from standard input when that is not a
    terminal. It is never accepted as an option.
    """
    inherited = ctx.find_object(dict) or {}  # --sandbox / --api-url given to the main command
    sandbox = sandbox if sandbox is not None else bool(inherited.get("sandbox"))
    api_url = api_url or inherited.get("api_url")
    store = _store()

    # Everything that can be checked is checked before the secret is asked for.
    name = profile_name(name)
    account_sid = credential_rules.account_sid(account_sid)
    api_key_sid = credential_rules.api_key_sid(api_key_sid) if api_key_sid else None
    region, edge = check_region_and_edge(region, edge)
    target_url, transport = _verification_target(bool(sandbox), api_url)
    if not replace and name in {profile.name for profile in store.list_profiles()}:
        raise ProfileExistsError(name)
    status = store.keyring_status()
    if not status.usable:
        _keyring_refusal(status)
    if _environment_has_credentials():
        _note(
            "TWILIO_* credential variables are set in this environment; they take "
            f"precedence over stored profiles unless --profile {name} is given."
        )

    if api_key_sid:
        secret = _read_secret("API key secret", credential_rules.api_key_secret)
    else:
        secret = _read_secret("Auth Token", credential_rules.auth_token)
    credentials = Credentials(
        account_sid=account_sid,
        secret=secret,
        api_key_sid=api_key_sid,
        region=region,
        edge=edge,
        source="command line",
    )
    where = "the sandbox" if sandbox else (target_url or "Twilio")
    click.echo(f"Checking the credentials with {where}…", err=True)
    try:
        added = asyncio.run(
            add_credentials(
                credentials,
                store=store,
                profile=name,
                replace=replace,
                api_url=target_url,
                transport=transport,
            )
        )
    except KeyringUnavailableError as error:
        _keyring_refusal(error.status)
    info = added.profile
    assert info is not None  # a profile was asked for, and nothing else is kept
    click.echo(
        f'Saved profile "{info.name}": {info.account_sid} with {info.auth_description}; '
        f"secret {MASK} in the system keyring ({info.keyring_backend})."
    )
    if info.active:
        click.echo(f'"{info.name}" is the active profile.')
    else:
        click.echo(f"Switch to it with: number-wizard profiles use {info.name}")


# -- list / use / show / remove -------------------------------------------------


def _profile_json(info: ProfileInfo) -> dict[str, Any]:
    return {
        "name": info.name,
        "active": info.active,
        "account_sid": info.account_sid,
        "auth_kind": info.auth_kind,
        "api_key_sid": info.api_key_sid,
        "region": info.region,
        "edge": info.edge,
        "verified_at": info.verified_at.isoformat() if info.verified_at else None,
        "keyring_backend": info.keyring_backend,
    }


@profiles.command("list")
@output_option
@_reporting_errors
def list_command(output: str) -> None:
    """List the stored profiles; * marks the active one."""
    found = _store().list_profiles()
    if output == "json":
        emit_json([_profile_json(info) for info in found])
        return
    if not found:
        click.echo("No profiles yet. Add one with: number-wizard profiles add NAME --account-sid AC…")
        return
    emit_table(
        [
            [
                "*" if info.active else "",
                info.name,
                info.account_sid,
                info.auth_description,
                f"{info.region}/{info.edge}" if info.region else (info.edge or "default"),
                info.verified_at.strftime("%Y-%m-%d %H:%M UTC") if info.verified_at else "never",
            ]
            for info in found
        ],
        ["", "NAME", "ACCOUNT SID", "AUTH", "REGION/EDGE", "VERIFIED"],
    )
    if _environment_has_credentials():
        _note("TWILIO_* credential variables are set; they take precedence over the active profile.")


@profiles.command("use")
@click.argument("name")
@_reporting_errors
def use_command(name: str) -> None:
    """Make NAME the active profile."""
    info = _store().use(name)
    click.echo(f'Active profile: "{info.name}" ({info.account_sid}, {info.auth_description}).')
    if _environment_has_credentials():
        _note("TWILIO_* credential variables are set; they take precedence over the active profile.")


def _secret_line(details: ProfileDetails) -> str:
    backend = details.keyring.backend or details.profile.keyring_backend or "system keyring"
    if details.secret_stored is True:
        return f"{details.masked_secret} (in the system keyring: {backend})"
    if details.secret_stored is False:
        return f"missing from the system keyring ({backend})"
    return f"not checked: {details.keyring.reason}"


@profiles.command("show")
@click.argument("name")
@output_option
@_reporting_errors
def show_command(name: str, output: str) -> None:
    """Show profile NAME. The secret is never shown, only whether it is stored."""
    details = _store().show(name)
    info = details.profile
    if output == "json":
        emit_json(
            {
                **_profile_json(info),
                "secret": details.masked_secret if details.secret_stored else None,
                "secret_stored": details.secret_stored,
                "keyring_state": details.keyring.state.value,
            }
        )
    else:
        emit_fields(
            [
                ("Profile", info.name + (" (active)" if info.active else "")),
                ("Account SID", info.account_sid),
                ("Authentication", info.auth_description),
                ("Secret", _secret_line(details)),
                ("Region", info.region or "default (us1)"),
                ("Edge", info.edge or "default"),
                ("Verified", info.verified_at.isoformat() if info.verified_at else "never"),
            ]
        )
    if details.secret_stored is None:
        _note(details.keyring.explain())
    elif details.secret_stored is False:
        _note(f"add the profile again with: number-wizard profiles add {info.name} --replace …")


@profiles.command("remove")
@click.argument("name")
@_reporting_errors
def remove_command(name: str) -> None:
    """Remove profile NAME and its secret from the keyring. Removing a profile
    that is not there is not an error."""
    result = _store().remove(name)
    if not result.removed_anything:
        click.echo(f'There is no profile "{result.name}"; nothing to remove.')
        return
    click.echo(f'Removed profile "{result.name}" and its secret from this computer.')
    click.echo(
        "The Auth Token or API key itself still works at Twilio: revoke it in the Twilio "
        "Console if nobody should use it any more."
    )
    if result.was_active:
        click.echo("No profile is active now; choose one with: number-wizard profiles use NAME")
