"""The verified TLS context every HTTP client of the process shares.

Building one reads the whole CA bundle (certifi's, or SSL_CERT_FILE/SSL_CERT_DIR),
about 20 ms of CPU each time; httpx builds a new one for every client it is not
given a context for, and the wizard makes several clients per session (the
credentials check, then the session's own, then webhook checks). An `SSLContext`
is safe to share between clients, threads and event loops
(https://www.python-httpx.org/advanced/ssl/: "you may want to reuse the same
context"). It is built on first use, so a command that never connects never pays
for it.
"""

from __future__ import annotations

import ssl
from functools import cache

import httpx


@cache
def verified_context(*, trust_env: bool = True) -> ssl.SSLContext:
    """httpx's default verifying context, built once per `trust_env`: with it,
    SSL_CERT_FILE / SSL_CERT_DIR are honoured as httpx honours them; without it
    (webhook checks, which connect as Twilio would) only certifi's bundle counts."""
    return httpx.create_ssl_context(trust_env=trust_env)
