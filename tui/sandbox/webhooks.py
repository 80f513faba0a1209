"""Incoming calls and messages, simulated: the sandbox calls an owned number's
webhooks the way Twilio does, so that a rehearsal covers buy → configure → first call.

    POST /__sandbox__/simulate  {"kind": "call" | "sms", "to": "+E164", "from"?: "+E164", "body"?: "..."}

What Twilio does, and so the sandbox:

- an incoming call: the number's Voice URL (or, when a TwiML application takes the
  calls, the application's), with the configured method; when it fails (no answer,
  not 2xx, not usable TwiML) the voice fallback URL; when the call is over, the status
  callback with `CallStatus=completed`
  (https://www.twilio.com/docs/voice/twiml#request-parameters,
  https://www.twilio.com/docs/voice/api/call-resource#statuscallback);
- an incoming message: the SMS URL (or the messaging application's, or the Messaging
  Service's inbound request URL unless it defers to the number's,
  https://www.twilio.com/docs/messaging/api/service-resource), then the SMS fallback
  URL on failure (https://www.twilio.com/docs/messaging/guides/webhook-request);
- calls to a number on a SIP trunk go to the trunk: no webhook is called.

Each request carries Twilio's parameters (test values: the caller is +1 500 555 0100,
a number Twilio keeps for tests), `X-Twilio-Signature` computed with the owning
account's Auth Token as Twilio documents it (base64 of HMAC-SHA1 over the full URL
followed by each POST parameter's name and value, sorted by name;
https://www.twilio.com/docs/usage/security#validating-requests),
`I-Twilio-Idempotency-Token`, `User-Agent: TwilioProxy/1.1`. A GET carries the
parameters in the query string. Bounded as Twilio is: 10 s to connect, 15 s for the
whole answer (https://www.twilio.com/docs/api/errors/11205), 301/302/303/307
redirects followed, at most 5 (https://www.twilio.com/docs/api/errors/11215), at most
64 kB of answer read (https://www.twilio.com/docs/api/errors/11750). Only the URLs
configured on the number (and where they redirect) are called.

The sandbox decides what Twilio would call next with its own small TwiML check
(well-formed XML with a `<Response>` root); the report gives every answer as it came
so that a client can judge it in detail. Nothing here is imported from the client.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import re
import ssl
import time
import uuid
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import cache
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit
from xml.parsers import expat

import httpx
import phonenumbers

from tui.sandbox import errors
from tui.sandbox.accounts import ACCOUNTS
from tui.sandbox.errors import TwilioApiError
from tui.sandbox.formats import make_sid, utc_now

KINDS = ("call", "sms")
SIMULATION_FIELDS = ("kind", "to", "from", "body")
DEFAULT_CALLER = "+15005550100"
DEFAULT_MESSAGE_BODY = "Hello from the number-wizard sandbox"
MAX_MESSAGE_BODY = 1600  # Twilio's limit for a message body
USER_AGENT = "TwilioProxy/1.1"
API_VERSION = "2010-04-01"
FOLLOWED_REDIRECTS = frozenset({301, 302, 303, 307})
XML_TYPES = frozenset({"text/xml", "application/xml", "text/html"})
E164 = re.compile(r"^\+[1-9]\d{1,14}$")


@cache
def verified_tls_context() -> ssl.SSLContext:
    """The verifying context every simulation's client shares (httpx's for
    `trust_env=False`): building one reads the whole CA bundle, about 20 ms of CPU,
    and a served sandbox makes a client per simulation."""
    return httpx.create_ssl_context(trust_env=False)


class SimulationSpecError(ValueError):
    """A simulation that cannot be run; the message says which field and why."""


@dataclass(frozen=True)
class WebhookLimits:
    """How far the sandbox goes for one URL: Twilio's limits by default."""

    time_limit: float = 15.0  # the whole answer, redirects included
    connect_timeout: float = 10.0
    max_redirects: int = 5
    max_body_bytes: int = 64 * 1024


@dataclass(frozen=True)
class WebhookOptions:
    """How the sandbox reaches webhooks: directly by default. Tests give a transport
    (to route every host to a receiver on loopback) and a clock (seconds, for the
    reported times)."""

    transport: httpx.AsyncBaseTransport | None = None
    limits: WebhookLimits = WebhookLimits()
    clock: Callable[[], float] = time.perf_counter


@dataclass(frozen=True)
class Simulation:
    kind: str  # "call" or "sms"
    to: str
    from_number: str = DEFAULT_CALLER
    body: str = DEFAULT_MESSAGE_BODY


def parse_simulation_spec(spec: Any) -> Simulation:
    """A Simulation from the JSON object of `POST /__sandbox__/simulate`."""
    if not isinstance(spec, dict):
        raise SimulationSpecError("the body must be a JSON object")
    unknown = sorted(set(spec) - set(SIMULATION_FIELDS))
    if unknown:
        raise SimulationSpecError(
            f"unknown field(s) {', '.join(unknown)}; known: {', '.join(SIMULATION_FIELDS)}"
        )
    kind = spec.get("kind")
    if kind not in KINDS:
        raise SimulationSpecError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    to = _e164("to", spec.get("to"), required=True)
    assert to is not None
    caller = _e164("from", spec.get("from")) or DEFAULT_CALLER
    body = spec.get("body")
    if body is not None:
        if kind != "sms":
            raise SimulationSpecError("body belongs to a message (kind sms), not to a call")
        if not isinstance(body, str):
            raise SimulationSpecError(f"body must be a string, got {body!r}")
        if not 1 <= len(body) <= MAX_MESSAGE_BODY:
            raise SimulationSpecError(f"body must be 1 to {MAX_MESSAGE_BODY} characters, got {len(body)}")
    return Simulation(kind, to, caller, body if body is not None else DEFAULT_MESSAGE_BODY)


def _e164(name: str, value: Any, *, required: bool = False) -> str | None:
    if value is None:
        if required:
            raise SimulationSpecError(f"{name} is required: the number in E.164 form, e.g. +46701740612")
        return None
    if not isinstance(value, str) or not E164.match(value):
        raise SimulationSpecError(f"{name} must be a number in E.164 form (+ and digits), got {value!r}")
    return value


# ---------------------------------------------------------------------------
# What Twilio would call


@dataclass(frozen=True)
class _Webhook:
    role: str  # voice_url, voice_fallback_url, status_callback, sms_url, sms_fallback_url
    url: str
    method: str


@dataclass
class _Plan:
    account_sid: str
    number: dict[str, Any]
    primary: _Webhook | None = None
    fallback: _Webhook | None = None
    status_callback: _Webhook | None = None
    messaging_service_sid: str | None = None
    taken_by: str | None = None  # application or service whose URLs are used
    skipped: list[str] = field(default_factory=list)


def _url(record: Mapping[str, Any], name: str) -> str | None:
    value = record.get(name)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _method(record: Mapping[str, Any], name: str) -> str:
    value = record.get(name)
    return value.upper() if isinstance(value, str) and value.strip() else "POST"


def _hook(record: Mapping[str, Any], role: str, url_field: str, method_field: str) -> _Webhook | None:
    url = _url(record, url_field)
    return _Webhook(role, url, _method(record, method_field)) if url else None


def plan_simulation(state: Mapping[str, Any], simulation: Simulation) -> _Plan:
    """The webhooks Twilio would call for this call or message; 404 (20404) when no
    account the sandbox serves owns the number."""
    number = next(
        (
            record
            for record in state["incoming_phone_numbers"]
            if record["phone_number"] == simulation.to and record["account_sid"] in ACCOUNTS
        ),
        None,
    )
    if number is None:
        raise TwilioApiError(
            404,
            errors.NOT_FOUND,
            f"No account of the sandbox owns {simulation.to}: buy it first (only owned numbers "
            "receive calls and messages).",
        )
    plan = _Plan(number["account_sid"], number)
    if simulation.kind == "call":
        if number.get("trunk_sid"):
            plan.skipped.append(f"calls go to the SIP trunk {number['trunk_sid']}: no webhook is called")
            return plan
        if number.get("voice_receive_mode") == "fax":
            plan.skipped.append("the number receives faxes: a fax is not simulated")
            return plan
        settings: Mapping[str, Any] = number
        application_sid = number.get("voice_application_sid")
        if application_sid:
            settings = _find(state, "applications", application_sid) or {}
            plan.taken_by = f"the TwiML application {application_sid}"
        plan.primary = _hook(settings, "voice_url", "voice_url", "voice_method")
        plan.fallback = _hook(settings, "voice_fallback_url", "voice_fallback_url", "voice_fallback_method")
        plan.status_callback = _hook(settings, "status_callback", "status_callback", "status_callback_method")
        if plan.primary is None and plan.fallback is None:
            plan.skipped.append(
                "no Voice URL is configured"
                + (f" on {plan.taken_by}" if plan.taken_by else "")
                + ": Twilio rejects the call"
            )
        return plan
    membership = next(
        (entry for entry in state["messaging_service_numbers"] if entry["sid"] == number["sid"]), None
    )
    settings = number
    if membership is not None:
        service = _find(state, "messaging_services", membership["service_sid"]) or {}
        plan.messaging_service_sid = membership["service_sid"]
        if not service.get("use_inbound_webhook_on_number"):
            plan.taken_by = f"the Messaging Service {membership['service_sid']}"
            plan.primary = _hook(service, "inbound_request_url", "inbound_request_url", "inbound_method")
            plan.fallback = _hook(service, "fallback_url", "fallback_url", "fallback_method")
            if plan.primary is None:
                plan.skipped.append(f"{plan.taken_by} has no inbound request URL: no webhook is called")
            return plan
    application_sid = number.get("sms_application_sid")
    if application_sid:
        settings = _find(state, "applications", application_sid) or {}
        plan.taken_by = f"the TwiML application {application_sid}"
    plan.primary = _hook(settings, "sms_url", "sms_url", "sms_method")
    plan.fallback = _hook(settings, "sms_fallback_url", "sms_fallback_url", "sms_fallback_method")
    if plan.primary is None and plan.fallback is None:
        plan.skipped.append(
            "no SMS URL is configured"
            + (f" on {plan.taken_by}" if plan.taken_by else "")
            + ": the message is received and nothing replies"
        )
    return plan


def _find(state: Mapping[str, Any], collection: str, sid: str) -> dict[str, Any] | None:
    return next((record for record in state[collection] if record["sid"] == sid), None)


# ---------------------------------------------------------------------------
# The parameters and the signature


def _country(number: str) -> str:
    try:
        parsed = phonenumbers.parse(number)
    except phonenumbers.NumberParseException:
        return ""
    # A number outside every allocated range (a test number) still has a country code.
    region = phonenumbers.region_code_for_number(parsed) or phonenumbers.region_code_for_country_code(
        parsed.country_code or 0
    )
    return "" if region == "ZZ" else region


def _geography(prefix: str, number: str) -> dict[str, str]:
    # Sent for both parties, empty when unknown (the sandbox knows only countries).
    return {
        f"{prefix}City": "",
        f"{prefix}Country": _country(number),
        f"{prefix}State": "",
        f"{prefix}Zip": "",
    }


def call_parameters(account_sid: str, call_sid: str, simulation: Simulation) -> dict[str, str]:
    caller, called = simulation.from_number, simulation.to
    return {
        "AccountSid": account_sid,
        "ApiVersion": API_VERSION,
        "CallSid": call_sid,
        "CallStatus": "ringing",
        "Called": called,
        "Caller": caller,
        "Direction": "inbound",
        "From": caller,
        "To": called,
        **_geography("Called", called),
        **_geography("Caller", caller),
        **_geography("From", caller),
        **_geography("To", called),
    }


def message_parameters(
    account_sid: str, message_sid: str, simulation: Simulation, messaging_service_sid: str | None
) -> dict[str, str]:
    parameters = {
        "AccountSid": account_sid,
        "ApiVersion": API_VERSION,
        "Body": simulation.body,
        "From": simulation.from_number,
        "MessageSid": message_sid,
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsMessageSid": message_sid,
        "SmsSid": message_sid,
        "SmsStatus": "received",
        "To": simulation.to,
        **_geography("From", simulation.from_number),
        **_geography("To", simulation.to),
    }
    if messaging_service_sid:
        parameters["MessagingServiceSid"] = messaging_service_sid
    return parameters


def signature(auth_token: str, url: str, form: Mapping[str, str] | None) -> str:
    """X-Twilio-Signature: base64(HMAC-SHA1(auth token, URL + sorted name+value pairs))."""
    pairs = form or {}
    data = url + "".join(name + pairs[name] for name in sorted(pairs))
    digest = hmac.new(auth_token.encode("utf-8"), data.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def _without_fragment_and_userinfo(url: str) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=netloc, fragment=""))


def _masked(url: str) -> str:
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    userinfo, host = parts.netloc.rsplit("@", 1)
    return urlunsplit(parts._replace(netloc=f"{userinfo.split(':', 1)[0]}:********@{host}"))


def _with_query(url: str, parameters: Mapping[str, str]) -> str:
    parts = urlsplit(url)
    extra = urlencode(list(parameters.items()))
    return urlunsplit(parts._replace(query=f"{parts.query}&{extra}" if parts.query else extra))


# ---------------------------------------------------------------------------
# Calling one webhook


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


# The verbs a <Response> may hold (https://www.twilio.com/docs/voice/twiml,
# https://www.twilio.com/docs/messaging/twiml); names are case-sensitive. What the
# verbs hold is not checked here.
VOICE_VERBS = frozenset(
    {
        "Connect", "Dial", "Echo", "Enqueue", "Gather", "Hangup", "Leave", "Pause", "Pay",
        "Play", "Prompt", "Queue", "Record", "Redirect", "Refer", "Reject", "Say", "Sms",
        "Start", "Stop",
    }
)  # fmt: skip
MESSAGING_VERBS = frozenset({"Message", "Redirect"})


def _twiml_problem(kind: str, body: bytes) -> str | None:
    """Why this is not TwiML Twilio can run: not XML, a root other than <Response>, or
    a verb Twilio does not know. Document type declarations are refused (TwiML never
    needs one)."""
    parser = expat.ParserCreate()
    root: list[str] = []
    verbs = VOICE_VERBS if kind == "call" else MESSAGING_VERBS
    depth = 0
    unknown: list[str] = []

    def doctype(*_: object) -> None:
        raise ValueError("a document type declaration")

    def start(name: str, _attributes: object) -> None:
        nonlocal depth
        depth += 1
        if not root:
            root.append(name)
        elif depth == 2 and name not in verbs:
            unknown.append(name)

    def end(_name: str) -> None:
        nonlocal depth
        depth -= 1

    parser.StartDoctypeDeclHandler = doctype
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(body, True)
    except expat.ExpatError as error:
        return f"the answer is not well-formed XML ({error})"
    except ValueError:
        return "the answer declares a document type, which TwiML never has"
    if root != ["Response"]:
        return f"the root element is <{root[0] if root else ''}>, not <Response>"
    if unknown:
        what = "a call" if kind == "call" else "a message"
        return f"<{unknown[0]}> is not a TwiML verb for {what}"
    return None


def usable_answer(
    kind: str, status: int, content_type: str | None, body: bytes, truncated: bool
) -> str | None:
    """Why Twilio could not use this answer (and goes on to the fallback URL), or None."""
    if not 200 <= status < 300:
        return f"HTTP {status}, not a 2xx success"
    if truncated:
        return "the answer is larger than 64 kB"
    media = _media_type(content_type)
    if kind == "sms" and not body.strip():
        return None  # an empty answer: no reply
    if not media:
        return "the answer has no Content-Type"
    if media in XML_TYPES:
        return _twiml_problem(kind, body)
    if media == "text/plain" or (kind == "call" and media.startswith("audio/")):
        return None
    return f"the Content-Type {media} is not TwiML, text or audio"


class _BasicOnChallenge(httpx.Auth):
    """The URL's `user:password@`, sent as HTTP Basic authentication only when the
    server asks for it (a 401 with `WWW-Authenticate: Basic`), as Twilio does
    (https://www.twilio.com/docs/usage/security#http-authentication). Digest is not
    offered: the answer is then the 401."""

    def __init__(self, username: str, password: str) -> None:
        token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
        self._header = f"Basic {token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        response = yield request
        challenges = response.headers.get_list("www-authenticate") if response.status_code == 401 else []
        if any(challenge.lower().startswith("basic") for challenge in challenges):
            request.headers["Authorization"] = self._header
            yield request


async def _call(
    client: httpx.AsyncClient,
    hook: _Webhook,
    parameters: Mapping[str, str],
    auth_token: str,
    options: WebhookOptions,
    judge: Callable[[int, str | None, bytes, bool], str | None],
) -> dict[str, Any]:
    """Send one webhook request (and follow its redirects) as Twilio does; the report
    of what happened (never the Auth Token), with `usable` and `problem`: whether
    Twilio could use the answer (`judge` says why not), else why not."""
    limits = options.limits
    started = options.clock()
    method = hook.method
    url = hook.url
    form: Mapping[str, str] | None = parameters if method == "POST" else None
    # Each redirect followed: its status, where it pointed (absolute) and the next method.
    hops: list[dict[str, Any]] = []
    idempotency = str(uuid.uuid4())
    report: dict[str, Any] = {
        "role": hook.role,
        "url": _masked(hook.url),
        "method": hook.method,
        "signed": True,
        "idempotency_token": idempotency,
        "status": None,
        "content_type": None,
        "body": None,
        "truncated": False,
        "redirects": [],
        "error": None,
        "error_code": None,
        "problem": None,
    }
    parts = urlsplit(hook.url)
    auth = _BasicOnChallenge(parts.username, parts.password or "") if parts.username else None
    try:
        async with asyncio.timeout(limits.time_limit):
            while True:
                target = _without_fragment_and_userinfo(url)
                if form is None and not hops:
                    target = _with_query(target, parameters)
                headers = {
                    "User-Agent": USER_AGENT,
                    "Accept": "*/*",
                    "I-Twilio-Idempotency-Token": idempotency,
                    "X-Home-Region": "us1",
                    "X-Twilio-Signature": signature(auth_token, target, form),
                }
                timeout = httpx.Timeout(limits.time_limit, connect=limits.connect_timeout)
                request = client.build_request(
                    method,
                    target,
                    data=dict(form) if form is not None else None,
                    headers=headers,
                    timeout=timeout,
                )
                same_origin = urlsplit(target)[:2] == urlsplit(_without_fragment_and_userinfo(hook.url))[:2]
                response = await client.send(request, auth=auth if same_origin else None, stream=True)
                try:
                    body, truncated = await _read(response, limits.max_body_bytes)
                finally:
                    await response.aclose()
                location = response.headers.get("location")
                if response.status_code in FOLLOWED_REDIRECTS and location:
                    if len(hops) >= limits.max_redirects:
                        report.update(
                            status=response.status_code,
                            error=f"more than {limits.max_redirects} redirects in a row",
                            error_code=11215,
                        )
                        break
                    next_url = str(httpx.URL(target).join(location.strip()))
                    if urlsplit(next_url).scheme not in ("http", "https"):
                        report.update(
                            status=response.status_code,
                            error=f"a redirect to {location!r}, not an http(s) URL",
                            error_code=11216,
                        )
                        break
                    # As a browser does (Twilio says it follows redirects like one).
                    if response.status_code == 303 or (
                        response.status_code in (301, 302) and method == "POST"
                    ):
                        method, form = "GET", None
                    hops.append(
                        {"status": response.status_code, "location": _masked(next_url), "method": method}
                    )
                    url = next_url
                    continue
                report.update(
                    status=response.status_code,
                    content_type=response.headers.get("content-type"),
                    body=body.decode("utf-8", errors="replace"),
                    truncated=truncated,
                    problem=judge(
                        response.status_code, response.headers.get("content-type"), body, truncated
                    ),
                )
                break
    except TimeoutError:
        report.update(error=f"no complete answer within {limits.time_limit:g} s", error_code=11205)
    except httpx.ConnectTimeout:
        report.update(error=f"no connection within {limits.connect_timeout:g} s", error_code=11205)
    except httpx.TimeoutException:
        report.update(error=f"no complete answer within {limits.time_limit:g} s", error_code=11205)
    except httpx.ConnectError as error:
        report.update(error=f"could not connect: {error}", error_code=11205)
    except (httpx.HTTPError, httpx.InvalidURL, OSError) as error:
        report.update(error=f"the request failed: {type(error).__name__}: {error}", error_code=11200)
    if report["error"] is not None:
        report["problem"] = report["error"]
    report["usable"] = report["problem"] is None
    report["redirects"] = hops
    report["elapsed"] = round(options.clock() - started, 3)
    return report


async def _read(response: httpx.Response, limit: int) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return b"".join(chunks)[:limit], True
    return b"".join(chunks), False


# ---------------------------------------------------------------------------
# The whole simulation


def _status_answer(status: int, _content_type: str | None, _body: bytes, _truncated: bool) -> str | None:
    # A status callback needs only a 2xx; its body is ignored.
    return None if 200 <= status < 300 else f"HTTP {status}, not a 2xx success"


async def simulate(
    state: Mapping[str, Any],
    simulation: Simulation,
    options: WebhookOptions = WebhookOptions(),
    *,
    sequence: int,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Call the webhooks Twilio would call for `simulation` and report every request
    (JSON-ready). `state` is a snapshot, read up front; `sequence` (the sandbox's
    count of simulations) makes the call or message SID the same on every run."""
    plan = plan_simulation(state, simulation)
    account = ACCOUNTS[plan.account_sid]
    prefix = "CA" if simulation.kind == "call" else "SM"
    sid = make_sid(prefix, plan.account_sid, simulation.to, str(sequence))
    if simulation.kind == "call":
        parameters = call_parameters(plan.account_sid, sid, simulation)
    else:
        parameters = message_parameters(plan.account_sid, sid, simulation, plan.messaging_service_sid)
    report: dict[str, Any] = {
        "kind": simulation.kind,
        "to": simulation.to,
        "from": simulation.from_number,
        "account_sid": plan.account_sid,
        "phone_number_sid": plan.number["sid"],
        "sid": sid,
        "handled_by": plan.taken_by,
        "fallback_configured": plan.fallback is not None,
        "requests": [],
        "skipped": list(plan.skipped),
    }
    hooks = [hook for hook in (plan.primary, plan.fallback) if hook is not None]
    if not hooks and plan.status_callback is None:
        return report

    def judge(status: int, content_type: str | None, body: bytes, truncated: bool) -> str | None:
        return usable_answer(simulation.kind, status, content_type, body, truncated)

    # Direct connections, as Twilio makes them: no proxy from the environment.
    verify = verified_tls_context() if options.transport is None else True
    async with httpx.AsyncClient(transport=options.transport, trust_env=False, verify=verify) as client:
        for hook in hooks:  # the fallback only when the URL before it failed
            answer = await _call(client, hook, parameters, account.auth_token, options, judge)
            report["requests"].append(answer)
            if answer["usable"]:
                break
        if simulation.kind == "call" and plan.status_callback is not None:
            completed = {
                **parameters,
                "CallStatus": "completed",
                "CallDuration": "0",
                "CallbackSource": "call-progress-events",
                "SequenceNumber": "0",
                "Timestamp": format_datetime((now or utc_now()).astimezone(UTC)),
            }
            answer = await _call(
                client, plan.status_callback, completed, account.auth_token, options, _status_answer
            )
            report["requests"].append(answer)
    return report
