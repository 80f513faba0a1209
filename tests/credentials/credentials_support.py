"""Test doubles for the credentials tests: keyring backends that behave (or fail)
the ways real ones do (docs/credentials.md#how-keyring-fails and #testing), and a
fake of the two Twilio calls that verification makes.

Every fake backend has a negative priority: each non-abstract KeyringBackend
subclass is registered for auto-detection, and a positive priority could get one
picked up by accident. Tests always select them with `keyring.set_keyring`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from keyring.backend import KeyringBackend
from keyring.compat import properties
from keyring.errors import InitError, KeyringLocked, PasswordDeleteError

from tui.domain.credentials import Credentials, Secret
from tui.sandbox import Sandbox, SandboxTransport, start_server
from tui.services.credentials.keyring_store import KeyringTimeouts

# Small enough to keep the hanging tests quick, large enough for a loaded CI box.
TEST_TIMEOUTS = KeyringTimeouts(read=0.2, write=0.2)

# A recognisable secret: any test output, file or log line containing it is a leak.
CANARY = "canary-secret-0123456789abcdefgh"  # 32 characters, like an Auth Token


def canary_credentials(**overrides: object) -> Credentials:
    values: dict[str, object] = {"account_sid": "AC" + "c" * 32, "secret": Secret(CANARY)}
    values.update(overrides)
    return Credentials(**values)  # type: ignore[arg-type]


class MemoryKeyring(KeyringBackend):
    """A working keyring in a dict."""

    priority = -1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}
        self.calls: list[tuple[str, str, str]] = []

    def get_password(self, service: str, username: str) -> str | None:
        self.calls.append(("get", service, username))
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.calls.append(("set", service, username))
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.calls.append(("delete", service, username))
        try:
            del self.entries[(service, username)]
        except KeyError:
            raise PasswordDeleteError("No such password!") from None


class LockedKeyring(KeyringBackend):
    """A Secret Service whose collection was not unlocked (scenario C′ of
    docs/credentials.md#how-keyring-fails)."""

    priority = -1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("Failed to unlock the collection!")

    set_password = delete_password = get_password  # type: ignore[assignment]


class InitErrorKeyring(KeyringBackend):
    """A Secret Service that cannot show its unlock prompt (scenario B of
    docs/credentials.md#how-keyring-fails)."""

    priority = -1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise InitError("Failed to create the collection: Prompt dismissed.")

    set_password = delete_password = get_password  # type: ignore[assignment]


class RuntimeErrorKeyring(KeyringBackend):
    """A backend failing the way D-Bus trouble surfaces (RuntimeError)."""

    priority = -1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError("Unable to initialize SecretService: socket closed")

    set_password = delete_password = get_password  # type: ignore[assignment]


class HangingKeyring(KeyringBackend):
    """Waits on `release` for ever, like a call stuck on an unlock dialog. The
    fixture that creates one sets `release` at teardown so no thread is left."""

    priority = -1  # type: ignore[assignment]

    def __init__(self, *, hang_on: frozenset[str] = frozenset({"get", "set", "delete"})) -> None:
        super().__init__()
        self.release = threading.Event()
        self.hang_on = hang_on
        self.entries: dict[tuple[str, str], str] = {}

    def _maybe_hang(self, operation: str) -> None:
        if operation in self.hang_on:
            self.release.wait()

    def get_password(self, service: str, username: str) -> str | None:
        self._maybe_hang("get")
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._maybe_hang("set")
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._maybe_hang("delete")
        self.entries.pop((service, username), None)


class DroppingKeyring(KeyringBackend):
    """Null behaviour under another name: writes succeed and vanish."""

    priority = -1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        pass

    def delete_password(self, service: str, username: str) -> None:
        raise PasswordDeleteError("No such password!")


class FakePlaintextKeyring(MemoryKeyring):
    """Looks like keyrings.alt's PlaintextKeyring (priority 0.5, "Plaintext" in
    its name). It works, which is the danger: it must be refused as insecure."""

    @properties.classproperty
    def priority(cls) -> float:  # type: ignore[override]
        return 0.5

    @properties.classproperty
    def name(cls) -> str:  # type: ignore[override]
        return "fake PlaintextKeyring"


# -- Twilio, as the sandbox plays it ---------------------------------------------
# Verification talks to the real sandbox (in-process or served on loopback), not to
# a fake written here: the sandbox's own rules decide what Twilio would answer.


def sandbox_transport() -> SandboxTransport:
    """A fresh in-process sandbox, as an httpx transport."""
    return SandboxTransport(Sandbox())


def recording_sandbox_transport(paths: list[str]) -> httpx.AsyncBaseTransport:
    """The in-process sandbox, remembering the path of every request."""
    inner = sandbox_transport()

    class Recording(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            paths.append(request.url.path)
            return await inner.handle_async_request(request)

    return Recording()


@contextmanager
def served_sandbox() -> Iterator[str]:
    """The sandbox on a loopback port, for --api-url and subprocesses. Yields its URL."""
    with start_server() as server:
        yield server.base_url
