"""Injected faults: errors before processing, and answers delayed after the commit."""

from __future__ import annotations

import httpx
import pytest
from sandbox_helpers import MAIN, account_path, assert_error, buy, call

from tui.sandbox import Sandbox, SandboxTransport

PURCHASE = r"/IncomingPhoneNumbers/Mobile\.json$"
BASE_URL = "https://api.twilio.com"


def purchase_request(phone_number: str) -> dict[str, object]:
    return {
        "url": f"{account_path()}/IncomingPhoneNumbers/Mobile.json",
        "data": {"PhoneNumber": phone_number},
    }


def owned(client: httpx.Client, phone_number: str) -> list[dict[str, object]]:
    response = client.get(f"{account_path()}/IncomingPhoneNumbers.json", params={"PhoneNumber": phone_number})
    return response.json()["incoming_phone_numbers"]


def test_429_with_retry_after_then_success(sandbox: Sandbox) -> None:
    sandbox.faults.add("POST", PURCHASE, status=429, retry_after=2)
    first = buy(sandbox, "+46701740612")
    body = assert_error(first, 429, 20429)
    assert first.headers["Retry-After"] == "2"
    assert body["message"]
    # Not processed: the number is still for sale, and the retry buys it.
    assert buy(sandbox, "+46701740612").status == 201


def test_error_fault_codes_default_from_the_status(sandbox: Sandbox) -> None:
    sandbox.faults.add("*", r"Balance\.json", status=503, times=2)
    path = f"{account_path()}/Balance.json"
    assert_error(call(sandbox, "GET", path), 503, 20503)
    assert_error(call(sandbox, "GET", path), 503, 20503)
    assert call(sandbox, "GET", path).status == 200


def test_fault_matches_method_and_path_only(sandbox: Sandbox) -> None:
    sandbox.faults.add("POST", PURCHASE, status=500, code=20500, message="boom")
    assert call(sandbox, "GET", f"{account_path()}/IncomingPhoneNumbers/Mobile.json").status == 200
    assert call(sandbox, "GET", f"{account_path()}/IncomingPhoneNumbers.json").status == 200
    body = assert_error(buy(sandbox, "+46701740612"), 500, 20500)
    assert body["message"] == "boom"
    assert sandbox.faults.armed() == []


def test_fault_answers_before_authentication(sandbox: Sandbox) -> None:
    sandbox.faults.add("GET", ".", status=503)
    assert_error(call(sandbox, "GET", f"{account_path()}.json", auth=None), 503, 20503)


@pytest.mark.parametrize(
    "arguments",
    [
        {},
        {"status": 429, "delay_after_commit": 1.0},
        {"status": 429, "times": 0},
        {"delay_after_commit": -1.0},
    ],
)
def test_add_refuses_ambiguous_faults(sandbox: Sandbox, arguments: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        sandbox.faults.add("POST", PURCHASE, **arguments)


def test_delayed_answer_after_commit_times_out_but_the_number_is_bought(sandbox: Sandbox) -> None:
    sandbox.faults.add("POST", PURCHASE, delay_after_commit=5.0)
    with httpx.Client(
        transport=SandboxTransport(sandbox), base_url=BASE_URL, auth=MAIN, timeout=0.05
    ) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.post(**purchase_request("+46701740612"))
        # Reconcile before retrying: the purchase happened.
        found = owned(client, "+46701740612")
        assert len(found) == 1
        retried = client.post(**purchase_request("+46701740612"))
        assert retried.status_code == 201
        assert retried.json()["sid"] == found[0]["sid"]
        assert len(owned(client, "+46701740612")) == 1


async def test_delayed_answer_times_out_for_async_clients_too(sandbox: Sandbox) -> None:
    sandbox.faults.add("POST", PURCHASE, delay_after_commit=5.0)
    async with httpx.AsyncClient(
        transport=SandboxTransport(sandbox), base_url=BASE_URL, auth=MAIN, timeout=0.05
    ) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.post(**purchase_request("+46701740612"))
        response = await client.get(
            f"{account_path()}/IncomingPhoneNumbers.json", params={"PhoneNumber": "+46701740612"}
        )
        assert len(response.json()["incoming_phone_numbers"]) == 1


async def test_delay_shorter_than_the_timeout_just_slows_the_answer(sandbox: Sandbox) -> None:
    sandbox.faults.add("POST", PURCHASE, delay_after_commit=0.05)
    async with httpx.AsyncClient(
        transport=SandboxTransport(sandbox), base_url=BASE_URL, auth=MAIN, timeout=5
    ) as client:
        response = await client.post(**purchase_request("+46701740612"))
        assert response.status_code == 201


async def test_transport_retry_flow_with_retry_after(sandbox: Sandbox) -> None:
    sandbox.faults.add("POST", PURCHASE, status=429, retry_after=1)
    async with httpx.AsyncClient(transport=SandboxTransport(sandbox), base_url=BASE_URL, auth=MAIN) as client:
        throttled = await client.post(**purchase_request("+46701740612"))
        assert (throttled.status_code, throttled.headers["retry-after"]) == (429, "1")
        assert (await client.post(**purchase_request("+46701740612"))).status_code == 201
