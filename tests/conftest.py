"""Every test runs isolated from the machine it runs on (docs/credentials.md#testing).

`isolated_environment` (autouse) gives each test:

- no `TWILIO_*`, `KEYRING_PROPERTY_*`, NO_COLOR, FORCE_COLOR, TEXTUAL_THEME,
  TEXTUAL_ANIMATIONS or NUMBER_WIZARD_KEYRING_TIMEOUT from the developer;
- HOME and the XDG folders under its temporary folder (config, receipts, drafts);
- keyring's `fail` backend, in this process and (PYTHON_KEYRING_BACKEND) in the
  processes it starts, so a test that forgets to choose a backend fails loudly
  instead of touching the real keychain. DBUS_SESSION_BUS_ADDRESS stays: it is how
  the `secret_service` tests reach the bus CI provides; they select that backend
  explicitly;
- a circuit breaker and a secret registry of its own (no keyring call left stuck,
  no secret registered, by an earlier test), and the logging set-up it started with
  (the profiles commands install log redaction);
- text cursors that do not blink, so the screens render the same every time.

Headless test apps paint only their last frame (tests/support/painting.py) and
share their parsed CSS (tests/support/stylesheets.py); Pilot waits for idle in
shorter steps (tests/support/idle.py).

`memory_keyring` selects an in-memory keyring for the test.

`-n auto` starts two pytest-xdist workers per CPU (see
`pytest_xdist_auto_num_workers`).
"""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest

from tests.support.idle import shorter_idle_steps
from tests.support.keyrings import MemoryKeyring
from tests.support.painting import paint_only_the_last_frame
from tests.support.stylesheets import share_parsed_css
from tui.services.credentials import keyring_store, redact
from tui.widgets.text import TextInput

DROPPED_PREFIXES = ("TWILIO_", "KEYRING_PROPERTY_")
DROPPED = (
    "NO_COLOR",
    "FORCE_COLOR",
    "TEXTUAL_THEME",
    "TEXTUAL_ANIMATIONS",
    "NUMBER_WIZARD_KEYRING_TIMEOUT",
)


# The cyclic garbage collector, as the suite runs: a test process holds several
# hundred thousand long-lived objects (Textual, pydantic, hypothesis, every test
# module), and with Python's default thresholds the collector went over all of
# them again and again: 30% of the CPU of the Pilot tests (16 of 53 s in
# tests/tui/test_tui_steps.py and test_tui_validation.py). What exists once the
# tests are collected is moved out of its way (gc.freeze), and it runs less often
# (a young collection every 50,000 allocations instead of 700). Garbage is still
# collected and finalizers still run, only less often.
GC_THRESHOLDS = (50_000, 20, 100)


def pytest_configure(config: pytest.Config) -> None:
    gc.set_threshold(*GC_THRESHOLDS)  # from the start: collecting allocates most of them
    paint_only_the_last_frame()
    share_parsed_css()
    shorter_idle_steps()


def pytest_collection_finish(session: pytest.Session) -> None:
    gc.collect()
    gc.freeze()


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """Workers for `-n auto`: two per CPU this process may use. A Pilot test spends
    about a third of its time waiting for the app to go idle, and the end-to-end
    tests wait on their subprocesses; the other workers run meanwhile (the whole
    suite on 2 cores: 303 s with 3 workers, 264 s with 4, 257 s with 5).
    PYTEST_XDIST_AUTO_NUM_WORKERS still decides when set."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return 2 * (usable or 1)


@pytest.fixture(autouse=True)
def isolated_environment(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """HOME for this test (see the module doc); yields it. It lives beside the
    test's tmp_path, not in it: tests look at what they wrote there."""
    for name in list(os.environ):
        if name.startswith(DROPPED_PREFIXES) or name in DROPPED:
            monkeypatch.delenv(name)
    home = tmp_path_factory.mktemp("isolated-home")
    monkeypatch.setenv("HOME", str(home))
    for variable, folder in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_STATE_HOME", ".local/state"),
        ("XDG_CACHE_HOME", ".cache"),
    ):
        monkeypatch.setenv(variable, str(home / folder))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    keyring.set_keyring(keyring.backends.fail.Keyring())
    monkeypatch.setattr(keyring_store, "PROCESS_CIRCUIT_BREAKER", keyring_store.CircuitBreaker())
    monkeypatch.setattr(redact, "REGISTRY", redact.SecretRegistry())
    monkeypatch.setattr(TextInput, "CURSOR_BLINK", False)
    with _logging_restored():
        yield home


class _logging_restored:
    """Puts back the root logger's filters, its handlers' filters, the log record
    factory and the twilio.http_client level as they were."""

    def __enter__(self) -> None:
        root = logging.getLogger()
        self.factory = logging.getLogRecordFactory()
        self.root_filters = list(root.filters)
        self.handler_filters = {handler: list(handler.filters) for handler in root.handlers}
        self.twilio_level = logging.getLogger("twilio.http_client").level

    def __exit__(self, *exc: object) -> None:
        root = logging.getLogger()
        logging.setLogRecordFactory(self.factory)
        root.filters[:] = self.root_filters
        for handler in root.handlers:
            handler.filters[:] = self.handler_filters.get(handler, [])
        logging.getLogger("twilio.http_client").setLevel(self.twilio_level)


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    """An in-memory keyring, selected for this test."""
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend
