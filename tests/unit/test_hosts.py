"""Region and edge hosts (docs/twilio-api.md#regions-and-edges) and --api-url."""

from __future__ import annotations

import pytest

from tui.domain.rules import RuleError
from tui.services.hosts import Hosts, resolve_hosts


def test_global_hosts():
    assert resolve_hosts() == Hosts(
        "https://api.twilio.com",
        "https://numbers.twilio.com",
        "https://pricing.twilio.com",
        "https://messaging.twilio.com",
        "https://trunking.twilio.com",
    )


@pytest.mark.parametrize(
    ("region", "edge", "api"),
    [
        ("au1", "sydney", "https://api.sydney.au1.twilio.com"),
        ("IE1", " Dublin ", "https://api.dublin.ie1.twilio.com"),
        (None, "sao-paulo", "https://api.sao-paulo.us1.twilio.com"),
        ("", "tokyo", "https://api.tokyo.us1.twilio.com"),
    ],
)
def test_edge_and_region_move_only_the_api_host(region, edge, api):
    hosts = resolve_hosts(region=region, edge=edge)
    assert hosts.api == api
    # Phone Numbers and Pricing are not regional products: their hosts stay global,
    # and so do Messaging Services and SIP trunks (numbers live in US1 by default).
    assert hosts.numbers == "https://numbers.twilio.com"
    assert hosts.pricing == "https://pricing.twilio.com"
    assert hosts.messaging == "https://messaging.twilio.com"
    assert hosts.trunking == "https://trunking.twilio.com"


@pytest.mark.parametrize(
    ("region", "hint"), [("au1", "TWILIO_EDGE=sydney"), ("jp1", "TWILIO_EDGE=tokyo"), ("xx9", None)]
)
def test_region_alone_is_refused(region, hint):
    with pytest.raises(RuleError) as caught:
        resolve_hosts(region=region)
    message = str(caught.value)
    assert f"Region {region} needs an edge too" in message
    assert f"api.{region}.twilio.com" in message and "api.{edge}.{region}.twilio.com" in message
    if hint:
        assert hint in message
    else:
        assert "TWILIO_EDGE=" not in message


@pytest.mark.parametrize(
    ("region", "edge"), [("au 1", "sydney"), ("au1", "syd.ney"), ("au1", "-x"), ("1au", "x")]
)
def test_bad_names_are_refused(region, edge):
    with pytest.raises(RuleError, match="is not a valid name"):
        resolve_hosts(region=region, edge=edge)


def test_api_url_overrides_region_and_edge():
    hosts = resolve_hosts(region="au1", edge="sydney", api_url="http://127.0.0.1:8080///")
    assert hosts == Hosts(*["http://127.0.0.1:8080"] * 5)
    # A region alone is not refused when --api-url decides the host anyway.
    assert resolve_hosts(region="ie1", api_url="https://proxy.example").api == "https://proxy.example"


@pytest.mark.parametrize("api_url", ["127.0.0.1:8080", "ftp://host", "//host"])
def test_api_url_must_be_absolute_http(api_url):
    with pytest.raises(RuleError, match="absolute http"):
        resolve_hosts(api_url=api_url)
