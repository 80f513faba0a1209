"""Values and fakes the unit tests share: SIDs and secrets, recorded HTTP answers in
Twilio's shapes, Twilio's own spec examples, a sleep that does not wait."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx

from tui.domain.credentials import Credentials, Secret

DATA = Path(__file__).parents[1] / "unit" / "data"
SUBSET = Path(__file__).parents[1] / "data" / "wizard-subset.json"

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
API_KEY_SID = "SK" + "fedcba9876543210" * 2
# Distinctive on purpose: the tests look for these strings where they must not be.
AUTH_TOKEN = "tok3nS3cr3tValue0123456789abcdef"  # 32 characters
API_SECRET = "keyS3cr3t-Value-Not-To-Be-Shown"

PN_SID = "PN" + "1" * 32
AP_SID = "AP" + "2" * 32
TK_SID = "TK" + "3" * 32
AD_SID = "AD" + "4" * 32
RI_SID = "RI" + "5" * 32
BU_SID = "BU" + "6" * 32

UK_MOBILE = "+447400123456"
AU_MOBILE = "+61412345678"


def token_credentials(**kw: Any) -> Credentials:
    return Credentials(account_sid=ACCOUNT_SID, secret=Secret(AUTH_TOKEN), source="test", **kw)


def key_credentials(**kw: Any) -> Credentials:
    return Credentials(
        account_sid=ACCOUNT_SID,
        api_key_sid=API_KEY_SID,
        secret=Secret(API_SECRET),
        source="test",
        **kw,
    )


def spec_examples(operation_id: str) -> dict[str, Any]:
    """The response examples of one operation of Twilio's OpenAPI (see the file's
    `_source`): {example name: body}."""
    data = json.loads((DATA / "spec_examples.json").read_text("utf-8"))
    return data["operations"][operation_id]["examples"]


def subset_schema(spec: str, name: str) -> dict[str, Any]:
    data = json.loads(SUBSET.read_text("utf-8"))
    return data[spec]["components"]["schemas"][name]


def basic_auth(request: httpx.Request) -> tuple[str, str]:
    scheme, _, encoded = request.headers["Authorization"].partition(" ")
    assert scheme == "Basic"
    user, _, password = base64.b64decode(encoded).decode().partition(":")
    return user, password


def form_of(request: httpx.Request) -> list[tuple[str, str]]:
    return parse_qsl(request.content.decode(), keep_blank_values=True)


Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A MockTransport handler that records every request. It answers with
    `handler` when given, else with `answers` in order: a response, a callable
    taking the request, or an httpx exception class (raised for that request)."""

    def __init__(self, *answers: Any, handler: Handler | None = None) -> None:
        self.answers = list(answers)
        self.handler = handler
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.handler is not None:
            return self.handler(request)
        if not self.answers:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        answer = self.answers.pop(0)
        if isinstance(answer, type) and issubclass(answer, httpx.RequestError):
            raise answer(f"simulated {answer.__name__}", request=request)
        if isinstance(answer, httpx.Response):
            return answer
        return answer(request)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    @property
    def urls(self) -> list[str]:
        return [str(r.url) for r in self.requests]


def twilio_error(
    status: int, code: int | None, message: str, *, headers: dict[str, str] | None = None, **extra: Any
) -> httpx.Response:
    """An error answer in Twilio's classic shape (docs/twilio-api.md#errors)."""
    body: dict[str, Any] = {"status": status, "message": message, **extra}
    if code is not None:
        body["code"] = code
        body.setdefault("more_info", f"https://www.twilio.com/docs/errors/{code}")
    return httpx.Response(status, json=body, headers=headers)


class Sleeps:
    """An injected `sleep` that records the delays instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
