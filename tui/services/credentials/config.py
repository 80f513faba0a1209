"""The non-secret half of the profiles: `config.toml` in the platform's config
folder, written atomically and readable by this user only.

    active_profile = "work"

    [profiles.work]
    account_sid = "AC…"
    auth_kind = "api_key"
    api_key_sid = "SK…"
    region = "ie1"
    edge = "dublin"
    verified_at = 2026-11-27 10:55:12+00:00
    keyring_backend = "SecretService Keyring"

Never a secret: the SIDs are mirrored here so that `profiles list` and the Account
screen work without unlocking the keyring. Top-level keys this module does not own
are kept as they are when it rewrites the file.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tomli_w

from tui.domain import credentials as credential_rules
from tui.domain.credentials import AuthKind
from tui.domain.rules import RuleError
from tui.services import paths
from tui.services.credentials.errors import ConfigFileError

CONFIG_FILE_NAME = "config.toml"

_PROFILE_FIELDS = (
    "account_sid",
    "auth_kind",
    "api_key_sid",
    "region",
    "edge",
    "verified_at",
    "keyring_backend",
)


def default_config_path() -> Path:
    return paths.config_dir() / CONFIG_FILE_NAME


@dataclass(frozen=True)
class ProfileRecord:
    """One profile as config.toml stores it."""

    name: str
    account_sid: str
    auth_kind: AuthKind
    api_key_sid: str | None = None
    region: str | None = None
    edge: str | None = None
    verified_at: datetime | None = None
    keyring_backend: str | None = None  # the backend that held the secret when saved

    def to_toml(self) -> dict[str, Any]:
        table: dict[str, Any] = {"account_sid": self.account_sid, "auth_kind": self.auth_kind}
        optional = {
            "api_key_sid": self.api_key_sid,
            "region": self.region,
            "edge": self.edge,
            "verified_at": self.verified_at,
            "keyring_backend": self.keyring_backend,
        }
        table.update({key: value for key, value in optional.items() if value is not None})
        return table


@dataclass(frozen=True)
class WizardConfig:
    active_profile: str | None = None
    profiles: Mapping[str, ProfileRecord] = field(default_factory=dict)
    # Top-level keys owned by other parts of number-wizard, written back untouched.
    other: Mapping[str, Any] = field(default_factory=dict)

    def with_profile(self, record: ProfileRecord) -> WizardConfig:
        return replace(self, profiles={**self.profiles, record.name: record})

    def without_profile(self, name: str) -> WizardConfig:
        profiles = {key: value for key, value in self.profiles.items() if key != name}
        active = None if self.active_profile == name else self.active_profile
        return replace(self, profiles=profiles, active_profile=active)

    def with_active(self, name: str | None) -> WizardConfig:
        return replace(self, active_profile=name)


class ConfigFile:
    """Reads and writes one config.toml. Every read goes to the disk, so another
    number-wizard process's changes are seen."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_config_path()

    def load(self) -> WizardConfig:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return WizardConfig()
        except OSError as error:
            raise ConfigFileError(f"Cannot read {self.path}: {error.strerror or error}.") from None
        try:
            document = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise ConfigFileError(
                f"{self.path} is not valid TOML ({error}). Fix it, or delete it to start "
                "again (profiles' secrets stay in the keyring)."
            ) from None
        return self._parse(document)

    def save(self, config: WizardConfig) -> None:
        document: dict[str, Any] = dict(config.other)
        document.pop("active_profile", None)
        document.pop("profiles", None)
        if config.active_profile:
            document["active_profile"] = config.active_profile
        if config.profiles:
            document["profiles"] = {name: config.profiles[name].to_toml() for name in sorted(config.profiles)}
        try:
            paths.write_private(self.path, tomli_w.dumps(document))
        except OSError as error:
            raise ConfigFileError(f"Cannot write {self.path}: {error.strerror or error}.") from None

    def _parse(self, document: dict[str, Any]) -> WizardConfig:
        other = {k: v for k, v in document.items() if k not in ("active_profile", "profiles")}
        active = document.get("active_profile")
        if active is not None and not isinstance(active, str):
            raise self._bad("active_profile", "is not a profile name")
        tables = document.get("profiles", {})
        if not isinstance(tables, dict):
            raise self._bad("profiles", "is not a table of profiles")
        profiles = {name: self._parse_profile(name, table) for name, table in tables.items()}
        if active is not None and active not in profiles:
            active = None  # points at a profile that is gone: nothing is active
        return WizardConfig(active_profile=active, profiles=profiles, other=other)

    def _parse_profile(self, name: str, table: Any) -> ProfileRecord:
        where = f"profiles.{name}"
        if not isinstance(table, dict):
            raise self._bad(where, "is not a table")
        values = {key: table.get(key) for key in _PROFILE_FIELDS}
        for key in ("account_sid", "auth_kind", "api_key_sid", "region", "edge", "keyring_backend"):
            if values[key] is not None and not isinstance(values[key], str):
                raise self._bad(f"{where}.{key}", "is not text")
        try:
            account_sid = credential_rules.account_sid(values["account_sid"] or "")
            api_key_sid = (
                credential_rules.api_key_sid(values["api_key_sid"]) if values["api_key_sid"] else None
            )
        except RuleError as error:
            raise self._bad(where, str(error)) from None
        auth_kind = values["auth_kind"]
        if auth_kind not in ("auth_token", "api_key"):
            raise self._bad(f"{where}.auth_kind", 'must be "auth_token" or "api_key"')
        if (auth_kind == "api_key") != (api_key_sid is not None):
            raise self._bad(where, "has an auth_kind that does not match api_key_sid")
        verified_at = values["verified_at"]
        if verified_at is not None:
            if not isinstance(verified_at, datetime):
                raise self._bad(f"{where}.verified_at", "is not a date and time")
            if verified_at.tzinfo is None:
                verified_at = verified_at.replace(tzinfo=UTC)
        return ProfileRecord(
            name=name,
            account_sid=account_sid,
            auth_kind=auth_kind,
            api_key_sid=api_key_sid,
            region=values["region"],
            edge=values["edge"],
            verified_at=verified_at,
            keyring_backend=values["keyring_backend"],
        )

    def _bad(self, where: str, problem: str) -> ConfigFileError:
        return ConfigFileError(
            f"{self.path}: {where} {problem}. Fix the file, or remove the profile and add it again."
        )
