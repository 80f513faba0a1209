"""Injected faults, in-process (SandboxTransport) and served (POST /__sandbox__/faults).

Kinds: an error before processing; an error, a raw body or a dropped connection after
the commit; a delay before processing or after the commit. The admin endpoint and
`sandbox.faults.add` validate the same way; the request log counts what arrived.
"""

from __future__ import annotations

import asyncio
import json
import math
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sandbox_helpers import MAIN, account_path, assert_error, buy, call

from tests.support.loopback import http_client, http_post
from tui.sandbox import FaultSpecError, Sandbox, SandboxServer, SandboxTransport, start_server

PURCHASE = r"/IncomingPhoneNumbers/Mobile\.json$"
PURCHASE_PATH = f"{account_path()}/IncomingPhoneNumbers/Mobile.json"
OWNED_PATH = f"{account_path()}/IncomingPhoneNumbers.json"
BASE_URL = "https://api.twilio.com"
NUMBER = "+46701740612"  # SE, needs neither address nor bundle


def in_process(sandbox: Sandbox, timeout: float = 5) -> httpx.Client:
    return httpx.Client(transport=SandboxTransport(sandbox), base_url=BASE_URL, auth=MAIN, timeout=timeout)


def owned(client: httpx.Client, phone_number: str = NUMBER) -> list[dict[str, Any]]:
    response = client.get(OWNED_PATH, params={"PhoneNumber": phone_number})
    return response.json()["incoming_phone_numbers"]


def purchase_posts(sandbox: Sandbox) -> list[dict[str, Any]]:
    return [
        entry for entry in sandbox.requests if entry["method"] == "POST" and entry["path"] == PURCHASE_PATH
    ]


@pytest.fixture
def served(sandbox: Sandbox) -> Iterator[SandboxServer]:
    with start_server(sandbox=sandbox) as server:
        yield server


@pytest.fixture(params=["in-process", "served"])
def client(request: pytest.FixtureRequest, sandbox: Sandbox) -> Iterator[httpx.Client]:
    """A client of `sandbox`, through the ASGI transport or over loopback HTTP."""
    if request.param == "in-process":
        with in_process(sandbox) as inner:
            yield inner
    else:
        with (
            start_server(sandbox=sandbox) as server,
            http_client(base_url=server.base_url, auth=MAIN, timeout=5) as outer,
        ):
            yield outer


# --- Error before processing ---------------------------------------------------------


def test_429_with_retry_after_then_success(sandbox: Sandbox) -> None:
    sandbox.faults.add("POST", PURCHASE, status=429, retry_after=2)
    first = buy(sandbox, NUMBER)
    body = assert_error(first, 429, 20429)
    assert first.headers["Retry-After"] == "2"
    assert body["message"]
    # Not processed: the number is still for sale, and the retry buys it.
    assert buy(sandbox, NUMBER).status == 201


def test_error_fault_codes_default_from_the_status(sandbox: Sandbox) -> None:
    sandbox.faults.add("*", r"Balance\.json", status=503, times=2)
    path = f"{account_path()}/Balance.json"
    assert_error(call(sandbox, "GET", path), 503, 20503)
    assert_error(call(sandbox, "GET", path), 503, 20503)
    assert call(sandbox, "GET", path).status == 200


def test_fault_matches_method_and_path_only(sandbox: Sandbox) -> None:
    sandbox.faults.add("POST", PURCHASE, status=500, code=20500, message="boom")
    assert call(sandbox, "GET", PURCHASE_PATH).status == 200
    assert call(sandbox, "GET", OWNED_PATH).status == 200
    body = assert_error(buy(sandbox, NUMBER), 500, 20500)
    assert body["message"] == "boom"
    assert sandbox.faults.armed() == []


def test_fault_answers_before_authentication(sandbox: Sandbox) -> None:
    sandbox.faults.add("GET", ".", status=503)
    assert_error(call(sandbox, "GET", f"{account_path()}.json", auth=None), 503, 20503)


# --- After the commit ------------------------------------------------------------------


def test_error_after_commit_answers_500_but_the_number_is_bought(
    client: httpx.Client, sandbox: Sandbox
) -> None:
    sandbox.faults.add("POST", PURCHASE, status=500, commit=True, message="Twilio had a bad day")
    answer = client.post(PURCHASE_PATH, data={"PhoneNumber": NUMBER})
    assert answer.status_code == 500
    assert answer.json() == {
        "code": 20500,
        "message": "Twilio had a bad day",
        "more_info": "https://www.twilio.com/docs/errors/20500",
        "status": 500,
    }
    assert len(owned(client)) == 1
    # A retry of the same number is the documented safe move: 201, the same resource.
    retried = client.post(PURCHASE_PATH, data={"PhoneNumber": NUMBER})
    assert retried.status_code == 201 and retried.json()["sid"] == owned(client)[0]["sid"]


def test_drop_after_commit_closes_without_an_answer(client: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.faults.add("POST", PURCHASE, drop_after_commit=True)
    with pytest.raises(httpx.RemoteProtocolError):
        client.post(PURCHASE_PATH, data={"PhoneNumber": NUMBER})
    assert len(owned(client)) == 1
    [logged] = purchase_posts(sandbox)
    assert (logged["status"], logged["dropped"], logged["fault"]) == (None, True, "drop_after_commit")


def test_raw_html_body_before_processing(client: httpx.Client, sandbox: Sandbox) -> None:
    page = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    sandbox.faults.add("POST", PURCHASE, status=502, body=page)
    answer = client.post(PURCHASE_PATH, data={"PhoneNumber": NUMBER})
    assert (answer.status_code, answer.text) == (502, page)
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert owned(client) == []


def test_non_json_201_after_commit(client: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.faults.add("POST", PURCHASE, status=201, commit=True, body="OK", content_type="text/plain")
    answer = client.post(PURCHASE_PATH, data={"PhoneNumber": NUMBER})
    assert (answer.status_code, answer.text, answer.headers["content-type"]) == (201, "OK", "text/plain")
    assert len(owned(client)) == 1


def test_an_empty_2xx_body_is_possible(client: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.faults.add("POST", PURCHASE, status=201, commit=True, body="")
    answer = client.post(PURCHASE_PATH, data={"PhoneNumber": NUMBER})
    assert (answer.status_code, answer.content) == (201, b"")
    assert len(owned(client)) == 1


# --- Delays ----------------------------------------------------------------------------


def test_delayed_answer_after_commit_times_out_but_the_number_is_bought(
    client: httpx.Client, sandbox: Sandbox
) -> None:
    sandbox.faults.add("POST", PURCHASE, delay_after_commit=5.0)
    with pytest.raises(httpx.ReadTimeout):
        client.post(PURCHASE_PATH, data={"PhoneNumber": NUMBER}, timeout=0.2)
    # Reconcile before retrying: the purchase happened.
    found = owned(client)
    assert len(found) == 1
    retried = client.post(PURCHASE_PATH, data={"PhoneNumber": NUMBER})
    assert retried.status_code == 201
    assert retried.json()["sid"] == found[0]["sid"]
    assert len(owned(client)) == 1


async def test_delayed_answer_times_out_for_async_clients_too(sandbox: Sandbox) -> None:
    sandbox.faults.add("POST", PURCHASE, delay_after_commit=5.0)
    async with httpx.AsyncClient(
        transport=SandboxTransport(sandbox), base_url=BASE_URL, auth=MAIN, timeout=0.05
    ) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.post(PURCHASE_PATH, data={"PhoneNumber": NUMBER})
        response = await client.get(OWNED_PATH, params={"PhoneNumber": NUMBER})
        assert len(response.json()["incoming_phone_numbers"]) == 1


async def test_drop_raises_remote_protocol_error_for_async_clients(sandbox: Sandbox) -> None:
    sandbox.faults.add("POST", PURCHASE, drop_after_commit=True)
    async with httpx.AsyncClient(transport=SandboxTransport(sandbox), base_url=BASE_URL, auth=MAIN) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            await client.post(PURCHASE_PATH, data={"PhoneNumber": NUMBER})
        response = await client.get(OWNED_PATH, params={"PhoneNumber": NUMBER})
        assert len(response.json()["incoming_phone_numbers"]) == 1


async def test_delay_shorter_than_the_timeout_just_slows_the_answer(sandbox: Sandbox) -> None:
    sandbox.faults.add("POST", PURCHASE, delay_after_commit=0.05)
    async with httpx.AsyncClient(
        transport=SandboxTransport(sandbox), base_url=BASE_URL, auth=MAIN, timeout=5
    ) as client:
        response = await client.post(PURCHASE_PATH, data={"PhoneNumber": NUMBER})
        assert response.status_code == 201


async def test_transport_retry_flow_with_retry_after(sandbox: Sandbox) -> None:
    sandbox.faults.add("POST", PURCHASE, status=429, retry_after=1)
    async with httpx.AsyncClient(transport=SandboxTransport(sandbox), base_url=BASE_URL, auth=MAIN) as client:
        throttled = await client.post(PURCHASE_PATH, data={"PhoneNumber": NUMBER})
        assert (throttled.status_code, throttled.headers["retry-after"]) == (429, "1")
        assert (await client.post(PURCHASE_PATH, data={"PhoneNumber": NUMBER})).status_code == 201


def test_delay_before_makes_two_clients_overlap(served: SandboxServer, sandbox: Sandbox) -> None:
    # Client A's ownership check is held back; client B checks and buys meanwhile; A's
    # check then answers what it saw when it was processed: B's purchase.
    sandbox.faults.add("GET", r"/IncomingPhoneNumbers\.json$", delay_before=2.0)
    seen: dict[str, Any] = {}

    def client_a() -> None:
        with http_client(base_url=served.base_url, auth=MAIN, timeout=30) as a:
            seen["a"] = owned(a)
            seen["a_answered"] = time.monotonic()

    thread = threading.Thread(target=client_a)
    thread.start()
    deadline = time.monotonic() + 20
    while sandbox.faults.armed() and time.monotonic() < deadline:
        time.sleep(0.01)  # until A's request has arrived and taken the fault
    assert sandbox.faults.armed() == [], "A's request never arrived"
    with http_client(base_url=served.base_url, auth=MAIN, timeout=30) as b:
        assert owned(b) == []  # not delayed: the fault was used up by A
        assert b.post(PURCHASE_PATH, data={"PhoneNumber": NUMBER}).status_code == 201
        b_bought = time.monotonic()
    thread.join()
    assert b_bought < seen["a_answered"]
    assert len(seen["a"]) == 1, "A's check ran after its delay, so it sees B's purchase"
    gets = [entry for entry in sandbox.requests if entry["method"] == "GET"]
    assert gets[0]["fault"] is None and gets[1]["fault"] == "delay_before"
    assert gets[1]["time"] < gets[0]["time"], "the log keeps when each request arrived"


def test_delay_before_longer_than_the_timeout_is_processed_anyway(sandbox: Sandbox) -> None:
    sandbox.faults.add("POST", PURCHASE, delay_before=0.3)
    with in_process(sandbox) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.post(PURCHASE_PATH, data={"PhoneNumber": NUMBER}, timeout=0.05)
        assert owned(client) == [], "held back before processing: nothing yet"
        deadline = time.monotonic() + 5
        while not owned(client) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(owned(client)) == 1, "as a server would, it went on after the client gave up"


# --- Validation ------------------------------------------------------------------------

INVALID_FAULTS: dict[str, dict[str, Any]] = {
    "no effect": {},
    "status not a number": {"status": "abc"},
    "status a boolean": {"status": True},
    "status out of range": {"status": 1000},
    "2xx without a body": {"status": 201},
    "retry_after NaN": {"status": 429, "retry_after": math.nan},
    "retry_after infinite": {"status": 429, "retry_after": math.inf},
    "retry_after negative": {"status": 429, "retry_after": -1},
    "times fractional": {"status": 503, "times": 1.5},
    "times zero": {"status": 503, "times": 0},
    "times a string": {"status": 503, "times": "2"},
    "delay negative": {"delay_after_commit": -1.0},
    "delay over an hour": {"delay_before": 3601},
    "delay after commit with an error before processing": {"status": 429, "delay_after_commit": 1.0},
    "commit without status": {"commit": True},
    "commit not a boolean": {"status": 500, "commit": "yes"},
    "drop with a status": {"status": 500, "drop_after_commit": True},
    "code on a raw body": {"status": 502, "body": "x", "code": 20500},
    "content_type without body": {"status": 500, "content_type": "text/plain"},
    "content_type not ASCII": {"status": 500, "body": "x", "content_type": "text/plain; é"},
    "body not text": {"status": 500, "body": 12},
    "code without status": {"code": 20500, "delay_before": 1},
}


@pytest.mark.parametrize("fields", list(INVALID_FAULTS.values()), ids=list(INVALID_FAULTS))
def test_add_refuses_faults_that_make_no_sense(sandbox: Sandbox, fields: dict[str, Any]) -> None:
    with pytest.raises(FaultSpecError):
        sandbox.faults.add("POST", PURCHASE, **fields)
    assert sandbox.faults.armed() == []


def test_add_refuses_bad_methods_and_patterns(sandbox: Sandbox) -> None:
    with pytest.raises(FaultSpecError, match="method"):
        sandbox.faults.add("FETCH", PURCHASE, status=500)
    with pytest.raises(FaultSpecError, match="regular expression"):
        sandbox.faults.add("POST", "(", status=500)
    with pytest.raises(FaultSpecError, match="path_regex"):
        sandbox.faults.add("POST", "", status=500)


def admin_post(server: SandboxServer, content: bytes) -> httpx.Response:
    return http_post(
        f"{server.base_url}/__sandbox__/faults",
        content=content,
        headers={"Content-Type": "application/json"},
        timeout=5,
    )


@pytest.mark.parametrize("fields", list(INVALID_FAULTS.values()), ids=list(INVALID_FAULTS))
def test_the_admin_endpoint_answers_400_json_for_the_same_faults(
    served: SandboxServer, fields: dict[str, Any]
) -> None:
    content = json.dumps({"method": "POST", "path_regex": PURCHASE, **fields}).encode()
    answer = admin_post(served, content)
    assert answer.status_code == 400
    assert answer.json()["status"] == 400 and answer.json()["message"].startswith("Bad fault: ")
    assert served.sandbox.faults.armed() == []


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b'{"path_regex": "x", "status": 500, "colour": "red"}', "unknown field(s) colour"),
        (b'{"path_regex": "x", "status": NaN}', "NaN is not a JSON number"),
        (b'{"path_regex": "x", "retry_after": Infinity, "status": 429}', "Infinity"),
        (b"[1, 2]", "JSON object"),
        (b"", "empty"),
        (b"{not json", "Expecting"),
        (b'{"path_regex": "\xff"}', "utf-8"),
        (b'{"method": "POST"}', "path_regex is required"),
    ],
)
def test_the_admin_endpoint_refuses_bodies_that_are_not_fault_objects(
    served: SandboxServer, content: bytes, why: str
) -> None:
    answer = admin_post(served, content)
    assert answer.status_code == 400
    assert why in answer.json()["message"]


def test_admin_arms_every_kind_and_lists_them(served: SandboxServer) -> None:
    kinds = [
        {"method": "POST", "path_regex": "Mobile", "status": 429, "retry_after": 3},
        {"method": "POST", "path_regex": "Mobile", "status": 500, "commit": True},
        {"method": "POST", "path_regex": "Mobile", "drop_after_commit": True},
        {"method": "POST", "path_regex": "Mobile", "status": 502, "body": "<html></html>"},
        {"method": "GET", "path_regex": "Incoming", "delay_before": 0.5, "times": 2},
        {"method": "POST", "path_regex": "Mobile", "delay_after_commit": 1, "status": 503, "commit": True},
    ]
    with http_client(base_url=served.base_url, timeout=5) as admin:
        for spec in kinds:
            armed = admin.post("/__sandbox__/faults", json=spec)
            assert armed.status_code == 201, armed.text
            assert {key: armed.json()[key] for key in spec} == spec
        listed = admin.get("/__sandbox__/faults").json()
        assert len(listed) == len(kinds)
        assert listed[3]["content_type"] == "text/html; charset=utf-8"
        assert listed[0]["code"] == 20429
        assert admin.delete("/__sandbox__/faults").json() == []
        assert served.sandbox.faults.armed() == []


def test_admin_endpoints_answer_json_for_unknown_paths_and_methods(served: SandboxServer) -> None:
    with http_client(base_url=served.base_url, timeout=5) as admin:
        unknown = admin.get("/__sandbox__/nope")
        assert (unknown.status_code, unknown.json()["code"]) == (404, 20404)
        wrong = admin.put("/__sandbox__/reset", content=b"")
        assert (wrong.status_code, wrong.json()["code"]) == (405, 20004)


# --- The request log -------------------------------------------------------------------


def test_the_request_log_counts_purchase_posts_without_secrets(
    client: httpx.Client, sandbox: Sandbox
) -> None:
    sandbox.faults.add("POST", PURCHASE, status=503)
    client.post(PURCHASE_PATH, data={"PhoneNumber": NUMBER, "FriendlyName": "Sales"})
    client.post(PURCHASE_PATH, data={"PhoneNumber": NUMBER, "AuthToken": "s3cret-value"})
    client.get(OWNED_PATH, params={"PhoneNumber": NUMBER})
    posts = purchase_posts(sandbox)
    assert [entry["status"] for entry in posts] == [503, 201]
    assert posts[0]["form"] == {"PhoneNumber": NUMBER, "FriendlyName": "Sales"}
    assert posts[0]["fault"] == "error_before_processing"
    assert posts[1]["form"]["AuthToken"] == "[not logged]"
    assert posts[0]["time"] <= posts[1]["time"]
    [get] = [entry for entry in sandbox.requests if entry["method"] == "GET"]
    assert (get["query"], get["form"], get["status"]) == ({"PhoneNumber": NUMBER}, None, 200)
    text = repr(sandbox.requests)
    for secret in ("s3cret-value", MAIN[1], "Basic "):
        assert secret not in text


def test_the_request_log_over_http(served: SandboxServer) -> None:
    with http_client(base_url=served.base_url, auth=MAIN, timeout=5) as client:
        client.post(PURCHASE_PATH, data={"PhoneNumber": NUMBER})
        client.post("/__sandbox__/faults", json={"path_regex": "x", "status": 500})  # not logged
        log = client.get("/__sandbox__/requests").json()
        assert [(entry["method"], entry["path"], entry["status"]) for entry in log] == [
            ("POST", PURCHASE_PATH, 201)
        ]
        assert log == served.sandbox.requests
        assert client.delete("/__sandbox__/requests").json() == []
        assert client.get("/__sandbox__/requests").json() == []


def test_shutdown_interrupts_delays(sandbox: Sandbox) -> None:
    sandbox.faults.add("POST", PURCHASE, delay_after_commit=30)
    server = start_server(sandbox=sandbox)
    outcome: dict[str, BaseException] = {}

    def waiting_client() -> None:
        try:
            http_post(
                f"{server.base_url}{PURCHASE_PATH}", data={"PhoneNumber": NUMBER}, auth=MAIN, timeout=60
            )
        except httpx.HTTPError as error:
            outcome["error"] = error

    thread = threading.Thread(target=waiting_client)
    thread.start()
    while not purchase_posts(sandbox):
        time.sleep(0.02)
    started = time.monotonic()
    server.shutdown()
    thread.join()
    assert time.monotonic() - started < 5
    assert isinstance(outcome["error"], httpx.RemoteProtocolError)


def test_sync_transport_runs_its_loop_until_closed(sandbox: Sandbox) -> None:
    transport = SandboxTransport(sandbox)
    with httpx.Client(transport=transport, base_url=BASE_URL, auth=MAIN) as client:
        assert client.get(OWNED_PATH).status_code == 200
        assert any(thread.name == "sandbox-transport" for thread in threading.enumerate())
    assert not any(thread.name == "sandbox-transport" for thread in threading.enumerate())


async def test_sync_and_async_clients_share_one_sandbox(sandbox: Sandbox) -> None:
    transport = SandboxTransport(sandbox)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, auth=MAIN) as async_client:
        await async_client.post(PURCHASE_PATH, data={"PhoneNumber": NUMBER})
        with httpx.Client(transport=SandboxTransport(sandbox), base_url=BASE_URL, auth=MAIN) as sync_client:
            found = await asyncio.to_thread(owned, sync_client)
        assert len(found) == 1
