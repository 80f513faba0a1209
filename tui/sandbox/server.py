"""The sandbox over real HTTP: `SandboxApp` (asgi.py) served by uvicorn.

uvicorn (pure-Python h11 protocol, asyncio loop) does the HTTP/1.1 work: parsing,
keep-alive, pipelining, flow control, a listen backlog of 1024. A thin subclass of its
h11 protocol adds what a faithful Twilio needs and uvicorn leaves out:

* malformed requests (bad Content-Length, a broken request line, a head over 16 KiB)
  get a Twilio-shaped JSON 400, 414 or 431 instead of uvicorn's plain-text 400;
* a connection that does not deliver a request head within `head_timeout` seconds is
  closed (with a JSON 408 when part of a head arrived): uvicorn only times out idle
  keep-alive connections, so a client trickling bytes would otherwise hold one forever;
* `TCP_NODELAY` on every connection (asyncio sets it too), and an answer's head and body
  written in one piece: uvicorn writes them separately, which costs a second send() and
  has the client wake up twice for one small answer (see `_CoalescingWriter`);
* an ASGI scope extension that closes the connection without an answer, for the
  `drop_after_commit` fault.

The admin endpoints (`/__sandbox__/...`, see asgi.py) need no authentication, which is
why the server binds 127.0.0.1 by default and warns when asked to bind anything else.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import ipaddress
import socket
import sys
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, Self, cast

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol, RequestResponseCycle

from tui.sandbox import errors
from tui.sandbox.accounts import CREDENTIALS
from tui.sandbox.asgi import DROP_EXTENSION, MAX_HEAD_BYTES, SandboxApp
from tui.sandbox.core import JSON_CONTENT_TYPE, Sandbox
from tui.sandbox.state import StateFileError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
LISTEN_BACKLOG = 1024
# Seconds: an idle keep-alive connection is closed after KEEP_ALIVE_TIMEOUT; a request
# head must arrive in full within HEAD_TIMEOUT of the connection (or the previous
# answer); a body within asgi.BODY_TIMEOUT.
KEEP_ALIVE_TIMEOUT = 5.0
HEAD_TIMEOUT = 10.0
# Bytes asyncio reads from a connection at once (its default is 256 KiB, over glibc's
# mmap threshold); a larger body just takes more reads.
READ_SIZE = 64 * 1024
# How long a stopping server waits for answers in flight (delays are interrupted).
GRACEFUL_SHUTDOWN_SECONDS = 2.0


class _RememberingConnection(h11.Connection):
    """h11's connection, keeping the last protocol error so the answer can say why."""

    last_error: h11.RemoteProtocolError | None = None

    def next_event(self) -> Any:
        try:
            return super().next_event()
        except h11.RemoteProtocolError as error:
            self.last_error = error
            raise


class _CoalescingWriter:
    """What a request's cycle writes through: each write is held until the next one or
    the end of this turn of the event loop, whichever comes first.

    uvicorn writes an answer's head and its body in two calls, one right after the
    other; joined, they leave in one send() (one TCP segment for a small answer).
    Nothing waits longer than the current turn of the loop, so a head whose body comes
    later (or a 100 Continue) still goes out at once, and the order of writes is kept.
    """

    __slots__ = ("_held", "_loop", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held = b""

    def write(self, data: bytes) -> None:
        if not data:
            return
        if self._held:
            self._transport.write(self._held + data)
            self._held = b""
        else:
            self._held = data
            self._loop.call_soon(self.flush)

    def flush(self) -> None:
        if self._held:
            held, self._held = self._held, b""
            self._transport.write(held)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def discard(self) -> None:
        """The connection is lost: what is held can go nowhere."""
        self._held = b""

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._transport.get_extra_info(name, default)


class SandboxProtocol(H11Protocol):
    """uvicorn's h11 protocol with JSON protocol errors, a head timeout and drops."""

    head_timeout: float = HEAD_TIMEOUT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.conn = _RememberingConnection(h11.SERVER, MAX_HEAD_BYTES)
        self._head_timer: Any = None
        self._head_bytes = 0
        self._head_has_newline = False
        self._writer: _CoalescingWriter | None = None

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        if hasattr(transport, "max_size"):
            # asyncio reads up to 256 KiB at a time: a buffer that large is allocated
            # (mmap) and given back for every read, ~10 us for a 200-byte request.
            transport.max_size = READ_SIZE
        self._writer = _CoalescingWriter(transport, self.loop)
        raw = transport.get_extra_info("socket")
        if raw is not None and raw.family in (socket.AF_INET, socket.AF_INET6):
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        if self._writer is not None:
            self._writer.discard()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._waiting_for_head():
            self._head_bytes += len(data)
            self._head_has_newline = self._head_has_newline or b"\n" in data
        super().data_received(data)

    def handle_events(self) -> None:
        previous = self.cycle
        super().handle_events()
        cycle = self.cycle
        if cycle is not previous and cycle is not None:
            # A request head arrived: its body is the app's to time out.
            self._cancel_head_timer()
            # Set before the request's task first runs (it was only scheduled).
            scope = cast(dict[str, Any], cycle.scope)
            scope["extensions"] = {DROP_EXTENSION: functools.partial(self._drop, cycle)}
            cycle.transport = cast(asyncio.Transport, self._writer)

    def on_response_complete(self) -> None:
        if not self.transport.is_closing():
            self._arm_head_timer()  # before a pipelined request is parsed (and cancels it)
        super().on_response_complete()

    def send_400_response(self, msg: str) -> None:
        error = cast(_RememberingConnection, self.conn).last_error
        status = error.error_status_hint if error is not None else 400
        if status == 431 and not self._head_has_newline:
            status, message = 414, f"The request line is over {MAX_HEAD_BYTES} bytes."
        elif status == 431:
            message = f"The request head (request line and headers) is over {MAX_HEAD_BYTES} bytes."
        else:
            # h11's reason without the bytes it quotes ("illegal request line: bytearray(...)").
            reason = str(error).split(":", 1)[0] if error is not None else ""
            detail = f": {reason}" if reason else ""
            message = f"The request is not valid HTTP/1.1{detail}."
        self._answer_and_close(status, message)

    # --- helpers --------------------------------------------------------------------

    def _flush(self) -> None:
        """Before writing or closing here: what a cycle wrote goes first."""
        if self._writer is not None:
            self._writer.flush()

    def _waiting_for_head(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm_head_timer(self) -> None:
        self._cancel_head_timer()
        self._head_bytes = 0
        self._head_has_newline = False
        self._head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or not self._waiting_for_head():
            return
        if self._head_bytes:
            self._answer_and_close(
                408, f"The request head did not arrive within {self.head_timeout:g} seconds."
            )
        else:
            self.transport.close()  # idle: nothing to answer

    def _answer_and_close(self, status: int, message: str) -> None:
        """A JSON error written in one piece, outside h11 (whose state may be broken)."""
        body = errors.http_error(status, message).body_bytes()
        reason = h11_reason(status)
        head = (
            f"HTTP/1.1 {status} {reason}\r\n"
            f"Content-Type: {JSON_CONTENT_TYPE}\r\n"
            f"Content-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n"
        ).encode("latin-1")
        if not self.transport.is_closing():
            self._flush()
            self.transport.write(head + body)
            self.transport.close()

    def _drop(self, cycle: RequestResponseCycle) -> None:
        # Marked disconnected first, so uvicorn does not answer 500 for the app that
        # returned without a response.
        cycle.disconnected = True
        self._flush()
        self.transport.close()


def h11_reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class _UvicornServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, app: SandboxApp) -> None:
        super().__init__(config)
        self._app = app

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self._app.interrupt_delays()
        super().handle_exit(sig, frame)


class SandboxServer:
    """A Sandbox served over HTTP: in a background thread (`start()`, then `shutdown()`
    or use as a context manager), or in this thread (`serve_forever()`).

    The socket is bound on construction, so `base_url` is known (and a busy port is an
    OSError) before anything runs. `base_url` is a URL a client on this machine can use,
    also when binding every interface (0.0.0.0 -> 127.0.0.1).
    """

    def __init__(
        self,
        sandbox: Sandbox,
        host: str = DEFAULT_HOST,
        port: int = 0,
        *,
        head_timeout: float = HEAD_TIMEOUT,
        keep_alive_timeout: float = KEEP_ALIVE_TIMEOUT,
        body_timeout: float | None = None,
        backlog: int = LISTEN_BACKLOG,
    ) -> None:
        self.sandbox = sandbox
        self.app = (
            SandboxApp(sandbox) if body_timeout is None else SandboxApp(sandbox, body_timeout=body_timeout)
        )
        self._socket = _listening_socket(host, port, backlog)
        bound_host, bound_port = self._socket.getsockname()[:2]
        self.host = host
        self.port = int(bound_port)
        self.bound_address = ipaddress.ip_address(bound_host)
        self.base_url = _url_for(self.bound_address, self.port)
        protocol = type("BoundSandboxProtocol", (SandboxProtocol,), {"head_timeout": head_timeout})
        config = uvicorn.Config(
            self.app,
            http=protocol,
            loop="asyncio",
            ws="none",
            lifespan="off",
            interface="asgi3",
            proxy_headers=False,
            server_header=False,
            access_log=False,
            log_config=None,
            # uvicorn warns on every malformed request; those are answered, not errors.
            log_level="error",
            backlog=backlog,
            # uvicorn types these as whole seconds but uses them as asyncio delays.
            timeout_keep_alive=cast(int, keep_alive_timeout),
            timeout_graceful_shutdown=cast(int, GRACEFUL_SHUTDOWN_SECONDS),
            h11_max_incomplete_event_size=MAX_HEAD_BYTES,
        )
        self._uvicorn = _UvicornServer(config, self.app)
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None

    @property
    def exposed(self) -> bool:
        """Whether it listens beyond this machine (not only on a loopback address)."""
        return not self.bound_address.is_loopback

    def start(self) -> SandboxServer:
        def run() -> None:
            try:
                self._uvicorn.run(sockets=[self._socket])
            except BaseException as failure:  # reported by start()
                self._failure = failure

        self._thread = threading.Thread(target=run, name="sandbox-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._uvicorn.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.shutdown()
                raise RuntimeError(f"the sandbox server did not start: {self._failure!r}")
            time.sleep(0.005)
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until Ctrl+C (KeyboardInterrupt) or SIGTERM."""
        self._uvicorn.run(sockets=[self._socket])

    def shutdown(self) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            self.app.interrupt_delays()
            self._uvicorn.should_exit = True
            thread.join()
        self._socket.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.shutdown()


def _listening_socket(host: str, port: int, backlog: int) -> socket.socket:
    family = socket.AF_INET
    try:
        if ipaddress.ip_address(host.strip("[]")).version == 6:
            family = socket.AF_INET6
    except ValueError:
        pass  # a name such as localhost: resolved by bind, IPv4
    return socket.create_server((host.strip("[]"), port), family=family, backlog=backlog)


def _url_for(address: ipaddress.IPv4Address | ipaddress.IPv6Address, port: int) -> str:
    if address.is_unspecified:  # 0.0.0.0 or ::, every interface: loopback is one of them
        address = ipaddress.ip_address("::1" if address.version == 6 else "127.0.0.1")
    host = f"[{address}]" if address.version == 6 else str(address)
    return f"http://{host}:{port}"


def start_server(
    host: str = DEFAULT_HOST,
    port: int = 0,
    state_path: Path | None = None,
    *,
    sandbox: Sandbox | None = None,
    **options: Any,
) -> SandboxServer:
    """Serve a Sandbox in a background thread and return once it accepts connections.

    `port=0` picks a free port; read it from `.base_url`. Pass `sandbox` to serve one
    you built yourself (a fixed clock, options), else one is made from `state_path`.
    `options` go to SandboxServer (head_timeout, keep_alive_timeout, body_timeout,
    backlog). Use the result as a context manager, or call `.shutdown()`.
    """
    served = sandbox if sandbox is not None else Sandbox(state_path)
    return SandboxServer(served, host, port, **options).start()


def serve_forever(
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    state_path: Path | None = None,
    *,
    announce: Callable[[str], None] = print,
    warn: Callable[[str], None] | None = None,
) -> None:
    """Serve the sandbox in this thread until interrupted (Ctrl+C).

    `host`, `port`: where to listen (loopback by default; port 0 picks a free one).
    `state_path`: a JSON file keeping purchases across restarts; None keeps them in
    memory only. `announce` receives human-readable lines: the base URL, then every
    sandbox credential; `warn` (default: stderr) the warning for a non-loopback host.
    Raises StateFileError for a state file it cannot use and OSError when it cannot
    listen, both before serving anything. Meant for `number-wizard sandbox serve`.
    """
    sandbox = Sandbox(state_path)
    server = SandboxServer(sandbox, host, port)
    if server.exposed:
        (warn or _to_stderr)(exposure_warning(host, server.port))
    for line in describe(server.base_url, state_path, bound=str(server.bound_address)):
        announce(line)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        announce("Sandbox stopped.")
    finally:
        server.shutdown()


def exposure_warning(host: str, port: int) -> str:
    return (
        f"Warning: --host {host} makes the sandbox reachable from the network, not only from "
        f"this machine: anyone who can reach port {port} can use the sandbox's published test "
        "credentials and its unauthenticated admin endpoints (/__sandbox__/: reset, faults, "
        "state, request log, and simulated calls, which make this machine call the webhook "
        "URLs configured on the sandbox's numbers). Use it only on a network you trust; the "
        "default 127.0.0.1 keeps it on this machine."
    )


def describe(base_url: str, state_path: Path | None, *, bound: str | None = None) -> list[str]:
    """The lines `serve_forever` announces."""
    lines = [f"Twilio sandbox listening on {base_url}"]
    if bound is not None and ipaddress.ip_address(bound).is_unspecified:
        port = base_url.rsplit(":", 1)[1]
        lines.append(
            f"  (every interface: from another machine use http://{socket.gethostname()}:{port} "
            "or this machine's IP address)"
        )
    lines += [
        f"State: {state_path}" if state_path else "State: in memory (lost on exit)",
        "Credentials (Basic auth user / password):",
    ]
    for credential in CREDENTIALS:
        lines.append(
            f"  {credential.name:<8} {credential.username} / {credential.password}"
            f"  ({credential.kind.value}; {credential.description})"
        )
    lines.append(
        "Magic numbers (test credentials only, as at Twilio): +15005550006 buys and keeps "
        "nothing, +15005550000 is taken (21422), +15005550001 is invalid (21421)."
    )
    lines.append(
        "To rehearse a purchase with the main account, buy a seeded number that needs "
        "nothing, e.g. +46701740612 (SE) or +31616953194 (NL)."
    )
    return lines


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    """`python -m tui.sandbox [--host H] [--port P] [--state FILE]`."""
    parser = argparse.ArgumentParser(
        prog="python -m tui.sandbox", description="Serve the offline Twilio sandbox over HTTP."
    )
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--state", type=Path, default=None, help="JSON file keeping purchases")
    arguments = parser.parse_args(argv)
    try:
        serve_forever(arguments.host, arguments.port, arguments.state, announce=_announce)
    except StateFileError as error:
        _to_stderr(f"error: {error}")
        return 2
    except OSError as error:
        _to_stderr(f"error: cannot listen on {arguments.host}:{arguments.port}: {error.strerror or error}")
        return 1
    return 0


def _announce(line: str) -> None:
    print(line, flush=True)
