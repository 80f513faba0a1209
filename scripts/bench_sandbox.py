"""Benchmarks of the served sandbox, printed (never asserted): run by hand.

    .venv/bin/python scripts/bench_sandbox.py               # everything
    .venv/bin/python scripts/bench_sandbox.py latency       # keep-alive GET latency
    .venv/bin/python scripts/bench_sandbox.py load          # concurrent clients
    .venv/bin/python scripts/bench_sandbox.py probe         # malformed requests

latency: one client, one keep-alive connection, N sequential GETs of the owned-number
list; p50/p99 against two reference servers on the same machine and loopback: a
stdlib `http.server` and a bare uvicorn app, both answering a fixed 2-byte body.
load: C clients at once, each on its own connection doing R GETs; requests per second.
probe: each malformed request of the robustness tests, with status and seconds taken.

Everything talks to 127.0.0.1 only, in bounded loops.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import socket
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "sandbox"))

import uvicorn  # noqa: E402

from tui.sandbox import start_server  # noqa: E402
from tui.sandbox.accounts import MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN  # noqa: E402

AUTH = "Basic " + base64.b64encode(f"{MAIN_ACCOUNT_SID}:{MAIN_AUTH_TOKEN}".encode()).decode()
OWNED = f"/2010-04-01/Accounts/{MAIN_ACCOUNT_SID}/IncomingPhoneNumbers.json"


def keep_alive_latencies(port: int, path: str, count: int) -> list[float]:
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {AUTH}\r\n\r\n".encode()
    timings = []
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        reader = sock.makefile("rb")
        for _ in range(count):
            started = time.perf_counter()
            sock.sendall(request)
            length = 0
            while True:
                line = reader.readline()
                if line in (b"\r\n", b""):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            reader.read(length)
            timings.append(time.perf_counter() - started)
    return timings


def describe(name: str, timings: list[float]) -> str:
    ordered = sorted(timings)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[int(len(ordered) * 0.99) - 1] * 1000
    return f"{name:<34} p50 {p50:6.3f} ms   p99 {p99:6.3f} ms   (n={len(ordered)})"


class _Hello(BaseHTTPRequestHandler):
    """Head and body in two writes, as http.server does (the old sandbox's way)."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        return


class _HelloOneWrite(_Hello):
    """The whole answer in one write: Nagle's algorithm has nothing to hold back."""

    def do_GET(self) -> None:
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")


async def _hello_app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"2")]})  # fmt: skip
    await send({"type": "http.response.body", "body": b"{}"})


def latency(count: int) -> None:
    print(f"Keep-alive GET latency, 1 client, {count} requests each (after 200 warm-up):")
    with start_server() as server:
        keep_alive_latencies(server.port, OWNED, 200)
        print(describe("sandbox (uvicorn, owned numbers)", keep_alive_latencies(server.port, OWNED, count)))

    for name, handler in (("stdlib http.server hello", _Hello),
                          ("stdlib hello, one write per answer", _HelloOneWrite)):  # fmt: skip
        stdlib = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=stdlib.serve_forever, daemon=True)
        thread.start()
        port = stdlib.server_address[1]
        keep_alive_latencies(port, "/", 200)
        print(describe(name, keep_alive_latencies(port, "/", count)))
        stdlib.shutdown()
        stdlib.server_close()

    # asyncio sets TCP_NODELAY only on sockets whose proto is IPPROTO_TCP; a listening
    # socket made without one (uvicorn's own, socket.create_server) passes proto 0 on.
    for name, proto in (("uvicorn (h11) hello", 0), ("uvicorn (h11) hello, TCP_NODELAY", socket.IPPROTO_TCP)):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        config = uvicorn.Config(_hello_app, loop="asyncio", http="h11", lifespan="off", log_config=None,
                                log_level="error", access_log=False)  # fmt: skip
        hello = uvicorn.Server(config)
        runner = threading.Thread(target=hello.run, kwargs={"sockets": [sock]}, daemon=True)
        runner.start()
        while not hello.started:
            time.sleep(0.01)
        port = sock.getsockname()[1]
        keep_alive_latencies(port, "/", 200)
        print(describe(name, keep_alive_latencies(port, "/", count)))
        hello.should_exit = True
        runner.join()


async def _client(port: int, rounds: int) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = f"GET {OWNED} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {AUTH}\r\n\r\n".encode()
    ok = 0
    for _ in range(rounds):
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        await reader.readexactly(length)
        ok += head.startswith(b"HTTP/1.1 200")
    writer.close()
    return ok


def load(clients: int, rounds: int) -> None:
    with start_server() as server:
        started = time.perf_counter()

        async def everyone() -> list[int]:
            clients_done = asyncio.gather(*(_client(server.port, rounds) for _ in range(clients)))
            return await asyncio.wait_for(clients_done, 120)

        results = asyncio.run(everyone())
        elapsed = time.perf_counter() - started
    total = clients * rounds
    print(
        f"Load: {clients} concurrent clients x {rounds} keep-alive GETs = {total} requests, "
        f"{sum(results)} answered 200 in {elapsed:.2f} s ({total / elapsed:.0f} requests/s)"
    )


def probe() -> None:
    from raw_http import exchange  # type: ignore[import-not-found]  # tests/sandbox/, on sys.path here
    from test_sandbox_http_robustness import MALFORMED  # type: ignore[import-not-found]

    print(f"Malformed-request probe ({len(MALFORMED)} kinds), head/body timeouts 0.5 s:")
    with start_server(head_timeout=0.5, body_timeout=0.5) as server:
        for name, (data, expected, _) in MALFORMED.items():
            answer = exchange(server.port, data)
            verdict = "ok " if answer.status == expected else "BAD"
            kind = answer.headers.get("content-type", "")
            print(f"  {verdict} {name:<40} {answer.status} {kind:<33} {answer.elapsed:5.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("what", nargs="*", choices=["latency", "load", "probe", []], default=[])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=20)
    arguments = parser.parse_args()
    chosen = arguments.what or ["latency", "load", "probe"]
    if "latency" in chosen:
        latency(arguments.count)
    if "load" in chosen:
        load(arguments.clients, arguments.rounds)
    if "probe" in chosen:
        probe()


if __name__ == "__main__":
    main()
