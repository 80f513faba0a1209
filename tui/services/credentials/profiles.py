"""Stored profiles: the secret in the system keyring, everything else in
config.toml (docs/credentials.md#storage). There is no plaintext fallback: when
the keyring cannot be used, nothing is stored and the caller offers "this session
only" or environment variables instead.

Methods that touch the keyring block for up to the keyring timeouts; callers on
an event loop run them in a thread (`add_credentials` in add.py does).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime

from tui.domain.credentials import MASK, AuthKind, Credentials
from tui.services.credentials.config import ConfigFile, ProfileRecord, WizardConfig
from tui.services.credentials.errors import (
    ConfigFileError,
    InvalidProfileNameError,
    KeyringUnavailableError,
    ProfileExistsError,
    ProfileNotFoundError,
    StoredSecretMissingError,
)
from tui.services.credentials.guidance import PlatformKind
from tui.services.credentials.keyring_store import (
    KeyringPayload,
    KeyringStatus,
    KeyringStore,
)
from tui.services.credentials.redact import register_secret
from tui.services.credentials.verify import VerifiedCredentials
from tui.services.hosts import resolve_hosts

log = logging.getLogger(__name__)

PROFILE_NAME_MAX = 32
_PROFILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


def profile_name(raw: str) -> str:
    """A profile name: 1–32 letters, digits, '-' and '_', starting with a letter or
    digit. Short and plain because it is typed on the command line and becomes the
    keyring username `twilio:<name>` and a TOML key."""
    text = raw.strip()
    if not text:
        raise InvalidProfileNameError("Give the profile a name, e.g. work.")
    if len(text) > PROFILE_NAME_MAX:
        raise InvalidProfileNameError(
            f"A profile name has at most {PROFILE_NAME_MAX} characters; this one has {len(text)}."
        )
    if not _PROFILE_NAME.fullmatch(text):
        raise InvalidProfileNameError(
            f"Profile name {text!r}: use only letters, digits, - and _, starting with a letter or digit."
        )
    return text


def check_region_and_edge(region: str | None, edge: str | None) -> tuple[str | None, str | None]:
    """Normalised region and edge, refused the way the client would refuse them
    (a region needs an edge since Twilio retired region-only hosts)."""
    region = region.strip().lower() if region and region.strip() else None
    edge = edge.strip().lower() if edge and edge.strip() else None
    resolve_hosts(region=region, edge=edge)  # raises RuleError with the explanation
    return region, edge


@dataclass(frozen=True)
class ProfileInfo:
    """A stored profile as shown by `profiles list` and the Account screen: no
    secret, only where it is kept."""

    name: str
    account_sid: str
    auth_kind: AuthKind
    api_key_sid: str | None
    region: str | None
    edge: str | None
    verified_at: datetime | None
    keyring_backend: str | None
    active: bool

    @classmethod
    def from_record(cls, record: ProfileRecord, *, active: bool) -> ProfileInfo:
        return cls(
            name=record.name,
            account_sid=record.account_sid,
            auth_kind=record.auth_kind,
            api_key_sid=record.api_key_sid,
            region=record.region,
            edge=record.edge,
            verified_at=record.verified_at,
            keyring_backend=record.keyring_backend,
            active=active,
        )

    @property
    def auth_description(self) -> str:
        return f"API key {self.api_key_sid}" if self.api_key_sid else "Auth Token"

    @property
    def secret_location(self) -> str:
        return f"keyring: {self.keyring_backend}" if self.keyring_backend else "keyring"


@dataclass(frozen=True)
class ProfileDetails:
    """`profiles show`: the profile, and whether its secret is really in the
    keyring (None when the keyring could not be asked; `keyring` says why)."""

    profile: ProfileInfo
    secret_stored: bool | None
    keyring: KeyringStatus
    masked_secret: str = MASK


@dataclass(frozen=True)
class RemovalResult:
    name: str
    removed_profile: bool  # it was in config.toml
    removed_secret: bool  # a keyring entry was deleted
    was_active: bool

    @property
    def removed_anything(self) -> bool:
        return self.removed_profile or self.removed_secret


class ProfileStore:
    def __init__(self, config: ConfigFile, keyring: KeyringStore) -> None:
        self.config = config
        self.keyring = keyring

    @classmethod
    def open_default(cls) -> ProfileStore:
        """The store in the platform's config folder and the system keyring."""
        return cls(ConfigFile(), KeyringStore())

    @property
    def platform(self) -> PlatformKind:
        """The platform the keyring store was set up for (its advice is for it)."""
        return self.keyring.platform

    # -- reading config (no keyring) ------------------------------------------

    def keyring_status(self, *, refresh: bool = False) -> KeyringStatus:
        return self.keyring.status(refresh=refresh)

    def list_profiles(self) -> list[ProfileInfo]:
        config = self.config.load()
        return [
            ProfileInfo.from_record(config.profiles[name], active=name == config.active_profile)
            for name in sorted(config.profiles)
        ]

    def active_name(self) -> str | None:
        return self.config.load().active_profile

    def get(self, name: str) -> ProfileInfo:
        config = self.config.load()
        record = self._record(config, name)
        return ProfileInfo.from_record(record, active=record.name == config.active_profile)

    def use(self, name: str) -> ProfileInfo:
        """Make this the active profile (used when neither --profile nor TWILIO_*
        variables say otherwise)."""
        config = self.config.load()
        record = self._record(config, name)
        self.config.save(config.with_active(record.name))
        return ProfileInfo.from_record(record, active=True)

    # -- with the keyring -----------------------------------------------------

    def save(self, name: str, verified: VerifiedCredentials, *, replace: bool = False) -> ProfileInfo:
        """Store verified credentials: the keyring entry (read back), then the
        config. The first profile becomes the active one."""
        name = profile_name(name)
        if not isinstance(verified, VerifiedCredentials):
            raise TypeError("save() takes the result of verify_credentials()")
        credentials = verified.credentials
        region, edge = check_region_and_edge(credentials.region, credentials.edge)
        if not replace:
            self.refuse_existing(name)
        existed = name in self.config.load().profiles  # also: a broken config fails before the keyring
        payload = KeyringPayload(
            account_sid=credentials.account_sid,
            auth_kind=credentials.auth_kind,
            api_key_sid=credentials.api_key_sid,
            secret=credentials.secret,
        )
        self.keyring.write(name, payload)
        record = ProfileRecord(
            name=name,
            account_sid=credentials.account_sid,
            auth_kind=credentials.auth_kind,
            api_key_sid=credentials.api_key_sid,
            region=region,
            edge=edge,
            verified_at=verified.verified_at,
            keyring_backend=self.keyring.backend_name,
        )
        # Re-read: the keyring write may have waited on a dialog for a while.
        config = self.config.load().with_profile(record)
        if config.active_profile is None:
            config = config.with_active(name)
        try:
            self.config.save(config)
        except ConfigFileError as error:
            if not existed:
                # Without its config entry the secret would be an orphan nobody sees.
                try:
                    self.keyring.delete(name)
                except KeyringUnavailableError:
                    log.warning("could not remove the keyring entry of %s after a failed save", name)
            raise ConfigFileError(f"{error} The profile was not saved.") from None
        return ProfileInfo.from_record(record, active=config.active_profile == name)

    def load(self, name: str) -> Credentials:
        """The profile's credentials, read from the keyring. Raises
        ProfileNotFoundError, KeyringUnavailableError (the keyring's state, never
        "invalid credentials"), StoredSecretMissingError or
        StoredSecretUnreadableError."""
        config = self.config.load()
        record = self._record(config, name)
        payload = self.keyring.read(record.name)
        if payload is None:
            raise StoredSecretMissingError(record.name, self.keyring.backend_name)
        register_secret(payload.secret)
        if (payload.account_sid, payload.api_key_sid) != (record.account_sid, record.api_key_sid):
            # The keyring entry is what was verified together with the secret.
            log.warning(
                "profile %s: config.toml and the keyring disagree on the SIDs; using the keyring's",
                record.name,
            )
        return Credentials(
            account_sid=payload.account_sid,
            secret=payload.secret,
            api_key_sid=payload.api_key_sid,
            region=record.region,
            edge=record.edge,
            source=self.profile_source(record.name),
        )

    def profile_source(self, name: str) -> str:
        """Where a profile's credentials come from, as the Account screen says it."""
        return f'profile "{name}" (keyring: {self.keyring.backend_name or "system keyring"})'

    def show(self, name: str) -> ProfileDetails:
        """The profile, and whether its keyring entry exists. The secret itself is
        never returned: only a mask."""
        info = self.get(name)
        status = self.keyring.status()
        stored: bool | None = None
        if status.usable:
            try:
                stored = self.keyring.read(info.name) is not None
            except KeyringUnavailableError as error:
                status = error.status
        return ProfileDetails(profile=info, secret_stored=stored, keyring=status)

    def remove(self, name: str) -> RemovalResult:
        """Delete the keyring entry, then the config entry. Removing a profile that
        is not there is not an error. When the keyring cannot be reached the profile
        is kept (so the removal can be retried) and KeyringUnavailableError says why."""
        name = profile_name(name)
        config = self.config.load()
        in_config = name in config.profiles
        status = self.keyring.status()
        if not status.usable:
            if in_config:
                raise KeyringUnavailableError(status, doing=f'delete the secret of profile "{name}"')
            return RemovalResult(name, removed_profile=False, removed_secret=False, was_active=False)
        removed_secret = self.keyring.delete(name)
        config = self.config.load()  # re-read: the keyring call may have taken a while
        was_active = config.active_profile == name
        if name in config.profiles:
            self.config.save(config.without_profile(name))
        return RemovalResult(
            name, removed_profile=in_config, removed_secret=removed_secret, was_active=was_active
        )

    # -- helpers --------------------------------------------------------------

    def _record(self, config: WizardConfig, name: str) -> ProfileRecord:
        try:
            checked = profile_name(name)
        except InvalidProfileNameError:
            raise ProfileNotFoundError(name, sorted(config.profiles)) from None
        record = config.profiles.get(checked)
        if record is None:
            raise ProfileNotFoundError(checked, sorted(config.profiles))
        return record

    def refuse_existing(self, name: str) -> None:
        """ProfileExistsError if a profile of this name is stored (reads the config)."""
        if name in self.config.load().profiles:
            raise ProfileExistsError(name)
