"""The sandbox as an ASGI application: the one HTTP front both ways of using it run.

`sandbox serve` serves it with uvicorn (server.py); `--sandbox` and the tests call it
in-process through `httpx.ASGITransport` (transport.py). Either way every request goes
through the same steps here:

1. the request itself: target too long -> 414, path or query not UTF-8 -> 400, POST
   without a length -> 411, body over 1 MiB -> 413, body not arriving in time -> 408;
   each a Twilio-shaped JSON error (`{"message", "status"}`; `code` only where Twilio
   has one), never an HTML page or an empty reply;
2. the admin endpoints under `/__sandbox__/` (not Twilio's; no authentication, which is
   why the server binds loopback by default):

       GET    /__sandbox__/faults     the armed faults
       POST   /__sandbox__/faults     arm one: a JSON object of faults.FAULT_FIELDS
       DELETE /__sandbox__/faults     disarm all
       POST   /__sandbox__/reset      back to the seeded world (faults and log cleared)
       GET    /__sandbox__/state      the whole world as JSON
       GET    /__sandbox__/requests   the request log (see Sandbox.requests)
       DELETE /__sandbox__/requests   clear it
       POST   /__sandbox__/simulate   an incoming call or message to an owned number:
                                      its webhooks called as Twilio would (webhooks.py);
                                      answers the report of every request

3. Twilio's API: the armed fault for the request is taken, `delay_before` waited, the
   Sandbox answers (core.py), `delay_after_commit` waited, and the answer is sent with
   `Twilio-Request-Id`, `Twilio-Concurrent-Requests` and `Twilio-Request-Duration`, or
   the connection is dropped.

Imports nothing from the wizard (tui.domain, tui.services, ...): the sandbox judges
requests by its own rules.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import re
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, unquote_to_bytes

from tui.sandbox import errors
from tui.sandbox.core import JSON_CONTENT_TYPE, Sandbox, SandboxResponse
from tui.sandbox.errors import TwilioApiError
from tui.sandbox.faults import parse_fault_spec
from tui.sandbox.formats import make_sid
from tui.sandbox.webhooks import parse_simulation_spec

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

ADMIN_PREFIX = "/__sandbox__/"
MAX_BODY_BYTES = 1024 * 1024
# Longer request targets get 414. Twilio documents no limit; 8 KiB is the common
# front-end default (nginx's large_client_header_buffers).
MAX_TARGET_BYTES = 8 * 1024
# Request line plus headers; more is 431. The server's parser enforces the same limit on
# heads that arrive in pieces; this catches one that arrives whole.
MAX_HEAD_BYTES = 16 * 1024
# Seconds a request body may take to arrive in full (then 408 and the connection closes).
BODY_TIMEOUT = 10.0
# The ASGI scope extension a server offers for closing the connection without an
# answer (server.py's protocol does); in-process, ConnectionDropped is raised instead.
DROP_EXTENSION = "number_wizard.drop_connection"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

ADMIN_METHODS = {
    "faults": ("GET", "POST", "DELETE"),
    "reset": ("POST",),
    "state": ("GET",),
    "requests": ("GET", "DELETE"),
    "simulate": ("POST",),
}

logger = logging.getLogger("tui.sandbox")


class ConnectionDropped(Exception):
    """A drop fault hit a request served without a server to close the connection."""


class _Problem(Exception):
    """An answer about the HTTP request itself; `close` when the body was not read."""

    def __init__(self, error: TwilioApiError, *, close: bool = False) -> None:
        super().__init__(error.message)
        self.error = error
        self.close = close


class _ClientGone(Exception):
    """The client disconnected before its request arrived in full."""


class _ShuttingDown(Exception):
    """The server is stopping while this request waits out a delay fault."""


class SandboxApp:
    """The ASGI application serving one Sandbox (see the module docstring)."""

    def __init__(
        self,
        sandbox: Sandbox,
        *,
        max_body_bytes: int = MAX_BODY_BYTES,
        max_target_bytes: int = MAX_TARGET_BYTES,
        max_head_bytes: int = MAX_HEAD_BYTES,
        body_timeout: float = BODY_TIMEOUT,
    ) -> None:
        self.sandbox = sandbox
        self.max_body_bytes = max_body_bytes
        self.max_target_bytes = max_target_bytes
        self.max_head_bytes = max_head_bytes
        self.body_timeout = body_timeout
        # Shared by the server's loop and in-process callers' loops: a thread lock.
        self._lock = threading.Lock()
        self._in_flight = 0
        self._answered = 0
        self._sleepers: set[asyncio.Task[Any]] = set()
        self._closing = False
        # Requests held back by delay_before whose client may be gone: kept referenced.
        self._pending: set[asyncio.Future[Any]] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return  # no lifespan or websockets: nothing to set up, nothing to serve
        started = time.monotonic()
        with self._lock:
            self._in_flight += 1
        response_started = False

        async def tracked_send(message: Message) -> None:
            nonlocal response_started
            response_started = True
            await send(message)

        try:
            await self._serve(scope, receive, tracked_send, started)
        except _Problem as problem:
            await self._send_json(tracked_send, problem.error, started, close=problem.close)
        except (_ClientGone, _ShuttingDown):
            self._drop(scope)
        except Exception as failure:
            if isinstance(failure, ConnectionDropped) or response_started:
                raise
            logger.exception("The sandbox failed on %s %s", scope.get("method"), scope.get("path"))
            error = TwilioApiError(
                500,
                errors.INTERNAL_SERVER_ERROR,
                f"The sandbox failed on this request ({type(failure).__name__}); see its log.",
            )
            await self._send_json(tracked_send, error, started, close=True)
        finally:
            with self._lock:
                self._in_flight -= 1

    def interrupt_delays(self) -> None:
        """Stop every wait now (the server is shutting down); thread-safe.

        Requests waiting out a delay fault, or for the rest of their body, drop their
        connections instead of answering late.
        """
        with self._lock:
            self._closing = True
            sleepers = list(self._sleepers)
        for task in sleepers:
            task.get_loop().call_soon_threadsafe(task.cancel)

    # --- the steps ----------------------------------------------------------------

    async def _serve(self, scope: Scope, receive: Receive, send: Send, started: float) -> None:
        method = str(scope["method"]).upper()
        raw_path: bytes = scope.get("raw_path") or str(scope["path"]).encode("utf-8")
        query_string: bytes = scope.get("query_string", b"")
        if len(raw_path) + len(query_string) > self.max_target_bytes:
            raise _Problem(
                errors.http_error(414, f"The request target is over {self.max_target_bytes} bytes."),
                close=True,
            )
        try:
            path = unquote_to_bytes(raw_path).decode("utf-8")
        except UnicodeDecodeError:
            raise _Problem(errors.http_error(400, "The request path is not valid UTF-8.")) from None
        try:
            query = (
                parse_qsl(
                    query_string.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict"
                )
                if query_string
                else []
            )
        except UnicodeDecodeError:
            raise _Problem(errors.http_error(400, "The query string is not valid UTF-8.")) from None
        headers: dict[str, str] = {}
        head_size = len(method) + len(raw_path) + len(query_string) + 12  # request line
        for name, value in scope.get("headers", []):
            headers[name.decode("latin-1").lower()] = value.decode("latin-1")
            head_size += len(name) + len(value) + 4
        if head_size > self.max_head_bytes:
            raise _Problem(
                errors.http_error(
                    431, f"The request head (request line and headers) is over {self.max_head_bytes} bytes."
                ),
                close=True,
            )
        body = await self._read_body(method, headers, receive)

        if path.startswith(ADMIN_PREFIX) or path == ADMIN_PREFIX.rstrip("/"):
            status, payload = await self._admin(method, path, body)
            await self._send(
                send,
                status,
                {"Content-Type": JSON_CONTENT_TYPE},
                json.dumps(payload).encode(),
                started,
            )
            return

        fault = self.sandbox.faults.take(method, path)
        call = functools.partial(
            self.sandbox.process,
            method,
            path,
            query,
            headers,
            body,
            origin=_origin(scope, headers),
            fault=fault,
            received=started,
        )
        if fault is not None and fault.delay_before:
            # Held back, then processed even if the client gives up meanwhile (in-process,
            # its read timeout cancels this task): a server goes on with what it received.
            processing = asyncio.ensure_future(self._after(fault.delay_before, call))
            self._pending.add(processing)
            processing.add_done_callback(self._pending.discard)
            answer: SandboxResponse = await asyncio.shield(processing)
        else:
            answer = await self._run(call)
        if answer.delay_after_commit:
            await self._sleep(answer.delay_after_commit)
        if answer.dropped:
            self._drop(scope)
            return
        await self._send(send, answer.status, answer.headers, answer.body, started)

    async def _read_body(self, method: str, headers: dict[str, str], receive: Receive) -> bytes:
        declared = headers.get("content-length")
        chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        if declared is None and not chunked and method in BODY_METHODS:
            raise _Problem(
                errors.http_error(411, f"A {method} needs a Content-Length (or a chunked body)."),
                close=True,
            )
        if declared is not None:
            if not re.fullmatch(r"[0-9]+", declared.strip()):
                raise _Problem(errors.http_error(400, "The Content-Length is not a number."), close=True)
            if int(declared) > self.max_body_bytes:
                raise _Problem(self._too_large(), close=True)
        chunks: list[bytes] = []
        size = 0
        more = True
        # Without a Content-Length or chunked coding there is no body (RFC 9112 section
        # 6.3): the server holds the whole request, so the first receive() answers at once,
        # with no timer to arm and no wait to interrupt (only a shutdown to check).
        at_once = declared is None and not chunked
        while more:
            if at_once:
                at_once = False
                if self._closing:
                    raise _ShuttingDown
                message = await receive()
            else:
                try:
                    # asyncio.timeout, not wait_for: no extra task, so an in-process request
                    # runs without yielding to the event loop unless it has to wait.
                    async with asyncio.timeout(self.body_timeout):
                        message = await self._interruptible(receive())
                except TimeoutError:
                    raise _Problem(
                        errors.http_error(
                            408, f"The request body did not arrive within {self.body_timeout:g} seconds."
                        ),
                        close=True,
                    ) from None
            if message["type"] == "http.disconnect":
                raise _ClientGone
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise _Problem(self._too_large(), close=True)
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        return b"".join(chunks)

    def _too_large(self) -> TwilioApiError:
        return errors.http_error(413, f"The request body is over {self.max_body_bytes} bytes.")

    async def _admin(self, method: str, path: str, body: bytes) -> tuple[int, Any]:
        name = path[len(ADMIN_PREFIX) :].strip("/")
        allowed = ADMIN_METHODS.get(name)
        if allowed is None:
            known = ", ".join(ADMIN_PREFIX + known for known in ADMIN_METHODS)
            error = errors.http_error(404, f"No admin endpoint {path}; known: {known}", errors.NOT_FOUND)
            return error.status, error.body()
        if method not in allowed:
            error = errors.http_error(
                405,
                f"Method {method} not allowed on {path}; use {', '.join(allowed)}",
                errors.METHOD_NOT_ALLOWED,
            )
            return error.status, error.body()
        sandbox = self.sandbox
        if name == "faults":
            if method == "GET":
                return 200, [fault.to_json() for fault in sandbox.faults.armed()]
            if method == "DELETE":
                sandbox.faults.clear()
                return 200, []
            try:
                fault = parse_fault_spec(_strict_json(body))
            except (ValueError, UnicodeDecodeError) as problem:
                return 400, {"message": f"Bad fault: {problem}", "status": 400}
            sandbox.faults.arm(fault)
            return 201, fault.to_json()
        if name == "requests":
            if method == "DELETE":
                sandbox.clear_requests()
                return 200, []
            return 200, sandbox.requests
        if name == "state":
            return 200, sandbox.state_snapshot()
        if name == "simulate":
            try:
                simulation = parse_simulation_spec(_strict_json(body))
            except (ValueError, UnicodeDecodeError) as problem:
                error = errors.http_error(400, f"Bad simulation: {problem}")
                return error.status, error.body()
            try:
                return 200, await sandbox.simulate(simulation)
            except TwilioApiError as error:
                return error.status, error.body()
        try:
            await self._run(sandbox.reset)
        except OSError as error:
            message = f"The sandbox could not save its reset state: {error.strerror or error}"
            return 500, {"message": message, "status": 500}
        return 200, {"reset": True}

    # --- helpers --------------------------------------------------------------------

    async def _run(self, call: Callable[[], Any]) -> Any:
        # With a state file every change is written and fsynced: off the event loop.
        if self.sandbox.state_path is not None:
            return await asyncio.to_thread(call)
        return call()

    async def _after(self, seconds: float, call: Callable[[], Any]) -> Any:
        await self._sleep(seconds)
        return await self._run(call)

    async def _sleep(self, seconds: float) -> None:
        await self._interruptible(asyncio.sleep(seconds))

    async def _interruptible(self, waiting: Awaitable[Any]) -> Any:
        """Await `waiting` unless the server shuts down meanwhile (then _ShuttingDown)."""
        task = asyncio.current_task()
        assert task is not None
        with self._lock:
            if self._closing:
                if asyncio.iscoroutine(waiting):
                    waiting.close()
                raise _ShuttingDown
            self._sleepers.add(task)
        try:
            return await waiting
        except asyncio.CancelledError:
            if self._closing and task.uncancel() == 0:
                raise _ShuttingDown from None
            raise
        finally:
            with self._lock:
                self._sleepers.discard(task)

    def _drop(self, scope: Scope) -> None:
        drop = scope.get("extensions", {}).get(DROP_EXTENSION)
        if drop is None:
            raise ConnectionDropped("the sandbox closed the connection without answering (drop fault)")
        drop()

    async def _send_json(self, send: Send, error: TwilioApiError, started: float, *, close: bool) -> None:
        headers = {"Content-Type": JSON_CONTENT_TYPE, **error.headers}
        await self._send(send, error.status, headers, error.body_bytes(), started, close=close)

    async def _send(
        self,
        send: Send,
        status: int,
        headers: dict[str, str],
        body: bytes,
        started: float,
        *,
        close: bool = False,
    ) -> None:
        with self._lock:
            self._answered += 1
            in_flight = self._in_flight
            answered = self._answered
        # The Sandbox's answers carry their own id (the one in its request log).
        request_id = (
            headers["Twilio-Request-Id"]
            if "Twilio-Request-Id" in headers
            else make_sid("RQ", "http", str(answered), str(started))
        )
        combined = {
            "Twilio-Request-Id": request_id,
            **headers,
            "Content-Length": str(len(body)),
            "Twilio-Concurrent-Requests": str(in_flight),
            "Twilio-Request-Duration": f"{time.monotonic() - started:.3f}",
        }
        if close:
            # The body was not read (or not in full): the connection cannot carry another request.
            combined["Connection"] = "close"
        raw_headers = [
            (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in combined.items()
        ]
        await send({"type": "http.response.start", "status": status, "headers": raw_headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})


def _origin(scope: Scope, headers: dict[str, str]) -> str:
    """Where the client sent the request (absolute URLs in answers point back there)."""
    scheme = scope.get("scheme", "http")
    host = headers.get("host")
    if not host:
        server = scope.get("server") or ("127.0.0.1", None)
        host = server[0] if server[1] is None else f"{server[0]}:{server[1]}"
    return f"{scheme}://{host}"


def _strict_json(body: bytes) -> Any:
    """JSON as RFC 8259 has it: no NaN or Infinity (Python's json accepts them)."""

    def refuse(constant: str) -> Any:
        raise ValueError(f"{constant} is not a JSON number")

    if not body.strip():
        raise ValueError("the body is empty: send a JSON object")
    return json.loads(body.decode("utf-8"), parse_constant=refuse)
