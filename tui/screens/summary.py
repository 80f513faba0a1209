"""Step 8, Summary: the created number, every field, grouped as in the wizard,
with what differs from the request marked; or, after a lost answer, the honest
"unknown" with a way to check again."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static
from textual.worker import Worker, WorkerState

from tui.domain.attempt import AttemptState
from tui.domain.errors import TwilioApiError, WizardError
from tui.domain.fields import FIELDS_BY_NAME, GROUP_TITLES
from tui.domain.resources import IncomingPhoneNumber
from tui.services.purchase import FollowUp, PurchaseAttempt
from tui.widgets.chrome import ErrorPanel, SandboxBanner
from tui.widgets.controls import Button
from tui.widgets.footer import SteadyFooter
from tui.widgets.text import LiveText
from tui.widgets.webhook_checks import SIMULATE_CALL_KEY, SIMULATE_MESSAGE_KEY, RehearsalPanel
from tui.wizard.summary import resource_groups

if TYPE_CHECKING:
    from tui.app import WizardApp

REHEARSAL_GROUP = "simulate"  # named in the App's WORKER_DOING (tui/app.py)


def resource_table(resource: IncomingPhoneNumber, outcome: PurchaseAttempt, *, marked: str = "bold") -> Table:
    """Every field of the created number, grouped as in the wizard; the fields
    that differ from the request are styled `marked` and say what was asked."""
    table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 2, 0, 0))
    table.add_column("Field", no_wrap=True)
    table.add_column("Value", overflow="fold")
    for title, fields in resource_groups(resource, outcome.differences):
        if table.row_count:
            table.add_row("", "")
        table.add_row(Text(title, style="bold"), "")
        for item in fields:
            label = Text(item.label)
            value = item.value
            if item.asked is not None:
                value += f"   ≠ you asked for {item.asked}"
                label.stylize(marked)
            table.add_row(label, Text(value))
        if title == GROUP_TITLES["messaging"]:
            for follow_up in outcome.follow_ups:
                table.add_row(Text(FIELDS_BY_NAME["messaging_service_sid"].label), _follow_up_cell(follow_up))
    return table


FOLLOW_UP_MARKS = {
    "done": "✓ joined",
    "pending": "not sent yet",
    "failed": "✗ not joined",
    "unknown": "? unknown",
}


def _follow_up_cell(follow_up: FollowUp) -> Text:
    return Text(f"{follow_up.service}   {FOLLOW_UP_MARKS[follow_up.state]}")


class SummaryScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "copy_sid", "Copy SID", id="copy-sid"),
        Binding(
            SIMULATE_CALL_KEY,
            "simulate('call')",
            "Simulate call",
            id="simulate-call",
            show=False,  # the panel's buttons and its line name the keys; the footer fits 80 columns
            tooltip="The sandbox calls this number's voice webhooks as Twilio would for an incoming call",
        ),
        Binding(
            SIMULATE_MESSAGE_KEY,
            "simulate('sms')",
            "Simulate message",
            id="simulate-sms",
            show=False,
            tooltip="The sandbox calls this number's SMS webhooks as Twilio would for an incoming message",
        ),
        Binding("ctrl+a", "buy_another", "Buy another", id="buy-another"),
    ]

    def __init__(self, outcome: PurchaseAttempt) -> None:
        super().__init__(id="summary")
        self.outcome = outcome

    @property
    def wizard(self) -> WizardApp:
        return cast("WizardApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="☰")
        if self.wizard.is_sandbox:
            yield SandboxBanner()
        with VerticalScroll(id="step-body"):
            yield Static("Summary", classes="step-title")
            yield LiveText(id="summary-headline", markup=False)
            yield LiveText(id="summary-follow-ups", markup=False)
            yield LiveText(id="summary-sid", markup=False)
            if self.wizard.is_sandbox:
                yield RehearsalPanel(id="rehearsal")
            yield LiveText(id="summary-resource")
            yield LiveText(id="summary-receipt", classes="dim", markup=False)
        yield ErrorPanel(id="summary-error")
        with Horizontal(id="nav"):
            yield Button("Check again", id="check-again", compact=True)
            yield Button("Retry joining", id="retry-follow-up", compact=True)
            yield Button("Copy SID", id="copy-sid", compact=True)
            yield Button("Buy another", id="buy-another", compact=True)
            yield Button("Quit", id="quit", variant="primary", compact=True)
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.sub_title = "Summary"
        self.show_outcome(self.outcome)

    def show_outcome(self, outcome: PurchaseAttempt) -> None:
        self.outcome = outcome
        bought = outcome.state is AttemptState.BOUGHT and outcome.resource is not None
        headline = outcome.headline()
        if bought and outcome.differences:
            headline += (
                f"\n⚠ {len(outcome.differences)} field(s) differ from what you asked "
                "for (marked below): Twilio did not apply them at purchase; set them "
                "again in the Console or with an update."
            )
        headline_box = self.query_one("#summary-headline", Static)
        headline_box.update(headline)
        headline_box.remove_class("-bought", "-failed", "-unknown")
        headline_box.add_class(f"-{outcome.state.value}")
        resource = outcome.resource
        self.query_one("#summary-sid", Static).update(
            f"SID  {resource.sid}   (c copies it)" if bought and resource else ""
        )
        self.query_one("#summary-sid").display = bought
        for panel in self.query(RehearsalPanel):
            panel.display = self.can_rehearse
        self.query_one("#summary-resource").display = bought
        if bought and resource:
            marked = f"bold {self.app.theme_variables.get('text-warning', '')}".strip()
            self.query_one("#summary-resource", Static).update(
                resource_table(resource, outcome, marked=marked)
            )
        self._show_follow_ups(outcome)
        receipt = outcome.receipt.path if outcome.receipt else None
        self.query_one("#summary-receipt", Static).update(f"Receipt: {receipt}" if receipt else "")
        self.query_one("#check-again", Button).display = outcome.state is AttemptState.UNKNOWN
        self.query_one("#copy-sid", Button).display = bought
        self.query_one("#summary-error", ErrorPanel).show(
            outcome.error if outcome.state is not AttemptState.BOUGHT else None
        )
        self.refresh_bindings()

    def _show_follow_ups(self, outcome: PurchaseAttempt) -> None:
        """What followed the purchase (the Messaging Service), apart from it: its
        failure never makes the number look not bought."""
        box = self.query_one("#summary-follow-ups", Static)
        lines = outcome.follow_up_lines()
        retry = outcome.follow_ups_to_retry
        if retry:
            from tui.wizard.commands import join_service_twilio_cli

            error = retry[0].error
            if isinstance(error, TwilioApiError) and error.explanation:
                lines.append(error.explanation.summary)
            sid = outcome.phone_number_sid or ""
            lines.append("To retry just this step: Retry joining, below (safe: never buys again), or run")
            lines += [join_service_twilio_cli(f.service_sid, sid) for f in retry]
        box.update("\n".join(lines))
        box.display = bool(lines)
        box.set_class(bool(retry), "-failed")
        self.query_one("#retry-follow-up", Button).display = bool(retry)

    def show_error(self, error: WizardError | None) -> None:
        self.query_one("#summary-error", ErrorPanel).show(error)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.wizard.report_worker_error(self, event.worker)

    def worker_failed(self, group: str) -> None:
        if group == REHEARSAL_GROUP:
            self.query_one(RehearsalPanel).show_failed()
            return
        self.query_one("#check-again", Button).disabled = False
        self.query_one("#retry-follow-up", Button).disabled = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "copy_sid" and not (self.outcome.state is AttemptState.BOUGHT and self.outcome.resource):
            return None  # no SID to copy: the key is shown dimmed
        if action == "simulate":
            return self.can_rehearse  # hidden away from the sandbox, or before a number is bought
        return True

    @property
    def can_rehearse(self) -> bool:
        """A number bought on the in-process sandbox, whose calls it can simulate."""
        return (
            self.wizard.is_sandbox
            and self.wizard.connection is not None
            and self.outcome.state is AttemptState.BOUGHT
            and self.outcome.resource is not None
            and bool(self.outcome.resource.phone_number)
        )

    def action_simulate(self, kind: str) -> None:
        if not self.can_rehearse:
            return
        panel = self.query_one(RehearsalPanel)
        panel.show_simulating("call" if kind == "call" else "message")
        panel.reveal()
        self.simulate(kind)

    @work(exclusive=True, group=REHEARSAL_GROUP, exit_on_error=False)
    async def simulate(self, kind: str) -> None:
        from tui.services.rehearsal import RehearsalError, rehearse

        connection = self.wizard.connection
        resource = self.outcome.resource
        assert connection is not None and resource is not None and resource.phone_number
        panel = self.query_one(RehearsalPanel)
        try:
            rehearsal = await rehearse(
                "call" if kind == "call" else "sms",
                resource.phone_number,
                base_url=connection.api_url,
                transport=connection.transport,
            )
        except RehearsalError as error:
            panel.show_refused(str(error))
        else:
            panel.show_rehearsal(rehearsal.lines())
        panel.reveal()

    def action_copy_sid(self) -> None:
        resource = self.outcome.resource
        if resource and resource.sid:
            self.app.copy_to_clipboard(resource.sid)
            # Said on the SID's own line: a notification would cover the receipt's path.
            self.query_one("#summary-sid", Static).update(f"SID  {resource.sid}   ✓ copied to the clipboard")

    def action_buy_another(self) -> None:
        self.wizard.start_over()

    @work(exclusive=True, group="check-again", exit_on_error=False)
    async def check_again(self) -> None:
        button = self.query_one("#check-again", Button)
        button.disabled = True
        try:
            self.show_outcome(await self.wizard.check_again(self.outcome))
        finally:
            button.disabled = False

    @work(exclusive=True, group="follow-up", exit_on_error=False)
    async def retry_follow_ups(self) -> None:
        """Send again only what followed the purchase (adding the number to its
        Messaging Service): the number is bought and stays bought either way."""
        from tui.services import purchase as purchase_service

        client = self.wizard.client
        if client is None:
            return
        button = self.query_one("#retry-follow-up", Button)
        button.disabled = True
        try:
            await purchase_service.retry_follow_ups(client, self.outcome, self.wizard.receipts)
            self.show_outcome(self.outcome)
        finally:
            button.disabled = False

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        match event.button.id:
            case "check-again":
                self.check_again()
            case "retry-follow-up":
                self.retry_follow_ups()
            case "copy-sid":
                self.action_copy_sid()
            case "simulate-call":
                self.action_simulate("call")
            case "simulate-sms":
                self.action_simulate("sms")
            case "buy-another":
                self.action_buy_another()
            case "quit":
                await self.wizard.action_quit()
