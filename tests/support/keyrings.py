"""Keyring backends for app tests: `InMemoryKeyring` (secrets in a dict, never on
disk) and `JsonFileKeyring` (a file shared by processes, for end-to-end tests).

Negative priorities, so keyring never picks one by itself; tests hand them to a
`KeyringStore(backend=...)` or name them in PYTHON_KEYRING_BACKEND explicitly."""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class InMemoryKeyring(KeyringBackend):
    priority = -1  # type: ignore[assignment]
    name = "in-memory test keyring"  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
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

    priority = -1  # type: ignore[assignment]
    name = "JSON file test keyring"  # type: ignore[assignment]
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
