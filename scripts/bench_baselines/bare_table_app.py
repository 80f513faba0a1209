"""Baseline: a bare DataTable that shows search results, nothing around it."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import DataTable


class BareTableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield DataTable(id="results", cursor_type="row")

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("Number", "Locality", "Capabilities", "Address", "Monthly")

    def show(self, numbers: list[dict[str, Any]]) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for number in numbers:
            caps = ", ".join(k for k, on in number.get("capabilities", {}).items() if on)
            table.add_row(
                number["phone_number"],
                number.get("locality") or "",
                caps,
                number.get("address_requirements") or "",
                "",
                key=number["phone_number"],
            )
