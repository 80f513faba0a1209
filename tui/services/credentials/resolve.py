"""Which credentials a run uses, and where they came from.

Precedence (the issue; credentials.md §5.1):

1. credentials typed for this session only (the keyring was unusable and the person
   chose not to save): the most explicit input there is;
2. `--profile NAME`: exactly that stored profile, never anything else in its place;
3. a complete set of `TWILIO_*` environment variables; an incomplete or malformed
   set is an error naming the variable, never skipped and never mixed with stored
   values;
4. the active stored profile;
5. nothing: NoCredentialsError, saying how to add some.

`Credentials.source` tells the Account screen where they came from ("from …").
Reading a stored profile touches the keyring, so callers on an event loop run
`resolve_credentials` in a thread worker.
"""

from __future__ import annotations

import threading
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
    session: Credentials | None = None,
) -> Credentials:
    """The credentials to use, with `source` set. Raises a CredentialsError
    subclass whose message says what to do: ProfileNotFoundError,
    InvalidEnvironmentError, KeyringUnavailableError (a locked or missing keyring
    is reported as such, not as bad credentials), StoredSecretMissingError,
    StoredSecretUnreadableError, ConfigFileError or NoCredentialsError."""
    if session is not None:
        return session
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


class SessionCredentials:
    """Credentials kept in memory for this run only: the default choice when the
    keyring cannot be used. Nothing is written anywhere; they are gone when the
    program ends. Pass `.current` as `session=` to `resolve_credentials`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._credentials: Credentials | None = None

    def keep(self, credentials: Credentials) -> Credentials:
        register_secret(credentials.secret)
        kept = replace(credentials, source=SESSION_SOURCE)
        with self._lock:
            self._credentials = kept
        return kept

    @property
    def current(self) -> Credentials | None:
        with self._lock:
            return self._credentials

    def forget(self) -> None:
        with self._lock:
            self._credentials = None
