"""The in-process sandbox as an httpx transport: the served ASGI app, without sockets.

    client = httpx.AsyncClient(transport=SandboxTransport(sandbox), base_url=...)

Requests go through `httpx.ASGITransport` to the same `SandboxApp` that `sandbox serve`
runs under uvicorn, so both paths share every rule. Any host works: the sandbox routes
by path. Two things a socket would do are added here:

* a read timeout: when the answer takes longer than the request's read timeout (a
  delay fault), `httpx.ReadTimeout` is raised, and the request goes on being processed
  (and committed) as a real server would after the client gave up;
* a dropped connection (a `drop_after_commit` fault) raises `httpx.RemoteProtocolError`.

Synchronous clients (`httpx.Client`) are served on a private event loop in a background
thread, started on first use and stopped by `close()`.
"""

from __future__ import annotations

import asyncio
import threading

import httpx

from tui.sandbox.asgi import ConnectionDropped, SandboxApp
from tui.sandbox.core import Sandbox


class SandboxTransport(httpx.AsyncBaseTransport, httpx.BaseTransport):
    def __init__(self, sandbox: Sandbox, *, app: SandboxApp | None = None) -> None:
        self.sandbox = sandbox
        self.app = app if app is not None else SandboxApp(sandbox)
        self._asgi = httpx.ASGITransport(app=self.app)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._loop_lock = threading.Lock()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            # The whole exchange under the read timeout. A delay after the commit is
            # simply cut short; a request held back before processing goes on without its
            # client (SandboxApp shields it).
            async with asyncio.timeout(_read_timeout(request)):
                return await self._asgi.handle_async_request(request)
        except TimeoutError:
            raise httpx.ReadTimeout(
                "The sandbox held the answer back longer than the read timeout", request=request
            ) from None
        except ConnectionDropped:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            ) from None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        async_request = httpx.Request(
            request.method,
            request.url,
            headers=request.headers,
            content=body,
            extensions=request.extensions,
        )

        async def answer() -> httpx.Response:
            response = await self.handle_async_request(async_request)
            content = await response.aread()
            return httpx.Response(
                response.status_code,
                headers=response.headers,
                content=content,
                request=request,
            )

        return asyncio.run_coroutine_threadsafe(answer(), self._background_loop()).result()

    def close(self) -> None:
        with self._loop_lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None:
            return

        async def cancel_orphans() -> None:
            others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(cancel_orphans(), loop).result()
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()

    async def aclose(self) -> None:
        # Requests held back by a delay fault finish on their own; nothing else to close.
        return None

    def _background_loop(self) -> asyncio.AbstractEventLoop:
        with self._loop_lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="sandbox-transport", daemon=True)
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop


def _read_timeout(request: httpx.Request) -> float | None:
    timeouts = request.extensions.get("timeout") or {}
    return timeouts.get("read")
