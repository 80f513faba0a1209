"""The served sandbox fed garbage over raw sockets, held by slow clients, and loaded.

Every malformed request gets a Twilio-shaped JSON error with a sensible status, never
an empty reply, an HTML page or a traceback; the server then still serves the next
request. Idle and partial connections are closed after a timeout; a few hundred
concurrent clients are served.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from raw_http import (
    AUTHORIZATION,
    OWNED_PATH,
    PURCHASE_PATH,
    RawResponse,
    exchange,
    read_response,
    request_bytes,
    wait_closed,
)
from sandbox_helpers import MAIN

from tests.support.loopback import http_get
from tui.sandbox import SandboxServer, start_server
from tui.sandbox.server import READ_SIZE

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
TIMEOUT = 0.5  # the server's head, body and keep-alive timeouts in these tests


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with start_server(head_timeout=TIMEOUT, body_timeout=TIMEOUT, keep_alive_timeout=TIMEOUT) as running:
        yield running


def assert_json_error(response: RawResponse, status: int, fragment: str = "") -> dict[str, object]:
    assert response.status == status, response.raw
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    body = response.json()
    assert body["status"] == status
    assert isinstance(body["message"], str) and fragment in body["message"]
    assert b"Traceback" not in response.body and b"<html" not in response.body.lower()
    return body


def assert_still_serving(server: SandboxServer) -> None:
    response = http_get(f"{server.base_url}{OWNED_PATH}", auth=MAIN, timeout=5)
    assert response.status_code == 200
    assert response.json()["incoming_phone_numbers"]


BIG = 99_999_999_999
MALFORMED: dict[str, tuple[bytes, int, str]] = {
    "form body with invalid UTF-8": (
        request_bytes("POST", PURCHASE_PATH, headers=FORM, body=b"PhoneNumber=%2B46\xff\xfe"),
        400,
        "not valid UTF-8",
    ),
    "form body with invalid UTF-8 escapes": (
        request_bytes("POST", PURCHASE_PATH, headers=FORM, body=b"PhoneNumber=%ff%fe"),
        400,
        "not valid UTF-8",
    ),
    "query string with invalid UTF-8": (request_bytes("GET", f"{OWNED_PATH}?PhoneNumber=%ff"), 400, "query"),
    "path with invalid UTF-8": (request_bytes("GET", "/2010-04-01/Accounts/%ff.json"), 400, "path"),
    "Content-Length: abc": (
        request_bytes("POST", PURCHASE_PATH, headers=FORM, content_length="abc"),
        400,
        "Content-Length",
    ),
    "Content-Length: -1": (
        request_bytes("POST", PURCHASE_PATH, headers=FORM, content_length="-1"),
        400,
        "Content-Length",
    ),
    "Content-Length: 99999999999": (
        request_bytes("POST", PURCHASE_PATH, headers=FORM, content_length=str(BIG)),
        413,
        "over 1048576 bytes",
    ),
    "body over 1 MiB": (
        request_bytes("POST", PURCHASE_PATH, headers=FORM, body=b"a=" + b"x" * (1024 * 1024)),
        413,
        "over 1048576 bytes",
    ),
    "chunked body over 1 MiB": (
        request_bytes(
            "POST", PURCHASE_PATH, headers={**FORM, "Transfer-Encoding": "chunked"}, content_length=None
        )
        + b"".join(b"10000\r\n" + b"x" * 0x10000 + b"\r\n" for _ in range(17))
        + b"0\r\n\r\n",
        413,
        "over 1048576 bytes",
    ),
    "POST without a length": (
        request_bytes("POST", PURCHASE_PATH, content_length=None),
        411,
        "Content-Length",
    ),
    "unknown transfer coding": (
        request_bytes("POST", PURCHASE_PATH, headers={"Transfer-Encoding": "gzip"}, content_length=None),
        501,
        "not valid HTTP",
    ),
    "request line of garbage": (b"\x00\x01\x02 nonsense\r\n\r\n", 400, "not valid HTTP/1.1"),
    "no Host header": (f"GET {OWNED_PATH} HTTP/1.1\r\n\r\n".encode(), 400, "not valid HTTP/1.1"),
    "target over 8 KiB": (request_bytes("GET", f"{OWNED_PATH}?FriendlyName={'a' * 9000}"), 414, "target"),
    "request line over 16 KiB": (request_bytes("GET", "/" + "a" * 20_000), 414, ""),
    "headers over 16 KiB": (request_bytes("GET", OWNED_PATH, headers={"X-Big": "b" * 20_000}), 431, "head"),
    "many headers over 16 KiB": (
        request_bytes("GET", OWNED_PATH, headers={f"X-{n}": "v" * 100 for n in range(200)}),
        431,
        "head",
    ),
    "unknown path": (request_bytes("GET", "/2010-04-01/Nope.json"), 404, "was not found"),
}


@pytest.mark.parametrize("case", list(MALFORMED.values()), ids=list(MALFORMED))
def test_malformed_requests_get_a_json_error_and_the_server_goes_on(
    server: SandboxServer, case: tuple[bytes, int, str]
) -> None:
    data, status, fragment = case
    assert_json_error(exchange(server.port, data), status, fragment)
    assert_still_serving(server)


@pytest.mark.parametrize("method", ["PATCH", "PUT", "OPTIONS", "TRACE", "BREW"])
def test_methods_twilio_does_not_take_are_405_with_20004(server: SandboxServer, method: str) -> None:
    response = exchange(server.port, request_bytes(method, PURCHASE_PATH, content_length="0"))
    body = assert_json_error(response, 405, f"Method {method} not allowed")
    assert body["code"] == 20004
    assert body["more_info"] == "https://www.twilio.com/docs/errors/20004"
    assert response.headers["allow"] == "GET, POST"
    assert_still_serving(server)


def test_head_is_405_with_json_headers_and_no_body(server: SandboxServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(request_bytes("HEAD", PURCHASE_PATH) + request_bytes("GET", OWNED_PATH))
        buffer = b""
        while buffer.count(b"HTTP/1.1 ") < 2 or not buffer.rstrip().endswith(b"}"):
            buffer += sock.recv(65536)
    head_answer, _, get_answer = buffer.partition(b"\r\n\r\n")
    assert head_answer.startswith(b"HTTP/1.1 405 ")
    assert b"content-type: application/json; charset=utf-8" in head_answer
    assert get_answer.startswith(b"HTTP/1.1 200 "), "the HEAD answer carried no body"


def test_errors_of_a_kept_alive_connection_leave_it_usable(server: SandboxServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        for target, status in ((f"{OWNED_PATH}?PhoneNumber=%ff", 400), ("/nope", 404), (OWNED_PATH, 200)):
            sock.sendall(request_bytes("GET", target))
            response = read_response(sock)
            assert (response.status, response.closed) == (status, False)


def test_an_answer_sent_before_the_body_was_read_closes_the_connection(server: SandboxServer) -> None:
    response = exchange(
        server.port, request_bytes("POST", PURCHASE_PATH, headers=FORM, content_length=str(BIG))
    )
    assert response.status == 413 and response.closed


def test_answers_carry_twilios_request_headers(server: SandboxServer) -> None:
    response = http_get(f"{server.base_url}{OWNED_PATH}", auth=MAIN, timeout=5)
    request_id = response.headers["twilio-request-id"]
    assert request_id.startswith("RQ") and len(request_id) == 34
    assert int(response.headers["twilio-concurrent-requests"]) >= 1
    assert float(response.headers["twilio-request-duration"]) >= 0
    assert "server" not in response.headers


# --- Slow and idle clients ------------------------------------------------------------


def test_a_body_shorter_than_announced_is_408_after_the_body_timeout(server: SandboxServer) -> None:
    data = request_bytes("POST", PURCHASE_PATH, headers=FORM, content_length="100") + b"PhoneNumber="
    response = exchange(server.port, data)
    assert_json_error(response, 408, "did not arrive")
    assert response.closed
    assert response.elapsed >= TIMEOUT * 0.9
    assert_still_serving(server)


def test_a_partial_request_head_is_408_after_the_head_timeout(server: SandboxServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(f"GET {OWNED_PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: {AUTHORIZATION}\r\n".encode())
        received, waited = wait_closed(sock, limit=10)
    assert received.startswith(b"HTTP/1.1 408 ")
    assert b'"status": 408' in received
    assert TIMEOUT * 0.9 <= waited < 10


def test_a_client_trickling_a_head_is_cut_off(server: SandboxServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        started = time.monotonic()
        sock.settimeout(10)
        closed = False
        for char in f"GET {OWNED_PATH} HTTP/1.1\r\nX-Slow: {'z' * 200}":
            try:
                sock.sendall(char.encode())
            except OSError:
                closed = True
                break
            time.sleep(TIMEOUT / 10)
            if time.monotonic() - started > 4 * TIMEOUT:
                break
        if not closed:
            received, _ = wait_closed(sock, limit=10)
            assert received.startswith(b"HTTP/1.1 408 ")
    assert time.monotonic() - started < 10


def test_idle_connections_are_closed(server: SandboxServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        received, waited = wait_closed(sock, limit=10)
    assert received == b"" and waited < 10  # nothing asked, nothing answered
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(request_bytes("GET", OWNED_PATH))
        assert read_response(sock).status == 200
        received, waited = wait_closed(sock, limit=10)
    assert received == b"" and waited < 10  # kept alive, then closed when idle


def test_many_partial_requests_are_all_closed_while_others_are_served(server: SandboxServer) -> None:
    held = []
    try:
        for _ in range(100):
            sock = socket.create_connection(("127.0.0.1", server.port))
            sock.sendall(b"POST " + PURCHASE_PATH.encode() + b" HTTP/1.1\r\nHost: x\r\n")
            held.append(sock)
        assert_still_serving(server)
        answers = [wait_closed(sock, limit=10)[0] for sock in held]
    finally:
        for sock in held:
            sock.close()
    assert all(answer.startswith(b"HTTP/1.1 408 ") for answer in answers)
    assert_still_serving(server)


# --- Load -----------------------------------------------------------------------------

CLIENTS = 300


async def two_requests(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> list[int]:
    statuses = []
    for _ in range(2):
        writer.write(request_bytes("GET", OWNED_PATH))
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        await reader.readexactly(int(headers["content-length"]))
        statuses.append(int(lines[0].split()[1]))
    return statuses


async def test_a_few_hundred_concurrent_clients_are_served() -> None:
    with start_server() as server:
        # Every client connected at once, then all asking at once.
        connections = await asyncio.wait_for(
            asyncio.gather(*(asyncio.open_connection("127.0.0.1", server.port) for _ in range(CLIENTS))),
            timeout=60,
        )
        try:
            results = await asyncio.wait_for(
                asyncio.gather(*(two_requests(reader, writer) for reader, writer in connections)), timeout=60
            )
            open_on_the_server = len(server._uvicorn.server_state.connections)
        finally:
            for _, writer in connections:
                writer.close()
    assert [status for statuses in results for status in statuses] == [200] * (2 * CLIENTS)
    assert open_on_the_server == CLIENTS, "each client kept its own connection, all served side by side"


def test_the_listen_backlog_takes_a_burst_of_connections() -> None:
    with start_server() as server:
        burst = [socket.create_connection(("127.0.0.1", server.port), timeout=5) for _ in range(CLIENTS)]
        try:
            for sock in burst:
                sock.sendall(request_bytes("GET", OWNED_PATH))
            assert {read_response(sock).status for sock in burst} == {200}
        finally:
            for sock in burst:
                sock.close()


def test_an_answer_leaves_in_one_write(server: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # uvicorn writes an answer's head and body in two calls: joined, one send(), one segment.
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(request_bytes("GET", OWNED_PATH))
        assert read_response(sock).status == 200
        transport = _protocol_of(server, sock).transport
        writes: list[bytes] = []
        write = transport.write

        def spy(data: bytes) -> None:
            writes.append(bytes(data))
            write(data)

        monkeypatch.setattr(transport, "write", spy)
        sock.sendall(request_bytes("GET", OWNED_PATH))
        response = read_response(sock)
    assert response.status == 200
    assert len(writes) == 1, [write[:40] for write in writes]
    assert writes[0].startswith(b"HTTP/1.1 200 ") and writes[0].endswith(b"\r\n\r\n" + response.body)


def test_expect_100_continue_is_answered_before_the_body(server: SandboxServer) -> None:
    # The interim answer is not held back waiting for another write to join.
    body = b'{"status": 503, "nonsense": 1}'
    head = request_bytes(
        "POST",
        "/__sandbox__/faults",
        headers={"Content-Type": "application/json", "Expect": "100-continue"},
        content_length=str(len(body)),
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(head)
        interim = b""
        while b"\r\n\r\n" not in interim:
            interim += sock.recv(65536)
        assert interim.startswith(b"HTTP/1.1 100 ")
        sock.sendall(body)
        response = read_response(sock)
    assert response.status == 400 and "nonsense" in response.json()["message"]


def test_a_body_larger_than_one_read_arrives_whole(server: SandboxServer) -> None:
    # The server reads READ_SIZE (64 KiB) at a time; a larger body takes several reads.
    padding = "p" * (3 * READ_SIZE)
    body = json.dumps({"status": 503, "padding": padding}).encode()
    response = exchange(
        server.port,
        request_bytes("POST", "/__sandbox__/faults", headers={"Content-Type": "application/json"}, body=body),
    )
    # Parsed in full (a cut JSON would not be), then refused for its unknown field.
    assert_json_error(response, 400, "unknown field(s) padding")
    assert_still_serving(server)


def _protocol_of(server: SandboxServer, sock: socket.socket) -> Any:
    """The server's protocol (connection) for this client socket."""
    (protocol,) = [
        protocol
        for protocol in server._uvicorn.server_state.connections
        if protocol.client == sock.getsockname()[:2]
    ]
    return protocol


def test_connections_read_at_most_read_size_at_once(server: SandboxServer) -> None:
    # asyncio's 256 KiB default is an mmap'd buffer made and freed on every read.
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(request_bytes("GET", OWNED_PATH))
        assert read_response(sock).status == 200
        assert _protocol_of(server, sock).transport.max_size == READ_SIZE


def test_connections_have_tcp_nodelay(server: SandboxServer) -> None:
    # Nagle must be off: an answer waits for no ACK (a 100 Continue is a write of its own).
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(request_bytes("GET", OWNED_PATH))
        assert read_response(sock).status == 200
        connections = list(server._uvicorn.server_state.connections)  # the protocols
        flags = {
            protocol.transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            for protocol in connections
        }
    assert connections and flags == {1}
