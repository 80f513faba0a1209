"""When the plain mode is chosen without being asked for: the full-screen wizard
needs a terminal with cursor addressing on both ends. Light on purpose: the
command line imports it before deciding which front end to load."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def plain_reason(env: Mapping[str, str], stdin: Any, stdout: Any) -> str | None:
    """Why the full-screen wizard cannot run here, and how to get it; None when it can."""
    if env.get("TERM", "").strip().lower() == "dumb":
        return (
            "TERM is dumb (a terminal without cursor movement), so number-wizard asks its "
            "questions as plain lines. For the full-screen wizard, start it in a terminal "
            "that has cursor movement, e.g. with TERM=xterm-256color."
        )
    if not _is_terminal(stdout):
        return (
            "Standard output is not a terminal, so number-wizard asks its questions as plain "
            "lines. For the full-screen wizard, start it in a terminal without redirecting "
            "its output."
        )
    if not _is_terminal(stdin):
        return (
            "Standard input is not a terminal, so number-wizard asks its questions as plain "
            "lines. For the full-screen wizard, start it in a terminal without redirecting "
            "its input."
        )
    return None
