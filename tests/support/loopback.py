"""HTTP from tests to servers on this computer: the sandbox served on 127.0.0.1,
the webhook receivers.

    from tests.support.loopback import http_get, http_post, http_client

These URLs are plain http, so TLS is never used; yet httpx builds a TLS context
for every client it makes, reading the whole CA bundle (about 20 ms of CPU), and
`httpx.get` / `httpx.post` make a client per call. Every client made here shares
one context that trusts no authority: unused on http://, and an https:// URL
given by mistake fails verification instead of going unchecked.
"""

from __future__ import annotations

import ssl
from typing import Any

import httpx

PLAIN_HTTP_ONLY = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def http_get(url: str, **kwargs: Any) -> httpx.Response:
    return httpx.get(url, verify=PLAIN_HTTP_ONLY, **kwargs)


def http_post(url: str, **kwargs: Any) -> httpx.Response:
    return httpx.post(url, verify=PLAIN_HTTP_ONLY, **kwargs)


def http_client(**kwargs: Any) -> httpx.Client:
    return httpx.Client(verify=PLAIN_HTTP_ONLY, **kwargs)
