"""A small forwarding proxy on loopback, standing between the client and a served
sandbox the way a load balancer or a corporate proxy stands between a client and
Twilio. It counts what passes and, when told, misbehaves *after* forwarding a
request: drops the connection, or replaces Twilio's answer with a gateway's page.
It also answers as an HTTP forward proxy (`HTTP_PROXY`), recording every request
it is asked to relay without relaying any.
"""

from __future__ import annotations

import http.client
import re
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import urlsplit

Action = Literal["drop", "replace", "close-listener"]


@dataclass
class Rule:
    method: str
    path_regex: str
    action: Action
    status: int = 502
    body: bytes = b""
    content_type: str = "text/html"
    times: int = 1
    skip: int = 0  # matching requests to let through untouched first


@dataclass(frozen=True)
class Seen:
    method: str
    target: str  # the request target as sent (a path, or an absolute URL for a forward proxy)
    authorization: bool  # whether it carried credentials


@dataclass
class ForwardingProxy:
    upstream: str  # e.g. http://127.0.0.1:PORT of a served sandbox ("" : relay nothing)
    seen: list[Seen] = field(default_factory=list)
    forwarded: list[Seen] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    # -- set-up -------------------------------------------------------------------

    def start(self) -> ForwardingProxy:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def stop(self) -> None:
        if self._server is not None:
            if self._server.socket.fileno() != -1:
                self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> ForwardingProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def after_forwarding(self, method: str, path_regex: str, action: Action, **options: Any) -> None:
        """Misbehave once the matching request has been forwarded (and answered
        upstream): "drop" closes the connection without an answer; "replace"
        answers `status`/`body`/`content_type` instead of the upstream answer;
        "close-listener" passes the answer on, then stops accepting connections."""
        with self._lock:
            self.rules.append(Rule(method.upper(), path_regex, action, **options))

    def count(self, method: str, path_regex: str = "") -> int:
        with self._lock:
            return sum(
                1
                for s in self.forwarded
                if s.method == method and re.search(path_regex, urlsplit(s.target).path)
            )

    # -- inner workings -------------------------------------------------------------

    def _take_rule(self, method: str, path: str) -> Rule | None:
        with self._lock:
            for rule in self.rules:
                if rule.method == method and re.search(rule.path_regex, path):
                    if rule.skip > 0:
                        rule.skip -= 1
                        return None
                    rule.times -= 1
                    if rule.times <= 0:
                        self.rules.remove(rule)
                    return rule
        return None

    def _close_listener(self) -> None:
        # New connections are refused from now on; the one in hand finishes.
        # (Called from a request's own thread, so shutdown() cannot deadlock.)
        server = self._server
        assert server is not None
        server.shutdown()
        server.socket.close()


def _handler(proxy: ForwardingProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._relay()

        def do_POST(self) -> None:
            self._relay()

        def do_DELETE(self) -> None:
            self._relay()

        def _relay(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            seen = Seen(self.command, self.path, "Authorization" in self.headers)
            with proxy._lock:
                proxy.seen.append(seen)
            if not self.path.startswith("/") or not proxy.upstream:
                # Asked to relay to another host (HTTP_PROXY use): never do it.
                self._answer(502, b"this proxy relays nothing", "text/plain", close=True)
                return
            upstream = urlsplit(proxy.upstream)
            connection = http.client.HTTPConnection(
                upstream.hostname or "127.0.0.1", upstream.port, timeout=60
            )
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
            try:
                connection.request(self.command, self.path, body=body, headers=headers)
                with proxy._lock:
                    proxy.forwarded.append(seen)  # it has reached upstream, answered or not
                answer = connection.getresponse()
                payload = answer.read()
            except OSError:
                self._answer(502, b"upstream unreachable", "text/plain", close=True)
                return
            finally:
                connection.close()
            rule = proxy._take_rule(self.command, urlsplit(self.path).path)
            if rule is not None and rule.action == "drop":
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if rule is not None and rule.action == "replace":
                self._answer(rule.status, rule.body, rule.content_type)
                return
            content_type = answer.getheader("Content-Type", "application/json")
            close = rule is not None and rule.action == "close-listener"
            if close:
                proxy._close_listener()  # before answering: the next connection is refused
            self._answer(answer.status, payload, content_type, close=close)

        def _answer(self, status: int, body: bytes, content_type: str, *, close: bool = False) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            if close:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler
