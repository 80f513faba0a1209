"""Which credentials a run uses, and where they came from.

Precedence (docs/credentials.md#precedence):

1. `--profile NAME`: exactly that stored profile, never anything else in its place;
2. a complete set of `TWILIO_*` environment variables; an incomplete or malformed
   set is an error naming the variable, never skipped and never mixed with stored
   values;
3. the active stored profile;
4. nothing: NoCredentialsError, saying how to add some.

`Credentials.source` tells the Account screen where they came from ("from …").
Reading a stored profile touches the keyring, so callers on an event loop run
`resolve_credentials` in a thread worker.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from tui.domain.credentials import Credentials
from tui.services.credentials.environment import (
    EnvironmentCredentialsError,
    credentials_from_environment,
)
from tui.services.credentials.errors import InvalidEnvironmentError, NoCredentialsError
from tui.services.credentials.profiles import ProfileStore
from tui.services.credentials.redact import register_secret

SESSION_SOURCE = "this session only (not saved)"


def resolve_credentials(
    *,
    profile: str | None,
    env: Mapping[str, str],
    store: ProfileStore,
) -> Credentials:
    """The credentials to use, with `source` set. Raises a CredentialsError
    subclass whose message says what to do: ProfileNotFoundError,
    InvalidEnvironmentError, KeyringUnavailableError (a locked or missing keyring
    is reported as such, not as bad credentials), StoredSecretMissingError,
    StoredSecretUnreadableError, ConfigFileError or NoCredentialsError."""
    if profile is not None:
        return store.load(profile)
    try:
        from_environment = credentials_from_environment(env)
    except EnvironmentCredentialsError as error:
        raise InvalidEnvironmentError(
            f"{error} Stored profiles are not used while TWILIO_* credential variables "
            "are set: fix the variables, unset them, or choose a profile with --profile."
        ) from None
    if from_environment is not None:
        register_secret(from_environment.secret)
        return from_environment
    active = store.active_name()
    if active is not None:
        return store.load(active)
    raise NoCredentialsError()


def for_this_session(credentials: Credentials) -> Credentials:
    """Credentials used for this run only: the default choice when the keyring
    cannot be used. Nothing is written anywhere; they are gone when the program
    ends. The secret is registered for log redaction."""
    register_secret(credentials.secret)
    return replace(credentials, source=SESSION_SOURCE)
