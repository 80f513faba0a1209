#!/usr/bin/env python3
"""How fast number-wizard is, against minimal baselines measured in the same run.

    .venv/bin/python scripts/bench.py --quick       # under a minute
    .venv/bin/python scripts/bench.py               # the full run, a few minutes
    .venv/bin/python scripts/bench.py --only help,buy-help --repeat 5
    .venv/bin/python scripts/bench.py --list        # the rows and their targets

Every figure is measured in alternating runs (number-wizard, baseline,
number-wizard, ...) so that a noisy neighbour slows both alike; the table gives
the median and the spread (min–max) of each, the ratio of the medians and the
target for that ratio. The baselines are minimal programs (scripts/bench_baselines/)
started the same way, by the same interpreter, in the same environment:

- first frame: `number-wizard --sandbox` in a real pseudo-terminal (80×24), from
  start until the Account step's text is on the screen, against a Textual app with
  one Input; peak memory (the child's maximum RSS, from wait4) of the same runs,
  the wizard's once its start is over (the sandbox account checked);
- `--help`, `buy --help` and `buy --dry-run -o json` against a bare click program of
  the same shape (the dry run against the same program printing one JSON dump). The
  dry run's floor is printed below the table: the least of its work done with its
  libraries alone (bench_baselines/dry_run_floor.py), with pydantic and without;
- CPU per keystroke typing a phone number into the Number step (Pilot) against the
  Input app;
- a search of 1,000 numbers on the in-process sandbox until the table is drawn,
  against a bare DataTable fed by the same request;
- the whole wizard from start to the summary (Pilot, in-process sandbox): absolute;
- `number-wizard sandbox serve`: p50 and p99 of keep-alive GETs, one client and 20
  at once, against a minimal stdlib server with TCP_NODELAY. Loopback only, bounded
  request counts.

number-wizard's modules are compiled to bytecode first, as an installed package's are.
Timings are for reading, never for asserting: the machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import fcntl
import http.client
import json
import os
import platform
import pty
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BASELINES = HERE / "bench_baselines"
PYTHON = sys.executable

# The wizard's first interactive frame: the Account step's introduction. Started:
# the sandbox's account checked (everything the start loads is loaded).
WIZARD_READY_TEXT = "The Twilio account the number will be bought on."
WIZARD_STARTED_TEXT = "Sandbox Account · Full (paid) account"
BASELINE_READY_TEXT = "Minimal baseline: one Input"  # bench_baselines/minimal_input_app.py
TERMINAL_SIZE = (24, 80)  # rows, columns

# A number the seeded sandbox sells that needs no address and no bundle (NL).
NUMBER = "+31616953194"
MAIN_ACCOUNT_SID = "AC5a4db0c5000000000000000000000001"
MAIN_AUTH_TOKEN = "sandbox-main-auth-token-00000001"
SEARCH_RESULTS = 1000
CONCURRENT_CLIENTS = 20


# ---------------------------------------------------------------------------
# Rows


@dataclass(frozen=True)
class Row:
    name: str
    label: str
    unit: str
    target: float | None  # the highest acceptable ratio; None: absolute, for tracking
    group: str  # rows of one group come from the same runs


ROWS: tuple[Row, ...] = (
    Row("first-frame", "first frame, real pty (s)", "s", 1.5, "pty"),
    Row("peak-memory", "peak memory, started (MiB)", "MiB", 2.0, "pty"),
    Row("help", "`number-wizard --help` (s)", "s", 1.5, "cli"),
    Row("buy-help", "`buy --help` (s)", "s", 1.5, "cli"),
    Row("dry-run", "`buy --dry-run -o json` (s)", "s", 2.0, "cli"),
    Row("keystroke", "CPU per keystroke, validated field (ms)", "ms", 2.0, "keystroke"),
    Row("search", f"search of {SEARCH_RESULTS:,} to a drawn table (s)", "s", 1.5, "search"),
    Row("wizard-run", "start to summary, Pilot (s)", "s", None, "wizard-run"),
    Row("serve-p50", "`sandbox serve` GET p50, 1 client (ms)", "ms", 3.0, "server"),
    Row("serve-p99", "`sandbox serve` GET p99, 1 client (ms)", "ms", 3.0, "server"),
    Row("serve-c20-p50", f"`sandbox serve` GET p50, {CONCURRENT_CLIENTS} clients (ms)", "ms", 3.0, "server"),
    Row("serve-c20-p99", f"`sandbox serve` GET p99, {CONCURRENT_CLIENTS} clients (ms)", "ms", 3.0, "server"),
)
ROWS_BY_NAME = {row.name: row for row in ROWS}
GROUPS = tuple(dict.fromkeys(row.group for row in ROWS))


@dataclass
class Plan:
    """How many alternating pairs of runs each group gets, and request counts."""

    pty: int
    cli: int
    keystroke: int
    search: int
    wizard_run: int
    server: int
    sequential_requests: int
    concurrent_requests: int  # per client

    @classmethod
    def quick(cls) -> Plan:
        return cls(
            pty=3, cli=3, keystroke=2, search=2, wizard_run=1, server=1,
            sequential_requests=100, concurrent_requests=10,
        )  # fmt: skip

    @classmethod
    def full(cls) -> Plan:
        return cls(
            pty=9, cli=11, keystroke=5, search=5, wizard_run=3, server=3,
            sequential_requests=400, concurrent_requests=25,
        )  # fmt: skip

    def with_repeat(self, repeat: int) -> Plan:
        return Plan(
            pty=repeat, cli=repeat, keystroke=repeat, search=repeat, wizard_run=repeat, server=repeat,
            sequential_requests=self.sequential_requests, concurrent_requests=self.concurrent_requests,
        )  # fmt: skip


@dataclass
class Samples:
    wizard: dict[str, list[float]] = field(default_factory=dict)
    baseline: dict[str, list[float]] = field(default_factory=dict)
    # What the libraries alone cost doing the least of a row's work (not a target:
    # for reading how far a ratio can go down); so far the dry run's.
    floor: dict[str, list[float]] = field(default_factory=dict)

    def add(self, side: str, values: dict[str, float]) -> None:
        target = {"wizard": self.wizard, "baseline": self.baseline, "floor": self.floor}[side]
        for name, value in values.items():
            target.setdefault(name, []).append(value)


# ---------------------------------------------------------------------------
# Environment: every child gets the same one, with its own empty home


@contextlib.contextmanager
def isolated_env() -> Iterator[dict[str, str]]:
    """The caller's environment with HOME and the XDG folders in a fresh temporary
    folder (no stored profile, no draft to offer) and the keyring's fail backend (a
    benchmark never touches your keyring). No TWILIO_* variable."""
    with tempfile.TemporaryDirectory(prefix="nw-bench-") as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "TEXTUAL_"))}
        env.pop("NO_COLOR", None)
        env.update(
            HOME=home,
            XDG_CONFIG_HOME=f"{home}/.config",
            XDG_DATA_HOME=f"{home}/.local/share",
            XDG_STATE_HOME=f"{home}/.local/state",
            XDG_CACHE_HOME=f"{home}/.cache",
            PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
            TERM="xterm-256color",
            COLORTERM="truecolor",
        )
        yield env


def compile_bytecode() -> str:
    """Compile number-wizard's modules to bytecode before measuring, as pip does when
    it installs a package. An editable install writes it on its first run, unless
    PYTHONDONTWRITEBYTECODE is set (as in some containers): then every start would
    compile the sources again (about 70 ms for a dry run), a cost no installed copy
    pays. The baselines are single scripts on libraries pip has compiled."""
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("tui")
    if spec is None or not spec.submodule_search_locations:
        return "bytecode: number-wizard not found"
    folder = next(iter(spec.submodule_search_locations))
    if not compileall.compile_dir(folder, quiet=1):
        raise RuntimeError(f"could not compile {folder}")
    return f"bytecode: compiled ({folder})"


def wizard_command() -> list[str]:
    """`number-wizard` as a person starts it: the console script beside this
    interpreter (it runs on this interpreter); `python -m tui` without one."""
    script = Path(PYTHON).with_name("number-wizard")
    return [str(script)] if script.exists() else [PYTHON, "-m", "tui"]


# ---------------------------------------------------------------------------
# 1, 2: first frame and peak memory in a real pseudo-terminal

_ESCAPE = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|.)")


def first_frame(
    argv: Sequence[str], ready_text: str, env: dict[str, str], started_text: str | None = None
) -> dict[str, float]:
    """Start `argv` on a new pty; the time until `ready_text` is on the screen, and
    the child's peak RSS up to `started_text` (when given: what it loads after its
    first frame counts too), after which it quits with ctrl+q."""
    ready = ready_text.encode()
    rows, columns = TERMINAL_SIZE
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: size the terminal, become the program
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
            os.execve(argv[0], list(argv), env)
        finally:
            os._exit(127)
    output = b""
    shown_at: float | None = None
    deadline = started + 60
    try:
        while shown_at is None and time.perf_counter() < deadline:
            readable, _, _ = select.select([fd], [], [], 0.5)
            if not readable:
                continue
            try:
                chunk = os.read(fd, 1 << 16)
            except OSError:
                break  # the child is gone (EIO)
            if not chunk:
                break
            output += chunk
            if ready in _ESCAPE.sub(b"", output):
                shown_at = time.perf_counter()
        if shown_at is None:
            tail = _ESCAPE.sub(b"", output)[-600:].decode(errors="replace")
            raise RuntimeError(f"{argv} never showed {ready_text!r}; its screen ended with: {tail}")
        if started_text is not None:
            output = _read_until(fd, output, started_text.encode(), deadline)
        os.write(fd, b"\x11")  # ctrl+q
        _drain_until_exit(fd, timeout=15)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        _, _, usage = os.wait4(pid, 0)
        os.close(fd)
    return {"first-frame": shown_at - started, "peak-memory": usage.ru_maxrss / 1024}


def _read_until(fd: int, output: bytes, wanted: bytes, deadline: float) -> bytes:
    while wanted not in _ESCAPE.sub(b"", output):
        if time.perf_counter() > deadline:
            raise RuntimeError(f"the screen never showed {wanted.decode()!r}")
        readable, _, _ = select.select([fd], [], [], 0.5)
        if readable:
            output += os.read(fd, 1 << 16)
    return output


def _drain_until_exit(fd: int, timeout: float) -> None:
    """Keep reading (a child blocked on a full pty never exits) until the child has
    closed the terminal (EOF, or EIO on Linux). Not waitpid: wait4 reaps it later
    and reads its resource usage."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        readable, _, _ = select.select([fd], [], [], 0.2)
        if readable:
            try:
                if not os.read(fd, 1 << 16):
                    return
            except OSError:
                return


def run_pty(pairs: int, samples: Samples) -> None:
    wizard = [*wizard_command(), "--sandbox"]
    baseline = [PYTHON, str(BASELINES / "minimal_input_app.py")]
    for _ in range(pairs):
        with isolated_env() as env:
            samples.add("wizard", first_frame(wizard, WIZARD_READY_TEXT, env, WIZARD_STARTED_TEXT))
        with isolated_env() as env:
            samples.add("baseline", first_frame(baseline, BASELINE_READY_TEXT, env))


# ---------------------------------------------------------------------------
# 3: the command line


def timed_run(argv: Sequence[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(argv, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"{argv} exited {result.returncode}: {result.stderr.decode(errors='replace')}")
    return elapsed


def run_cli(pairs: int, samples: Samples, rows: set[str]) -> None:
    wizard = wizard_command()
    baseline = [PYTHON, str(BASELINES / "bare_cli.py")]
    dry_run = ["buy", "--sandbox", "--phone-number", NUMBER, "--dry-run", "-o", "json"]
    commands = {"help": ["--help"], "buy-help": ["buy", "--help"], "dry-run": dry_run}
    floor = [PYTHON, str(BASELINES / "dry_run_floor.py"), *dry_run]
    with isolated_env() as env:
        for _ in range(pairs):
            for name, arguments in commands.items():
                if name in rows:
                    samples.add("wizard", {name: timed_run([*wizard, *arguments], env)})
                    samples.add("baseline", {name: timed_run([*baseline, *arguments], env)})
            if "dry-run" in rows:
                samples.add("floor", {"dry-run": timed_run(floor, env)})
                samples.add("floor", {"dry-run-no-models": timed_run([*floor, "--no-models"], env)})


# ---------------------------------------------------------------------------
# 4, 5, 6: in-process measurements with Pilot, one child process per sample


def child(measurement: str, side: str) -> dict[str, float]:
    """Run one in-process measurement in a fresh interpreter and return its figures."""
    with isolated_env() as env:
        result = subprocess.run(
            [PYTHON, str(Path(__file__).resolve()), "--child", measurement, side],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        raise RuntimeError(f"child {measurement} {side} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_children(measurement: str, pairs: int, samples: Samples, *, baseline: bool = True) -> None:
    for _ in range(pairs):
        samples.add("wizard", child(measurement, "wizard"))
        if baseline:
            samples.add("baseline", child(measurement, "baseline"))


def _wizard_app(connection: Any = None) -> Any:
    """The wizard as `number-wizard --sandbox` builds it, its files under $HOME,
    the garbage collector paused until its first frame as the command line does
    (tui/services/gc_pause.py)."""
    from tui.app import WizardApp
    from tui.services import gc_pause
    from tui.services.drafts import DraftStore
    from tui.services.session import ConnectionRequest, sandbox_connection

    gc_pause.pause()

    request = ConnectionRequest(sandbox=True)
    return WizardApp(
        connection or sandbox_connection(), request=request, draft_store=DraftStore(sandbox=True)
    )


async def _settle(pilot: Any) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


KEY_INTERVAL = 0.05  # a fast typist: 20 keys a second


def _key_event(key: str) -> Any:
    from textual import events

    if key == "backspace":
        return events.Key("backspace", "\x08")
    return events.Key("plus" if key == "+" else key, key)


async def _type_and_time(pilot: Any, control: Any, rounds: int = 2) -> float:
    """CPU milliseconds per key, typing NUMBER into `control` and erasing it
    (`rounds` times, after a warm-up round). Each key is posted as the terminal
    driver posts it, then the app has KEY_INTERVAL to handle it and update the
    screen on its own timer: no Pilot waits (they visit every widget of the
    screen, which would charge the wizard's bigger screens for the harness)."""

    async def one_round() -> None:
        for keys, expected in ((NUMBER, NUMBER), (["backspace"] * len(NUMBER), "")):
            for key in keys:
                pilot.app.post_message(_key_event(key))
                await asyncio.sleep(KEY_INTERVAL)
            for _ in range(100):  # a slow machine may still be catching up
                if control.value == expected:
                    break
                await asyncio.sleep(KEY_INTERVAL)
            else:
                raise RuntimeError(f"typed {expected!r}, the field holds {control.value!r}")

    await one_round()
    await _settle(pilot)
    started = time.process_time()
    for _ in range(rounds):
        await one_round()
    return (time.process_time() - started) * 1000 / (rounds * 2 * len(NUMBER))


async def keystroke_wizard() -> dict[str, float]:
    from textual.widgets import Input, TabbedContent

    app = _wizard_app()
    async with app.run_test(size=TERMINAL_SIZE[::-1]) as pilot:
        await _settle(pilot)
        app.goto("number")
        await _settle(pilot)
        app.screen.query_one("#number-tabs", TabbedContent).active = "tab-type"
        await pilot.pause()
        control = app.screen.query_one("#control-phone_number", Input)
        control.focus()
        await pilot.pause()
        per_key = await _type_and_time(pilot, control)
        await pilot.press("ctrl+q")  # the draft is empty again: quits without asking
    return {"keystroke": per_key}


async def keystroke_baseline() -> dict[str, float]:
    from bench_baselines.minimal_input_app import MinimalInputApp  # type: ignore[import-not-found]
    from textual.widgets import Input

    app = MinimalInputApp()
    async with app.run_test(size=TERMINAL_SIZE[::-1]) as pilot:
        control = app.query_one(Input)
        control.focus()
        await _settle(pilot)
        per_key = await _type_and_time(pilot, control)
    return {"keystroke": per_key}


def _sandbox_with_many_numbers(directory: Path) -> Any:
    """An in-process sandbox whose NL inventory has SEARCH_RESULTS more numbers."""
    from tui.domain.credentials import Credentials, Secret
    from tui.sandbox import Sandbox, SandboxTransport
    from tui.sandbox.state import initial_state
    from tui.services.session import SANDBOX_SOURCE, Connection

    state = initial_state()
    for index in range(SEARCH_RESULTS):
        state["inventory"].append(
            {
                "phone_number": f"+31612{index:06d}",
                "iso_country": "NL",
                "locality": None,
                "capabilities": {"voice": True, "sms": True, "mms": False, "fax": index % 7 == 0},
                "address_requirements": "none" if index % 3 else "any",
                "beta": False,
            }
        )
    path = directory / "sandbox-state.json"
    path.write_text(json.dumps(state), "utf-8")
    sandbox = Sandbox(path)
    credentials = Credentials(MAIN_ACCOUNT_SID, Secret(MAIN_AUTH_TOKEN), source=SANDBOX_SOURCE)
    return Connection(credentials=credentials, transport=SandboxTransport(sandbox), sandbox=True)


async def _until(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise RuntimeError("timed out")
        await asyncio.sleep(0.001)


def _busy(app: Any, group: str) -> bool:
    return any(worker.group == group and not worker.is_finished for worker in app.workers)


def _measured(table: Any) -> bool:
    """The table has measured its new rows (it does so when idle, in
    DataTable._on_idle: private, read only here). Both sides wait for it: a sample
    that stopped before it and one that did not made the search rows bimodal."""
    return not table._require_update_dimensions and not table._updated_cells


def _draw(app: Any) -> None:
    """Lay out and render the screen now: what its refresh timer runs (Pilot.pause
    ends the same way), without Pilot's waits on every widget of the screen."""
    app.screen._on_timer_update()


async def search_wizard() -> dict[str, float]:
    from textual.widgets import DataTable

    connection = _sandbox_with_many_numbers(Path(os.environ["HOME"]))
    app = _wizard_app(connection)
    async with app.run_test(size=TERMINAL_SIZE[::-1]) as pilot:
        await _settle(pilot)
        app.goto("number")
        await _settle(pilot)  # the countries are loaded
        screen = app.screen
        screen.draft.search.update(country_code="NL", page_size=SEARCH_RESULTS)
        table = screen.query_one("#results", DataTable)
        started = time.perf_counter()
        screen.run_search()
        await _until(lambda: table.row_count >= SEARCH_RESULTS and not _busy(app, "search"))
        await _until(lambda: _measured(table))
        _draw(app)
        elapsed = time.perf_counter() - started
        rows = table.row_count
    if rows < SEARCH_RESULTS:
        raise RuntimeError(f"the search showed {rows} numbers, not {SEARCH_RESULTS}")
    return {"search": elapsed}


async def search_baseline() -> dict[str, float]:
    import httpx
    from bench_baselines.bare_table_app import BareTableApp  # type: ignore[import-not-found]
    from textual.widgets import DataTable

    connection = _sandbox_with_many_numbers(Path(os.environ["HOME"]))
    url = (
        f"https://api.twilio.com/2010-04-01/Accounts/{MAIN_ACCOUNT_SID}/AvailablePhoneNumbers/NL/Mobile.json"
    )
    app = BareTableApp()
    async with (
        httpx.AsyncClient(transport=connection.transport, auth=(MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN)) as client,
        app.run_test(size=TERMINAL_SIZE[::-1]) as pilot,
    ):
        await _settle(pilot)
        # Warm, as the wizard's client is when it searches (it has listed the countries).
        await client.get(url, params={"PageSize": 1})
        started = time.perf_counter()
        response = await client.get(url, params={"PageSize": SEARCH_RESULTS})
        app.show(response.json()["available_phone_numbers"])
        await asyncio.sleep(0)  # the table's messages, as the wizard's worker gets them
        await _until(lambda: _measured(app.query_one(DataTable)))
        _draw(app)
        elapsed = time.perf_counter() - started
        rows = app.query_one(DataTable).row_count
    if rows < SEARCH_RESULTS:
        raise RuntimeError(f"the baseline showed {rows} numbers, not {SEARCH_RESULTS}")
    return {"search": elapsed}


async def wizard_run() -> dict[str, float]:
    """From constructing the app to the summary of a bought number, by keys: the
    number and the two webhooks typed, Next on each step, the purchase confirmed."""
    from textual.widgets import TabbedContent

    started = time.perf_counter()
    app = _wizard_app()
    async with app.run_test(size=(100, 32)) as pilot:

        async def next_step(expected: str) -> None:
            await pilot.press("ctrl+n")
            await _settle(pilot)
            if app.screen.id != expected and getattr(app.screen, "STEP_ID", None) != expected:
                raise RuntimeError(f"expected the {expected} step, the wizard shows {app.screen!r}")

        async def type_into(name: str, text: str) -> None:
            app.screen.query_one(f"#control-{name}").focus()
            await pilot.press(*text)
            await _settle(pilot)

        await _settle(pilot)
        await next_step("number")
        app.screen.query_one("#number-tabs", TabbedContent).active = "tab-type"
        await pilot.pause()
        await type_into("phone_number", NUMBER)
        await next_step("voice")
        await type_into("voice_url", "https://example.com/voice")
        await next_step("messaging")
        await type_into("sms_url", "https://example.com/sms")
        for step in ("details", "compliance", "review"):
            await next_step(step)
        await pilot.press("ctrl+y")
        await pilot.pause()
        await pilot.click("#yes")
        await _settle(pilot)
        if app.screen.id != "summary":
            raise RuntimeError(f"the purchase did not reach the summary: {app.screen!r}")
        elapsed = time.perf_counter() - started
        await pilot.press("ctrl+q")
    return {"wizard-run": elapsed}


CHILDREN: dict[tuple[str, str], Callable[[], Any]] = {
    ("keystroke", "wizard"): keystroke_wizard,
    ("keystroke", "baseline"): keystroke_baseline,
    ("search", "wizard"): search_wizard,
    ("search", "baseline"): search_baseline,
    ("wizard-run", "wizard"): wizard_run,
}


# ---------------------------------------------------------------------------
# 7: the sandbox server


def _start_server(argv: Sequence[str], env: dict[str, str]) -> tuple[subprocess.Popen[str], str, int]:
    process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        found = re.search(r"http://([\d.]+):(\d+)", line)
        if found:
            # Keep reading its output so that a full pipe never blocks it.
            threading.Thread(target=process.stdout.read, daemon=True).start()
            return process, found.group(1), int(found.group(2))
    process.kill()
    raise RuntimeError(f"{argv} did not announce a URL: {process.stderr.read() if process.stderr else ''}")


def _get(connection: http.client.HTTPConnection, path: str, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - started
    if response.status != 200:
        raise RuntimeError(f"GET {path} answered {response.status}")
    return elapsed * 1000


def _percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def serve_latencies(argv: Sequence[str], env: dict[str, str], plan: Plan) -> dict[str, float]:
    """p50/p99 of keep-alive GETs (ms): one client in a row, then 20 clients at once
    (each on its own connection, as many requests each)."""
    process, host, port = _start_server(argv, env)
    token = base64.b64encode(f"{MAIN_ACCOUNT_SID}:{MAIN_AUTH_TOKEN}".encode()).decode()
    headers = {"Authorization": f"Basic {token}", "Connection": "keep-alive"}
    path = f"/2010-04-01/Accounts/{MAIN_ACCOUNT_SID}.json"
    try:
        connection = http.client.HTTPConnection(host, port, timeout=10)
        for _ in range(10):
            _get(connection, path, headers)  # warm-up
        sequential = [_get(connection, path, headers) for _ in range(plan.sequential_requests)]
        connection.close()

        concurrent: list[float] = []
        lock = threading.Lock()
        barrier = threading.Barrier(CONCURRENT_CLIENTS)
        failures: list[BaseException] = []

        def client() -> None:
            try:
                own = http.client.HTTPConnection(host, port, timeout=30)
                _get(own, path, headers)
                barrier.wait()
                times = [_get(own, path, headers) for _ in range(plan.concurrent_requests)]
                own.close()
                with lock:
                    concurrent.extend(times)
            except BaseException as error:
                failures.append(error)
                barrier.abort()

        threads = [threading.Thread(target=client) for _ in range(CONCURRENT_CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            raise RuntimeError(f"a concurrent client failed: {failures[0]!r}")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return {
        "serve-p50": _percentile(sequential, 0.5),
        "serve-p99": _percentile(sequential, 0.99),
        "serve-c20-p50": _percentile(concurrent, 0.5),
        "serve-c20-p99": _percentile(concurrent, 0.99),
    }


def run_server(plan: Plan, samples: Samples) -> None:
    wizard = [*wizard_command(), "sandbox", "serve", "--port", "0"]
    baseline = [PYTHON, str(BASELINES / "minimal_server.py"), "0"]
    with isolated_env() as env:
        for _ in range(plan.server):
            samples.add("wizard", serve_latencies(wizard, env, plan))
            samples.add("baseline", serve_latencies(baseline, env, plan))


# ---------------------------------------------------------------------------
# The table


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    if value >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def _figure(values: list[float] | None) -> str:
    if not values:
        return "–"
    median = statistics.median(values)
    if len(values) == 1:
        return _number(median)
    return f"{_number(median)} ({_number(min(values))}–{_number(max(values))})"


def table(samples: Samples, rows: Sequence[Row]) -> list[str]:
    lines = [
        "| Figure | number-wizard | baseline | ratio | target | met |",
        "|---|---:|---:|---:|---:|:---:|",
    ]
    for row in rows:
        wizard = samples.wizard.get(row.name)
        baseline = samples.baseline.get(row.name)
        if row.target is None:
            ratio, target, met = "–", "absolute", "–"
        elif wizard and baseline:
            value = statistics.median(wizard) / statistics.median(baseline)
            ratio, target = f"{value:.2f}×", f"≤ {row.target:g}×"
            met = "yes" if value <= row.target else "**no**"
        else:
            ratio, target, met = "–", f"≤ {row.target:g}×", "–"
        lines.append(
            f"| {row.label} | {_figure(wizard)} | {_figure(baseline)} | {ratio} | {target} | {met} |"
        )
    return lines


def floor_lines(samples: Samples) -> list[str]:
    """The dry run's floor (scripts/bench_baselines/dry_run_floor.py) against the
    baseline and against number-wizard's dry run, from the same runs."""
    wizard, baseline = samples.wizard.get("dry-run"), samples.baseline.get("dry-run")
    models, bare = samples.floor.get("dry-run"), samples.floor.get("dry-run-no-models")
    if not (wizard and baseline and models and bare):
        return []
    median = statistics.median
    return [
        "",
        "The dry run's floor, from the same runs: the least of its work (the number checked, "
        "the four pre-check questions asked in process, one JSON dump) done with its libraries "
        "alone (scripts/bench_baselines/dry_run_floor.py):",
        f"- with pydantic models, as number-wizard: {_figure(models)} s, "
        f"{median(models) / median(baseline):.2f}× the baseline; number-wizard's dry run is "
        f"{median(wizard) / median(models):.2f}× this floor;",
        f"- without pydantic (click, phonenumbers, httpx, asyncio): {_figure(bare)} s, "
        f"{median(bare) / median(baseline):.2f}× the baseline.",
    ]


def machine() -> str:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    from importlib.metadata import version

    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{platform.system()} {platform.release()}, {os.cpu_count()} CPUs ({model or platform.machine()}), "
        f"Python {platform.python_version()}, textual {version('textual')}, load average {load}"
    )


# ---------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs: under a minute")
    parser.add_argument("--only", help="comma-separated rows or groups: " + ", ".join(GROUPS))
    parser.add_argument("--repeat", type=int, help="alternating pairs of runs per group (overrides the mode)")
    parser.add_argument("--json", type=Path, help="also write every sample to this file")
    parser.add_argument("--list", action="store_true", help="list the rows and their targets")
    parser.add_argument("--child", nargs=2, metavar=("MEASUREMENT", "SIDE"), help=argparse.SUPPRESS)
    options = parser.parse_args(argv)

    if options.child:
        sys.path.insert(0, str(HERE))
        figures = asyncio.run(CHILDREN[tuple(options.child)]())
        print(json.dumps(figures))
        return 0
    if options.list:
        for row in ROWS:
            target = f"≤ {row.target:g}×" if row.target else "absolute"
            print(f"{row.name:<15} {row.group:<11} {target:<9} {row.label}")
        return 0

    chosen = set(ROWS_BY_NAME)
    if options.only:
        chosen = set()
        for word in options.only.split(","):
            word = word.strip()
            if word in ROWS_BY_NAME:
                chosen.add(word)
            elif word in GROUPS:
                chosen |= {row.name for row in ROWS if row.group == word}
            else:
                parser.error(f"unknown row or group {word!r} (see --list)")
    plan = Plan.quick() if options.quick else Plan.full()
    if options.repeat:
        plan = plan.with_repeat(options.repeat)
    rows = [row for row in ROWS if row.name in chosen]
    groups = {row.group for row in rows}

    print(f"machine: {machine()}", flush=True)
    print(compile_bytecode(), flush=True)
    started = time.perf_counter()
    samples = Samples()
    steps: list[tuple[str, Callable[[], None]]] = [
        ("pty", lambda: run_pty(plan.pty, samples)),
        ("cli", lambda: run_cli(plan.cli, samples, chosen)),
        ("keystroke", lambda: run_children("keystroke", plan.keystroke, samples)),
        ("search", lambda: run_children("search", plan.search, samples)),
        ("wizard-run", lambda: run_children("wizard-run", plan.wizard_run, samples, baseline=False)),
        ("server", lambda: run_server(plan, samples)),
    ]
    for group, run in steps:
        if group in groups:
            group_started = time.perf_counter()
            run()
            print(f"  {group}: {time.perf_counter() - group_started:.1f} s", file=sys.stderr, flush=True)
    print()
    print("\n".join([*table(samples, rows), *floor_lines(samples)]))
    print(f"\n{'quick' if options.quick else 'full'} run, {time.perf_counter() - started:.0f} s; "
          "medians (min–max) of alternating runs; ratio = median / baseline median.")  # fmt: skip
    if options.json:
        options.json.write_text(
            json.dumps(
                {"wizard": samples.wizard, "baseline": samples.baseline, "floor": samples.floor}, indent=2
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
