"""A real Secret Service (gnome-keyring) for the `secret_service` tests
(docs/credentials.md#a-real-secret-service-in-ci).

- If the environment already has an unlocked Secret Service on its session bus
  (CI: `.ci/run` runs pytest inside `dbus-run-session` after unlocking a throwaway
  login keyring), the tests use it. They only create and delete entries of
  profiles named `nwtest-…`, so a developer's own keyring is safe too.
- Otherwise a private D-Bus session daemon is started with a fresh temporary HOME,
  a throwaway login keyring is created and unlocked by piping a password into
  `gnome-keyring-daemon --unlock`, and everything is stopped afterwards. The
  developer's own bus and keyring are never touched.
- Without gnome-keyring or dbus installed the tests are skipped, except in CI
  (`CI` set), where that fails: they must not be skipped there.

The "locked" tests always get a private bus of their own on which gnome-keyring
is only D-Bus-activatable and never unlocked (docs/credentials.md#how-keyring-fails,
scenario B: no display, so its unlock prompt is dismissed at once).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

SERVICE_TOOLS = ("dbus-daemon", "gnome-keyring-daemon")
THROWAWAY_PASSWORD = "number-wizard-test-only-password"  # guards nothing but a temp dir
SECRETS_BUS_NAME = "org.freedesktop.secrets"


def _require_tools() -> None:
    missing = [tool for tool in SERVICE_TOOLS if shutil.which(tool) is None]
    if not missing:
        return
    message = (
        f"{', '.join(missing)} not installed: the real Secret Service tests need the "
        "Debian packages gnome-keyring and dbus"
    )
    if os.environ.get("CI"):
        pytest.fail(message + " (CI must run them, not skip them)", pytrace=False)
    pytest.skip(message)


def _probe(address: str, timeout: float = 10.0) -> str | None:
    """None when the Secret Service on `address` has an unlocked default collection
    that answers a search, else what went wrong. Runs in a daemon thread: a bus
    without a working service can hang."""
    import secretstorage
    from jeepney.io.blocking import open_dbus_connection

    outcome: dict[str, str | None] = {}

    def search() -> None:
        try:
            with open_dbus_connection(bus=address) as connection:
                collection = secretstorage.get_default_collection(connection)
                if collection.is_locked():
                    outcome["error"] = "the default collection is locked"
                    return
                list(collection.search_items({"service": "number-wizard"}))
            outcome["error"] = None
        except Exception as error:  # any failure means "not usable", reported as text
            outcome["error"] = f"{type(error).__name__}: {error}"

    thread = threading.Thread(target=search, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        return f"no answer within {timeout:g} s"
    return outcome.get("error", "the probe ended without an answer")


def _probe_until_usable(address: str, *, within: float) -> str | None:
    """Probe again for a while: `gnome-keyring-daemon --unlock` returns before the
    login keyring is unlocked, so a test run started right after it (as CI does) can
    find it still locked for a moment."""
    deadline = time.monotonic() + within
    problem = _probe(address)
    while problem is not None and time.monotonic() < deadline:
        time.sleep(0.2)
        problem = _probe(address)
    return problem


def _daemon_environment(home: Path) -> dict[str, str]:
    runtime = home / "run"
    runtime.mkdir(mode=0o700, exist_ok=True)
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_RUNTIME_DIR": str(runtime),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "LANG": "C.UTF-8",
        # No DISPLAY / WAYLAND_DISPLAY: gnome-keyring must never open a dialog here.
    }


def _owner_pid(address: str, name: str) -> int | None:
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import open_dbus_connection

    try:
        with open_dbus_connection(bus=address) as connection:
            reply = connection.send_and_get_reply(message_bus.GetConnectionUnixProcessID(name), timeout=5)
    except Exception:  # nobody owns the name, or the bus is gone already
        return None
    body = getattr(reply, "body", None)
    return int(body[0]) if body and isinstance(body[0], int) else None


@dataclass
class PrivateSession:
    """A D-Bus session daemon (and whatever keyring daemon it got) that we started."""

    home: Path
    address: str
    bus: subprocess.Popen[bytes]

    @classmethod
    def start(cls, *, unlock: bool) -> PrivateSession:
        home = Path(tempfile.mkdtemp(prefix="nw-secret-service-"))
        environment = _daemon_environment(home)
        bus = subprocess.Popen(
            ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            env=environment,
        )
        assert bus.stdout is not None
        address = bus.stdout.readline().decode().strip()
        session = cls(home, address, bus)
        if not address:
            session.stop()
            pytest.fail("dbus-daemon printed no bus address", pytrace=False)
        if unlock:
            session._unlock_login_keyring(environment)
        return session

    def _unlock_login_keyring(self, environment: dict[str, str]) -> None:
        # Creates the login keyring with this password (fresh HOME) and unlocks it.
        result = subprocess.run(
            ["gnome-keyring-daemon", "--unlock", "--components=secrets"],
            input=THROWAWAY_PASSWORD.encode(),
            env={**environment, "DBUS_SESSION_BUS_ADDRESS": self.address},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=30,
            check=False,
        )
        if result.returncode != 0:
            self.stop()
            pytest.fail(
                "gnome-keyring-daemon --unlock failed: " + result.stderr.decode(errors="replace"),
                pytrace=False,
            )
        problem = _probe_until_usable(self.address, within=15.0)
        if problem is not None:
            self.stop()
            pytest.fail(f"the private Secret Service did not become usable: {problem}", pytrace=False)

    def stop(self) -> None:
        keyring_daemon = _owner_pid(self.address, SECRETS_BUS_NAME) if self.bus.poll() is None else None
        if keyring_daemon is not None and keyring_daemon != os.getpid():
            with contextlib.suppress(ProcessLookupError):
                os.kill(keyring_daemon, signal.SIGTERM)
        if self.bus.poll() is None:
            self.bus.terminate()
            try:
                self.bus.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.bus.kill()
                self.bus.wait(timeout=10)
        if self.bus.stdout is not None:
            self.bus.stdout.close()
        shutil.rmtree(self.home, ignore_errors=True)


@pytest.fixture(scope="session")
def secret_service_address() -> Iterator[str]:
    """The bus address of an unlocked Secret Service: CI's, or a private one."""
    existing = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    if existing and _probe_until_usable(existing, within=5.0) is None:
        yield existing
        return
    _require_tools()
    session = PrivateSession.start(unlock=True)
    try:
        yield session.address
    finally:
        session.stop()


# Profiles made by these tests all start with this, and each test deletes only
# the entries of the names it was given: a developer's own profiles are never
# touched, nor the entries of tests running at the same time (pytest-xdist
# workers share CI's keyring).
TEST_PROFILE_PREFIX = "nwtest-"


@dataclass
class RealSecretService:
    backend: KeyringBackend
    profile_names: list[str] = field(default_factory=list)

    def new_profile_name(self) -> str:
        name = f"{TEST_PROFILE_PREFIX}{secrets.token_hex(4)}"
        self.profile_names.append(name)
        return name

    def delete_test_entries(self) -> None:
        import secretstorage

        connection = secretstorage.dbus_init()
        try:
            collection = secretstorage.get_default_collection(connection)
            for name in self.profile_names:
                for item in collection.search_items(
                    {"service": "number-wizard", "username": f"twilio:{name}"}
                ):
                    item.delete()
        finally:
            connection.close()


@pytest.fixture
def secret_service(
    secret_service_address: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[RealSecretService]:
    """keyring's real SecretService backend, selected explicitly, on that bus.
    Profile names come from `new_profile_name()`; their entries are deleted
    afterwards."""
    from keyring.backends import SecretService

    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", secret_service_address)
    service = RealSecretService(SecretService.Keyring())
    keyring.set_keyring(service.backend)
    yield service
    service.delete_test_entries()


@pytest.fixture
def locked_secret_service(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """A session where gnome-keyring can be activated but was never unlocked."""
    from keyring.backends import SecretService

    _require_tools()
    session = PrivateSession.start(unlock=False)
    try:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", session.address)
        backend = SecretService.Keyring()
        keyring.set_keyring(backend)
        yield backend
    finally:
        session.stop()
