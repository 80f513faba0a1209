"""A webhook receiver on loopback, for tests: a real HTTP server in a thread that
answers as told per path and checks X-Twilio-Signature with twilio-python's
RequestValidator, the way a real application validates Twilio's requests."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import httpx
from twilio.request_validator import RequestValidator

from tests.support.loopback import PLAIN_HTTP_ONLY
from tui.services.webhooks import WebhookChecker, WebhookLimits

TWIML_SAY = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n  <Say>Hello from the test.</Say>\n</Response>\n'
)
TWIML_MESSAGE = b'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Message>Got it.</Message></Response>\n'


@dataclass
class Route:
    """How one path answers. `require_signature`: answer 403 when the signature does
    not validate (what twilio-python's decorators and most apps do)."""

    status: int = 200
    body: bytes = TWIML_SAY
    content_type: str | None = "text/xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    require_signature: bool = False
    # Answer only once this is set (at most 30 s): a request kept in flight for as
    # long as a test needs, however slow the machine, where a delay may run out.
    released: threading.Event | None = None


@dataclass(frozen=True)
class Received:
    method: str
    path: str  # with the query string
    url: str  # as the validator sees it: http://127.0.0.1:PORT/path?query
    headers: dict[str, str]
    form: dict[str, str]
    signature_valid: bool | None  # None when the request was not signed

    @property
    def parameters(self) -> dict[str, str]:
        """Twilio's parameters, wherever they travelled (form or query string)."""
        query = dict(parse_qsl(self.path.partition("?")[2], keep_blank_values=True))
        return {**query, **self.form}


class WebhookReceiver:
    def __init__(self, auth_token: str | None) -> None:
        self.auth_token = auth_token
        self.routes: dict[str, Route | Callable[[Received], Route]] = {}
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def route(
        self, path: str, route: Route | Callable[[Received], Route] | None = None, **options: object
    ) -> str:
        self.routes[path] = route if route is not None else Route(**options)  # type: ignore[arg-type]
        return self.url(path)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: object) -> None:  # keep the test output clean
                pass

            def do_GET(self) -> None:
                self._answer()

            def do_POST(self) -> None:
                self._answer()

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                form = dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True)) if raw else {}
                # As an application sees itself: from the Host header it was called with.
                url = f"http://{self.headers.get('Host')}{self.path}"
                signature = self.headers.get("X-Twilio-Signature")
                valid = None
                if signature is not None and receiver.auth_token is not None:
                    valid = RequestValidator(receiver.auth_token).validate(url, form, signature)
                received = Received(self.command, self.path, url, dict(self.headers.items()), form, valid)
                with receiver._lock:
                    receiver.received.append(received)
                found = receiver.routes.get(self.path.partition("?")[0])
                route = found(received) if callable(found) else found
                if route is None:
                    route = Route(
                        status=404, body=b"<html><body>Not Found</body></html>", content_type="text/html"
                    )
                if route.require_signature and not valid:
                    route = Route(status=403, body=b"invalid signature", content_type="text/plain")
                if route.delay:
                    time.sleep(route.delay)
                if route.released is not None:
                    route.released.wait(timeout=30)
                try:
                    self.send_response(route.status)
                    if route.content_type:
                        self.send_header("Content-Type", route.content_type)
                    for name, value in route.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(route.body)))
                    self.end_headers()
                    self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the checker stopped waiting (the slow case)

        return Handler


@contextmanager
def webhook_receiver(auth_token: str | None) -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(auth_token)
    receiver.start()
    try:
        yield receiver
    finally:
        receiver.stop()


class LoopbackRoutingTransport(httpx.AsyncHTTPTransport):
    """Sends every request to the receiver on 127.0.0.1, whatever host the URL names,
    keeping the URL's Host header: a real HTTP request, so that a private address or
    a .local name can be "tried" in a test the way the checker tries it on a real
    network."""

    def __init__(self, receiver: WebhookReceiver) -> None:
        super().__init__(verify=PLAIN_HTTP_ONLY)  # every request leaves as plain http
        self._port = int(receiver.base_url.rsplit(":", 1)[1])

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.headers.get("Host") or request.url.netloc.decode("ascii")
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=self._port)
        request.headers["Host"] = host
        return await super().handle_async_request(request)


class TaskClock:
    """A clock for checks shown in snapshots: every reading advances the reading
    task's own time by `step`, so each answer "takes" the same time whatever the
    machine and however the concurrent checks interleave."""

    def __init__(self, step: float = 0.04) -> None:
        self.step = step
        self._now: dict[int, float] = {}

    def __call__(self) -> float:
        task = asyncio.current_task()
        key = id(task) if task is not None else 0
        self._now[key] = self._now.get(key, 0.0) + self.step
        return self._now[key]


def loopback_checker(receiver: WebhookReceiver, *, time_limit: float = 2.0) -> WebhookChecker:
    """A WebhookChecker for the wizard in tests: every host reaches `receiver`
    (so a public-looking URL can be shown satisfied), no DNS look-up, a short time
    limit and a TaskClock."""
    return WebhookChecker(
        transport=LoopbackRoutingTransport(receiver),
        resolver=None,
        limits=WebhookLimits(time_limit=time_limit),
        clock=TaskClock(),
    )
