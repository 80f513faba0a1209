"""Raw HTTP/1.1 over a socket: for requests no HTTP client library would send."""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import time
from dataclasses import dataclass, field
from typing import Any

from tui.sandbox.accounts import MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN

AUTHORIZATION = "Basic " + base64.b64encode(f"{MAIN_ACCOUNT_SID}:{MAIN_AUTH_TOKEN}".encode()).decode()
PURCHASE_PATH = f"/2010-04-01/Accounts/{MAIN_ACCOUNT_SID}/IncomingPhoneNumbers/Mobile.json"
OWNED_PATH = f"/2010-04-01/Accounts/{MAIN_ACCOUNT_SID}/IncomingPhoneNumbers.json"


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes
    closed: bool  # the server closed the connection after this answer
    elapsed: float
    raw: bytes = field(repr=False, default=b"")

    def json(self) -> Any:
        return json.loads(self.body)


def request_bytes(
    method: str,
    target: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
    auth: bool = True,
    content_length: str | None = "auto",
) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1"]
    if auth:
        lines.append(f"Authorization: {AUTHORIZATION}")
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if content_length == "auto":
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
    elif content_length is not None:
        lines.append(f"Content-Length: {content_length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def exchange(port: int, data: bytes, *, timeout: float = 5.0) -> RawResponse:
    """Send `data` on a new connection and read one answer (and whether it closed)."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        # The server may answer (and close) before taking everything: read that answer.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(data)
        return read_response(sock, started)


def read_response(sock: socket.socket, started: float | None = None) -> RawResponse:
    started = time.monotonic() if started is None else started
    buffer = b""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before an answer: {buffer!r}")
        buffer += chunk
    head, _, rest = buffer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split()[1])
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    body = rest[:length]
    closed = headers.get("connection", "").lower() == "close"
    if closed:
        sock.settimeout(2)
        try:
            closed = sock.recv(1) == b""
        except ConnectionResetError:
            closed = True  # closed with our unread bytes still queued: a reset, as TCP does
    return RawResponse(status, headers, body, closed, time.monotonic() - started, buffer)


def wait_closed(sock: socket.socket, limit: float) -> tuple[bytes, float]:
    """Read until the server closes the connection; what it sent and when."""
    started = time.monotonic()
    sock.settimeout(limit)
    received = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return received, time.monotonic() - started
        received += chunk
