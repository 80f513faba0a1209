"""Receipts: a local record of every purchase attempt, and of every update or
release of an owned number (`kind`: "update", "release"; a purchase has none).

A receipt is written *before* the request is sent (`outcome: "sending"`) and
completed when the outcome is known, so even a crash mid-purchase leaves a trace
of what was attempted, which the next start settles by looking the number up
(`tui.services.purchase.recover_unfinished`).

Writing one waits for the disk (fsync): from an event loop, use `start_in_thread`
and `finish_in_thread`. Receipts hold the request (form body, URL), the outcome
and the created resource; never a secret (the form body of a purchase holds none,
and credentials are recorded by Account SID and kind only).
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.domain.errors import TwilioApiError, WizardError
from tui.services.paths import data_dir, write_private

if TYPE_CHECKING:
    from pydantic import BaseModel

Clock = Callable[[], datetime]

# Outcomes a receipt can carry; the last two are not final. ("done": an update
# or a release went through.)
FINAL_OUTCOMES = ("bought", "done", "failed")
UNFINISHED_OUTCOMES = ("sending", "unknown")


def default_directory() -> Path:
    return data_dir() / "receipts"


@dataclass
class Receipt:
    path: Path
    record: dict[str, Any]
    # Changes are numbered in the order they are made; a write that comes late
    # (a thread that ran slowly) never replaces a newer state of the file.
    _changes: int = field(default=0, init=False, repr=False, compare=False)
    _written: int = field(default=0, init=False, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    @property
    def outcome(self) -> str:
        return str(self.record.get("outcome", ""))

    @property
    def phone_number(self) -> str:
        form = (self.record.get("request") or {}).get("form") or {}
        return str(form.get("PhoneNumber") or self.record.get("phone_number") or "")

    def update(self, **fields: Any) -> None:
        self.write(self.change(**fields))

    def change(self, **fields: Any) -> tuple[int, str]:
        """Apply `fields` to the record now; returns what `write` puts on disk."""
        self.record.update(fields)
        self._changes += 1
        return self._changes, json.dumps(self.record, indent=2, default=str) + "\n"

    def write(self, change: tuple[int, str]) -> None:
        number, text = change
        with self._lock:
            if number <= self._written:
                return  # a newer change is on disk already
            write_private(self.path, text)
            self._written = number


class ReceiptBook:
    def __init__(self, directory: Path | None = None, *, clock: Clock | None = None) -> None:
        self.directory = directory or default_directory()
        self._clock = clock or (lambda: datetime.now(UTC))

    def now(self) -> datetime:
        return self._clock()

    def start(
        self,
        *,
        method: str,
        url: str,
        form: dict[str, str],
        account_sid: str,
        auth_kind: str,
        sandbox: bool,
        kind: str | None = None,
        phone_number: str | None = None,
        follow_ups: list[dict[str, Any]] | None = None,
    ) -> Receipt:
        """`kind` and `phone_number` for a change of an owned number (its request
        names the number by SID only). `follow_ups`: the requests to send once the
        number is bought (each completed with its own outcome later; see
        tui.services.purchase)."""
        now = self._clock()
        number = re.sub(r"\D", "", form.get("PhoneNumber") or phone_number or "") or "unknown"
        stem = f"{now:%Y%m%dT%H%M%S}Z-{number}" + (f"-{kind}" if kind else "")
        path = self.directory / f"{stem}.json"
        counter = 1
        while path.exists():
            counter += 1
            path = self.directory / f"{stem}-{counter}.json"
        receipt = Receipt(
            path,
            {
                "started_at": now.isoformat(),
                "outcome": "sending",
                "sandbox": sandbox,
                "account_sid": account_sid,
                "auth_kind": auth_kind,
                "request": {"method": method, "url": url, "form": dict(form)},
                **({"kind": kind, "phone_number": phone_number} if kind else {}),
                **({"follow_ups": list(follow_ups)} if follow_ups else {}),
            },
        )
        receipt.update()
        return receipt

    def settle(self, receipt: Receipt, outcome: str, **fields: Any) -> None:
        """Record an outcome now, on this thread (see `finish_in_thread`)."""
        receipt.update(outcome=outcome, finished_at=self._clock().isoformat(), **fields)

    # -- from an event loop: the file is written in a thread -----------------------

    async def start_in_thread(self, **request: Any) -> Receipt:
        """`start`, in a thread; the receipt is on disk when this returns. If the
        caller is cancelled meanwhile, the receipt is still made and says that
        nothing was sent, then the cancellation goes on."""
        making = asyncio.ensure_future(asyncio.to_thread(self.start, **request))
        try:
            return await asyncio.shield(making)
        except asyncio.CancelledError:
            receipt = await making
            await self.finish_in_thread(
                receipt, "failed", error={"message": "stopped before the request was sent"}
            )
            raise

    async def finish_in_thread(self, receipt: Receipt, outcome: str, **fields: Any) -> None:
        """Record an outcome, the file written in a thread. The record changes at
        once, in the order of the calls; a slow write never replaces a later one."""
        change = receipt.change(outcome=outcome, finished_at=self._clock().isoformat(), **fields)
        await asyncio.to_thread(receipt.write, change)

    # -- reading --------------------------------------------------------------------

    def load_all(self) -> list[Receipt]:
        """Every readable receipt, oldest first. A file that cannot be read or is
        not a receipt is skipped: it must not stop a purchase."""
        if not self.directory.is_dir():
            return []
        receipts = []
        for path in self.directory.glob("*.json"):
            try:
                record = json.loads(path.read_text("utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(record, dict) and isinstance(record.get("request"), dict):
                receipts.append(Receipt(path, record))
        return sorted(receipts, key=lambda receipt: str(receipt.record.get("started_at", "")))

    def unfinished(self, *, account_sid: str, url: str, sandbox: bool) -> list[Receipt]:
        """Receipts of attempts whose outcome was never settled (`sending`: the
        process ended while waiting; `unknown`: the answer was lost), made with
        this account against this endpoint. Receipts of another account or
        endpoint are left alone: a lookup here would say nothing about them."""
        return [
            receipt
            for receipt in self.load_all()
            if receipt.outcome in UNFINISHED_OUTCOMES
            and receipt.record.get("account_sid") == account_sid
            and bool(receipt.record.get("sandbox")) == sandbox
            and receipt.record["request"].get("url") == url
        ]


def error_record(error: WizardError) -> dict[str, Any]:
    """An error as a receipt keeps it: Twilio's status, code, message and docs link
    (and whether the answer came from Twilio at all), else the message and kind."""
    if isinstance(error, TwilioApiError):
        return {
            "status": error.status,
            "code": error.code,
            "message": error.message,
            "more_info": error.more_info,
            "from_twilio": error.from_twilio,
        }
    return {"message": str(error), "kind": type(error).__name__}


def outcome_fields(
    *,
    error: WizardError | None = None,
    resource: BaseModel | None = None,
    differences: Iterable[str] = (),
    settled_by: str | None = None,
    lookup_error: WizardError | None = None,
    retry_safe: bool = False,
) -> dict[str, Any]:
    """What every kind of attempt (a purchase, a change, a Messaging Service join
    or leave) records of its outcome, each key only when it says something."""
    fields: dict[str, Any] = {}
    if error is not None:
        fields["error"] = error_record(error)
    if resource is not None:
        fields["resource"] = resource.model_dump(mode="json")
    if differing := list(differences):
        fields["differences"] = differing
    if settled_by is not None:
        fields["settled_by"] = settled_by
    if lookup_error is not None:
        fields["lookup_error"] = error_record(lookup_error)
    if retry_safe:
        fields["retry_safe"] = True
    return fields
