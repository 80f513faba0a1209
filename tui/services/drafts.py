"""Drafts: the wizard's input saved as the person types, so a crash or a closed
terminal loses nothing. A draft never holds a secret."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tui.services.paths import state_dir, write_private


def default_path(*, sandbox: bool = False) -> Path:
    """`draft.json`; a `--sandbox` run keeps its own, `draft-sandbox.json`, beside
    it: a draft made on the sandbox (its AD…/BU… SIDs, its numbers) is never
    offered to a session with a real account, nor the other way round."""
    return state_dir() / ("draft-sandbox.json" if sandbox else "draft.json")


class DraftStore:
    def __init__(self, path: Path | None = None, *, sandbox: bool = False) -> None:
        self.path = path or default_path(sandbox=sandbox)

    def load(self) -> dict[str, Any] | None:
        """The saved draft, or None when there is none or it cannot be read."""
        try:
            return json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError):
            return None

    def save(self, data: dict[str, Any]) -> None:
        write_private(self.path, json.dumps(data, indent=2, sort_keys=True) + "\n")

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)
