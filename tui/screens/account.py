"""Step 1, Account: which account is used, where its credentials came from, and
whether Twilio accepts them."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Static

from tui.domain.credentials import MASK
from tui.domain.errors import WizardError
from tui.screens.base import StepScreen
from tui.services.twilio import CredentialCheck
from tui.widgets.form_field import FormField
from tui.widgets.text import LiveText


class AccountStep(StepScreen):
    STEP_ID = "account"
    INTRO = "The Twilio account the number will be bought on."

    def compose_body(self) -> ComposeResult:
        yield Static(id="account-details", markup=False)
        yield LiveText("Checking the credentials with Twilio…", id="account-check", markup=False)
        with Horizontal(id="account-actions"):
            yield Button("Check again", id="check-again", compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        # A grid, so that a long value wraps in its own column at 80 columns.
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")
        for label, value in self._detail_rows():
            grid.add_row(label, Text(value))
        self.query_one("#account-details", Static).update(grid)
        self.check_credentials()

    def _detail_rows(self) -> list[tuple[str, str]]:
        connection = self.wizard.connection
        creds = connection.credentials
        if connection.sandbox:
            endpoint = "built-in sandbox (offline)"
        else:
            endpoint = self.wizard.client.hosts.api
        auth = (f"API key {creds.api_key_sid} + secret {MASK}" if creds.api_key_sid
                else f"Auth Token {MASK}")
        return [
            ("Account SID", creds.account_sid),
            ("Credentials", auth),
            ("From", creds.source),
            ("Endpoint", endpoint),
        ]

    def _details(self) -> str:
        return "\n".join(f"{label:<11}  {value}" for label, value in self._detail_rows())

    @work(exclusive=True, group="account-check", exit_on_error=False)
    async def check_credentials(self) -> None:
        status = self.query_one("#account-check", Static)
        status.update("Checking the credentials with Twilio…")
        status.remove_class("-ok", "-failed")
        self.show_step_error(None)
        try:
            check = await self.wizard.client.check_credentials()
        except WizardError as error:
            self.wizard.cache.pop("account_check", None)
            status.update("✗ Twilio did not accept these credentials.")
            status.add_class("-failed")
            self.show_step_error(error)
            return
        self.wizard.cache["account_check"] = check
        status.update(self._describe(check))
        status.add_class("-ok")

    @staticmethod
    def _describe(check: CredentialCheck) -> str:
        if check.account is None:
            return ("✓ Twilio accepted the API key. (A Standard key may not read the "
                    "account's name and type; that is expected.)")
        account = check.account
        kind = {"Trial": "Trial account", "Full": "Full (paid) account"}.get(account.type or "", account.type or "")
        return f"✓ {account.friendly_name or account.sid} · {kind} · {account.status or 'status unknown'}"

    def extra_problems(self) -> list[tuple[FormField | None, str]]:
        if "account_check" not in self.wizard.cache:
            return [(None, "Twilio has not accepted the credentials yet")]
        return []

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "check-again":
            event.stop()
            self.check_credentials()
            return
        super().on_button_pressed(event)
