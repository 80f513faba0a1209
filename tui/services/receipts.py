"""Receipts: a local record of every purchase attempt.

A receipt is written *before* the request is sent and completed when the outcome
is known, so even a crash mid-purchase leaves a trace of what was attempted.
Receipts hold the request (form body, URL), the outcome and the created resource;
never a secret (the form body of a purchase holds none, and credentials are
recorded by Account SID and kind only).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tui.services.paths import data_dir, write_private

Clock = Callable[[], datetime]


def default_directory() -> Path:
    return data_dir() / "receipts"


@dataclass
class Receipt:
    path: Path
    record: dict[str, Any]

    def update(self, **fields: Any) -> None:
        self.record.update(fields)
        write_private(self.path, json.dumps(self.record, indent=2, default=str) + "\n")


class ReceiptBook:
    def __init__(self, directory: Path | None = None, *, clock: Clock | None = None) -> None:
        self.directory = directory or default_directory()
        self._clock = clock or (lambda: datetime.now(UTC))

    def start(self, *, method: str, url: str, form: dict[str, str], account_sid: str,
              auth_kind: str, sandbox: bool) -> Receipt:
        now = self._clock()
        number = re.sub(r"\D", "", form.get("PhoneNumber", "")) or "unknown"
        stem = f"{now:%Y%m%dT%H%M%S}Z-{number}"
        path = self.directory / f"{stem}.json"
        counter = 1
        while path.exists():
            counter += 1
            path = self.directory / f"{stem}-{counter}.json"
        receipt = Receipt(path, {
            "started_at": now.isoformat(),
            "outcome": "sending",
            "sandbox": sandbox,
            "account_sid": account_sid,
            "auth_kind": auth_kind,
            "request": {"method": method, "url": url, "form": dict(form)},
        })
        receipt.update()
        return receipt

    def finish(self, receipt: Receipt, outcome: str, **fields: Any) -> None:
        receipt.update(outcome=outcome, finished_at=self._clock().isoformat(), **fields)

    def all(self) -> list[dict[str, Any]]:
        if not self.directory.is_dir():
            return []
        records = [json.loads(p.read_text("utf-8")) for p in self.directory.glob("*.json")]
        return sorted(records, key=lambda record: record.get("started_at", ""))
