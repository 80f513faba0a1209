"""Credentials for tests: a recognisable canary secret, and the sandbox playing
Twilio for verification (in-process or served on loopback): the sandbox's own
rules decide what Twilio would answer, not a fake written here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from tui.domain.credentials import Credentials, Secret
from tui.sandbox import Sandbox, SandboxTransport, start_server

# A recognisable secret: any test output, file or log line containing it is a leak.
CANARY = "canary-secret-0123456789abcdefgh"  # 32 characters, like an Auth Token


def canary_credentials(**overrides: object) -> Credentials:
    values: dict[str, object] = {"account_sid": "AC" + "c" * 32, "secret": Secret(CANARY)}
    values.update(overrides)
    return Credentials(**values)  # type: ignore[arg-type]


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
