"""Checking credentials against Twilio before they are saved.

`TwilioClient.check_credentials()` picks the call: the account itself for an Auth
Token, and for an API key a listing that a Standard key may make (Standard keys
cannot read /Accounts). This module adds what saving needs: the account must be
active, failures are explained with the likely cause, and the result carries the
time of the check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from tui.domain.credentials import Credentials
from tui.domain.errors import TwilioApiError, TwilioUnreachable
from tui.services.credentials.errors import VerificationError
from tui.services.credentials.redact import register_secret
from tui.services.twilio import CredentialCheck, RetryPolicy, TwilioClient


@dataclass(frozen=True)
class VerifiedCredentials:
    """Credentials Twilio accepted, and when. Only `verify_credentials` makes
    these; `ProfileStore.save` accepts nothing else."""

    credentials: Credentials
    check: CredentialCheck
    verified_at: datetime

    def describe(self) -> str:
        account = self.check.friendly_name
        kind = f" ({self.check.account_type})" if self.check.account_type else ""
        return (f"{account}{kind}, " if account else "") + self.credentials.describe()


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


async def verify_credentials(
    credentials: Credentials,
    *,
    api_url: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Callable[[], datetime] = _utc_now,
    retry: RetryPolicy = RetryPolicy(),
) -> VerifiedCredentials:
    """Ask Twilio (or the sandbox, or the server at `api_url`) whether these
    credentials work. Raises VerificationError explaining why not."""
    register_secret(credentials.secret)
    try:
        async with TwilioClient(credentials, api_url=api_url, transport=transport, retry=retry) as client:
            check = await client.check_credentials()
    except TwilioApiError as error:
        raise _refused(credentials, error) from None
    except TwilioUnreachable as error:
        raise VerificationError(
            f"Could not check the credentials: {error}",
            lines=[str(error), "Nothing was saved. Check the network connection and try again."],
            cause=error,
        ) from None
    account = check.account
    if account is not None and account.status and account.status != "active":
        raise VerificationError(
            f"Account {account.sid} is {account.status}, not active: Twilio will refuse to "
            "sell it a number. Reactivate it in the Twilio Console, or use another account.",
            lines=[f"Account {account.sid} is {account.status}."],
        )
    return VerifiedCredentials(credentials, check, clock())


def _refused(credentials: Credentials, error: TwilioApiError) -> VerificationError:
    lines = error.lines()
    if error.status == 401 or error.code == 20003:
        what = "API key SID and secret" if credentials.api_key_sid else "Account SID and Auth Token"
        message = f"Twilio did not accept this {what} (HTTP {error.status})."
        if credentials.region:
            hint = (
                f"These were checked in region {credentials.region}: API keys and Auth Tokens "
                "belong to one region, so a key made in the US (us1) console fails here, "
                "and the other way round."
            )
        else:
            hint = (
                "Check both values in the Twilio Console (Account › API keys & tokens). A key "
                "made for another region needs --region and --edge."
            )
        return VerificationError(f"{message} {hint}", lines=[*lines, hint], cause=error)
    if error.code == 20404:
        hint = (
            "Twilio found no such account: check that the Account SID (AC…) and the API "
            "key SID (SK…) are not swapped."
        )
        return VerificationError(f"{error.one_line()} {hint}", lines=[*lines, hint], cause=error)
    if error.code == 20008:
        hint = (
            "These are Twilio test credentials, which cannot look anything up or buy a "
            "real number. Use the live Account SID with its Auth Token or an API key."
        )
        return VerificationError(f"{hint} ({error.one_line()})", lines=[*lines, hint], cause=error)
    return VerificationError(f"{error.one_line()} {error.next_step}", lines=lines, cause=error)
