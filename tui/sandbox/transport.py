"""httpx transports that answer from an in-process Sandbox instead of the network.

    client = httpx.AsyncClient(transport=SandboxTransport(sandbox), base_url=...)

Any host works: the sandbox routes by path. A delay fault (see faults.py) becomes an
`httpx.ReadTimeout` raised *after* the sandbox committed the request when the delay is
longer than the request's read timeout, exactly what a slow Twilio does to a client.
"""

from __future__ import annotations

import asyncio
import time

import httpx

from tui.sandbox.core import Sandbox, SandboxResponse


class SandboxTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answer = self._answer(request, request.read())
        timeout = _read_timeout(request)
        if answer.delay_after_commit:
            if timeout is not None and answer.delay_after_commit > timeout:
                time.sleep(timeout)
                raise _timed_out(request)
            time.sleep(answer.delay_after_commit)
        return _to_httpx(request, answer)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        answer = self._answer(request, await request.aread())
        timeout = _read_timeout(request)
        if answer.delay_after_commit:
            if timeout is not None and answer.delay_after_commit > timeout:
                await asyncio.sleep(timeout)
                raise _timed_out(request)
            await asyncio.sleep(answer.delay_after_commit)
        return _to_httpx(request, answer)

    def _answer(self, request: httpx.Request, body: bytes) -> SandboxResponse:
        url = request.url
        origin = f"{url.scheme}://{url.netloc.decode('ascii')}"
        return self.sandbox.handle(
            request.method,
            url.path,
            list(url.params.multi_items()),
            dict(request.headers),
            body,
            origin=origin,
        )


def _read_timeout(request: httpx.Request) -> float | None:
    timeouts = request.extensions.get("timeout") or {}
    return timeouts.get("read")


def _timed_out(request: httpx.Request) -> httpx.ReadTimeout:
    return httpx.ReadTimeout("The sandbox held the answer back (delay fault)", request=request)


def _to_httpx(request: httpx.Request, answer: SandboxResponse) -> httpx.Response:
    return httpx.Response(answer.status, headers=answer.headers, content=answer.body, request=request)
