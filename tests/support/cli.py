"""`python -m tui ARGS` for the end-to-end tests, without paying for the imports
each time.

A command line process spends most of its CPU importing (click, httpx, pydantic,
the models): about 0.4 s of CPU on the 2-core development machine, a fifth of the
whole suite's CPU over some two hundred runs. `run_number_wizard` forks each
run from a process that has already imported them (tests/support/cli_zygote.py).
The child is still a process of its own: its own environment, working folder,
standard streams (files, read back here), exit code and exit (atexit handlers,
threads joined, a traceback on stderr for an uncaught error), talking to the
sandbox over real HTTP. What it skips is the interpreter's start and the imports,
so anything decided at start-up from the environment must not vary: a run whose
environment changes such a variable, or a machine without pidfds (Linux 5.3+),
gets a freshly started `python -m tui`, as does every run with
NUMBER_WIZARD_TESTS_SPAWN=1 (to compare the two).

Tests of the start itself (what `--help` imports, the installed entry point, a
real terminal, signals) start their processes themselves.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]

# Read by the interpreter as it starts, so a forked child cannot take them from
# its request: a run that sets them differently is started afresh.
STARTUP_VARIABLES = (
    "PYTHONIOENCODING",
    "PYTHONUTF8",
    "PYTHONWARNINGS",
    "PYTHONPATH",
    "PYTHONHASHSEED",
    "PYTHONSAFEPATH",
    "PYTHONDEVMODE",
    "PYTHONOPTIMIZE",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
)


def run_number_wizard(
    args: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path | str = REPO,
    input: str | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """`python -m tui *args` with that environment and working folder; stdin is
    `input` (or empty); returns what `subprocess.run(..., capture_output=True,
    text=True)` would."""
    command = [sys.executable, "-m", "tui", *args]
    zygote = _zygote_for(env)
    if zygote is None:
        return subprocess.run(
            command,
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
            capture_output=True,
            text=True,
            cwd=cwd,
            env=dict(env),
            timeout=timeout,
        )
    return zygote.run(command, args, env=env, cwd=cwd, input=input, timeout=timeout)


class _Zygote:
    def __init__(self) -> None:
        self.start_env = dict(os.environ)
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (the zygote's stderr, shown if it dies)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.cli_zygote"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            cwd=REPO,
            env=self.start_env,
        )
        self.lock = threading.Lock()
        self.ids = itertools.count()
        self.answers: dict[str, dict[str, Any]] = {}
        self.unread = b""

    def suits(self, env: Mapping[str, str]) -> bool:
        return self.process.poll() is None and all(
            env.get(name) == self.start_env.get(name) for name in STARTUP_VARIABLES
        )

    def run(
        self,
        command: list[str],
        args: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: Path | str,
        input: str | None,
        timeout: float,
    ) -> subprocess.CompletedProcess[str]:
        folder = Path(tempfile.mkdtemp(prefix="nw-cli-"))
        try:
            stdin, stdout, stderr = folder / "stdin", folder / "stdout", folder / "stderr"
            stdin.write_text(input or "", encoding="utf-8")
            request_id = str(next(self.ids))
            request = {
                "id": request_id,
                "args": list(args),
                "env": dict(env),
                "cwd": str(cwd),
                "stdin": str(stdin),
                "stdout": str(stdout),
                "stderr": str(stderr),
            }
            with self.lock:
                assert self.process.stdin is not None
                self.process.stdin.write(json.dumps(request).encode() + b"\n")
                self.process.stdin.flush()
            pid = self._answer(request_id, "pid", time.monotonic() + 30)
            deadline = time.monotonic() + timeout
            try:
                code = self._answer(request_id, "code", deadline)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                self._answer(request_id, "code", time.monotonic() + 30)
                raise subprocess.TimeoutExpired(
                    command, timeout, output=_read(stdout), stderr=_read(stderr)
                ) from None
            return subprocess.CompletedProcess(command, code, _read(stdout), _read(stderr))
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _answer(self, request_id: str, key: str, deadline: float) -> Any:
        """The zygote's `key` answer to the request, waiting until `deadline`."""
        while True:
            with self.lock:
                answer = self.answers.get(request_id, {})
                if key in answer:
                    if key == "code":
                        del self.answers[request_id]
                    return answer[key]
                self._read_answers(min(0.05, max(0.0, deadline - time.monotonic())))
            if time.monotonic() >= deadline:
                raise TimeoutError(f"no {key} for request {request_id}")

    def _read_answers(self, wait: float) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        ready, _, _ = select.select([stdout], [], [], wait)
        if not ready:
            return
        chunk = os.read(stdout.fileno(), 65536)
        if not chunk:
            self.log.seek(0)
            raise RuntimeError("the command line zygote died:\n" + self.log.read().decode(errors="replace"))
        self.unread += chunk
        while b"\n" in self.unread:
            line, self.unread = self.unread.split(b"\n", 1)
            message = json.loads(line)
            self.answers.setdefault(message.pop("id"), {}).update(message)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            assert self.process.stdin is not None
            self.process.stdin.close()
            self.process.wait(timeout=10)
        if self.process.poll() is None:
            self.process.kill()
        self.log.close()


_zygote: _Zygote | None = None
_zygote_lock = threading.Lock()


def _zygote_for(env: Mapping[str, str]) -> _Zygote | None:
    global _zygote
    if os.environ.get("NUMBER_WIZARD_TESTS_SPAWN") or not hasattr(os, "pidfd_open"):
        return None
    with _zygote_lock:
        if _zygote is None or _zygote.process.poll() is not None:
            _zygote = _Zygote()
            atexit.register(_zygote.close)
        zygote = _zygote
    return zygote if zygote.suits(env) else None


def _read(path: Path) -> str:
    # As subprocess's text mode reads a pipe: the locale's encoding, universal newlines.
    with contextlib.suppress(FileNotFoundError), open(path, encoding=None, newline=None) as stream:
        return stream.read()
    return ""
