"""Test doubles for the credentials tests: keyring backends that behave (or fail)
the ways real ones do (credentials.md §4.4, §6.2), and a fake of the two Twilio
calls that verification makes.

Every fake backend has a negative priority: each non-abstract KeyringBackend
subclass is registered for auto-detection, and a positive priority could get one
picked up by accident. Tests always select them with `keyring.set_keyring`.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
from keyring.backend import KeyringBackend
from keyring.compat import properties
from keyring.errors import InitError, KeyringLocked, PasswordDeleteError

from tui.domain.credentials import Credentials, Secret
from tui.sandbox.accounts import ACCOUNTS, CredentialKind, find_credential
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
    """A Secret Service whose collection was not unlocked (scenario C′)."""

    priority = -1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("Failed to unlock the collection!")

    set_password = delete_password = get_password  # type: ignore[assignment]


class InitErrorKeyring(KeyringBackend):
    """A Secret Service that cannot show its unlock prompt (scenario B)."""

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


# -- a fake Twilio for the two verification calls ------------------------------

_ACCOUNT_PATH = re.compile(r"/2010-04-01/Accounts/(?P<sid>[^/]+)(?P<tail>\.json|/IncomingPhoneNumbers\.json)")


def _error(status: int, code: int, message: str) -> tuple[int, dict]:
    return status, {
        "code": code, "message": message, "status": status,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
    }


def twilio_answer(method: str, path: str, authorization: str | None) -> tuple[int, dict]:
    """What Twilio answers to the verification calls, for the sandbox's documented
    credentials (tui.sandbox.accounts). FetchAccount includes `auth_token`, as the
    real one does: tests check it never reaches output or logs."""
    user = password = ""
    if authorization and authorization.startswith("Basic "):
        user, _, password = base64.b64decode(authorization[6:]).decode().partition(":")
    credential = find_credential(user, password)
    if credential is None:
        return _error(401, 20003, "Authenticate")
    match = _ACCOUNT_PATH.fullmatch(path)
    if method != "GET" or match is None:
        return _error(404, 20404, "The requested resource was not found")
    if match["sid"] != credential.account_sid:
        return _error(404, 20404, "The requested resource was not found")
    if credential.kind is CredentialKind.TEST_CREDENTIALS:
        return _error(403, 20008, "Resource not accessible with Test Account Credentials")
    account = ACCOUNTS[credential.account_sid]
    if match["tail"] == ".json":
        if credential.kind is CredentialKind.API_KEY:
            return _error(401, 20003, "Authenticate")  # a Standard key may not read /Accounts
        return 200, {
            "sid": account.sid, "friendly_name": account.friendly_name, "status": "active",
            "type": account.type.value, "auth_token": account.auth_token,
        }
    return 200, {"incoming_phone_numbers": [], "next_page_uri": None, "page": 0, "page_size": 1}


def twilio_mock_transport() -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        status, body = twilio_answer(
            request.method, request.url.path, request.headers.get("Authorization")
        )
        return httpx.Response(status, json=body)

    return httpx.MockTransport(handle)


class _TwilioHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status, body = twilio_answer("GET", self.path.split("?", 1)[0], self.headers.get("Authorization"))
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass


@contextmanager
def served_fake_twilio() -> Iterator[str]:
    """The fake on a loopback port, for --api-url and subprocesses. Yields its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TwilioHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
