"""Errors of the credentials layer. Each message is shown to the person as is, so
it says what went wrong *and* what to do next; none ever contains a secret."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.domain.errors import WizardError
from tui.domain.rules import RuleError

if TYPE_CHECKING:
    from tui.services.credentials.keyring_store import KeyringStatus


class CredentialsError(WizardError):
    """Base: credentials could not be found, read, checked or stored."""


class NoCredentialsError(CredentialsError):
    """No credentials anywhere: no --profile, no TWILIO_* variables, no active profile."""

    def __init__(self) -> None:
        super().__init__(
            "No Twilio credentials: add a profile with `number-wizard profiles add NAME "
            "--account-sid AC…`, or set TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN (or "
            "TWILIO_API_KEY and TWILIO_API_SECRET), or try the offline sandbox with --sandbox."
        )


class InvalidEnvironmentError(CredentialsError):
    """The TWILIO_* variables are incomplete or malformed. The message names the
    variable; stored profiles are not used in their place (no silent mixing)."""


class InvalidProfileNameError(CredentialsError, RuleError):
    """A profile name breaks the naming rule (a field rule, hence also a RuleError)."""


class ProfileNotFoundError(CredentialsError):
    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        hint = (
            f" Stored profiles: {', '.join(known)}."
            if known
            else " Add it with `number-wizard profiles add " + name + " --account-sid AC…`."
        )
        super().__init__(f'There is no profile "{name}".{hint}')


class ProfileExistsError(CredentialsError):
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(
            f'A profile "{name}" already exists. Remove it first, or add again with '
            "--replace to overwrite it."
        )


class ConfigFileError(CredentialsError):
    """config.toml cannot be read or does not make sense."""


class KeyringUnavailableError(CredentialsError):
    """The system keyring cannot be used right now. `status` says why and how to
    fix it; for a stored profile this is reported instead of "invalid credentials"
    (the credentials may be fine, the keyring is what failed)."""

    def __init__(self, status: KeyringStatus, *, doing: str | None = None) -> None:
        self.status = status
        self.doing = doing
        lead = f"Could not {doing}: " if doing else ""
        super().__init__(lead + status.explain())


class StoredSecretMissingError(CredentialsError):
    """The config lists a profile but its keyring entry is gone (deleted in
    Seahorse / Keychain Access, or a different keyring is active now)."""

    def __init__(self, name: str, backend: str | None) -> None:
        self.name = name
        where = f" ({backend})" if backend else ""
        super().__init__(
            f'The secret of profile "{name}" is not in the system keyring{where}: it was '
            "deleted there, or another keyring is in use now. Add the profile again with "
            f"`number-wizard profiles add {name} --replace …`."
        )


class StoredSecretUnreadableError(CredentialsError):
    """The keyring entry exists but is not a payload this version understands."""


class VerificationError(CredentialsError):
    """Twilio refused the credentials, or could not be reached to check them.
    `cause` is the TwilioApiError or TwilioUnreachable; `lines()` explains it."""

    def __init__(self, message: str, *, lines: list[str], cause: Exception | None = None) -> None:
        self.cause = cause
        self._lines = lines
        super().__init__(message)

    def lines(self) -> list[str]:
        return list(self._lines)
