"""The transport-agnostic sandbox: one request in, one Twilio-shaped response out."""

from __future__ import annotations

import base64
import binascii
import copy
import json
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from tui.sandbox import api_v2010, errors, numbers_v2, pricing_v1, purchase
from tui.sandbox.accounts import (
    ACCOUNTS,
    CredentialKind,
    SandboxCredential,
    find_credential,
)
from tui.sandbox.context import Context, Options, Reply, Request
from tui.sandbox.errors import TwilioApiError
from tui.sandbox.faults import FaultInjector
from tui.sandbox.formats import make_sid, utc_now
from tui.sandbox.state import State, initial_state, load_state, save_state

Handler = Callable[[Context, Request], Reply]

ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")


@dataclass(frozen=True)
class SandboxResponse:
    status: int
    headers: dict[str, str]
    body: bytes
    # Seconds a delay fault holds the answer back; the request is already committed.
    delay_after_commit: float = 0.0

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Operation:
    operation_id: str  # as in Twilio's OpenAPI
    handler: Handler


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern[str]
    operations: dict[str, Operation] = field(default_factory=dict)


def _route(pattern: str, **operations: tuple[str, Handler]) -> Route:
    return Route(
        re.compile(pattern),
        {method: Operation(op_id, handler) for method, (op_id, handler) in operations.items()},
    )


_ACCOUNT = r"^/2010-04-01/Accounts/(?P<AccountSid>[^/]+)"

# Matched by path alone: clients may send every service to one base URL. Order
# matters where patterns overlap (IncomingPhoneNumbers/Mobile.json before {Sid}.json).
ROUTES: tuple[Route, ...] = (
    _route(r"^/2010-04-01/Accounts/(?P<AccountSid>[^/]+)\.json$",
           GET=("FetchAccount", api_v2010.fetch_account)),
    _route(rf"{_ACCOUNT}/Balance\.json$",
           GET=("FetchBalance", api_v2010.fetch_balance)),
    _route(rf"{_ACCOUNT}/AvailablePhoneNumbers\.json$",
           GET=("ListAvailablePhoneNumberCountry", api_v2010.list_countries)),
    _route(rf"{_ACCOUNT}/AvailablePhoneNumbers/(?P<CountryCode>[^/]+)\.json$",
           GET=("FetchAvailablePhoneNumberCountry", api_v2010.fetch_country)),
    _route(rf"{_ACCOUNT}/AvailablePhoneNumbers/(?P<CountryCode>[^/]+)/Mobile\.json$",
           GET=("ListAvailablePhoneNumberMobile", api_v2010.search_mobile)),
    _route(rf"{_ACCOUNT}/IncomingPhoneNumbers\.json$",
           GET=("ListIncomingPhoneNumber",
                lambda ctx, request: api_v2010.list_numbers(ctx, request, mobile=False)),
           POST=("CreateIncomingPhoneNumber",
                 lambda ctx, request: purchase.create_number(ctx, request, mobile_endpoint=False))),
    _route(rf"{_ACCOUNT}/IncomingPhoneNumbers/Mobile\.json$",
           GET=("ListIncomingPhoneNumberMobile",
                lambda ctx, request: api_v2010.list_numbers(ctx, request, mobile=True)),
           POST=("CreateIncomingPhoneNumberMobile",
                 lambda ctx, request: purchase.create_number(ctx, request, mobile_endpoint=True))),
    _route(rf"{_ACCOUNT}/IncomingPhoneNumbers/(?P<Sid>[^/]+)\.json$",
           GET=("FetchIncomingPhoneNumber", api_v2010.fetch_number),
           POST=("UpdateIncomingPhoneNumber", api_v2010.update_number),
           DELETE=("DeleteIncomingPhoneNumber", api_v2010.delete_number)),
    _route(rf"{_ACCOUNT}/Addresses\.json$",
           GET=("ListAddress", api_v2010.list_addresses),
           POST=("CreateAddress", api_v2010.create_address)),
    _route(r"^/v2/RegulatoryCompliance/Bundles$",
           GET=("ListBundle", numbers_v2.list_bundles)),
    _route(r"^/v2/RegulatoryCompliance/Regulations$",
           GET=("ListRegulation", numbers_v2.list_regulations)),
    _route(r"^/v1/PhoneNumbers/Countries$",
           GET=("ListPhoneNumberCountry", pricing_v1.list_countries)),
    _route(r"^/v1/PhoneNumbers/Countries/(?P<IsoCountry>[^/]+)$",
           GET=("FetchPhoneNumberCountry", pricing_v1.fetch_country)),
)  # fmt: skip

# What test credentials may call: purchases; everything else 20008
# (docs/twilio-api.md#test-credentials-and-magic-numbers).
TEST_CREDENTIAL_OPERATIONS = frozenset({"CreateIncomingPhoneNumber", "CreateIncomingPhoneNumberMobile"})
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


class Sandbox:
    """An offline Twilio for the endpoints the wizard uses. Thread-safe.

    `state_path`: a JSON file to load the world from (when it exists) and to save it to
    after every change; without it the world lives in memory, seeded afresh.
    `clock`: returns the current time for new records (default: real UTC now).
    The other keywords pick answers for behaviours Twilio leaves undocumented; see
    `tui.sandbox.context.Options`.
    """

    def __init__(
        self,
        state_path: Path | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
        uppercase_search_capabilities: bool = True,
        other_account_in_path_error: tuple[int, int] = (401, errors.AUTHENTICATE),
        api_key_on_accounts_error: tuple[int, int] = (401, errors.AUTHENTICATE),
        extra_credentials: Sequence[SandboxCredential] = (),
    ) -> None:
        # More key pairs to accept besides the documented ones, e.g. an API key of
        # the main account with a secret of your own to rehearse storing it.
        self.extra_credentials = tuple(extra_credentials)
        self.state_path = Path(state_path) if state_path is not None else None
        self.options = Options(
            uppercase_search_capabilities=uppercase_search_capabilities,
            other_account_in_path_error=other_account_in_path_error,
            api_key_on_accounts_error=api_key_on_accounts_error,
        )
        self.faults = FaultInjector()
        self._clock = clock or utc_now
        self._lock = threading.RLock()
        self._request_count = 0
        if self.state_path is not None and self.state_path.exists():
            self._state = load_state(self.state_path)
        else:
            self._state = initial_state()
            self._save()

    def handle(
        self,
        method: str,
        url_path: str,
        query: list[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes,
        *,
        origin: str | None = None,
    ) -> SandboxResponse:
        """Answer one HTTP request as Twilio would.

        `origin` (scheme://host[:port]) is where the request was sent; absolute URLs in
        numbers v2 and pricing answers point there (default: Twilio's own hosts).
        """
        method = method.upper()
        with self._lock:
            self._request_count += 1
            request_id = make_sid("RQ", str(self._request_count), method, url_path)
            fault = self.faults.take(method, url_path)
            try:
                if fault is not None and fault.status is not None:
                    raise fault.as_error()
                reply = self._dispatch(method, url_path, query, headers, body, origin)
            except TwilioApiError as error:
                return SandboxResponse(
                    error.status,
                    {
                        "Content-Type": "application/json; charset=utf-8",
                        "Twilio-Request-Id": request_id,
                        **error.headers,
                    },
                    error.body_bytes(),
                )
            response_headers = {"Twilio-Request-Id": request_id, **reply.headers}
            payload = b""
            if reply.body is not None:
                response_headers["Content-Type"] = "application/json; charset=utf-8"
                payload = json.dumps(reply.body).encode()
            delay = fault.delay_after_commit if fault is not None else None
            return SandboxResponse(reply.status, response_headers, payload, delay or 0.0)

    def reset(self) -> None:
        """Back to the seeded world, with no faults armed."""
        with self._lock:
            self._state = initial_state()
            self.faults.clear()
            self._save()

    def state_snapshot(self) -> State:
        """A deep copy of the world, for inspection."""
        with self._lock:
            return copy.deepcopy(self._state)

    def _dispatch(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes,
        origin: str | None,
    ) -> Reply:
        lowered = {name.lower(): value for name, value in headers.items()}
        # Authentication comes first: without a valid pair every path, known or not,
        # is a 401, so the sandbox reveals nothing to an unauthenticated caller.
        credential = _authenticate(lowered.get("authorization"), self.extra_credentials)
        route, path_params = find_route(path)
        operation = route.operations.get(method)
        if operation is None:
            raise TwilioApiError(405, errors.METHOD_NOT_ALLOWED, f"Method {method} not allowed on {path}")
        self._check_path_account(credential, path_params, path)
        account = ACCOUNTS[credential.account_sid]
        if account.is_test_account and operation.operation_id not in TEST_CREDENTIAL_OPERATIONS:
            raise TwilioApiError(
                403,
                errors.TEST_CREDENTIALS_FORBIDDEN,
                "Cannot access this resource with Test Credentials",
            )
        if operation.operation_id == "FetchAccount" and credential.kind is CredentialKind.API_KEY:
            # Standard keys may not use /Accounts (Twilio's key docs); the answer they
            # get is undocumented, hence configurable.
            status, code = self.options.api_key_on_accounts_error
            raise _configured_error(status, code, path)
        content_type = lowered.get("content-type", "").split(";")[0].strip().lower()
        # Twilio reads form bodies only; a JSON body reaches it as no parameters at all.
        form = (
            parse_qsl(body.decode("utf-8"), keep_blank_values=True)
            if body and content_type == FORM_CONTENT_TYPE
            else []
        )
        request = Request(
            method=method,
            path=path,
            query=list(query),
            form=form,
            credential=credential,
            account=account,
            path_params=path_params,
            origin=origin,
        )
        now = self._clock()
        if now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
        ctx = Context(state=self._state, now=now, options=self.options)
        try:
            return operation.handler(ctx, request)
        finally:
            if ctx.changed:
                self._save()

    def _check_path_account(
        self, credential: SandboxCredential, path_params: dict[str, str], path: str
    ) -> None:
        path_account = path_params.get("AccountSid")
        if path_account is None:
            return  # numbers v2 and pricing: the credential names the account
        if not ACCOUNT_SID.match(path_account):
            # An SK... (or anything but an Account SID) in the path is a 404 at Twilio.
            raise errors.not_found(path)
        if path_account != credential.account_sid:
            status, code = self.options.other_account_in_path_error
            raise _configured_error(status, code, path)

    def _save(self) -> None:
        if self.state_path is not None:
            save_state(self.state_path, self._state)


def _authenticate(authorization: str | None, extra: tuple[SandboxCredential, ...]) -> SandboxCredential:
    if not authorization or not authorization[:6].lower() == "basic ":
        raise errors.authenticate()
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise errors.authenticate() from None
    username, separator, password = decoded.partition(":")
    credential = find_credential(username, password, extra) if separator else None
    if credential is None:
        raise errors.authenticate()
    return credential


def find_route(path: str) -> tuple[Route, dict[str, str]]:
    for route in ROUTES:
        match = route.pattern.match(path)
        if match:
            return route, match.groupdict()
    raise errors.not_found(path)


def _configured_error(status: int, code: int, path: str) -> TwilioApiError:
    if (status, code) == (401, errors.AUTHENTICATE):
        return errors.authenticate()
    if code == errors.NOT_FOUND:
        return TwilioApiError(status, code, f"The requested resource {path} was not found")
    return TwilioApiError(status, code, "Authenticate" if code == errors.AUTHENTICATE else "Forbidden")
