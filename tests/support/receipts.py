"""Reading the receipts a ReceiptBook wrote, for assertions."""

from __future__ import annotations

import json
from typing import Any

from tui.services.receipts import ReceiptBook


def receipts_in(book: ReceiptBook) -> list[dict[str, Any]]:
    """Every receipt in the book's folder, oldest first."""
    if not book.directory.is_dir():
        return []
    records = [json.loads(path.read_text("utf-8")) for path in book.directory.glob("*.json")]
    return sorted(records, key=lambda record: record.get("started_at", ""))
