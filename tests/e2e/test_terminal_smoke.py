"""A real terminal: `python -m tui --sandbox` in tmux, driven by the keyboard alone.

Buys +46701740612 (a seeded SE number that needs nothing) from the Account step to the
Summary with send-keys, reading the screen with `tmux capture-pane -p`; no Pilot,
no Textual internals. A private tmux server (`-L`) at 100×32 keeps it away from
any tmux the developer runs. Skipped when tmux is missing, except on CI.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
NUMBER = "+46701740612"
VOICE_URL = "https://example.org/calls"  # not the fields' placeholders
SMS_URL = "https://example.org/messages"
SIZE = (100, 32)


class Terminal:
    """One tmux session on a private server."""

    def __init__(self, tmux: str, socket: str, env: dict[str, str]) -> None:
        self.tmux, self.socket, self.env = tmux, socket, env
        self.session = "wizard"
        self.socket_path = ""

    def run(self, *args: str) -> str:
        result = subprocess.run(
            [self.tmux, "-L", self.socket, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        return result.stdout

    def start(self, command: list[str], config: Path) -> None:
        width, height = SIZE
        self.run(
            "-f",
            str(config),
            "new-session",
            "-d",
            "-s",
            self.session,
            "-x",
            str(width),
            "-y",
            str(height),
            *command,
        )
        self.socket_path = self.run("display-message", "-p", "#{socket_path}").strip()

    def keys(self, *keys: str) -> None:
        """tmux key names: C-n, Tab, Enter…"""
        self.run("send-keys", "-t", self.session, *keys)

    def type(self, text: str) -> None:
        self.run("send-keys", "-t", self.session, "-l", text)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.session)

    def styled_screen(self) -> str:
        """The screen with its colours and attributes (where the focus is shows)."""
        return self.run("capture-pane", "-p", "-e", "-t", self.session)

    def press_and_wait(self, key: str, *, timeout: float = 20.0) -> None:
        """Press a key that moves the focus, and wait until the screen shows that it
        moved (its styles change), so the next key goes to the new widget."""
        before = self.styled_screen()
        self.keys(key)
        deadline = time.monotonic() + timeout
        screen = previous = before
        while time.monotonic() < deadline:
            screen = self.styled_screen()
            if screen != before and screen == previous:
                return
            previous = screen
            time.sleep(0.1)
        raise AssertionError(f"pressing {key} changed nothing on the screen in {timeout}s")

    def wait_for(self, wanted: str | Callable[[str], bool], *, timeout: float = 20.0) -> str:
        """Poll until the screen shows `wanted` and then stops changing (a new
        screen takes focus a moment after it is drawn: keys sent earlier may
        land before that and lose their focus move)."""
        check = wanted if callable(wanted) else (lambda screen: wanted in screen)
        deadline = time.monotonic() + timeout
        screen = previous = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if check(screen) and screen == previous:
                return screen
            previous = screen if check(screen) else ""
            time.sleep(0.15)
        raise AssertionError(f"waited {timeout}s for {wanted!r}; the screen shows:\n{screen}")

    def kill(self) -> None:
        subprocess.run(
            [self.tmux, "-L", self.socket, "kill-server"],
            env=self.env,
            capture_output=True,
            timeout=10,
            check=False,
        )
        if self.socket_path:
            Path(self.socket_path).unlink(missing_ok=True)


def typed_under(label: str, value: str) -> Callable[[str], bool]:
    """The screen shows `value` in the input under the field labelled `label` (the
    focused field has a bar drawn on its left)."""
    pattern = re.compile(rf"{re.escape(label)}\n\s*\S?\s*{re.escape(value)}")
    return lambda screen: bool(pattern.search(screen))


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    tmux = shutil.which("tmux")
    if tmux is None:
        if os.environ.get("CI"):
            pytest.fail("tmux is required on CI for the terminal smoke test")
        pytest.skip("tmux is not installed")
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_STATE_HOME": str(home / ".local/state"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }  # nothing else: no NO_COLOR, TEXTUAL_*, TWILIO_* or TMUX from the caller
    terminal = Terminal(tmux, f"nw-smoke-{os.getpid()}-{uuid.uuid4().hex[:8]}", env)
    try:
        yield terminal
    finally:
        terminal.kill()


def test_buy_a_number_with_the_keyboard(terminal: Terminal, tmp_path: Path) -> None:
    config = tmp_path / "tmux.conf"
    # Keep the pane after the app exits, so that a crash leaves its traceback to read.
    config.write_text("set -g remain-on-exit on\nset -g status off\n", "utf-8")
    # tmux sets TERM inside the pane to its own; the app gets xterm-256color.
    terminal.start(
        ["env", "TERM=xterm-256color", "COLORTERM=truecolor", sys.executable, "-m", "tui", "--sandbox"],
        config,
    )

    # 1 Account: the sandbox accepts its own credentials.
    terminal.wait_for("Sandbox Account · Full (paid) account")
    terminal.keys("C-n")

    # 2 Number: the tabs have the focus; Right to "Type a number", Tab into the field.
    terminal.wait_for("Step 2 of 7")
    terminal.keys("Right")
    terminal.wait_for("Phone number *")
    terminal.keys("Tab")
    terminal.type(NUMBER)
    terminal.wait_for(f"Chosen: {NUMBER}")
    terminal.keys("C-n")

    # 3 Voice and 4 Messaging: the mode choice has the focus; Tab into the URL field.
    # Tab and the URL go out back to back, as a quick typist sends them: the steps
    # move the focus on Tab before the next key is routed (the keys once went to the
    # mode choice and the URL was lost on a loaded machine).
    terminal.wait_for("Step 3 of 7")
    terminal.keys("Tab")
    terminal.type(VOICE_URL)
    terminal.wait_for(typed_under("Voice URL", VOICE_URL))
    terminal.keys("C-n")
    terminal.wait_for("Step 4 of 7")
    terminal.keys("Tab")
    terminal.type(SMS_URL)
    terminal.wait_for(typed_under("SMS URL", SMS_URL))
    terminal.keys("C-n")

    # 5 Details (all optional) and 6 Compliance (a second Next if it pauses on a warning).
    terminal.wait_for("Step 5 of 7")
    terminal.keys("C-n")
    terminal.wait_for("Step 6 of 7")
    terminal.wait_for(lambda s: "Looking up what this number needs" not in s)
    terminal.keys("C-n")
    screen = terminal.wait_for(lambda s: "Step 7 of 7" in s or "Press Next again" in s)
    if "Step 7 of 7" not in screen:
        terminal.keys("C-n")

    # 7 Review: Buy…, then confirm (Cancel has the focus; Tab to the Buy button). The
    # dialog is not a step and does not move the focus on arrival yet, so wait for
    # Tab to take effect before Enter.
    terminal.wait_for("Step 7 of 7")
    terminal.wait_for(f"Buying   {NUMBER}")
    terminal.keys("C-y")
    terminal.wait_for(f"Buy {NUMBER}?")
    terminal.press_and_wait("Tab")
    terminal.keys("Enter")

    # Summary: the number and the new SID are on the screen.
    screen = terminal.wait_for(f"Bought {NUMBER}.", timeout=30)
    assert NUMBER in screen
    assert re.search(r"\bPN[0-9a-f]{32}\b", screen), screen
    assert "Summary" in screen

    terminal.keys("C-q")  # bought: quits without asking
    terminal.wait_for(lambda s: "Pane is dead" in s or "Bought" not in s, timeout=10)
