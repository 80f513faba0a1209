"""Call a number's webhooks the way Twilio will, and say whether Twilio would be happy.

One request per URL per check (plus the 401 round trip HTTP authentication needs
when the URL carries `user:password@`), at most `max_redirects` redirects followed
(each one recorded), Twilio's 15 s limit, at most 64 kB of answer read. Only the
URL given (and where it redirects) is called. The Auth Token is used to sign and
for nothing else: it is in no verdict, log line or exception.

Requests carry what Twilio's carry: its parameter names with test values
(tui/domain/webhooks.py), `X-Twilio-Signature`, `I-Twilio-Idempotency-Token`,
`User-Agent: TwilioProxy/1.1`, `X-Home-Region`, and a form body for POST (headers as
in Twilio Labs' webhook emulator, https://github.com/twilio-labs/plugin-webhook).

Redirects: Twilio follows 301, 302, 303 and 307 (https://www.twilio.com/docs/api/errors/11216)
"just like a normal web browser" (https://www.twilio.com/docs/api/twiml/your_response):
a POST redirected by 301, 302 or 303 goes on as a GET without the form (reported for
Twilio in https://github.com/twilio/OpenVBX/issues/198), a 307 repeats the POST.
Twilio does not document how it signs the next request; each hop here is signed for
its own URL, and the verdict advises configuring the final URL directly.
"""

from __future__ import annotations

import asyncio
import secrets
import socket
import ssl
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from tui.domain import rules
from tui.domain.credentials import Credentials, Secret
from tui.domain.twiml import MAX_TWIML_BYTES
from tui.domain.webhook_verdicts import (
    FOLLOWED_REDIRECTS,
    RedirectHop,
    WebhookVerdict,
    failure_outcome,
    judge_answer,
    kind_words,
)
from tui.domain.webhooks import (
    API_VERSION,
    TEST_ACCOUNT_SID,
    TEST_CALLED,
    TWILIO_CONNECT_LIMIT,
    TWILIO_TIME_LIMIT,
    ConnectionOverrides,
    Reachability,
    WebhookKind,
    classify_url,
    host_needs_lookup,
    marked_sid,
    masked_url,
    request_parameters,
    signature_url,
    twilio_signature,
    url_with_parameters,
    without_fragment,
    without_userinfo,
)
from tui.services.credentials.redact import register_secret
from tui.services.tls import verified_context

TWILIO_USER_AGENT = "TwilioProxy/1.1"
HOME_REGION = "us1"

Resolver = Callable[[str], Awaitable[list[str]]]
# Seconds from an arbitrary start (time.perf_counter); snapshot tests give a fixed one.
Clock = Callable[[], float]


@dataclass(frozen=True)
class WebhookLimits:
    """How far one check goes. Twilio's values by default; tests shrink the time."""

    time_limit: float = TWILIO_TIME_LIMIT  # for each request, connection included
    connect_timeout: float = TWILIO_CONNECT_LIMIT
    max_redirects: int = 5
    max_body_bytes: int = MAX_TWIML_BYTES
    lookup_timeout: float = 3.0  # resolving the host here, to spot private addresses


@dataclass(frozen=True)
class Signing:
    """Whose account the requests claim to come from, and the Auth Token that signs
    them (None: unsigned, `unsigned_reason` says why)."""

    account_sid: str
    auth_token: Secret | None = None
    unsigned_reason: str | None = None

    @property
    def signed(self) -> bool:
        return self.auth_token is not None

    @classmethod
    def unsigned(cls, reason: str, account_sid: str | None = None) -> Signing:
        return cls(account_sid or TEST_ACCOUNT_SID, None, reason)

    @classmethod
    def from_credentials(
        cls, credentials: Credentials | None, *, missing_reason: str | None = None
    ) -> Signing:
        """Sign with the Auth Token when the credentials are one; an API key cannot
        sign (Twilio signs webhooks with the account's Auth Token, which an API key
        does not reveal)."""
        if credentials is None:
            return cls.unsigned(missing_reason or "no credentials: the Auth Token that signs is not known")
        if credentials.auth_kind == "api_key":
            return cls.unsigned(
                f"these are API key credentials ({credentials.api_key_sid}); Twilio signs webhooks "
                "with the account's Auth Token, which is not known here",
                credentials.account_sid,
            )
        return cls(credentials.account_sid, credentials.secret)


@dataclass(frozen=True)
class WebhookTarget:
    """One URL to check, and what it is for.

    `fallback`: this is a fallback URL (nothing comes after it). `has_fallback`:
    for a primary URL, whether a fallback URL is configured (None: not known)."""

    url: str
    kind: WebhookKind
    method: str = "POST"
    label: str | None = None
    fallback: bool = False
    has_fallback: bool | None = None

    @property
    def title(self) -> str:
        if self.label:
            return self.label
        words = kind_words(self.kind, self.fallback)
        return (
            f"{words[0].upper()}{words[1:]} URL" if self.kind is not WebhookKind.STATUS else "Status callback"
        )


@dataclass(frozen=True)
class SkippedUrls:
    """URLs of a number's settings that Twilio would not call, and why."""

    kind: WebhookKind
    reason: str

    def __str__(self) -> str:
        return self.reason


@dataclass(frozen=True)
class WebhookPlan:
    """The URLs a number's settings make Twilio call, and why others are not called."""

    targets: tuple[WebhookTarget, ...]
    skipped: tuple[SkippedUrls, ...] = ()
    to_number: str | None = None
    api_version: str = API_VERSION

    def only(self, *kinds: WebhookKind) -> WebhookPlan:
        """The part of the plan about these kinds of URL (a wizard step's own)."""
        return WebhookPlan(
            tuple(t for t in self.targets if t.kind in kinds),
            tuple(s for s in self.skipped if s.kind in kinds),
            self.to_number,
            self.api_version,
        )


def _setting(settings: Any, name: str) -> Any:
    value = settings.get(name) if isinstance(settings, Mapping) else getattr(settings, name, None)
    if isinstance(value, str):
        value = value.strip() or None
    return value


def plan_number_webhooks(settings: Any) -> WebhookPlan:
    """Which URLs Twilio would call for a number with these settings: a
    `PurchaseRequest`, an `IncomingPhoneNumber`, a draft's field mapping (model
    field names). Voice URLs are not called when a SIP trunk or a voice application
    takes the calls (or the number receives faxes); SMS URLs not when a messaging
    application takes the messages."""
    targets: list[WebhookTarget] = []
    skipped: list[SkippedUrls] = []

    def method(name: str) -> str:
        return str(_setting(settings, name) or "POST").upper()

    voice_taken_by = (
        "a SIP trunk"
        if _setting(settings, "trunk_sid")
        else "a voice application"
        if _setting(settings, "voice_application_sid")
        else None
    )
    voice_url = _setting(settings, "voice_url")
    voice_fallback = _setting(settings, "voice_fallback_url")
    if voice_taken_by and (voice_url or voice_fallback):
        skipped.append(
            SkippedUrls(WebhookKind.VOICE, f"Voice URLs not called: calls go to {voice_taken_by}.")
        )
    elif _setting(settings, "voice_receive_mode") == "fax" and (voice_url or voice_fallback):
        skipped.append(
            SkippedUrls(
                WebhookKind.VOICE,
                "Voice URLs not checked: the number receives faxes, whose TwiML is not checked here.",
            )
        )
    else:
        if voice_url:
            targets.append(
                WebhookTarget(
                    voice_url, WebhookKind.VOICE, method("voice_method"), has_fallback=bool(voice_fallback)
                )
            )
        if voice_fallback:
            targets.append(
                WebhookTarget(
                    voice_fallback, WebhookKind.VOICE, method("voice_fallback_method"), fallback=True
                )
            )
    sms_url = _setting(settings, "sms_url")
    sms_fallback = _setting(settings, "sms_fallback_url")
    if _setting(settings, "sms_application_sid") and (sms_url or sms_fallback):
        skipped.append(
            SkippedUrls(WebhookKind.SMS, "SMS URLs not called: messages go to a messaging application.")
        )
    else:
        if sms_url:
            targets.append(
                WebhookTarget(sms_url, WebhookKind.SMS, method("sms_method"), has_fallback=bool(sms_fallback))
            )
        if sms_fallback:
            targets.append(
                WebhookTarget(sms_fallback, WebhookKind.SMS, method("sms_fallback_method"), fallback=True)
            )
    status_callback = _setting(settings, "status_callback")
    if status_callback:
        targets.append(WebhookTarget(status_callback, WebhookKind.STATUS, method("status_callback_method")))
    return WebhookPlan(
        tuple(targets),
        tuple(skipped),
        to_number=_setting(settings, "phone_number"),
        api_version=_setting(settings, "api_version") or API_VERSION,
    )


def _verify(transport: httpx.AsyncBaseTransport | None) -> ssl.SSLContext | bool:
    """The shared context for a client that opens its own connections: the one
    httpx builds for `trust_env=False` (certifi's bundle, SSL_CERT_FILE ignored)."""
    return verified_context(trust_env=False) if transport is None else True


async def resolve_host(host: str) -> list[str]:
    """The addresses `host` resolves to here ([] when it does not)."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class _ChallengeAuth(httpx.Auth):
    """HTTP authentication from the URL's `user:password@`, sent only when the server
    asks (a 401 with WWW-Authenticate), Basic or Digest."""

    def __init__(self, username: str, password: str) -> None:
        self._username = username
        self._password = password

    def auth_flow(self, request: httpx.Request):
        digest = httpx.DigestAuth(self._username, self._password).auth_flow(request)
        response = yield next(digest)
        challenges = response.headers.get_list("www-authenticate") if response.status_code == 401 else []
        if any(c.lower().startswith("digest ") for c in challenges):
            try:
                yield digest.send(response)
            except StopIteration:
                return
        elif any(c.lower().startswith("basic") for c in challenges):
            basic = httpx.BasicAuth(self._username, self._password)
            yield from basic.auth_flow(request)


def _chain(error: BaseException) -> Iterable[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _network_failure(error: Exception, url: str, time_words: str, connect_limit: float) -> tuple[str, int]:
    """A failed request in plain words, and the error Twilio would log."""
    host = httpx.URL(url).host
    if isinstance(error, httpx.InvalidURL):
        # httpx reads a redirect's Location as it arrives; the request's own URL was checked.
        return "the answer redirects to a Location that is not an http(s) URL", 11216
    chain = list(_chain(error))
    if any(isinstance(e, socket.gaierror) for e in chain):
        return f"the host name {host} does not resolve from here (DNS)", 11210
    verify = next((e for e in chain if isinstance(e, ssl.SSLCertVerificationError)), None)
    if verify is not None:
        reason = getattr(verify, "verify_message", None) or "not trusted"
        return f"the server's TLS certificate is not valid: {reason}", 11237
    if any(isinstance(e, ssl.SSLError) for e in chain):
        return "the TLS handshake failed", 11220
    if isinstance(error, httpx.ConnectTimeout):
        return f"no connection to {host} within {connect_limit:g} s", 11205
    if isinstance(error, (httpx.TimeoutException, TimeoutError)):
        return f"no complete answer within {time_words}", 11205
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or "refused" in str(error).lower():
        return f"the connection to {host} was refused: nothing listens there", 11205
    if isinstance(error, httpx.ConnectError):
        return f"could not connect to {host}: {error}", 11205
    if isinstance(error, httpx.RemoteProtocolError):
        return f"the server broke the HTTP protocol: {error}", 11206
    return f"the request failed: {type(error).__name__}", 11200


@dataclass
class _Answer:
    status: int
    content_type: str | None
    location: str | None
    body: bytes
    truncated: bool
    elapsed: float


async def _send(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    form: Mapping[str, str] | None,
    headers: Mapping[str, str],
    auth: httpx.Auth | None,
    limits: WebhookLimits,
    time_limit: float,
    connect_limit: float,
    clock: Clock,
) -> _Answer:
    started = clock()
    timeout = httpx.Timeout(connect=connect_limit, read=time_limit, write=time_limit, pool=time_limit)
    request = client.build_request(
        method, url, data=dict(form) if form is not None else None, headers=dict(headers), timeout=timeout
    )
    async with asyncio.timeout(time_limit):
        response = await client.send(request, auth=auth, follow_redirects=False, stream=True)
        try:
            chunks: list[bytes] = []
            size = 0
            truncated = False
            async for chunk in response.aiter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size > limits.max_body_bytes:
                    truncated = True
                    break
        finally:
            await response.aclose()
    body = b"".join(chunks)[: limits.max_body_bytes]
    return _Answer(
        response.status_code,
        response.headers.get("content-type"),
        response.headers.get("location"),
        body,
        truncated,
        clock() - started,
    )


def _redirect_target(base: str, location: str | None) -> str | None:
    """Where a Location header points, absolute, or None when it is missing or not
    an http(s) URL."""
    if not location:
        return None
    try:
        target = httpx.URL(base).join(location.strip())
    except (httpx.InvalidURL, ValueError):
        return None
    return str(target) if target.scheme in ("http", "https") and target.host else None


def _origin(url: str) -> tuple[str, str, int | None]:
    parsed = httpx.URL(url)
    return parsed.scheme, parsed.host, parsed.port


async def _reachability(url: str, resolver: Resolver | None, limits: WebhookLimits) -> Reachability:
    host = host_needs_lookup(url)
    resolved: list[str] | None = None
    if host and resolver is not None:
        try:
            resolved = await asyncio.wait_for(resolver(host), limits.lookup_timeout)
        except TimeoutError:
            resolved = None
    return classify_url(url, resolved)


def _invalid(target: WebhookTarget, signing: Signing, problem: str) -> WebhookVerdict:
    return WebhookVerdict(
        url=masked_url(target.url),
        kind=target.kind,
        label=target.title,
        method=target.method,
        signed=False,
        unsigned_reason=None,
        reachable_by_twilio=False,
        reachability=problem,
        accepted=False,
        what_twilio_does="Twilio would not take this URL; nothing was sent.",
        problems=(problem,),
        twilio_error=None,
    )


async def check_webhook(
    target: WebhookTarget,
    *,
    signing: Signing,
    to_number: str | None = None,
    api_version: str = API_VERSION,
    client: httpx.AsyncClient | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    limits: WebhookLimits = WebhookLimits(),
    resolver: Resolver | None = resolve_host,
    clock: Clock = time.perf_counter,
) -> WebhookVerdict:
    """Send `target` the request Twilio would send and judge the answer.

    Give `client` to share a connection pool (it is not closed), or `transport` for
    a client made here (tests, the in-process sandbox). `resolver` looks the host up
    to spot names that resolve to private addresses (None: do not look up). `clock`
    times the answers."""
    try:
        rules.url(target.url)
        method = rules.http_method(target.method)
    except rules.RuleError as error:
        return _invalid(target, signing, str(error))
    target = WebhookTarget(
        target.url.strip(), target.kind, method, target.label, target.fallback, target.has_fallback
    )
    if client is None:
        # Direct connections, as Twilio makes them: a proxy from the environment
        # would change what is reachable.
        async with httpx.AsyncClient(transport=transport, trust_env=False, verify=_verify(transport)) as own:
            return await _check(target, signing, to_number, api_version, own, limits, resolver, clock)
    return await _check(target, signing, to_number, api_version, client, limits, resolver, clock)


async def _check(
    target: WebhookTarget,
    signing: Signing,
    to_number: str | None,
    api_version: str,
    client: httpx.AsyncClient,
    limits: WebhookLimits,
    resolver: Resolver | None,
    clock: Clock,
) -> WebhookVerdict:
    overrides = ConnectionOverrides.from_url(target.url)
    time_limit = min(limits.time_limit, overrides.total_time or TWILIO_TIME_LIMIT)
    connect_limit = min(limits.connect_timeout, overrides.connect_timeout or TWILIO_CONNECT_LIMIT, time_limit)
    notes = list(overrides.notes)
    if overrides.total_time is not None and overrides.total_time <= limits.time_limit:
        time_words = f"{time_limit:g} s, as long as Twilio waits for this URL (its #tt)"
    elif time_limit < TWILIO_TIME_LIMIT:
        time_words = f"{time_limit:g} s (the limit set for this check; Twilio waits {TWILIO_TIME_LIMIT:g} s)"
    else:
        time_words = f"{time_limit:g} s, as long as Twilio waits"

    parsed = httpx.URL(target.url)
    auth: httpx.Auth | None = None
    if parsed.username or parsed.password:
        register_secret(parsed.password)
        auth = _ChallengeAuth(parsed.username, parsed.password)
    start_origin = _origin(target.url)

    reachability = await _reachability(target.url, resolver, limits)
    warnings: list[str] = [reachability.warning] if reachability.warning else []

    sid = marked_sid("SM" if target.kind is WebhookKind.SMS else "CA", secrets.token_hex(10))
    parameters = request_parameters(
        target.kind,
        account_sid=signing.account_sid,
        sid=sid,
        to_number=to_number or TEST_CALLED,
        api_version=api_version,
    )
    base_headers = {
        "User-Agent": TWILIO_USER_AGENT,
        "Accept": "*/*",
        "Accept-Encoding": "gzip",
        "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
        "X-Home-Region": HOME_REGION,
    }

    method = target.method
    url = without_fragment(target.url)  # what is configured, minus overrides
    form: Mapping[str, str] | None = parameters if method == "POST" else None
    hops: list[RedirectHop] = []
    elapsed = 0.0

    def refused(problem: str, code: int, answer: _Answer | None = None) -> WebhookVerdict:
        return _verdict(
            target,
            signing,
            reachability,
            accepted=False,
            outcome=failure_outcome(
                target.kind, code, fallback=target.fallback, has_fallback=target.has_fallback
            ),
            problems=(problem,),
            warnings=warnings,
            notes=notes,
            twilio_error=code,
            hops=hops,
            elapsed=elapsed,
            status=answer.status if answer else None,
            content_type=answer.content_type if answer else None,
            time_limit=time_limit,
        )

    while True:
        if form is not None:
            request_url = url
            headers = {**base_headers, "Content-Type": "application/x-www-form-urlencoded"}
        else:
            request_url = url_with_parameters(url, parameters) if not hops else url
            headers = dict(base_headers)
        if signing.auth_token is not None:
            headers["X-Twilio-Signature"] = twilio_signature(
                signing.auth_token.reveal(), signature_url(request_url), form
            )
        hop_auth = auth if auth is not None and _origin(request_url) == start_origin else None
        send_url = without_userinfo(request_url)
        started = clock()
        try:
            answer = await _send(
                client, method, send_url, form, headers, hop_auth, limits, time_limit, connect_limit, clock
            )
        except (httpx.HTTPError, httpx.InvalidURL, TimeoutError, OSError) as error:
            elapsed += clock() - started
            return refused(*_network_failure(error, send_url, time_words, connect_limit))
        elapsed += answer.elapsed
        if 300 <= answer.status < 400 and answer.status != 304:
            next_url = _redirect_target(request_url, answer.location)
            if answer.status not in FOLLOWED_REDIRECTS or next_url is None:
                if answer.status not in FOLLOWED_REDIRECTS:
                    problem = (
                        f"the answer is a {answer.status} redirect, which Twilio does not follow "
                        "(it follows 301, 302, 303 and 307 only)"
                    )
                elif not answer.location:
                    problem = f"the answer is a {answer.status} redirect without a Location header"
                else:
                    problem = f"the answer redirects to {answer.location!r}, which is not an http(s) URL"
                return refused(problem, 11216, answer)
            if len(hops) >= limits.max_redirects:
                problem = (
                    f"more than {limits.max_redirects} redirects in a row (a loop?); number-wizard "
                    "stops there and Twilio gives up on long chains too"
                )
                return refused(problem, 11215, answer)
            if answer.status == 303 or (answer.status in (301, 302) and method == "POST"):
                method, form = "GET", None
            hops.append(RedirectHop(answer.status, masked_url(next_url), method, answer.elapsed))
            hop_reach = await _reachability(next_url, resolver, limits)
            if not hop_reach.reachable and reachability.reachable:
                reachability = Reachability(
                    False,
                    f"it redirects to {masked_url(next_url)}, and {hop_reach.reason}",
                    hop_reach.twilio_error,
                )
            url = next_url
            continue
        break

    judgement = judge_answer(
        target.kind,
        status=answer.status,
        content_type=answer.content_type,
        body=answer.body,
        truncated=answer.truncated,
        fallback=target.fallback,
        has_fallback=target.has_fallback,
    )
    warnings.extend(judgement.warnings)
    if hops:
        moved = " → ".join(hop.location for hop in hops)
        plural = "s" if len(hops) > 1 else ""
        advice = f"Twilio follows the redirect{plural} ({moved}), but configure the final URL directly"
        if any(hop.method == "GET" for hop in hops) and target.method == "POST":
            advice += ": a POST redirected by 301, 302 or 303 arrives as a GET without Twilio's parameters"
        warnings.append(advice + "; Twilio does not document how it signs a redirected request.")
    if judgement.accepted and elapsed > time_limit * 2 / 3:
        warnings.append(f"the answer took {elapsed:.1f} s, close to the {time_limit:g} s Twilio waits")

    if reachability.reachable:
        outcome, answer_words, code = judgement.outcome, None, judgement.twilio_error
    else:
        code = reachability.twilio_error
        outcome = failure_outcome(
            target.kind, code, fallback=target.fallback, has_fallback=target.has_fallback
        )
        answer_words = judgement.outcome
    excerpt = _body_excerpt(answer.body) if not judgement.accepted else None
    return _verdict(
        target,
        signing,
        reachability,
        accepted=judgement.accepted,
        outcome=outcome,
        answer=answer_words,
        problems=judgement.problems,
        warnings=warnings,
        notes=notes,
        twilio_error=code,
        hops=hops,
        elapsed=elapsed,
        status=answer.status,
        content_type=answer.content_type,
        excerpt=excerpt,
        time_limit=time_limit,
    )


def _body_excerpt(body: bytes, limit: int = 160) -> str | None:
    text = " ".join(body.decode("utf-8", errors="replace").split())
    if not text:
        return None
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _verdict(
    target: WebhookTarget,
    signing: Signing,
    reachability: Reachability,
    *,
    accepted: bool,
    outcome: str,
    problems: Iterable[str],
    warnings: Iterable[str],
    notes: Iterable[str],
    twilio_error: int | None,
    hops: list[RedirectHop],
    elapsed: float | None,
    time_limit: float,
    answer: str | None = None,
    status: int | None = None,
    content_type: str | None = None,
    excerpt: str | None = None,
) -> WebhookVerdict:
    return WebhookVerdict(
        url=masked_url(target.url),
        kind=target.kind,
        label=target.title,
        method=target.method,
        signed=signing.signed,
        unsigned_reason=signing.unsigned_reason,
        reachable_by_twilio=reachability.reachable,
        reachability=reachability.reason,
        accepted=accepted,
        what_twilio_does=outcome,
        answer=answer,
        status=status,
        elapsed=elapsed,
        content_type=content_type,
        redirects=tuple(hops),
        problems=tuple(problems),
        warnings=tuple(warnings),
        twilio_error=twilio_error,
        body_excerpt=excerpt,
        time_limit=time_limit,
        notes=tuple(notes),
    )


async def check_number_webhooks(
    settings: Any | WebhookPlan,
    *,
    signing: Signing,
    client: httpx.AsyncClient | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    limits: WebhookLimits = WebhookLimits(),
    resolver: Resolver | None = resolve_host,
    clock: Clock = time.perf_counter,
) -> list[WebhookVerdict]:
    """Check every URL a number's settings make Twilio call (see
    `plan_number_webhooks`), concurrently, in the order voice, voice fallback, SMS,
    SMS fallback, status callback. URLs Twilio would not call are not called."""
    plan = settings if isinstance(settings, WebhookPlan) else plan_number_webhooks(settings)
    if not plan.targets:
        return []

    async def run(own: httpx.AsyncClient) -> list[WebhookVerdict]:
        return list(
            await asyncio.gather(
                *(
                    check_webhook(
                        target,
                        signing=signing,
                        to_number=plan.to_number,
                        api_version=plan.api_version,
                        client=own,
                        limits=limits,
                        resolver=resolver,
                        clock=clock,
                    )
                    for target in plan.targets
                )
            )
        )

    if client is not None:
        return await run(client)
    async with httpx.AsyncClient(transport=transport, trust_env=False, verify=_verify(transport)) as own:
        return await run(own)


@dataclass(frozen=True)
class WebhookChecker:
    """How the wizard and `buy --check-webhooks` call webhooks: directly, with real
    DNS, by default. Tests give a transport that routes every host to a loopback
    receiver, no resolver, and a clock that makes the times shown the same on every
    run."""

    transport: httpx.AsyncBaseTransport | None = None
    resolver: Resolver | None = resolve_host
    limits: WebhookLimits = WebhookLimits()
    clock: Clock = time.perf_counter

    async def check(self, settings: Any | WebhookPlan, signing: Signing) -> list[WebhookVerdict]:
        """`check_number_webhooks` with this checker's transport, resolver, limits
        and clock."""
        return await check_number_webhooks(
            settings,
            signing=signing,
            transport=self.transport,
            limits=self.limits,
            resolver=self.resolver,
            clock=self.clock,
        )
