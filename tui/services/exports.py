"""Files the person asks for: the Review's commands saved as a shell script."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from tui.services.paths import data_dir, write_private


def commands_directory() -> Path:
    return data_dir() / "commands"


def save_commands(phone_number: str, commands: dict[str, str], *, directory: Path | None = None) -> Path:
    """Write the commands (title → command) as a shell script the person can
    read, copy from or run; credentials stay environment variables. Never
    overwrites an earlier file."""
    folder = directory or commands_directory()
    digits = re.sub(r"\D", "", phone_number) or "number"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"buy-{digits}-{stamp}.sh"
    counter = 1
    while path.exists():
        counter += 1
        path = folder / f"buy-{digits}-{stamp}-{counter}.sh"
    lines = [
        "#!/bin/sh",
        f"# Buying {phone_number}, as reviewed in number-wizard on {stamp}.",
        "# Each command below does the same purchase: run ONE of them, once.",
        "# Credentials come from the environment (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN",
        "# or TWILIO_API_KEY / TWILIO_API_SECRET); none is written here.",
        "exit 0  # remove this line to run the first command",
    ]
    for title, command in commands.items():
        lines += ["", f"# {title}", command]
    write_private(path, "\n".join(lines) + "\n")
    return path
