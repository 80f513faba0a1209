"""The transport-agnostic sandbox: one request in, one Twilio-shaped response out."""

from __future__ import annotations

import base64
import binascii
import contextlib
import copy
import json
import re
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from tui.sandbox import api_v2010, errors, messaging_v1, numbers_v2, pricing_v1, purchase, trunking_v1
from tui.sandbox.accounts import (
    ACCOUNTS,
    CredentialKind,
    SandboxCredential,
    find_credential,
)
from tui.sandbox.context import Context, EncodedJson, Options, Reply, Request
from tui.sandbox.errors import TwilioApiError
from tui.sandbox.faults import Fault, FaultInjector
from tui.sandbox.formats import make_sid, utc_now
from tui.sandbox.state import (
    State,
    StateFileError,
    initial_state,
    load_state,
    save_state,
    temporary_path,
)
from tui.sandbox.webhooks import Simulation, WebhookOptions, simulate

Handler = Callable[[Context, Request], Reply]

ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")


@dataclass(frozen=True)
class SandboxResponse:
    status: int
    headers: dict[str, str]
    body: bytes
    # Seconds a delay fault holds the answer back; the request is already committed.
    delay_after_commit: float = 0.0
    # A drop fault: close the connection instead of answering (status is meaningless).
    dropped: bool = False

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
    _route(rf"{_ACCOUNT}/Addresses/(?P<Sid>[^/]+)\.json$",
           GET=("FetchAddress", api_v2010.fetch_address),
           POST=("UpdateAddress", api_v2010.update_address),
           DELETE=("DeleteAddress", api_v2010.delete_address)),
    _route(rf"{_ACCOUNT}/Applications\.json$",
           GET=("ListApplication", api_v2010.list_applications),
           POST=("CreateApplication", api_v2010.create_application)),
    _route(rf"{_ACCOUNT}/Applications/(?P<Sid>[^/]+)\.json$",
           GET=("FetchApplication", api_v2010.fetch_application),
           POST=("UpdateApplication", api_v2010.update_application),
           DELETE=("DeleteApplication", api_v2010.delete_application)),
    _route(r"^/v2/RegulatoryCompliance/Bundles$",
           GET=("ListBundle", numbers_v2.list_bundles)),
    _route(r"^/v2/RegulatoryCompliance/Regulations$",
           GET=("ListRegulation", numbers_v2.list_regulations)),
    _route(r"^/v1/PhoneNumbers/Countries$",
           GET=("ListPhoneNumberCountry", pricing_v1.list_countries)),
    _route(r"^/v1/PhoneNumbers/Countries/(?P<IsoCountry>[^/]+)$",
           GET=("FetchPhoneNumberCountry", pricing_v1.fetch_country)),
    _route(r"^/v1/Services$",
           GET=("ListService", messaging_v1.list_services),
           POST=("CreateService", messaging_v1.create_service)),
    _route(r"^/v1/Services/(?P<ServiceSid>[^/]+)/PhoneNumbers$",
           GET=("ListPhoneNumber", messaging_v1.list_service_numbers),
           POST=("CreatePhoneNumber", messaging_v1.add_service_number)),
    _route(r"^/v1/Services/(?P<ServiceSid>[^/]+)/PhoneNumbers/(?P<Sid>[^/]+)$",
           GET=("FetchPhoneNumber", messaging_v1.fetch_service_number),
           DELETE=("DeletePhoneNumber", messaging_v1.remove_service_number)),
    _route(r"^/v1/Trunks$",
           GET=("ListTrunk", trunking_v1.list_trunks),
           POST=("CreateTrunk", trunking_v1.create_trunk)),
    _route(r"^/v1/Trunks/(?P<TrunkSid>[^/]+)/PhoneNumbers$",
           GET=("ListPhoneNumber", trunking_v1.list_trunk_numbers),
           POST=("CreatePhoneNumber", trunking_v1.add_trunk_number)),
    _route(r"^/v1/Trunks/(?P<TrunkSid>[^/]+)/PhoneNumbers/(?P<Sid>[^/]+)$",
           GET=("FetchPhoneNumber", trunking_v1.fetch_trunk_number),
           DELETE=("DeletePhoneNumber", trunking_v1.remove_trunk_number)),
)  # fmt: skip

# What test credentials may call: purchases; everything else 20008
# (docs/twilio-api.md#test-credentials-and-magic-numbers).
TEST_CREDENTIAL_OPERATIONS = frozenset({"CreateIncomingPhoneNumber", "CreateIncomingPhoneNumberMobile"})
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


JSON_CONTENT_TYPE = "application/json; charset=utf-8"
# Form fields whose values never go into the request log (none of the emulated
# endpoints takes one today; a future one might).
SECRET_FIELD = re.compile(r"token|secret|password", re.IGNORECASE)
REQUEST_LOG_SIZE = 10_000


class Sandbox:
    """An offline Twilio for the endpoints the wizard uses. Thread-safe.

    `state_path`: a JSON file to load the world from (when it exists) and to save it to
    after every change; without it the world lives in memory, seeded afresh. A file
    that is not a sandbox state, or a place that cannot be written, raises
    StateFileError here, before anything is served.
    `clock`: returns the current time for new records (default: real UTC now).
    `webhooks`: how simulated calls and messages reach webhooks (default: directly,
    with Twilio's limits; tests route them to a receiver on loopback).
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
        webhooks: WebhookOptions | None = None,
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
        # How simulated calls and messages reach the numbers' webhooks (webhooks.py).
        self.webhooks = webhooks or WebhookOptions()
        self._simulations = 0
        self._clock = clock or utc_now
        self._lock = threading.RLock()
        self._request_count = 0
        self._requests: deque[dict[str, Any]] = deque(maxlen=REQUEST_LOG_SIZE)
        self._state = self._open_state()

    def _open_state(self) -> State:
        path = self.state_path
        if path is None:
            return initial_state()
        if str(path) in ("", "."):
            raise StateFileError("the state file needs a name, e.g. --state sandbox-state.json")
        if path.is_dir():
            raise StateFileError(f"{path} is a folder: give a file name for the sandbox state")
        # A save killed half-way leaves its temporary file: not needed, never reused.
        with contextlib.suppress(OSError):
            temporary_path(path).unlink(missing_ok=True)
        state = load_state(path) if path.exists() else initial_state()
        # Refused now rather than on the first purchase: write the state back (the seed
        # for a new file, the same content for an existing one) to prove it can be kept.
        try:
            save_state(path, state)
        except OSError as error:
            raise StateFileError(
                f"cannot write the sandbox state {path}: {error.strerror or error}"
            ) from None
        return state

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
        """Answer one HTTP request as Twilio would (faults included).

        `origin` (scheme://host[:port]) is where the request was sent; absolute URLs in
        numbers v2 and pricing answers point there (default: Twilio's own hosts).
        A `delay_before` fault sleeps in this thread; `delay_after_commit` and drops are
        left to the caller (see SandboxResponse).
        """
        received = time.monotonic()
        fault = self.faults.take(method, url_path)
        if fault is not None and fault.delay_before:
            time.sleep(fault.delay_before)
        return self.process(
            method, url_path, query, headers, body, origin=origin, fault=fault, received=received
        )

    def process(
        self,
        method: str,
        url_path: str,
        query: list[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes,
        *,
        origin: str | None = None,
        fault: Fault | None = None,
        received: float | None = None,
    ) -> SandboxResponse:
        """Answer one request with `fault` already taken (and its `delay_before` waited)."""
        method = method.upper()
        with self._lock:
            self._request_count += 1
            request_id = make_sid("RQ", str(self._request_count), method, url_path)
            answer = self._answer(method, url_path, query, headers, body, origin, fault, request_id)
            self._requests.append(
                {
                    "request_id": request_id,
                    "method": method,
                    "path": url_path,
                    "query": dict(_first_values(query)),
                    "form": _loggable_form(method, headers, body),
                    "status": None if answer.dropped else answer.status,
                    "dropped": answer.dropped,
                    "fault": fault.kind if fault is not None else None,
                    "time": received if received is not None else time.monotonic(),
                }
            )
            return answer

    def _answer(
        self,
        method: str,
        url_path: str,
        query: list[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes,
        origin: str | None,
        fault: Fault | None,
        request_id: str,
    ) -> SandboxResponse:
        base_headers = {"Twilio-Request-Id": request_id}
        if fault is not None and fault.answers_before_processing:
            return _fault_answer(fault, base_headers)
        try:
            reply = self._dispatch(method, url_path, query, headers, body, origin)
        except TwilioApiError as error:
            answer = _error_answer(error, base_headers)
        else:
            response_headers = {**base_headers, **reply.headers}
            payload = b""
            if reply.body is not None:
                response_headers["Content-Type"] = JSON_CONTENT_TYPE
                body = reply.body
                payload = body if isinstance(body, EncodedJson) else json.dumps(body).encode()
            answer = SandboxResponse(reply.status, response_headers, payload)
        if fault is None:
            return answer
        if fault.status is not None:  # commit=True: the request went through, answer this anyway
            answer = _fault_answer(fault, base_headers)
        return replace(
            answer,
            delay_after_commit=fault.delay_after_commit or 0.0,
            dropped=fault.drop_after_commit,
        )

    @property
    def requests(self) -> list[dict[str, Any]]:
        """The requests received, oldest first (the last 10,000): method, path, query,
        form (POST; secrets left out), status answered (None when dropped), the fault
        that hit it, and `time` (time.monotonic() when it arrived)."""
        with self._lock:
            return copy.deepcopy(list(self._requests))

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def reset(self) -> None:
        """Back to the seeded world, with no faults armed and an empty request log."""
        with self._lock:
            previous = self._state
            self._state = initial_state()
            try:
                self._save()
            except OSError:
                self._state = previous
                raise
            self.faults.clear()
            self._requests.clear()

    async def simulate(self, simulation: Simulation) -> dict[str, Any]:
        """Call an owned number's webhooks as Twilio would for an incoming call or
        message (see tui/sandbox/webhooks.py) and report what each one answered.
        Raises TwilioApiError (404) when no account of the sandbox owns the number."""
        with self._lock:
            self._simulations += 1
            sequence = self._simulations
            state = copy.deepcopy(self._state)
        now = self._clock()
        return await simulate(
            state,
            simulation,
            self.webhooks,
            sequence=sequence,
            now=now if now.tzinfo is not None else now.replace(tzinfo=UTC),
        )

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
            allowed = ", ".join(route.operations)
            raise TwilioApiError(
                405,
                errors.METHOD_NOT_ALLOWED,
                f"Method {method} not allowed on {path}; use {allowed}",
                {"Allow": allowed},
            )
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
        request = Request(
            method=method,
            path=path,
            query=list(query),
            form=_form(lowered, body),
            credential=credential,
            account=account,
            path_params=path_params,
            origin=origin,
        )
        now = self._clock()
        if now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
        # Handlers change the state in place; keep what was there in case the save fails,
        # so that nothing is answered (or later served) that was not kept.
        before = copy.deepcopy(self._state) if self.state_path is not None and method != "GET" else None
        ctx = Context(state=self._state, now=now, options=self.options)
        reply = operation.handler(ctx, request)
        if ctx.changed:
            try:
                self._save()
            except OSError as error:
                if before is not None:
                    self._state = before
                print(
                    f"sandbox: could not save the state to {self.state_path}: {error.strerror or error}; "
                    f"{method} {path} answered 500 and was not kept",
                    file=sys.stderr,
                    flush=True,
                )
                raise TwilioApiError(
                    500,
                    errors.INTERNAL_SERVER_ERROR,
                    "The sandbox could not save its state, so the request was not kept: "
                    f"{error.strerror or error}",
                ) from None
        return reply

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


def _form(lowered_headers: Mapping[str, str], body: bytes) -> list[tuple[str, str]]:
    content_type = lowered_headers.get("content-type", "").split(";")[0].strip().lower()
    # Twilio reads form bodies only; a JSON body reaches it as no parameters at all.
    if not body or content_type != FORM_CONTENT_TYPE:
        return []
    try:
        text = body.decode("utf-8")
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise errors.http_error(
            400, "The form body is not valid UTF-8 (application/x-www-form-urlencoded, UTF-8)."
        ) from None


def _first_values(pairs: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for name, value in pairs:
        seen.setdefault(name, value)
    return list(seen.items())


def _loggable_form(method: str, headers: Mapping[str, str], body: bytes) -> dict[str, str] | None:
    if method != "POST":
        return None
    lowered = {name.lower(): value for name, value in headers.items()}
    try:
        pairs = _form(lowered, body)
    except TwilioApiError:
        return None
    return {
        name: ("[not logged]" if SECRET_FIELD.search(name) else value) for name, value in _first_values(pairs)
    }


def _error_answer(error: TwilioApiError, base_headers: dict[str, str]) -> SandboxResponse:
    return SandboxResponse(
        error.status,
        {"Content-Type": JSON_CONTENT_TYPE, **base_headers, **error.headers},
        error.body_bytes(),
    )


def _fault_answer(fault: Fault, base_headers: dict[str, str]) -> SandboxResponse:
    assert fault.status is not None
    if fault.body is not None:
        headers = {**base_headers, "Content-Type": fault.content_type or "text/html; charset=utf-8"}
        return SandboxResponse(fault.status, headers, fault.body.encode("utf-8"))
    return _error_answer(fault.as_error(), base_headers)


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
