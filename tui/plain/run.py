"""`number-wizard --plain`: the plain wizard on this process's terminal."""

from __future__ import annotations

import contextlib
import getpass
import sys

from tui.plain.wizard import PlainWizard
from tui.services.session import ConnectionRequest


def run_plain(request: ConnectionRequest, *, reason: str | None = None) -> int:
    """Run the plain wizard on stdin and stdout; `reason`: why it was chosen
    without --plain (said first). Returns the exit status."""
    stdin, stdout = sys.stdin, sys.stdout
    # A terminal that cannot show a character gets a replacement, never a crash.
    with contextlib.suppress(AttributeError, ValueError):
        stdout.reconfigure(errors="replace")  # type: ignore[union-attr]
    read_secret = None
    if stdin.isatty():
        # No echo: getpass reads the terminal itself, the prompt goes with the rest.
        read_secret = lambda prompt: getpass.getpass(prompt, stream=stdout)  # noqa: E731
    wizard = PlainWizard(stdin, stdout, request=request, read_secret=read_secret)
    if reason:
        wizard.say(reason)
    return wizard.run()
