"""The Compliance step's "Add an address": create one on the account without
leaving the wizard (Twilio's CreateAddress), every field checked as it is typed.

Twilio validates addresses in some countries and may correct them; its answer is
shown (validated, verified, what it corrected) before the address is used. A
refusal (21628: cannot be validated; 21629: a corrected version is suggested) is
explained in the dialog, whose fields stay as typed to be fixed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from tui.domain.addresses import ADDRESS_FIELDS, NewAddress, build_address, describe_created
from tui.domain.errors import WizardError
from tui.domain.resources import Address
from tui.widgets.chrome import ErrorPanel
from tui.widgets.controls import Button
from tui.widgets.footer import SteadyFooter
from tui.widgets.form_field import FormField
from tui.widgets.text import LiveText

CreateAddress = Callable[[NewAddress], Awaitable[Address]]


class AddressDialog(ModalScreen[Address | None]):
    """`AddressDialog(create, country="GB")`: the new address, or None if cancelled.
    `create` sends it (the account session's `create_address`)."""

    # Escape cancels until the address is created; from then on the address is on
    # the account and Escape hands it back, so the footer says so (one binding
    # shown at a time, by check_action).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="cancel"),
        Binding("escape", "use_created", "Use this address", id="use-created"),
    ]

    def __init__(self, create: CreateAddress, *, country: str | None = None, requirement: str = "") -> None:
        super().__init__(classes="choice-modal address-dialog")
        self._create = create
        self._country = country
        self._requirement = requirement
        self.created: Address | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield Static("Add an address", classes="modal-title", markup=False)
            intro = "Twilio keeps it on the account; it must be the address of the number's end user."
            if self._requirement:
                intro += f" This number {self._requirement}."
            yield Static(intro, classes="modal-body", markup=False)
            with VerticalScroll(id="address-fields"):
                for spec in ADDRESS_FIELDS:
                    yield FormField(spec, classes="-inline", id=f"address-{spec.name}")
                yield LiveText("", id="address-result", markup=False)
            yield ErrorPanel(id="address-error")
            with Horizontal(classes="modal-buttons"):
                yield Button("Cancel", id="address-cancel", compact=True)
                yield Button("Create address", id="address-create", variant="primary", compact=True)
                yield Button("Use this address", id="address-use", variant="success", compact=True)
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#address-use").display = False
        self.query_one("#address-result").display = False
        if self._country:
            self.query_one("#address-iso_country", FormField).set_value(self._country)
        self.query_one("#address-customer_name", FormField).focus_control()

    # -- the form -------------------------------------------------------------

    def on_form_field_value_changed(self, event: FormField.ValueChanged) -> None:
        event.stop()
        self.query_one("#address-error", ErrorPanel).show(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()  # Enter walks the form, as on the steps

    def values(self) -> dict[str, object]:
        return {field.field_name: field.value for field in self.query(FormField)}

    @on(Button.Pressed, "#address-create")
    def create_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.submit()

    def submit(self) -> None:
        fields = {field.field_name: field for field in self.query(FormField)}
        errors = {name: field.check() for name, field in fields.items()}
        address, problems = build_address(self.values())
        for problem in problems:
            field = fields.get(problem.field)
            if field is not None and not errors.get(problem.field):
                field.show_error(problem.message)
        if address is None:
            flagged = [field for field in fields.values() if field.error]
            if flagged:
                flagged[0].focus_control()
            return
        self.query_one("#address-create", Button).disabled = True
        self.send(address)

    @work(exclusive=True, group="address-create", exit_on_error=False)
    async def send(self, address: NewAddress) -> None:
        error_panel = self.query_one("#address-error", ErrorPanel)
        error_panel.show(None)
        try:
            created = await self._create(address)
        except WizardError as error:
            error_panel.show(error, title="Twilio did not create the address.")
            self.query_one("#address-create", Button).disabled = False
            return
        self.created = created
        self._show_created(address, created)
        self.refresh_bindings()

    def _show_created(self, sent: NewAddress, created: Address) -> None:
        for field in self.query(FormField):
            field.disabled = True
        result = self.query_one("#address-result", LiveText)
        result.update("\n".join(describe_created(sent, created)))
        result.set_class(not created.validated, "-not-validated")
        result.display = True
        self.query_one("#address-create").display = False
        self.query_one("#address-cancel").display = False  # it is on the account now
        use = self.query_one("#address-use", Button)
        use.display = True
        use.focus()
        result.scroll_visible()

    def show_error(self, error: WizardError | None) -> None:
        """Where the app's funnel says an unexpected error, over the step below."""
        self.query_one("#address-error", ErrorPanel).show(error)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.query_one("#address-create", Button).disabled = False
            report = getattr(self.app, "report_worker_error", None)  # the wizard's error funnel
            if callable(report):
                report(self, event.worker)

    # -- leaving ----------------------------------------------------------------

    @on(Button.Pressed, "#address-use")
    def use_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(self.created)

    @on(Button.Pressed, "#address-cancel")
    def cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel":
            return self.created is None
        if action == "use_created":
            return self.created is not None
        return True

    def action_use_created(self) -> None:
        self.dismiss(self.created)

    def action_cancel(self) -> None:
        # Once created, the address is on the account whatever is pressed: closing
        # the dialog hands it back like "Use this address".
        self.dismiss(self.created)
