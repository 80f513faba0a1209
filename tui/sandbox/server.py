"""The sandbox over real HTTP on loopback, for people and end-to-end tests.

Besides Twilio's paths the server answers admin endpoints under `/__sandbox__/`
(never part of Twilio, and not reachable through `Sandbox.handle` or the httpx
transport), without authentication, which is why the server binds 127.0.0.1 by default:

    GET    /__sandbox__/faults   the armed faults
    POST   /__sandbox__/faults   arm one: JSON {"method", "path_regex", "status", "code",
                                 "message", "retry_after", "delay_after_commit", "times"}
    DELETE /__sandbox__/faults   disarm all
    POST   /__sandbox__/reset    back to the seeded world
    GET    /__sandbox__/state    the whole world as JSON
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, unquote, urlsplit

from tui.sandbox.accounts import CREDENTIALS
from tui.sandbox.core import Sandbox

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
ADMIN_PREFIX = "/__sandbox__/"
FAULT_FIELDS = (
    "status", "code", "message", "retry_after", "delay_after_commit", "times",
)  # fmt: skip


class SandboxServer:
    """A Sandbox served by a background thread; use as a context manager or call shutdown()."""

    def __init__(self, sandbox: Sandbox, host: str, port: int) -> None:
        self.sandbox = sandbox
        self._httpd = ThreadingHTTPServer((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        bound_host, bound_port = self._httpd.server_address[:2]
        url_host = f"[{bound_host}]" if ":" in str(bound_host) else bound_host
        self.base_url = f"http://{url_host}:{bound_port}"
        self._thread: threading.Thread | None = None

    def start(self) -> SandboxServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},  # so that shutdown() returns quickly
            name="sandbox-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def shutdown(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.shutdown()


def start_server(
    host: str = DEFAULT_HOST,
    port: int = 0,
    state_path: Path | None = None,
    *,
    sandbox: Sandbox | None = None,
) -> SandboxServer:
    """Serve a Sandbox in a background thread and return at once.

    `port=0` picks a free port; read it from `.base_url`. Pass `sandbox` to serve one
    you built yourself (a fixed clock, options), else one is made from `state_path`.
    """
    served = sandbox if sandbox is not None else Sandbox(state_path)
    return SandboxServer(served, host, port).start()


def serve_forever(
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    state_path: Path | None = None,
    *,
    announce: Callable[[str], None] = print,
) -> None:
    """Serve the sandbox in this thread until interrupted (Ctrl+C).

    `host`, `port`: where to listen (loopback by default; port 0 picks a free one).
    `state_path`: a JSON file keeping purchases across restarts; None keeps them in
    memory only. `announce` receives human-readable lines: the base URL, then every
    sandbox credential. Meant for `number-wizard sandbox serve [--host] [--port] [--state]`.
    """
    server = SandboxServer(Sandbox(state_path), host, port)
    for line in describe(server.base_url, state_path):
        announce(line)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        announce("Sandbox stopped.")
    finally:
        server.shutdown()


def describe(base_url: str, state_path: Path | None) -> list[str]:
    """The lines `serve_forever` announces."""
    lines = [
        f"Twilio sandbox listening on {base_url}",
        f"State: {state_path}" if state_path else "State: in memory (lost on exit)",
        "Credentials (Basic auth user / password):",
    ]
    for credential in CREDENTIALS:
        lines.append(
            f"  {credential.name:<8} {credential.username} / {credential.password}"
            f"  ({credential.kind.value}; {credential.description})"
        )
    lines.append("Magic numbers: +15005550006 buys, +15005550000 is taken, +15005550001 is invalid.")
    return lines


def _handler_for(server: SandboxServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "TwilioSandbox"

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def do_DELETE(self) -> None:
            self._serve()

        def do_PUT(self) -> None:
            self._serve()

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            path = unquote(parts.path)
            if path.startswith(ADMIN_PREFIX):
                status, payload = _admin(server.sandbox, self.command, path, body)
                data = json.dumps(payload).encode()
                self._write(status, {"Content-Type": "application/json"}, data)
                return
            answer = server.sandbox.handle(
                self.command,
                path,
                parse_qsl(parts.query, keep_blank_values=True),
                dict(self.headers.items()),
                body,
                origin=server.base_url,
            )
            if answer.delay_after_commit:
                time.sleep(answer.delay_after_commit)
            self._write(answer.status, answer.headers, answer.body)

        def _write(self, status: int, headers: dict[str, str], body: bytes) -> None:
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                # The client gave up (a timeout, usually a delay fault): nothing to do.
                self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:
            # Quiet by default: the announce lines are the interface, not an access log.
            return

    return Handler


def _admin(sandbox: Sandbox, method: str, path: str, body: bytes) -> tuple[int, Any]:
    name = path[len(ADMIN_PREFIX) :].strip("/")
    if name == "faults" and method == "GET":
        return 200, [fault.to_json() for fault in sandbox.faults.armed()]
    if name == "faults" and method == "DELETE":
        sandbox.faults.clear()
        return 200, []
    if name == "faults" and method == "POST":
        try:
            spec = json.loads(body or b"{}")
            fault = sandbox.faults.add(
                spec.get("method", "*"),
                spec["path_regex"],
                **{key: spec[key] for key in FAULT_FIELDS if spec.get(key) is not None},
            )
        except (ValueError, KeyError, TypeError, re.error) as problem:
            return 400, {"error": f"bad fault: {problem}"}
        return 201, fault.to_json()
    if name == "reset" and method == "POST":
        sandbox.reset()
        return 200, {"reset": True}
    if name == "state" and method == "GET":
        return 200, sandbox.state_snapshot()
    return 404, {"error": f"no admin endpoint {method} {path}"}
