"""Against a real Secret Service (gnome-keyring on D-Bus): the behaviour the fakes
stand in for, checked for real (docs/credentials.md#a-real-secret-service-in-ci).
See tests/support/secret_service.py for where the service comes from."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.credentials import sandbox_transport, served_sandbox
from tests.support.secret_service import RealSecretService
from tui.domain.credentials import Credentials, Secret
from tui.sandbox import accounts
from tui.services.credentials.add import add_credentials
from tui.services.credentials.config import ConfigFile, ProfileRecord, WizardConfig
from tui.services.credentials.errors import KeyringUnavailableError
from tui.services.credentials.keyring_store import (
    SERVICE_NAME,
    KeyringState,
    KeyringStore,
)
from tui.services.credentials.profiles import ProfileStore
from tui.services.credentials.resolve import resolve_credentials

pytestmark = pytest.mark.secret_service

REPOSITORY = Path(__file__).resolve().parents[2]


def real_store(config_dir: Path) -> ProfileStore:
    # Default timeouts: the first call may start gnome-keyring by D-Bus activation.
    return ProfileStore(ConfigFile(config_dir / "config.toml"), KeyringStore())


def test_an_unlocked_secret_service_is_ready(secret_service: RealSecretService) -> None:
    status = KeyringStore().status()
    assert status.state is KeyringState.READY, status.explain()
    assert status.backend == "SecretService Keyring"


async def test_profile_round_trip(secret_service: RealSecretService, tmp_path: Path) -> None:
    import secretstorage

    name = secret_service.new_profile_name()
    store = real_store(tmp_path)
    credentials = Credentials(
        accounts.MAIN_ACCOUNT_SID, Secret(accounts.API_KEY_SECRET), api_key_sid=accounts.API_KEY_SID
    )
    added = await add_credentials(credentials, store=store, profile=name, transport=sandbox_transport())
    assert added.profile is not None
    assert added.profile.keyring_backend == "SecretService Keyring"

    # The entry really is in gnome-keyring, under our service and username.
    connection = secretstorage.dbus_init()
    try:
        items = list(
            secretstorage.get_default_collection(connection).search_items(
                {"service": SERVICE_NAME, "username": f"twilio:{name}"}
            )
        )
        assert len(items) == 1
        assert json.loads(items[0].get_secret())["secret"] == accounts.API_KEY_SECRET
    finally:
        connection.close()

    # A new store (as in a new process) reads it back.
    loaded = resolve_credentials(profile=None, env={}, store=real_store(tmp_path))
    assert loaded.secret.reveal() == accounts.API_KEY_SECRET
    assert loaded.api_key_sid == accounts.API_KEY_SID
    assert loaded.source == f'profile "{name}" (keyring: SecretService Keyring)'
    assert accounts.API_KEY_SECRET not in (tmp_path / "config.toml").read_text()

    removed = real_store(tmp_path).remove(name)
    assert removed.removed_profile and removed.removed_secret
    assert KeyringStore().read(name) is None


async def test_removing_twice_is_not_an_error(secret_service: RealSecretService, tmp_path: Path) -> None:
    name = secret_service.new_profile_name()
    store = real_store(tmp_path)
    await add_credentials(
        Credentials(accounts.MAIN_ACCOUNT_SID, Secret(accounts.MAIN_AUTH_TOKEN)),
        store=store,
        profile=name,
        transport=sandbox_transport(),
    )
    assert store.remove(name).removed_secret
    # gnome-keyring answers the second delete with "No such password!".
    again = store.remove(name)
    assert not again.removed_anything


def test_a_keyring_that_was_never_unlocked_is_classified_locked(
    locked_secret_service, tmp_path: Path
) -> None:
    status = KeyringStore().status()
    assert status.state is KeyringState.LOCKED, status.explain()
    assert "Prompt dismissed" in (status.detail or "")
    # A stored profile in that session reports the lock, not bad credentials.
    store = real_store(tmp_path)
    store.config.save(
        WizardConfig(
            active_profile="work",
            profiles={
                "work": ProfileRecord(
                    name="work",
                    account_sid=accounts.MAIN_ACCOUNT_SID,
                    auth_kind="auth_token",
                )
            },
        )
    )
    with pytest.raises(KeyringUnavailableError) as raised:
        resolve_credentials(profile=None, env={}, store=store)
    assert raised.value.status.state is KeyringState.LOCKED


def _profiles_command() -> list[str]:
    """`python -m tui profiles` once the CLI registers the group; until then the
    group itself, still in a process of its own."""
    from tui.cli import cli

    if "profiles" in cli.commands:
        return [sys.executable, "-m", "tui", "profiles"]
    return [
        sys.executable,
        "-c",
        "from tui.cli.profiles import profiles; profiles(prog_name='number-wizard profiles')",
    ]


def test_the_command_line_in_a_subprocess(
    secret_service: RealSecretService, isolated_environment: Path
) -> None:
    name = secret_service.new_profile_name()
    command = _profiles_command()
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
    environment.pop("PYTHON_KEYRING_BACKEND", None)  # the real detection picks the Secret Service

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*command, *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=environment,
            cwd=isolated_environment,
            timeout=60,
            check=False,
        )

    with served_sandbox() as api_url:
        added = run(
            "add",
            name,
            "--account-sid",
            accounts.MAIN_ACCOUNT_SID,
            "--api-url",
            api_url,
            stdin=accounts.MAIN_AUTH_TOKEN + "\n",
        )
        assert added.returncode == 0, added.stderr
        assert "(SecretService Keyring)" in added.stdout
        # The "done when": `profiles add`, then `buy --profile NAME` works.
        bought = subprocess.run(
            [
                sys.executable,
                "-m",
                "tui",
                "buy",
                "--profile",
                name,
                "--phone-number",
                "+46701740612",
                "--yes",
                "-o",
                "json",
                "--api-url",
                api_url,
            ],
            capture_output=True,
            text=True,
            env=environment,
            cwd=isolated_environment,
            timeout=60,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    assert bought.returncode == 0, bought.stderr
    assert json.loads(bought.stdout)["phone_number"] == "+46701740612"
    shown = run("show", name)
    assert shown.returncode == 0, shown.stderr
    assert "******** (in the system keyring: SecretService Keyring)" in shown.stdout
    removed = run("remove", name)
    assert removed.returncode == 0 and "Removed profile" in removed.stdout
    again = run("remove", name)
    assert again.returncode == 0 and "nothing to remove" in again.stdout
    for result in (added, bought, shown, removed, again):
        assert accounts.MAIN_AUTH_TOKEN not in result.stdout + result.stderr
    for path in isolated_environment.rglob("*"):
        if path.is_file():
            assert accounts.MAIN_AUTH_TOKEN.encode() not in path.read_bytes(), path
