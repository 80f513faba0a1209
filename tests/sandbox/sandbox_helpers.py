"""Shared helpers for the sandbox tests: calls, credentials, spec validators.

A uniquely named module (not conftest.py) so that test files can import it without
clashing with other test folders' helpers.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from tui.sandbox import Sandbox, SandboxResponse
from tui.sandbox.accounts import (
    API_KEY_SECRET,
    API_KEY_SID,
    MAIN_ACCOUNT_SID,
    MAIN_AUTH_TOKEN,
    TEST_ACCOUNT_SID,
    TEST_AUTH_TOKEN,
    TRIAL_ACCOUNT_SID,
    TRIAL_AUTH_TOKEN,
)

FIXED_NOW = datetime(2025, 3, 14, 15, 9, 26, tzinfo=UTC)
SPEC_FILE = Path(__file__).resolve().parents[1] / "data" / "wizard-subset.json"
SPEC: dict[str, Any] = json.loads(SPEC_FILE.read_text(encoding="utf-8"))

MAIN = (MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN)
API_KEY = (API_KEY_SID, API_KEY_SECRET)
TRIAL = (TRIAL_ACCOUNT_SID, TRIAL_AUTH_TOKEN)
TEST = (TEST_ACCOUNT_SID, TEST_AUTH_TOKEN)

FORM = "application/x-www-form-urlencoded"


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def account_path(account_sid: str = MAIN_ACCOUNT_SID) -> str:
    return f"/2010-04-01/Accounts/{account_sid}"


def call(
    sandbox: Sandbox,
    method: str,
    path: str,
    *,
    query: Iterable[tuple[str, str]] | dict[str, str] = (),
    form: dict[str, str] | None = None,
    auth: tuple[str, str] | None = MAIN,
) -> SandboxResponse:
    headers = basic(*auth) if auth else {}
    body = b""
    if form is not None:
        headers["Content-Type"] = FORM
        body = urlencode(form).encode()
    pairs = list(query.items()) if isinstance(query, dict) else list(query)
    return sandbox.handle(method, path, pairs, headers, body)


def buy(
    sandbox: Sandbox,
    phone_number: str,
    *,
    auth: tuple[str, str] = MAIN,
    account_sid: str | None = None,
    **settings: str,
) -> SandboxResponse:
    account = account_sid or auth[0]
    if account.startswith("SK"):
        account = MAIN_ACCOUNT_SID
    return call(
        sandbox,
        "POST",
        f"{account_path(account)}/IncomingPhoneNumbers/Mobile.json",
        form={"PhoneNumber": phone_number, **settings},
        auth=auth,
    )


def assert_error(response: SandboxResponse, status: int, code: int) -> dict[str, Any]:
    assert response.status == status, response.body
    body = response.json()
    assert body["code"] == code, body
    assert body["status"] == status
    assert body["more_info"] == f"https://www.twilio.com/docs/errors/{code}"
    assert isinstance(body["message"], str) and body["message"]
    return body


def _registry() -> Registry:
    registry: Registry = Registry()
    for name, document in SPEC.items():
        registry = registry.with_resource(
            f"urn:{name}", Resource.from_contents(document, default_specification=DRAFT4)
        )
    return registry


REGISTRY = _registry()


def _pointer(*parts: str) -> str:
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)


def spec_validator(document: str, *parts: str) -> OAS30Validator:
    """A validator for the schema at `parts` (a JSON pointer's segments) of `document`."""
    return OAS30Validator({"$ref": f"urn:{document}#{quote(_pointer(*parts))}"}, registry=REGISTRY)


def response_validator(document: str, path: str, method: str, status: str) -> OAS30Validator:
    return spec_validator(
        document,
        "paths",
        path,
        method,
        "responses",
        status,
        "content",
        "application/json",
        "schema",
    )


def request_body_validator(document: str, path: str, method: str) -> OAS30Validator:
    return spec_validator(
        document,
        "paths",
        path,
        method,
        "requestBody",
        "content",
        "application/x-www-form-urlencoded",
        "schema",
    )


def schema_errors(validator: OAS30Validator, instance: Any) -> list[str]:
    return [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(instance)]
