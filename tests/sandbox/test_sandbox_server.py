"""The loopback HTTP server: real sockets, admin endpoints, the announce text."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import cast

import httpx
import pytest
from sandbox_helpers import MAIN, account_path, assert_error, call

from tests.support.loopback import http_client, http_get, http_post
from tui.sandbox import CREDENTIALS, MAIN_ACCOUNT_SID, Sandbox, SandboxTransport, start_server
from tui.sandbox.accounts import ACCOUNTS
from tui.sandbox.api_v2010 import render_account
from tui.sandbox.asgi import SandboxApp
from tui.sandbox.server import _CoalescingWriter, describe

PURCHASE_PATH = f"{account_path()}/IncomingPhoneNumbers/Mobile.json"


def test_purchase_over_loopback_http() -> None:
    with start_server() as server:
        assert server.base_url.startswith("http://127.0.0.1:")
        with http_client(base_url=server.base_url, auth=MAIN, timeout=5) as client:
            account = client.get(f"{account_path()}.json")
            assert account.status_code == 200 and account.json()["sid"] == MAIN_ACCOUNT_SID
            bought = client.post(PURCHASE_PATH, data={"PhoneNumber": "+46701740612"})
            assert bought.status_code == 201
            assert bought.headers["content-type"].startswith("application/json")
            listed = client.get(
                f"{account_path()}/IncomingPhoneNumbers.json",
                params={"PhoneNumber": "+46701740612"},
            ).json()["incoming_phone_numbers"]
            assert [n["sid"] for n in listed] == [bought.json()["sid"]]
            released = client.delete(f"{account_path()}/IncomingPhoneNumbers/{listed[0]['sid']}.json")
            assert (released.status_code, released.content) == (204, b"")
            unauthorised = http_get(f"{server.base_url}{account_path()}.json")
            assert unauthorised.status_code == 401
            assert unauthorised.json()["code"] == 20003


def test_absolute_urls_point_back_at_the_server() -> None:
    with start_server() as server, http_client(base_url=server.base_url, auth=MAIN) as client:
        meta = client.get("/v2/RegulatoryCompliance/Bundles", params={"PageSize": 2}).json()["meta"]
        assert meta["next_page_url"].startswith(f"{server.base_url}/v2/RegulatoryCompliance/")
        assert client.get(meta["next_page_url"]).status_code == 200


def test_admin_endpoints_arm_faults_and_reset() -> None:
    with start_server() as server, http_client(base_url=server.base_url, auth=MAIN) as client:
        armed = client.post(
            "/__sandbox__/faults",
            json={"method": "POST", "path_regex": "Mobile", "status": 429, "retry_after": 3},
        )
        assert armed.status_code == 201 and armed.json()["code"] == 20429
        assert len(client.get("/__sandbox__/faults").json()) == 1
        throttled = client.post(PURCHASE_PATH, data={"PhoneNumber": "+46701740612"})
        assert (throttled.status_code, throttled.headers["retry-after"]) == (429, "3")
        assert client.post(PURCHASE_PATH, data={"PhoneNumber": "+46701740612"}).status_code == 201
        state = client.get("/__sandbox__/state").json()
        assert any(n["phone_number"] == "+46701740612" for n in state["incoming_phone_numbers"])
        assert client.post("/__sandbox__/reset").status_code == 200
        state = client.get("/__sandbox__/state").json()
        assert not any(n["phone_number"] == "+46701740612" for n in state["incoming_phone_numbers"])
        bad = client.post("/__sandbox__/faults", json={"path_regex": "(", "status": 500})
        assert bad.status_code == 400
        client.post("/__sandbox__/faults", json={"path_regex": "x", "status": 500})
        assert client.delete("/__sandbox__/faults").json() == []
        assert client.get("/__sandbox__/nope").status_code == 404


def test_admin_endpoints_are_not_part_of_twilios_api() -> None:
    # Sandbox.handle is Twilio's API only; the admin endpoints live in the HTTP front
    # (asgi.py), which the served and the in-process sandbox share.
    assert_error(call(Sandbox(), "POST", "/__sandbox__/reset"), 404, 20404)
    with httpx.Client(transport=SandboxTransport(Sandbox()), base_url="https://api.twilio.com") as client:
        assert client.post("/__sandbox__/reset").json() == {"reset": True}


def test_the_sandbox_imports_nothing_of_the_wizard() -> None:
    # Its rules are its own: neither can hide the other's mistakes.
    code = (
        "import sys, tui.sandbox, tui.sandbox.server, tui.sandbox.transport\n"
        "wizard = ('tui.domain', 'tui.services', 'tui.wizard', 'tui.screens', 'tui.widgets', 'tui.app', "
        "'tui.cli')\n"
        "print(sorted(m for m in sys.modules if m.startswith(wizard)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"


def test_delay_fault_over_http_times_out_after_the_commit() -> None:
    with start_server() as server, http_client(base_url=server.base_url, auth=MAIN) as client:
        client.post(
            "/__sandbox__/faults",
            json={"method": "POST", "path_regex": "Mobile", "delay_after_commit": 1.0},
        )
        with pytest.raises(httpx.ReadTimeout):
            client.post(PURCHASE_PATH, data={"PhoneNumber": "+46701740612"}, timeout=0.2)
        listed = client.get(
            f"{account_path()}/IncomingPhoneNumbers.json", params={"PhoneNumber": "+46701740612"}
        ).json()["incoming_phone_numbers"]
        assert len(listed) == 1


def test_served_state_survives_a_restart(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    with start_server(state_path=state_file) as server:
        http_post(f"{server.base_url}{PURCHASE_PATH}", data={"PhoneNumber": "+46701740612"}, auth=MAIN)
    with start_server(state_path=state_file) as server:
        listed = http_get(
            f"{server.base_url}{account_path()}/IncomingPhoneNumbers.json",
            params={"PhoneNumber": "+46701740612"},
            auth=MAIN,
        ).json()["incoming_phone_numbers"]
        assert len(listed) == 1


def test_announce_lines_name_the_url_and_every_credential() -> None:
    text = "\n".join(describe("http://127.0.0.1:8765", None))
    assert "http://127.0.0.1:8765" in text and "in memory" in text
    for credential in CREDENTIALS:
        assert credential.username in text and credential.password in text


@pytest.mark.e2e
def test_python_m_tui_sandbox_serves_and_announces(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "tui.sandbox", "--port", "0", "--state", str(tmp_path / "s.json")],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline()
        base_url = first_line.rsplit(" ", 1)[1].strip()
        assert base_url.startswith("http://127.0.0.1:")
        deadline = time.monotonic() + 10
        while True:
            try:
                response = http_get(f"{base_url}{account_path()}.json", auth=MAIN)
                break
            except httpx.ConnectError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        assert response.status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)


# --- How answers are written ------------------------------------------------------------


class RecordingTransport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed


def coalescing_writer(loop: asyncio.AbstractEventLoop) -> tuple[_CoalescingWriter, RecordingTransport]:
    transport = RecordingTransport()
    return _CoalescingWriter(cast(asyncio.Transport, transport), loop), transport


async def test_a_head_and_its_body_are_written_together() -> None:
    writer, transport = coalescing_writer(asyncio.get_running_loop())
    writer.write(b"HEAD")
    assert transport.writes == []
    writer.write(b"BODY")
    writer.write(b"")  # h11's end of a Content-Length body: nothing
    assert transport.writes == [b"HEADBODY"]
    await asyncio.sleep(0)
    assert transport.writes == [b"HEADBODY"]


async def test_a_lone_write_leaves_at_the_end_of_the_loops_turn() -> None:
    # A head whose body comes later, or a 100 Continue, is not held back waiting.
    writer, transport = coalescing_writer(asyncio.get_running_loop())
    writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    await asyncio.sleep(0)
    assert transport.writes == [b"HTTP/1.1 100 Continue\r\n\r\n"]
    writer.write(b"HEAD")
    writer.close()
    assert (transport.writes[1:], transport.closed) == ([b"HEAD"], True)


async def test_what_is_held_for_a_lost_connection_is_dropped() -> None:
    writer, transport = coalescing_writer(asyncio.get_running_loop())
    writer.write(b"HEAD")
    writer.discard()
    await asyncio.sleep(0)
    assert transport.writes == []


async def test_a_request_arriving_while_the_server_stops_is_not_answered() -> None:
    app = SandboxApp(Sandbox())
    app.interrupt_delays()
    async with httpx.AsyncClient(
        transport=SandboxTransport(app.sandbox, app=app), base_url="https://api.twilio.com", auth=MAIN
    ) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            await client.get(f"{account_path()}.json")
    assert app.sandbox.requests == []


def test_an_accounts_answer_is_its_rendering_every_time() -> None:
    # Encoded once (accounts never change), answered byte for byte the same.
    sandbox = Sandbox()
    expected = json.dumps(render_account(ACCOUNTS[MAIN_ACCOUNT_SID])).encode()
    for _ in range(2):
        response = call(sandbox, "GET", f"{account_path()}.json")
        assert (response.status, response.body) == (200, expected)
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"
