"""Keyring backends for tests: one in-memory keyring, a JSON-file keyring shared by
processes (end-to-end tests), and backends that fail the ways real ones do
(docs/credentials.md#how-keyring-fails and #testing).

Every backend here has a negative priority: keyring registers each non-abstract
KeyringBackend subclass for auto-detection, and a positive priority could get one
picked by accident. Tests select them explicitly: `keyring.set_keyring(...)`,
`KeyringStore(backend=...)` or PYTHON_KEYRING_BACKEND in a subprocess.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.compat import properties
from keyring.errors import InitError, KeyringLocked, PasswordDeleteError

from tui.services.credentials.keyring_store import KeyringTimeouts

# Small enough to keep the hanging tests quick, large enough for a loaded CI box.
TEST_TIMEOUTS = KeyringTimeouts(read=0.2, write=0.2)


class MemoryKeyring(KeyringBackend):
    """A working keyring in a dict, never on disk. `calls` records every operation
    as (operation, service, username)."""

    priority = -1
    name = "in-memory test keyring"

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


class JsonFileKeyring(KeyringBackend):
    """A keyring kept in a JSON file, so that it persists across processes: the
    end-to-end tests' stand-in for the operating system's keyring.

    Select it in a subprocess with
    `PYTHON_KEYRING_BACKEND=tests.support.keyrings.JsonFileKeyring` and
    `KEYRING_PROPERTY_PATH=<file>` (keyring sets `path` from that variable in
    `KeyringBackend.__init__`, docs/credentials.md#testing), the repository on PYTHONPATH;
    in-process, pass `JsonFileKeyring(path)` to `KeyringStore(backend=...)`.
    It stores secrets in the clear, so keep its file outside anything scanned for
    leaks (and never use it outside tests). Negative priority: never picked by
    auto-detection."""

    priority = -1
    name = "JSON file test keyring"
    path: str | None = None

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        super().__init__()  # reads KEYRING_PROPERTY_PATH
        if path is not None:
            self.path = os.fspath(path)

    def _file(self) -> Path:
        if not self.path:
            raise RuntimeError("JsonFileKeyring needs a path (KEYRING_PROPERTY_PATH)")
        return Path(self.path)

    def _load(self) -> dict[str, dict[str, str]]:
        try:
            return json.loads(self._file().read_text("utf-8"))
        except FileNotFoundError:
            return {}

    def _save(self, data: dict[str, dict[str, str]]) -> None:
        target = self._file()
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(data, indent=1, sort_keys=True), "utf-8")
        os.replace(temporary, target)

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(service, {}).get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data.setdefault(service, {})[username] = password
        self._save(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if username not in data.get(service, {}):
            raise PasswordDeleteError("No such password!")
        del data[service][username]
        self._save(data)


# -- backends that fail the ways real ones do ------------------------------------


class LockedKeyring(KeyringBackend):
    """A Secret Service whose collection was not unlocked (scenario C′ of
    docs/credentials.md#how-keyring-fails)."""

    priority = -1

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("Failed to unlock the collection!")

    set_password = delete_password = get_password  # type: ignore[assignment]


class InitErrorKeyring(KeyringBackend):
    """A Secret Service that cannot show its unlock prompt (scenario B of
    docs/credentials.md#how-keyring-fails)."""

    priority = -1

    def get_password(self, service: str, username: str) -> str | None:
        raise InitError("Failed to create the collection: Prompt dismissed.")

    set_password = delete_password = get_password  # type: ignore[assignment]


class RuntimeErrorKeyring(KeyringBackend):
    """A backend failing the way D-Bus trouble surfaces (RuntimeError)."""

    priority = -1

    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError("Unable to initialize SecretService: socket closed")

    set_password = delete_password = get_password  # type: ignore[assignment]


class HangingKeyring(KeyringBackend):
    """Waits on `release` for ever, like a call stuck on an unlock dialog. The
    fixture that creates one sets `release` at teardown so no thread is left."""

    priority = -1

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

    priority = -1

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
    def name(cls) -> str:
        return "fake PlaintextKeyring"
