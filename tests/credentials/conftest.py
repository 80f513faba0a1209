"""Fixtures for the credentials tests. Every test is already isolated from the
machine (tests/conftest.py): keyring's fail backend unless a test picks another,
HOME and config under its temporary folder, no TWILIO_* variables."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from tests.support.keyrings import TEST_TIMEOUTS, HangingKeyring
from tests.support.secret_service import (  # noqa: F401 - fixtures: importing them registers them
    locked_secret_service,
    secret_service,
    secret_service_address,
)
from tui.services.credentials import redact
from tui.services.credentials.config import ConfigFile
from tui.services.credentials.keyring_store import KeyringStore
from tui.services.credentials.profiles import ProfileStore


@pytest.fixture
def hanging_keyring() -> Iterator[HangingKeyring]:
    backend = HangingKeyring()
    keyring.set_keyring(backend)
    yield backend
    backend.release.set()  # let the stuck daemon threads finish


@pytest.fixture
def config_file(isolated_environment: Path) -> ConfigFile:
    return ConfigFile(isolated_environment / "config" / "config.toml")


@pytest.fixture
def keyring_store() -> KeyringStore:
    return KeyringStore(timeouts=TEST_TIMEOUTS)


@pytest.fixture
def store(config_file: ConfigFile, keyring_store: KeyringStore) -> ProfileStore:
    return ProfileStore(config_file, keyring_store)


@pytest.fixture
def redacting_caplog(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """caplog with number-wizard's redaction installed, as the app and CLI do, and
    everything captured down to DEBUG (the logging set-up is restored after the
    test by tests/conftest.py)."""
    redact.install_log_redaction()
    caplog.set_level(logging.DEBUG)
    return caplog
