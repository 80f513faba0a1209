"""The numbers the account owns: pick one to change its settings (through the
same Voice, Messaging, Details and Compliance steps as a purchase) or to release
it, with the number typed to confirm."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Header, Input, Static
from textual.worker import Worker, WorkerState

from tui.domain.errors import WizardError
from tui.domain.number_settings import (
    RELEASE_CONSEQUENCES,
    confirms_release,
    current_settings,
    describe_compliance,
    describe_messaging,
    describe_voice,
    release_refusal,
)
from tui.domain.resources import IncomingPhoneNumber
from tui.services.number_changes import find_number, matches
from tui.widgets.chrome import ErrorPanel, SandboxBanner, StepIndicator
from tui.widgets.controls import Button
from tui.widgets.footer import SteadyFooter
from tui.widgets.text import LiveText, TextInput

if TYPE_CHECKING:
    from tui.app import WizardApp


def number_row(resource: IncomingPhoneNumber) -> tuple[Text, ...]:
    """The list's columns: number, friendly name, calls, messages, compliance. Text,
    not strings, which a table reads as markup: a friendly name such as "Shop [/]"
    is shown as it is."""
    settings = current_settings(resource)
    return tuple(
        Text(cell)
        for cell in (
            resource.phone_number or "",
            resource.friendly_name or "",
            describe_voice(settings),
            describe_messaging(settings),
            describe_compliance(settings),
        )
    )


class OwnedNumbersScreen(Screen[None]):
    """The account's numbers, searchable by number or friendly name."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "change", "Change", id="change", priority=True, tooltip="Change the chosen number"),
        Binding("ctrl+b", "buy_new", "Buy a number", id="buy-new", priority=True),
        Binding(
            "ctrl+r", "release", "Release…", id="release", tooltip="Release the chosen number (asks first)"
        ),
    ]

    def __init__(self) -> None:
        super().__init__(id="owned")
        self._numbers: list[IncomingPhoneNumber] = []
        self._shown: list[IncomingPhoneNumber] = []

    @property
    def wizard(self) -> WizardApp:
        return cast("WizardApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="☰")
        if self.wizard.is_sandbox:
            yield SandboxBanner()
        yield StepIndicator("number")
        with VerticalScroll(id="step-body"):
            yield Static("Numbers you own", classes="step-title", markup=False)
            yield Static(
                "Choose a number to change how it handles calls and messages, its details or "
                "its compliance documents, or to release it. Nothing is sent until you confirm.",
                classes="step-intro",
                markup=False,
            )
            yield TextInput(placeholder="Search by number or friendly name", id="owned-search", compact=True)
            table: DataTable[Any] = DataTable(id="owned-table", cursor_type="row", zebra_stripes=True)
            yield table
            yield LiveText("", id="owned-status", markup=False)
        yield ErrorPanel(id="owned-error")
        with Horizontal(id="nav"):
            yield Button("◀ Buy a number", id="buy-new", compact=True)
            yield Button("Release…", id="release", compact=True)
            yield Static(id="nav-status", markup=False)
            yield Button("Change ▶", id="next", variant="primary", compact=True)
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.sub_title = "Numbers you own"
        self.query_one("#owned-table", DataTable).add_columns(
            "Number", "Friendly name", "Calls", "Messages", "Compliance"
        )

    def on_screen_resume(self) -> None:
        self.query_one(StepIndicator).set_done(self.wizard.done_steps)
        self.load_numbers()

    # -- loading ----------------------------------------------------------------

    @work(exclusive=True, group="owned-list", exit_on_error=False)
    async def load_numbers(self) -> None:
        status = self.query_one("#owned-status", Static)
        status.update("Loading the account's numbers…")
        self.query_one("#owned-error", ErrorPanel).show(None)
        client = self.wizard.client
        if client is None:
            return
        try:
            self._numbers = await client.list_owned_numbers()
        except WizardError as error:
            status.update("")
            self.query_one("#owned-error", ErrorPanel).show(error)
            return
        self._fill()

    def _fill(self) -> None:
        table = self.query_one("#owned-table", DataTable)
        search = self.query_one("#owned-search", Input).value
        self._shown = [resource for resource in self._numbers if matches(resource, search)]
        table.clear()
        for resource in self._shown:
            table.add_row(*number_row(resource), key=resource.sid)
        status = self.query_one("#owned-status", Static)
        if not self._numbers:
            status.update("This account owns no numbers yet.")
        elif not self._shown:
            status.update(f"None of the account's {len(self._numbers)} numbers match “{search}”.")
        else:
            status.update(f"{len(self._shown)} of {len(self._numbers)} numbers. Enter on a row changes it.")
        self.refresh_bindings()

    @on(Input.Changed, "#owned-search")
    def search_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._fill()

    @on(Input.Submitted, "#owned-search")
    def search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#owned-table", DataTable).focus()

    def chosen(self) -> IncomingPhoneNumber | None:
        table = self.query_one("#owned-table", DataTable)
        if not self._shown or table.cursor_row < 0 or table.cursor_row >= len(self._shown):
            return None
        return self._shown[table.cursor_row]

    # -- actions ------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("change", "release") and self.chosen() is None:
            return None
        return True

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_change()

    def action_change(self) -> None:
        chosen = self.chosen()
        if chosen is not None:
            self.open_number(chosen.sid or "")

    @work(exclusive=True, group="owned-open", exit_on_error=False)
    async def open_number(self, sid: str) -> None:
        """Read the number afresh (the list may be old) and open it in the steps."""
        client = self.wizard.client
        if client is None:
            return
        self.query_one("#nav-status", Static).update("Reading the number…")
        try:
            resource = await find_number(client, sid)
        except WizardError as error:
            self.query_one("#owned-error", ErrorPanel).show(error)
            self.load_numbers()
            return
        finally:
            self.query_one("#nav-status", Static).update("")
        self.wizard.start_change(resource)

    def action_buy_new(self) -> None:
        if self.wizard.change is not None:
            self.wizard.end_change("number")
        else:
            self.wizard.goto("number")

    def action_release(self) -> None:
        chosen = self.chosen()
        if chosen is not None:
            self.app.push_screen(ReleaseModal(chosen))

    @on(Button.Pressed, "#next")
    def next_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_change()

    @on(Button.Pressed, "#buy-new")
    def buy_new_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_buy_new()

    @on(Button.Pressed, "#release")
    def release_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_release()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.wizard.report_worker_error(self, event.worker)

    def show_error(self, error: WizardError | None) -> None:
        self.query_one("#owned-error", ErrorPanel).show(error)

    def worker_failed(self, group: str) -> None:
        """An unexpected error (the app's funnel): no "Loading…" left behind."""
        if group == "owned-list":
            self.query_one("#owned-status", Static).update("")


class ReleaseModal(ModalScreen[None]):
    """Release a number: what is lost, and the number typed to confirm. Refused,
    with the reason and the fix, while the number has an emergency address."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss", "Cancel", id="cancel")]

    def __init__(self, resource: IncomingPhoneNumber) -> None:
        super().__init__(classes="choice-modal release-modal")
        self.resource = resource
        self.refusal = release_refusal(resource)

    @property
    def wizard(self) -> WizardApp:
        return cast("WizardApp", self.app)

    def compose(self) -> ComposeResult:
        number = self.resource.phone_number or ""
        name = f" “{self.resource.friendly_name}”" if self.resource.friendly_name else ""
        with Vertical(classes="modal-box"):
            yield Static(f"Release {number}{name}?", classes="modal-title", markup=False)
            if self.refusal:
                fix = (
                    "Open the number with Change, clear the Emergency address on the Compliance "
                    "step and send that change; then release it."
                )
                yield Static(f"✗ {self.refusal}\n\n{fix}", classes="modal-body error-text", markup=False)
            else:
                lines = "\n".join(f"• {line}" for line in RELEASE_CONSEQUENCES)
                yield Static(lines, classes="modal-body", markup=False)
                yield Static(f"Type {number} to release it:", classes="modal-body", markup=False)
                yield TextInput(placeholder=number, id="release-typed", compact=True)
            with Horizontal(classes="modal-buttons"):
                yield Button("Keep it", id="no")
                if not self.refusal:
                    yield Button("Release", id="yes", variant="error", disabled=True)
        yield SteadyFooter()

    def on_mount(self) -> None:
        if self.refusal:
            self.query_one("#no", Button).focus()
        else:
            self.query_one("#release-typed", Input).focus()

    @on(Input.Changed, "#release-typed")
    def typed(self, event: Input.Changed) -> None:
        event.stop()
        self.query_one("#yes", Button).disabled = not confirms_release(
            event.value, self.resource.phone_number or ""
        )

    @on(Input.Submitted, "#release-typed")
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._release()

    @on(Button.Pressed, "#yes")
    def yes_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self._release()

    @on(Button.Pressed, "#no")
    def no_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss()

    def _release(self) -> None:
        if self.refusal or not confirms_release(
            self.query_one("#release-typed", Input).value, self.resource.phone_number or ""
        ):
            return
        from tui.services.number_changes import ChangeAttempt

        client, connection = self.wizard.client, self.wizard.connection
        if client is None or connection is None:
            return
        attempt = ChangeAttempt.for_release(client, self.resource, sandbox=connection.sandbox)
        self.dismiss()
        self.wizard.send_change(attempt)
