"""`number-wizard sandbox serve` and `python -m tui.sandbox`: start-up, refusals, kills.

A state file the sandbox cannot use is one line on stderr and exit code 2, the file
untouched; a busy port is exit code 1; a non-loopback --host warns and prints a URL that
works. SIGKILL in the middle of saves never leaves a broken file or temporary files.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from sandbox_helpers import MAIN, account_path
from state_helpers import lockable_folder

from tests.support.loopback import http_client, http_get
from tui.cli import cli
from tui.sandbox import Sandbox
from tui.sandbox.state import load_state

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
OWNED_PATH = f"{account_path()}/IncomingPhoneNumbers.json"


def serve_command(*args: str) -> list[str]:
    return [sys.executable, "-u", "-m", "tui", "sandbox", "serve", *args]


@contextmanager
def serving(*args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`sandbox serve ARGS` in a subprocess; yields it and its announced base URL."""
    process = subprocess.Popen(
        serve_command(*args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        match = re.search(r"listening on (http://\S+)", first)
        assert match, f"no URL announced: {first!r} {process.stderr.read() if process.poll() else ''}"
        base_url = match.group(1)
        wait_until_serving(base_url)
        yield process, base_url
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def wait_until_serving(base_url: str) -> None:
    deadline = time.monotonic() + 15
    while True:
        try:
            http_get(f"{base_url}{OWNED_PATH}", auth=MAIN, timeout=2)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def run_serve(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["sandbox", "serve", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ('{"format": "number-wizard sandbox st', "not valid JSON"),
        ('{"name": "some-package", "version": "2.0.0"}', "not a number-wizard sandbox state file"),
        ('{"format": "number-wizard sandbox state", "schema_version": 7}', "schema version 7"),
    ],
    ids=["truncated", "foreign", "other schema"],
)
def test_a_state_file_it_cannot_use_is_one_line_and_exit_2(tmp_path: Path, content: str, why: str) -> None:
    state = tmp_path / "state.json"
    state.write_text(content, encoding="utf-8")
    code, out, err = run_serve("--port", "0", "--state", str(state))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("error: --state: ") and why in err
    assert "Traceback" not in err
    assert state.read_text(encoding="utf-8") == content


def test_an_empty_state_name_is_refused(tmp_path: Path) -> None:
    code, _, err = run_serve("--port", "0", "--state", "")
    assert (code, err) == (2, "error: --state: give a file name, e.g. --state sandbox-state.json\n")


def test_an_unwritable_state_folder_is_refused_with_the_real_reason(tmp_path: Path) -> None:
    with lockable_folder(tmp_path) as folder:
        state = folder.path / "state.json"
        Sandbox(state)
        folder.lock()
        code, _, err = run_serve("--port", "0", "--state", str(state))
    assert code == 2
    assert err.startswith(f"error: --state: cannot write the sandbox state {state}: ")
    assert "Read-only file system" in err or "Permission denied" in err
    assert "cannot listen" not in err


def test_a_busy_port_is_said_so(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        code, _, err = run_serve("--port", str(port))
    assert code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in err and "in use" in err


def test_python_m_tui_sandbox_refuses_the_same_way(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text("[]", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "tui.sandbox", "--port", "0", "--state", str(state)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1


def test_every_interface_warns_and_announces_a_usable_url() -> None:
    with serving("--host", "0.0.0.0", "--port", "0") as (process, base_url):
        assert base_url.startswith("http://127.0.0.1:")
        assert process.stdout is not None
        second = process.stdout.readline()
        assert "every interface" in second and socket.gethostname() in second
        response = http_get(f"{base_url}{OWNED_PATH}", auth=MAIN, timeout=5)
        assert response.status_code == 200
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)
        assert process.stderr is not None
        warning = process.stderr.read()
    assert "Warning: --host 0.0.0.0 makes the sandbox reachable from the network" in warning
    assert "test credentials" in warning and "/__sandbox__/" in warning
    assert "0.0.0.0:" not in base_url


def test_loopback_gives_no_warning_and_ctrl_c_stops_cleanly(tmp_path: Path) -> None:
    with serving("--port", "0", "--state", str(tmp_path / "s.json")) as (process, _):
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
        assert process.stdout is not None and process.stderr is not None
        assert "Sandbox stopped." in process.stdout.read()
        assert process.stderr.read() == ""


def test_sigkill_during_saves_leaves_a_valid_file_and_no_temporary_files(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    rounds, kills_during_traffic = 8, 0
    randomness = random.Random(20261130)
    for round_number in range(rounds):
        with serving("--port", "0", "--state", str(state)) as (process, base_url):
            # A start removes what a killed save left behind.
            assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]
            with http_client(base_url=base_url, auth=MAIN, timeout=5) as client:
                sid = client.get(OWNED_PATH).json()["incoming_phone_numbers"][0]["sid"]
                path = f"{account_path()}/IncomingPhoneNumbers/{sid}.json"
                stop_at = time.monotonic() + randomness.uniform(0.05, 0.4)
                sent = 0
                while time.monotonic() < stop_at and sent < 2000:
                    client.post(path, data={"FriendlyName": f"round {round_number} save {sent}"})
                    sent += 1
                # Kill in the middle of the stream of saves: a request is in flight.
                in_flight = subprocess.Popen(
                    [sys.executable, "-c", _POSTER, base_url, path, str(round_number)],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                time.sleep(randomness.uniform(0.0, 0.05))
                os.kill(process.pid, signal.SIGKILL)
                in_flight.wait(timeout=30)
                kills_during_traffic += 1
        process.wait(timeout=10)
        # The file is whole after every kill: the last completed save or the one before.
        saved = load_state(state)
        names = {n["friendly_name"] for n in saved["incoming_phone_numbers"]}
        # Every acknowledged update was saved before its answer: this round's are there.
        assert any(name.startswith(f"round {round_number} ") for name in names), names
        leftovers = [p.name for p in tmp_path.iterdir() if p.name != "state.json"]
        assert leftovers in ([], [".state.json.tmp"])
    Sandbox(state)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]
    assert kills_during_traffic == rounds
    assert json.loads(state.read_text(encoding="utf-8"))["format"] == "number-wizard sandbox state"


# Posts updates as fast as it can until the server dies (then exits quietly).
_POSTER = """
import sys, httpx
from tui.sandbox.accounts import MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN
base, path, tag = sys.argv[1:]
with httpx.Client(base_url=base, auth=(MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN), timeout=5) as client:
    for n in range(100000):
        try:
            client.post(path, data={"FriendlyName": f"round {tag} killer {n}"})
        except httpx.HTTPError:
            break
"""
