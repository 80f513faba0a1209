"""Baseline: a minimal HTTP/1.1 keep-alive server answering one fixed JSON.

The standard library's ThreadingHTTPServer, one thread per connection, with
TCP_NODELAY so that a small answer is not held back by Nagle's algorithm waiting
for the client's delayed ACK. Prints its base URL like `sandbox serve`, then
serves until terminated.

    python minimal_server.py [PORT]
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BODY = json.dumps(
    {
        "sid": "AC" + "0" * 32,
        "friendly_name": "Minimal baseline",
        "status": "active",
        "type": "Full",
        "date_created": "Fri, 14 Mar 2025 15:09:26 +0000",
        "uri": "/2010-04-01/Accounts/AC" + "0" * 32 + ".json",
    }
).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, format: str, *args: object) -> None:
        return


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    print(f"Minimal server listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
