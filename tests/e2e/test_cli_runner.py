"""`run_number_wizard` (tests/support/cli.py) gives what a freshly started
`python -m tui` gives: the same exit code, output and errors, the request's own
environment, working folder and standard input each time, and a run that outlives
its timeout is killed. Each case runs both ways and the results are compared."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.support import cli
from tests.support.cli import run_number_wizard
from tui.sandbox.accounts import MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN

pytestmark = pytest.mark.e2e


def env_in(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "XDG_"))}
    env.update(
        HOME=str(home),
        PYTHON_KEYRING_BACKEND="tests.support.keyrings.JsonFileKeyring",
        KEYRING_PROPERTY_PATH=str(home / "keyring.json"),
        **extra,
    )
    return env


def both_ways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], *, input: str | None = None
) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
    """The run forked, then started afresh, each in a new home of its own."""
    results = []
    for way in ("forked", "spawned"):
        home = tmp_path / way
        home.mkdir(parents=True)
        if way == "spawned":
            monkeypatch.setenv("NUMBER_WIZARD_TESTS_SPAWN", "1")
        results.append(run_number_wizard(args, env=env_in(home), cwd=home, input=input))
    monkeypatch.delenv("NUMBER_WIZARD_TESTS_SPAWN")
    assert cli._zygote is not None, "the forked run did not go through the zygote"
    return results[0], results[1]


def same(
    forked: subprocess.CompletedProcess[str], spawned: subprocess.CompletedProcess[str], tmp_path: Path
) -> None:
    def normal(text: str) -> str:
        return text.replace(str(tmp_path / "forked"), "HOME").replace(str(tmp_path / "spawned"), "HOME")

    assert (forked.returncode, normal(forked.stdout), normal(forked.stderr)) == (
        spawned.returncode,
        normal(spawned.stdout),
        normal(spawned.stderr),
    )


@pytest.mark.parametrize(
    "args",
    [
        ["--version"],
        ["buy", "--help"],
        ["no-such-command"],  # a usage error: exit code 2
        ["buy", "--sandbox", "--phone-number", "+31616953194", "--dry-run", "-o", "json"],
        ["profiles", "list"],  # reads the home folder of its own environment
    ],
)
def test_a_forked_run_is_a_started_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    forked, spawned = both_ways(tmp_path, monkeypatch, args)
    same(forked, spawned, tmp_path)


def test_standard_input_and_the_environment_are_the_runs_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add = ["profiles", "add", "main", "--account-sid", MAIN_ACCOUNT_SID, "--sandbox"]
    # Two lines on standard input: refused, as read from the run's own stdin.
    forked, spawned = both_ways(tmp_path / "refused", monkeypatch, add, input="one\ntwo\n")
    same(forked, spawned, tmp_path / "refused")
    assert forked.returncode != 0 and "2 lines" in forked.stderr
    # The token alone: stored in the keyring file its environment names.
    forked, spawned = both_ways(tmp_path / "stored", monkeypatch, add, input=MAIN_AUTH_TOKEN + "\n")
    same(forked, spawned, tmp_path / "stored")
    assert forked.returncode == 0, forked.stderr
    for way in ("forked", "spawned"):
        assert MAIN_AUTH_TOKEN in (tmp_path / "stored" / way / "keyring.json").read_text()


def test_a_run_past_its_timeout_is_killed(tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        run_number_wizard(["sandbox", "serve", "--port", "0"], env=env_in(tmp_path), timeout=2)
    assert time.monotonic() - started < 30
