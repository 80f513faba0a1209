"""Isolation for every credentials test (docs/credentials.md#testing): no developer
keyring, config or TWILIO_* variable can leak in, and nothing is written to them.

A test that forgets to choose a keyring backend gets keyring's fail backend, so it
fails loudly instead of writing to the real Keychain or Secret Service.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backends.fail
import keyring.core
import pytest
from credentials_support import TEST_TIMEOUTS, HangingKeyring, MemoryKeyring
from secret_service_session import (  # noqa: F401 - fixtures: importing them registers them
    locked_secret_service,
    secret_service,
    secret_service_address,
)

from tui.services.credentials import redact
from tui.services.credentials.config import ConfigFile
from tui.services.credentials.keyring_store import (
    PROCESS_CIRCUIT_BREAKER,
    KeyringStore,
)
from tui.services.credentials.profiles import ProfileStore


@pytest.fixture(autouse=True)
def isolated_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name in list(os.environ):
        if name.startswith(("TWILIO_", "KEYRING_PROPERTY_")) or name in (
            "PYTHON_KEYRING_BACKEND",
            "NUMBER_WIZARD_KEYRING_TIMEOUT",
        ):
            monkeypatch.delenv(name)
    # DBUS_SESSION_BUS_ADDRESS stays: it is how the secret_service tests reach the
    # bus that CI's dbus-run-session provides. Every other test selects a fake
    # backend explicitly, so no test reaches the bus by accident.
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))

    # Read without triggering backend detection (get_keyring() would detect, and
    # detection talks to D-Bus); restored as it was, detected or not.
    previous = keyring.core._keyring_backend
    keyring.set_keyring(keyring.backends.fail.Keyring())
    PROCESS_CIRCUIT_BREAKER.reset()
    redact.forget_registered_secrets()
    yield home
    keyring.core._keyring_backend = previous
    PROCESS_CIRCUIT_BREAKER.reset()
    redact.forget_registered_secrets()
    redact.uninstall_log_redaction()  # the profiles commands install it


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


@pytest.fixture
def hanging_keyring() -> Iterator[HangingKeyring]:
    backend = HangingKeyring()
    keyring.set_keyring(backend)
    yield backend
    backend.release.set()  # let the stuck daemon threads finish


@pytest.fixture
def config_file(isolated_credentials: Path) -> ConfigFile:
    return ConfigFile(isolated_credentials / "config" / "config.toml")


@pytest.fixture
def keyring_store() -> KeyringStore:
    return KeyringStore(timeouts=TEST_TIMEOUTS)


@pytest.fixture
def store(config_file: ConfigFile, keyring_store: KeyringStore) -> ProfileStore:
    return ProfileStore(config_file, keyring_store)


@pytest.fixture
def redacting_caplog(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """caplog with number-wizard's redaction installed, as the app and CLI do, and
    everything captured down to DEBUG."""
    redact.install_log_redaction()
    caplog.set_level(logging.DEBUG)
    yield caplog
    redact.uninstall_log_redaction()
