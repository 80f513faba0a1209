"""Which host each Twilio service is reached at (docs/twilio-api.md#regions-and-edges).

Twilio's rule (twilio-python `get_hostname`, twilio-node `getHostname`):
`{product}.{edge}.{region}.twilio.com`; an edge alone implies region `us1`; with
neither, the global host. It is applied to the `api` host only: `numbers`, `pricing`, `messaging` and
`trunking` stay global (see resolve_hosts). The legacy region-only form (`api.ie1.twilio.com`) was
retired on 2026-04-28, so a region without an edge is refused here rather than
sent somewhere that no longer answers. `--api-url` overrides all of it and sends
every service to one base URL (the sandbox, a proxy).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from tui.domain.rules import RuleError

SERVICES = ("api", "numbers", "pricing", "messaging", "trunking")

# Twilio's documented region/edge pairs (twilio-cli regional docs, edge list).
EDGE_FOR_REGION = {
    "us1": "ashburn",
    "ie1": "dublin",
    "au1": "sydney",
    "jp1": "tokyo",
    "br1": "sao-paulo",
    "de1": "frankfurt",
    "sg1": "singapore",
}
_NAME = re.compile(r"[a-z][a-z0-9-]*")


def location_name(value: str, what: str) -> str:
    """A region or edge name as Twilio writes them (`ie1`, `dublin`, `sao-paulo`)."""
    text = value.strip().lower()
    if not _NAME.fullmatch(text):
        raise RuleError(f"{what} {value!r} is not a valid name (letters, digits, -).")
    return text


@dataclass(frozen=True)
class Hosts:
    """Base URLs for the services, without a trailing slash."""

    api: str
    numbers: str
    pricing: str
    messaging: str
    trunking: str


def check_base_url(base: str) -> None:
    """A base URL that credentials may be sent to: https anywhere, plain http only
    to this computer (127.0.0.0/8, ::1, localhost), since every request carries
    the Auth Token or API key secret in its Authorization header."""
    if not re.match(r"https?://", base, re.IGNORECASE):
        raise RuleError("give an absolute http(s) URL, e.g. http://127.0.0.1:8080.")
    try:
        parts = urlsplit(base)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as error:
        raise RuleError(f"{base!r} is not a valid URL ({error}).") from None
    if not host:
        raise RuleError(f"{base!r} names no host, e.g. http://127.0.0.1:8080.")
    if parts.username is not None or parts.password is not None:
        raise RuleError("give the URL without a user name or password: credentials come from your profile.")
    if parts.scheme.lower() == "http" and not is_loopback_host(host):
        raise RuleError(
            f"refusing plain http to {host}: your credentials would travel unencrypted. "
            f"Use https://{parts.netloc}{parts.path} instead (plain http is accepted only for "
            "this computer: 127.0.0.1, ::1 or localhost)."
        )


def is_loopback_host(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve_hosts(*, region: str | None = None, edge: str | None = None, api_url: str | None = None) -> Hosts:
    if api_url:
        base = api_url.rstrip("/")
        check_base_url(base)
        return Hosts(api=base, numbers=base, pricing=base, messaging=base, trunking=base)
    region = location_name(region, "Region") if region else None
    edge = location_name(edge, "Edge") if edge else None
    if region and not edge:
        suggestion = EDGE_FOR_REGION.get(region)
        hint = f" For {region} that is usually TWILIO_EDGE={suggestion}." if suggestion else ""
        raise RuleError(
            f"Region {region} needs an edge too: Twilio retired region-only hosts "
            f"(api.{region}.twilio.com) on 2026-04-28 and now serves regions at "
            f"api.{{edge}}.{{region}}.twilio.com.{hint}"
        )
    if edge and not region:
        region = "us1"  # Twilio's rule: an edge alone implies us1.
    suffix = f".{edge}.{region}" if edge else ""
    # Only the api host follows region and edge. Twilio's regional product lists name
    # neither Phone Numbers nor Pricing, and regional hosts of products outside a region
    # have failed to resolve (https://github.com/twilio/twilio-cli/issues/420,
    # https://www.twilio.com/docs/global-infrastructure/regional-product-and-feature-availability).
    # Messaging Services and SIP trunks are reached at their global hosts too (the US1
    # region, where numbers are processed unless configured otherwise); a number set
    # up for another region cannot join a US1 service (https://www.twilio.com/docs/errors/21669).
    return Hosts(
        api=f"https://api{suffix}.twilio.com",
        numbers="https://numbers.twilio.com",
        pricing="https://pricing.twilio.com",
        messaging="https://messaging.twilio.com",
        trunking="https://trunking.twilio.com",
    )
