"""The Twilio API client: the calls the wizard makes, on one httpx connection pool.

Requests are encoded the way Twilio's helper libraries encode them (form bodies,
PascalCase names, unset fields left out, booleans `true`/`false`). GETs are
retried on 429 and 503 with back-off that honours Retry-After; the purchase POST
is never retried automatically, because only a lookup can tell whether a POST
that timed out bought the number.
"""

from __future__ import annotations

import asyncio
import functools
import math
import platform
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode

import httpx
from pydantic import TypeAdapter, ValidationError

from tui import __version__
from tui.domain.addresses import NewAddress
from tui.domain.credentials import Credentials
from tui.domain.errors import TwilioApiError, TwilioUnreachable
from tui.domain.purchase import PurchaseRequest
from tui.domain.resources import (
    Account,
    Address,
    Application,
    AvailableCountry,
    AvailablePhoneNumber,
    Bundle,
    IncomingPhoneNumber,
    MessagingService,
    MessagingServicePhoneNumber,
    MobilePrice,
    PhoneNumberPricing,
    Regulation,
    Trunk,
)
from tui.domain.search import MobileSearch
from tui.services.hosts import Hosts, resolve_hosts
from tui.services.tls import verified_context

API_VERSION_PATH = "/2010-04-01"

USER_AGENT = (
    f"number-wizard/{__version__} ({platform.system()} {platform.machine()}) "
    f"Python/{platform.python_version()} httpx/{httpx.__version__}"
)

# Explicit, because twilio-python has none: a hung connection must not hang the
# wizard. The purchase gets a longer read timeout: Twilio may take a while to
# provision, and a timeout there leaves the outcome unknown.
DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=30.0, write=10.0, pool=10.0)
PURCHASE_TIMEOUT = httpx.Timeout(connect=10.0, read=60.0, write=10.0, pool=10.0)

RETRY_STATUSES = (429, 503)


@dataclass(frozen=True)
class RetryPolicy:
    """How GETs are retried. `attempts` counts the first try."""

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0

    def delay(self, attempt: int, retry_after: float | None, jitter: float) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_delay * 4)
        return min(self.base_delay * (2 ** (attempt - 1)) * (1 + jitter), self.max_delay)


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) else None
    try:  # HTTP-date form
        from datetime import UTC, datetime

        return (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds()
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class PreparedRequest:
    """Exactly what would be sent: shown on the review and by `buy --dry-run`."""

    method: str
    url: str
    form: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"method": self.method, "url": self.url, "form": dict(self.form)}


@dataclass(frozen=True)
class CredentialCheck:
    """The result of checking credentials against Twilio."""

    account_sid: str
    auth_kind: str
    account: Account | None  # None when an API key may not read /Accounts

    @property
    def friendly_name(self) -> str | None:
        return self.account.friendly_name if self.account else None

    @property
    def account_type(self) -> str | None:
        return self.account.type if self.account else None


Sleep = Callable[[float], Awaitable[None]]


class TwilioClient:
    """Async client for the endpoints the wizard uses. Use as an async context
    manager, or call `aclose()`: it owns one connection pool per session."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        api_url: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        purchase_timeout: httpx.Timeout = PURCHASE_TIMEOUT,
        retry: RetryPolicy = RetryPolicy(),
        sleep: Sleep = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.credentials = credentials
        self.hosts: Hosts = resolve_hosts(region=credentials.region, edge=credentials.edge, api_url=api_url)
        self._purchase_timeout = purchase_timeout
        self._retry = retry
        self._sleep = sleep
        self._jitter = jitter
        self._http = httpx.AsyncClient(
            transport=transport,
            # Only a client that opens its own connections needs the context.
            verify=verified_context() if transport is None else True,
            timeout=timeout,
            follow_redirects=False,  # as twilio-python: a redirect is an error here
            headers={
                "User-Agent": USER_AGENT,
                "Accept": "application/json",
                "Accept-Charset": "utf-8",
            },
            auth=httpx.BasicAuth(credentials.username, credentials.secret.reveal()),
        )

    async def __aenter__(self) -> TwilioClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- URLs -------------------------------------------------------------

    def _account_path(self, tail: str) -> str:
        return f"{API_VERSION_PATH}/Accounts/{self.credentials.account_sid}{tail}"

    def api_url(self, tail: str) -> str:
        return self.hosts.api + self._account_path(tail)

    def purchase_url(self) -> str:
        return self.api_url("/IncomingPhoneNumbers/Mobile.json")

    def number_url(self, sid: str) -> str:
        """An owned number (FetchIncomingPhoneNumber, Update…, Delete…)."""
        return self.api_url(f"/IncomingPhoneNumbers/{sid}.json")

    # -- transport --------------------------------------------------------

    async def _get(self, url: str, params: Sequence[tuple[str, str]] = ()) -> Any:
        attempt = 0
        while True:
            attempt += 1
            try:
                # httpx replaces the URL's own query with `params` when given one,
                # even an empty one: a next-page URL must keep its query.
                response = await self._http.get(url, params=list(params) or None)
            except httpx.TransportError as error:
                # A GET changes nothing, so a failed one may simply be tried again.
                if attempt < self._retry.attempts and isinstance(
                    error, (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError)
                ):
                    await self._sleep(self._retry.delay(attempt, None, self._jitter()))
                    continue
                raise _unreachable(error, sent=False) from None
            if response.status_code in RETRY_STATUSES and attempt < self._retry.attempts:
                wait = self._retry.delay(
                    attempt, _retry_after_seconds(response.headers.get("Retry-After")), self._jitter()
                )
                await self._sleep(wait)
                continue
            return _json_or_raise(response)

    async def _get_v2010_list(
        self, url: str, key: str, params: Sequence[tuple[str, str]] = (), limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Follow v2010 paging (`next_page_uri`, relative to the api host)."""
        items: list[dict[str, Any]] = []
        body = await self._get(url, params)
        while True:
            items.extend(body.get(key) or [])
            next_uri = body.get("next_page_uri")
            if not next_uri or (limit is not None and len(items) >= limit):
                return items[:limit] if limit is not None else items
            body = await self._get(self.hosts.api + next_uri)

    async def _get_meta_list(self, url: str, params: Sequence[tuple[str, str]] = ()) -> list[dict[str, Any]]:
        """Follow numbers v2 / pricing paging (`meta.next_page_url`, absolute)."""
        items: list[dict[str, Any]] = []
        body = await self._get(url, params)
        while True:
            meta = body.get("meta") or {}
            items.extend(body.get(meta.get("key") or "results") or [])
            next_url = meta.get("next_page_url")
            if not next_url:
                return items
            body = await self._get(_rebase(next_url, url))

    # -- calls ------------------------------------------------------------

    async def check_credentials(self) -> CredentialCheck:
        """Check the credentials with a call they are allowed to make.

        An Auth Token reads the account (its name, Trial or Full, its status). An
        API key is checked by listing one owned number instead: a Standard key may
        not call /Accounts at all (docs/twilio-api.md#accounts-and-api-keys), and what Twilio answers it
        there is not documented, so that answer cannot tell a good key from a bad one.
        """
        creds = self.credentials
        if creds.auth_kind == "api_key":
            await self._get(self.api_url("/IncomingPhoneNumbers.json"), [("PageSize", "1")])
            return CredentialCheck(creds.account_sid, creds.auth_kind, None)
        body = await self._get(self.hosts.api + f"{API_VERSION_PATH}/Accounts/{creds.account_sid}.json")
        return CredentialCheck(creds.account_sid, creds.auth_kind, Account.model_validate(body))

    async def list_countries(self) -> list[AvailableCountry]:
        body = await self._get(self.api_url("/AvailablePhoneNumbers.json"), [("PageSize", "1000")])
        return [AvailableCountry.model_validate(c) for c in body.get("countries") or []]

    async def list_mobile_countries(self) -> list[AvailableCountry]:
        """Countries that sell mobile numbers, by name."""
        countries = [c for c in await self.list_countries() if c.sells_mobile]
        return sorted(countries, key=lambda c: c.country or c.country_code)

    async def search_mobile(self, search: MobileSearch) -> list[AvailablePhoneNumber]:
        url = self.api_url(f"/AvailablePhoneNumbers/{search.country_code}/Mobile.json")
        body = await self._get(url, search.to_query())
        found = body.get("available_phone_numbers") or []
        try:
            # One validation for the whole page (up to 1,000 results), not one call each.
            return _available_numbers().validate_python(found)
        except ValidationError:
            pass
        # A malformed result: validated one by one, it fails with the error it
        # always has (about one AvailablePhoneNumber, not a list index).
        return [AvailablePhoneNumber.model_validate(n) for n in found]

    async def find_owned_number(self, phone_number: str) -> IncomingPhoneNumber | None:
        """The number if this account owns it. Used to reconcile after a purchase
        whose outcome is unknown, and to warn before buying a number again."""
        items = await self._get_v2010_list(
            self.api_url("/IncomingPhoneNumbers.json"),
            "incoming_phone_numbers",
            [("PhoneNumber", phone_number)],
        )
        # PhoneNumber is a partial match on Twilio's side: keep the exact one.
        for item in items:
            if item.get("phone_number") == phone_number:
                return IncomingPhoneNumber.model_validate(item)
        return None

    async def list_owned_numbers(self) -> list[IncomingPhoneNumber]:
        """Every number the account owns (all pages)."""
        items = await self._get_v2010_list(
            self.api_url("/IncomingPhoneNumbers.json"), "incoming_phone_numbers", [("PageSize", "100")]
        )
        return [IncomingPhoneNumber.model_validate(item) for item in items]

    async def fetch_number(self, sid: str) -> IncomingPhoneNumber:
        """One owned number by its SID (404/20404 when the account has none such)."""
        return IncomingPhoneNumber.model_validate(await self._get(self.number_url(sid)))

    async def list_addresses(self, iso_country: str | None = None) -> list[Address]:
        params = [("PageSize", "100")] + ([("IsoCountry", iso_country)] if iso_country else [])
        items = await self._get_v2010_list(self.api_url("/Addresses.json"), "addresses", params)
        return [Address.model_validate(a) for a in items]

    async def list_bundles(
        self, iso_country: str, number_type: str = "mobile", status: str | None = None
    ) -> list[Bundle]:
        params = [("IsoCountry", iso_country), ("NumberType", number_type), ("PageSize", "100")]
        if status:
            params.append(("Status", status))
        items = await self._get_meta_list(self.hosts.numbers + "/v2/RegulatoryCompliance/Bundles", params)
        return [Bundle.model_validate(b) for b in items]

    async def list_regulations(self, iso_country: str, number_type: str = "mobile") -> list[Regulation]:
        """The regulations for a country and number type. Twilio asks clients to
        read these rather than hard-code which countries need a bundle."""
        params = [("IsoCountry", iso_country), ("NumberType", number_type), ("PageSize", "100")]
        items = await self._get_meta_list(self.hosts.numbers + "/v2/RegulatoryCompliance/Regulations", params)
        return [Regulation.model_validate(r) for r in items]

    async def fetch_mobile_price(self, iso_country: str) -> MobilePrice:
        body = await self._get(self.hosts.pricing + f"/v1/PhoneNumbers/Countries/{iso_country}")
        return PhoneNumberPricing.model_validate(body).mobile_price()

    async def list_applications(self) -> list[Application]:
        """The account's TwiML applications (voice and messaging handlers)."""
        items = await self._get_v2010_list(
            self.api_url("/Applications.json"), "applications", [("PageSize", "100")]
        )
        return [Application.model_validate(a) for a in items]

    async def list_trunks(self) -> list[Trunk]:
        """The account's Elastic SIP trunks."""
        items = await self._get_meta_list(self.hosts.trunking + "/v1/Trunks", [("PageSize", "100")])
        return [Trunk.model_validate(t) for t in items]

    async def list_messaging_services(self) -> list[MessagingService]:
        """The account's Messaging Services."""
        items = await self._get_meta_list(self.hosts.messaging + "/v1/Services", [("PageSize", "100")])
        return [MessagingService.model_validate(s) for s in items]

    def messaging_service_numbers_url(self, service_sid: str) -> str:
        return self.hosts.messaging + f"/v1/Services/{service_sid}/PhoneNumbers"

    def prepare_messaging_service_join(self, service_sid: str, phone_number_sid: str) -> PreparedRequest:
        """Adding a number to a Messaging Service (a purchase's follow-up)."""
        return PreparedRequest(
            "POST", self.messaging_service_numbers_url(service_sid), {"PhoneNumberSid": phone_number_sid}
        )

    async def join_messaging_service(self, prepared: PreparedRequest) -> MessagingServicePhoneNumber:
        """Send a prepared join once (not retried here: the caller decides, after
        looking it up when the answer was lost)."""
        body = await self._post(prepared)
        try:
            return MessagingServicePhoneNumber.model_validate(body)
        except ValidationError:
            raise _not_twilio_answer(200, prepared, "a number in a Messaging Service") from None

    def prepare_messaging_service_leave(self, service_sid: str, phone_number_sid: str) -> PreparedRequest:
        """Removing a number from a Messaging Service
        (https://www.twilio.com/docs/messaging/api/phonenumber-resource#delete-a-phonenumber-resource)."""
        return PreparedRequest(
            "DELETE", f"{self.messaging_service_numbers_url(service_sid)}/{phone_number_sid}"
        )

    async def leave_messaging_service(self, prepared: PreparedRequest) -> None:
        """Send a prepared removal (DELETE) once; Twilio answers 204 with no body."""
        response = await self._send_once(prepared)
        if not response.is_success:
            _json_or_raise(response)

    async def find_messaging_service_number(
        self, service_sid: str, phone_number_sid: str
    ) -> MessagingServicePhoneNumber | None:
        """The number in the service, or None when it is not in it (404)."""
        try:
            body = await self._get(f"{self.messaging_service_numbers_url(service_sid)}/{phone_number_sid}")
        except TwilioApiError as error:
            if error.status == 404 and error.from_twilio:
                return None
            raise
        return MessagingServicePhoneNumber.model_validate(body)

    async def create_address(self, address: NewAddress) -> Address:
        """Create an address. Twilio validates it in some countries and may correct
        it (https://www.twilio.com/docs/usage/api/address): the answer is what was kept."""
        body = await self._post(PreparedRequest("POST", self.api_url("/Addresses.json"), address.to_form()))
        try:
            return Address.model_validate(body)
        except ValidationError:
            raise _not_twilio_answer(201, None, "an address") from None

    async def _post(self, prepared: PreparedRequest) -> Any:
        """One POST, never retried: a lost answer is the caller's to settle."""
        try:
            response = await self._http.request(prepared.method, prepared.url, data=prepared.form)
        except httpx.TransportError as error:
            raise _unreachable(error, sent=_may_have_been_processed(error)) from None
        except httpx.HTTPError as error:
            raise TwilioUnreachable(
                f"Twilio's answer could not be read ({type(error).__name__}).", sent=True
            ) from None
        return _json_or_raise(response)

    def prepare_purchase(self, request: PurchaseRequest) -> PreparedRequest:
        return PreparedRequest("POST", self.purchase_url(), request.to_form())

    def prepare_update(self, sid: str, form: Mapping[str, str]) -> PreparedRequest:
        return PreparedRequest("POST", self.number_url(sid), dict(form))

    def prepare_release(self, sid: str) -> PreparedRequest:
        return PreparedRequest("DELETE", self.number_url(sid))

    async def _send_once(self, prepared: PreparedRequest) -> httpx.Response:
        """Send a request that changes something, once: never retried here, because
        only a lookup can tell whether a request that got no answer was processed."""
        try:
            return await self._http.request(
                prepared.method,
                prepared.url,
                data=prepared.form or None,
                timeout=self._purchase_timeout,
            )
        except httpx.TransportError as error:
            raise _unreachable(error, sent=_may_have_been_processed(error)) from None
        except httpx.HTTPError as error:
            # Anything else httpx raises (e.g. an undecodable body) came after the
            # request was sent: the outcome is unknown, not a failure.
            raise TwilioUnreachable(
                f"Twilio's answer could not be read ({type(error).__name__}).", sent=True
            ) from None

    async def send_purchase(self, prepared: PreparedRequest) -> IncomingPhoneNumber:
        """Send a prepared purchase exactly as prepared (the review showed it, the
        receipt records it). Sent once: never retried here (see the module doc)."""
        response = await self._send_once(prepared)
        return _number_or_raise(response, prepared, "the number bought")

    async def send_update(self, prepared: PreparedRequest) -> IncomingPhoneNumber:
        """Send a prepared update of an owned number, once; Twilio answers the number."""
        response = await self._send_once(prepared)
        return _number_or_raise(response, prepared, "the number updated")

    async def send_release(self, prepared: PreparedRequest) -> None:
        """Send a prepared release (DELETE), once; Twilio answers 204 with no body."""
        response = await self._send_once(prepared)
        if not response.is_success:
            _json_or_raise(response)


def _number_or_raise(response: httpx.Response, prepared: PreparedRequest, what: str) -> IncomingPhoneNumber:
    body = _json_or_raise(response)
    try:
        resource = IncomingPhoneNumber.model_validate(body)
    except ValidationError:
        resource = None
    if resource is None or not resource.sid or not resource.phone_number:
        # A 2xx that does not describe a phone number (empty, or some other
        # JSON) cannot confirm a purchase or an update; nor is it a refusal.
        raise TwilioApiError(
            response.status_code,
            None,
            f"with a body that does not describe {what}, so not Twilio's own answer",
            method=prepared.method,
            path=response.request.url.path,
            from_twilio=False,
        )
    return resource


def _not_twilio_answer(status: int, prepared: PreparedRequest | None, what: str) -> TwilioApiError:
    """A 2xx whose body is not the resource asked for: not Twilio's own answer."""
    return TwilioApiError(
        status,
        None,
        f"with a body that does not describe {what}, so not Twilio's own answer",
        method=prepared.method if prepared else "POST",
        path=httpx.URL(prepared.url).path if prepared else "",
        from_twilio=False,
    )


def _may_have_been_processed(error: httpx.TransportError) -> bool:
    # Connecting failed: nothing reached Twilio. Anything later (a read timeout,
    # a dropped connection) may have happened after Twilio bought the number.
    return not isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))


def _unreachable(error: httpx.TransportError, *, sent: bool) -> TwilioUnreachable:
    url = error.request.url if _has_request(error) else None
    where = f" ({url.scheme}://{url.host})" if url else ""
    if isinstance(error, httpx.TimeoutException):
        what = "Twilio did not answer in time"
    elif isinstance(error, httpx.ConnectError):
        what = "Could not connect to Twilio"
    else:
        what = f"The connection to Twilio failed ({type(error).__name__})"
    return TwilioUnreachable(what + where + ".", sent=sent)


def _has_request(error: httpx.TransportError) -> bool:
    try:
        error.request  # noqa: B018 - raises RuntimeError when unset
        return True
    except RuntimeError:
        return False


@functools.cache
def _available_numbers() -> TypeAdapter[list[AvailablePhoneNumber]]:
    """Built on the first search, as the models' own validators are (defer_build)."""
    return TypeAdapter(list[AvailablePhoneNumber])


def _json_or_raise(response: httpx.Response) -> Any:
    try:
        body = response.json() if response.content else {}
    except ValueError:
        body = None
    if response.is_success:
        if body is None:
            raise TwilioApiError(
                response.status_code,
                None,
                "with a body that is not JSON, so not Twilio's own answer",
                method=response.request.method,
                path=response.request.url.path,
                from_twilio=False,
            )
        return body
    raise TwilioApiError.from_response(
        response.status_code,
        body,
        method=response.request.method,
        path=response.request.url.path,
    )


def _rebase(next_url: str, current: str) -> str:
    """Keep following pages on the host we are talking to (the sandbox or a proxy
    behind --api-url) even though Twilio writes absolute URLs in `meta`. A path
    prefix of that base URL (http://proxy/twilio) is kept too."""
    next_parts = httpx.URL(next_url)
    base = httpx.URL(current)
    path = next_parts.path
    prefix = base.path[: base.path.find("/v")] if "/v" in base.path else ""
    if prefix and not path.startswith(prefix + "/"):
        path = prefix + path
    return str(base.copy_with(path=path, query=next_parts.query or None))


def form_body(form: Mapping[str, str]) -> str:
    """The urlencoded body, as it goes on the wire (for previews and curl)."""
    return urlencode(list(form.items()))
