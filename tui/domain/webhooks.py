"""Webhooks as Twilio calls them: who can be reached, how requests are signed, which
parameters they carry. Pure (no I/O); tui/services/webhooks.py sends the requests.

Sources:

- signature: https://www.twilio.com/docs/usage/security#validating-requests
  (base64 of HMAC-SHA1 keyed with the Auth Token over the full URL, then, for a POST,
  each form parameter's name and value sorted by name; for a GET the parameters are
  in the URL); Twilio drops `user:password@` from the URL before signing (the same
  page's notes). Checked in the tests against twilio-python's RequestValidator.
- parameters of an incoming call: https://www.twilio.com/docs/voice/twiml#request-parameters;
  of an incoming message: https://www.twilio.com/docs/messaging/guides/webhook-request;
  of a call status callback: https://www.twilio.com/docs/voice/api/call-resource#statuscallback.
- time limits: https://www.twilio.com/docs/api/errors/11205 (10 s to connect, 15 s in
  all for the answer) and the URL fragment overrides of
  https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from enum import StrEnum
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import phonenumbers


class WebhookKind(StrEnum):
    """What Twilio is telling the URL about, which decides what it sends and expects."""

    VOICE = "voice"  # an incoming call: TwiML expected
    SMS = "sms"  # an incoming message: TwiML or nothing expected
    STATUS = "status"  # a call's status callback: any 2xx, body ignored


API_VERSION = "2010-04-01"

# Test values are marked so that nobody mistakes them for real traffic in a log:
# SIDs carry "000000007e57" ("test" in hex-speak) after their prefix, the numbers
# are in the +1 500 555 range Twilio keeps for tests
# (https://www.twilio.com/docs/iam/test-credentials), and a message says what it is.
TEST_SID_MARKER = "000000007e57"
TEST_CALLER = "+15005550100"
TEST_CALLED = "+15005550006"
TEST_MESSAGE_BODY = "number-wizard webhook test"
TEST_ACCOUNT_SID = "AC" + TEST_SID_MARKER + "0" * 20

# Twilio's own limits, in seconds (error 11205).
TWILIO_TIME_LIMIT = 15.0
TWILIO_CONNECT_LIMIT = 10.0


def marked_sid(prefix: str, random_hex: str) -> str:
    """A SID that is well-formed (prefix + 32 hex digits) and visibly a test one."""
    tail = (random_hex.lower() + "0" * 20)[:20]
    return f"{prefix}{TEST_SID_MARKER}{tail}"


# ---------------------------------------------------------------------------
# Reachability


@dataclass(frozen=True)
class Reachability:
    """Can Twilio, calling from the public internet, reach this URL's host?

    `reason` says why not, in plain words; `twilio_error` is what Twilio would log
    (11210 for a name public DNS does not know, 11205 for an address it cannot
    connect to). `warning` is for a URL Twilio can reach but should not be given
    (plain http)."""

    reachable: bool
    reason: str | None = None
    twilio_error: int | None = None
    warning: str | None = None


_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_RFC1918 = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
_UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")

# Names public DNS never answers for: RFC 6761 (localhost, test, example, invalid),
# RFC 6762 (local: multicast DNS), RFC 8375 (home.arpa), ICANN's private-use
# .internal (2024), and the private suffixes routers and companies commonly use.
_PRIVATE_SUFFIXES = {
    "local": "a multicast-DNS (.local) name, which resolves only on your own network",
    "internal": "a private-use (.internal) name, which public DNS does not know",
    "home.arpa": "a home-network (.home.arpa) name, which public DNS does not know",
    "lan": "a local-network (.lan) name, which public DNS does not know",
    "intranet": "an intranet (.intranet) name, which public DNS does not know",
    "corp": "a private (.corp) name, which public DNS does not know",
    "home": "a home-network (.home) name, which public DNS does not know",
    "private": "a private (.private) name, which public DNS does not know",
    "test": "a reserved test (.test) name, which public DNS does not know",
    "example": "a reserved (.example) name, which public DNS does not know",
    "invalid": "a reserved (.invalid) name, which no DNS knows",
}


def address_problem(address: str | ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why an internet host (Twilio) cannot connect to this address, or None."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_unspecified:
        return "the unspecified address, which no machine has"
    if ip.is_loopback:
        return "a loopback address, which only this machine can reach"
    if ip.is_link_local:
        return "a link-local address, which only machines on the same network link can reach"
    if ip in _CGNAT:
        return "in the carrier-grade NAT range 100.64.0.0/10, which the internet cannot reach"
    if any(ip in network for network in _RFC1918):
        return "a private (RFC 1918) address, which only machines on that private network can reach"
    if ip in _UNIQUE_LOCAL:
        return "a unique-local IPv6 address (fc00::/7), which only that private network can reach"
    if ip.is_multicast:
        return "a multicast address, which a web server cannot have"
    if not ip.is_global:
        return "a reserved address, not one on the public internet"
    return None


def _host_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def host_needs_lookup(url: str) -> str | None:
    """The host name to resolve before `classify_url` can judge it, or None when its
    name or address already decides (an IP literal, localhost, a private suffix)."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if not host or _host_literal(host) is not None or _name_problem(host):
        return None
    return host


def _name_problem(host: str) -> tuple[str, int] | None:
    """Why Twilio cannot reach a host of this name, and the error it would log:
    11205 (connection failure) for its own localhost, 11210 (bad host name) for a
    name public DNS does not answer."""
    if host == "localhost" or host.endswith(".localhost"):
        return "a name for this machine (localhost), which only this machine can reach", 11205
    for suffix, reason in _PRIVATE_SUFFIXES.items():
        if host == suffix or host.endswith("." + suffix):
            return reason, 11210
    if "." not in host:
        return "a single-label name without a domain, which public DNS does not know", 11210
    return None


def classify_url(url: str, resolved: Sequence[str] | None = None) -> Reachability:
    """Judge whether Twilio can reach `url`.

    `resolved` are the addresses the host name resolves to *here* (None when not
    looked up); when every one of them is private, Twilio, which resolves the name
    on the public internet, most likely cannot reach it either."""
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".").lower()
    literal = _host_literal(host)
    if literal is not None:
        problem = address_problem(literal)
        if problem:
            return Reachability(False, f"{host} is {problem}", 11205)
    else:
        named = _name_problem(host)
        if named:
            return Reachability(False, f"{host} is {named[0]}", named[1])
        if resolved:
            problems = [address_problem(address) for address in resolved]
            if all(problems):
                first = resolved[0]
                return Reachability(
                    False,
                    f"{host} resolves here to {first}, {problems[0]}; Twilio looks the name up on "
                    "the public internet and cannot reach that address",
                    11205,
                )
    if parts.scheme.lower() == "http":
        return Reachability(
            True,
            warning=(
                "plain http: Twilio can call it, but the request, its signature and the caller's "
                "number cross the internet unencrypted; use https"
            ),
        )
    return Reachability(True)


# ---------------------------------------------------------------------------
# URLs: what is sent, what is signed, what is shown


def without_fragment(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(fragment=""))


def without_userinfo(url: str) -> str:
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def signature_url(url: str) -> str:
    """The URL Twilio signs: as called, minus `user:password@` (Twilio drops them,
    https://www.twilio.com/docs/usage/security) and minus the `#fragment` (connection
    overrides, never sent over HTTP). The port stays as written: twilio-python's
    RequestValidator accepts a signature over the URL with or without it."""
    return without_userinfo(without_fragment(url))


def masked_url(url: str) -> str:
    """The URL for showing: a password in it replaced by ********."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    userinfo, host = parts.netloc.rsplit("@", 1)
    user = userinfo.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:********@{host}"))


def url_with_parameters(url: str, parameters: Mapping[str, str]) -> str:
    """A GET webhook's URL: Twilio's parameters appended to any query already there."""
    parts = urlsplit(without_fragment(url))
    extra = urlencode(list(parameters.items()))
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit(parts._replace(query=query))


# ---------------------------------------------------------------------------
# The signature


ParameterValues = Mapping[str, str | Sequence[str]] | Sequence[tuple[str, str]]


def _pairs(parameters: ParameterValues | None) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    if parameters is None:
        return grouped
    items = parameters.items() if isinstance(parameters, Mapping) else parameters
    for name, value in items:
        values = [value] if isinstance(value, str) else list(value)
        grouped.setdefault(name, []).extend(values)
    return grouped


def twilio_signature(auth_token: str, url: str, parameters: ParameterValues | None = None) -> str:
    """X-Twilio-Signature for a request to `url` (the URL Twilio signs: see
    `signature_url`) with these form parameters (POST; None or empty for a GET, whose
    parameters are in the URL).

    Names are sorted in byte order (Twilio: "Unix-style case-sensitive"); a name sent
    more than once contributes each value, values sorted, as twilio-python does."""
    data = url
    grouped = _pairs(parameters)
    for name in sorted(grouped):
        for value in sorted(grouped[name]):
            data += name + value
    digest = hmac.new(auth_token.encode("utf-8"), data.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def parameters_in_url(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


# ---------------------------------------------------------------------------
# Connection overrides (the URL's #fragment)


@dataclass(frozen=True)
class ConnectionOverrides:
    """The timeouts a URL's fragment sets (`#ct=2000&tt=5000`), in seconds. Retries
    (`rc`, `rp`), edge (`e`) and SNI (`sni`) do not change what one request proves."""

    connect_timeout: float | None = None
    read_timeout: float | None = None
    total_time: float | None = None
    notes: tuple[str, ...] = ()

    @classmethod
    def from_url(cls, url: str) -> ConnectionOverrides:
        fragment = urlsplit(url).fragment
        if not fragment:
            return cls()
        bounds = {"ct": (100, 10000), "rt": (100, 15000), "tt": (100, 15000)}
        values: dict[str, float] = {}
        notes: list[str] = []
        for name, raw in parse_qsl(fragment, keep_blank_values=True):
            if name not in bounds:
                continue
            low, high = bounds[name]
            try:
                milliseconds = int(raw)
            except ValueError:
                notes.append(f"#{name}={raw} is not a number of milliseconds: Twilio's default applies")
                continue
            if not low <= milliseconds <= high:
                clamped = min(max(milliseconds, low), high)
                notes.append(
                    f"#{name}={milliseconds} is outside Twilio's {low}–{high} ms: {clamped} ms is used"
                )
                milliseconds = clamped
            values[name] = milliseconds / 1000
        return cls(values.get("ct"), values.get("rt"), values.get("tt"), tuple(notes))


# ---------------------------------------------------------------------------
# The parameters Twilio sends


def _country(number: str) -> str:
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(number)) or ""
    except phonenumbers.NumberParseException:
        return ""


def _place(prefix: str, number: str) -> dict[str, str]:
    # Twilio sends the geographic fields for both parties, empty when it does not
    # know them (test numbers have no city, state or postal code).
    return {
        f"{prefix}City": "",
        f"{prefix}Country": _country(number),
        f"{prefix}State": "",
        f"{prefix}Zip": "",
    }


def request_parameters(
    kind: WebhookKind,
    *,
    account_sid: str,
    sid: str,
    to_number: str = TEST_CALLED,
    from_number: str = TEST_CALLER,
    api_version: str = API_VERSION,
    now: datetime | None = None,
) -> dict[str, str]:
    """What Twilio sends to a number's webhook of this kind, with test values.
    `sid` is the CallSid (voice, status) or MessageSid (sms)."""
    common = {"AccountSid": account_sid, "ApiVersion": api_version, "From": from_number, "To": to_number}
    if kind is WebhookKind.SMS:
        return {
            **common,
            "Body": TEST_MESSAGE_BODY,
            "MessageSid": sid,
            "NumMedia": "0",
            "NumSegments": "1",
            "SmsMessageSid": sid,
            "SmsSid": sid,
            "SmsStatus": "received",
            **_place("From", from_number),
            **_place("To", to_number),
        }
    call = {
        **common,
        "CallSid": sid,
        "CallStatus": "ringing",
        "Called": to_number,
        "Caller": from_number,
        "Direction": "inbound",
        **_place("Called", to_number),
        **_place("Caller", from_number),
        **_place("From", from_number),
        **_place("To", to_number),
    }
    if kind is WebhookKind.STATUS:
        moment = now or datetime.now(UTC)
        call.update(
            CallStatus="completed",
            CallDuration="0",
            CallbackSource="call-progress-events",
            SequenceNumber="0",
            Timestamp=format_datetime(moment.astimezone(UTC)),
        )
    return call
