"""Unexpected errors (bugs): kept in a log file under the state folder, with every
secret masked, and explained to the person in plain words with that file's path.

Nothing a background task does may fail silently: the wizard routes every
exception a worker did not handle here, then shows the `UnexpectedError`.
"""

from __future__ import annotations

import os
import traceback
from datetime import UTC, datetime
from pathlib import Path

from tui.domain.errors import WizardError
from tui.services.credentials.redact import redact
from tui.services.paths import state_dir

LOG_NAME = "number-wizard.log"
# The log keeps the latest errors: past this size it starts again (the previous
# one is kept as .1), so it never grows without bound.
MAX_BYTES = 512 * 1024


def default_log_path() -> Path:
    return state_dir() / LOG_NAME


def record_unexpected(error: BaseException, doing: str, *, path: Path | None = None) -> Path | None:
    """Append the error and its traceback, secrets masked, to the log; its path,
    or None when even that fails (the screen still says what happened)."""
    path = path or default_log_path()
    when = datetime.now(UTC).isoformat(timespec="seconds")
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    entry = f"--- {when} while {doing}\n{redact(text)}\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if path.exists() and path.stat().st_size > MAX_BYTES:
            path.replace(path.with_name(path.name + ".1"))
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as log:
            log.write(entry)
    except OSError:
        return None
    return path


class UnexpectedError(WizardError):
    """A bug, explained: what was being done, where the details are, what to do."""

    def __init__(self, error: BaseException, doing: str, log: Path | None) -> None:
        self.error = error
        self.doing = doing
        self.log = log
        detail = redact(f"{type(error).__name__}: {error}")
        super().__init__(f"Something unexpected went wrong while {doing} ({detail}).")

    def lines(self) -> list[str]:
        where = f"The details are in {self.log} (it holds no secret)." if self.log else ""
        return [
            f"Unexpected error while {self.doing}: {redact(f'{type(self.error).__name__}: {self.error}')}",
            f"This is a bug in number-wizard, not something you did. {where}".strip(),
            "Next: try again; if it happens again, please report it with that file.",
        ]
