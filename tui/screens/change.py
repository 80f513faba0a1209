"""The Review and the Summary of a change to an owned number.

The Review shows, per setting that changes, *before → after* (a cleared URL or
SID said as such), the warnings, and exactly the request that will be sent (only
the changed fields). The Summary shows the outcome and, from the number read
back, marks every setting that did not end up as asked."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from tui.domain.attempt import ChangeState
from tui.domain.fields import FIELDS_BY_NAME
from tui.domain.number_settings import NumberUpdate
from tui.screens.base import StepScreen
from tui.screens.modals import ChoiceModal
from tui.screens.review import section_table
from tui.services.number_changes import ChangeAttempt
from tui.services.twilio import form_body
from tui.widgets.chrome import ErrorPanel, SandboxBanner
from tui.widgets.controls import Button
from tui.widgets.footer import SteadyFooter
from tui.widgets.text import LiveText
from tui.wizard.flow import STEPS_BY_ID, step_of_field

if TYPE_CHECKING:
    from tui.app import WizardApp


def _shown(value: object) -> Text:
    """A setting as a table shows it: Text, never markup (a friendly name or a URL
    such as "Shop [/]" is shown as it is)."""
    if value is None or value == "":
        return Text("(not set)")
    if isinstance(value, bool):
        return Text("yes" if value else "no")
    return Text(str(value))


def changes_table(update: NumberUpdate) -> Table:
    table = section_table("What changes")
    table.add_column("Setting", no_wrap=True)
    table.add_column("Before", overflow="fold")
    table.add_column("", no_wrap=True)
    table.add_column("After", overflow="fold")
    for change in update.changes:
        after = Text("(cleared)", style="italic") if change.cleared else _shown(change.after)
        table.add_row(change.spec.label, _shown(change.before), "→", after)
    return table


class ChangeReviewScreen(StepScreen):
    """The Review of a change: shown instead of the purchase's Review while an
    owned number is being changed."""

    STEP_ID = "review"
    AUTO_FOCUS = "#step-body"
    INTRO = "Nothing has been sent yet. Only the settings below are sent; the others stay as they are."

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+y", "send", "Send…", id="send", tooltip="Send the changes (asks first)"),
        Binding("ctrl+r", "release", "Release…", id="release", tooltip="Release this number (asks first)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.update: NumberUpdate | None = None

    def compose_body(self) -> ComposeResult:
        yield LiveText(id="change-headline", markup=False)
        yield LiveText(id="change-problems", classes="error-text", markup=False)
        yield Static(id="change-table")
        yield LiveText(id="change-warnings", classes="warnings", markup=False)
        yield Static(id="change-request", classes="code", markup=False)
        with Horizontal(classes="command-actions"):
            yield Button("Release this number…", id="release", compact=True)

    def next_label(self) -> str:
        return "Send changes… ▶"

    def step_shown(self) -> None:
        self.refresh_review()

    def refresh_review(self) -> None:
        change = self.wizard.change
        if change is None:
            return
        update, problems = change.plan(self.draft)
        self.update = update
        headline = self.query_one("#change-headline", Static)
        problems_box = self.query_one("#change-problems", Static)
        if problems:
            lines = ["These need attention before anything is sent:"]
            for problem in problems:
                spec = FIELDS_BY_NAME.get(problem.field)
                where = STEPS_BY_ID[step_of_field(problem.field)].title
                lines.append(f"• {spec.label if spec else problem.field} ({where} step): {problem.message}")
            problems_box.update("\n".join(lines))
        problems_box.display = bool(problems)
        name = f" “{change.resource.friendly_name}”" if change.resource.friendly_name else ""
        if update is None:
            headline.update(f"{change.phone_number}{name} ({change.sid})")
        elif update.empty:
            headline.update(
                f"{change.phone_number}{name} already has these settings: nothing to send. "
                "Change something on the Voice, Messaging, Details or Compliance step."
            )
        else:
            count = len(update.changes)
            headline.update(
                f"{count} setting{'s' if count > 1 else ''} of {change.phone_number}{name} "
                f"({change.sid}) will change."
            )
        has_changes = update is not None and not update.empty
        for box in ("#change-table", "#change-warnings", "#change-request"):
            self.query_one(box).display = has_changes
        self.query_one("#next", Button).disabled = not has_changes or self.wizard.change_running
        if update is None or not has_changes:
            self.refresh_bindings()
            return
        self.query_one("#change-table", Static).update(changes_table(update))
        warnings = [f"⚠ {issue.message}" for issue in update.warnings]
        self.query_one("#change-warnings", Static).update("\n".join(warnings))
        self.query_one("#change-warnings").display = bool(warnings)
        client = self.wizard.client
        if client is not None:
            prepared = client.prepare_update(update.sid, update.to_form())
            self.query_one("#change-request", Static).update(
                f"The request:\n{prepared.method} {prepared.url}\n{form_body(prepared.form)}"
            )
        self.refresh_bindings()

    # -- sending ------------------------------------------------------------------

    def check_step(self) -> list[tuple[object, str]]:  # type: ignore[override]
        return []

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "send":
            return None if self.update is None or self.update.empty else True
        return super().check_action(action, parameters)

    def action_next(self) -> None:
        self.action_send()

    def action_send(self) -> None:
        update = self.update
        if update is None or update.empty or self.wizard.change_running:
            return
        count = len(update.changes)
        body = "\n".join(f"{c.spec.label}: {c.describe()}" for c in update.changes)

        def confirmed(yes: bool | None) -> None:
            client, connection = self.wizard.client, self.wizard.connection
            if yes and client is not None and connection is not None:
                self.set_status("Sending the changes… waiting for Twilio.")
                self.query_one("#next", Button).disabled = True
                self.wizard.send_change(ChangeAttempt.for_update(client, update, sandbox=connection.sandbox))

        self.app.push_screen(
            ChoiceModal(
                f"Send {count} change{'s' if count > 1 else ''} to {update.phone_number}?",
                body,
                "Send",
                "Not yet",
            ),
            confirmed,
        )

    def action_release(self) -> None:
        from tui.screens.owned import ReleaseModal

        change = self.wizard.change
        if change is not None and not self.wizard.change_running:
            self.app.push_screen(ReleaseModal(change.resource))

    @on(Button.Pressed, "#release")
    def release_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_release()


class ChangeSummaryScreen(Screen[None]):
    """The outcome of an update or a release."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+o", "owned", "Your numbers", id="owned"),
        Binding("ctrl+a", "buy_new", "Buy a number", id="buy-new"),
    ]

    def __init__(self, attempt: ChangeAttempt) -> None:
        super().__init__(id="change-summary")
        self.attempt = attempt
        # An update that did not go through goes back to its Review, edits kept;
        # after one that did, the number is opened again as it now is.
        self._back_to_review = attempt.kind == "update" and attempt.state is not ChangeState.DONE

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
            yield LiveText(id="change-outcome")
            yield LiveText(id="summary-receipt", classes="dim", markup=False)
        yield ErrorPanel(id="summary-error")
        with Horizontal(id="nav"):
            yield Button("Change it again", id="change-again", compact=True)
            yield Button("Your numbers", id="owned", compact=True)
            yield Button("Buy a number", id="buy-new", compact=True)
            yield Button("Quit", id="quit", variant="primary", compact=True)
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.sub_title = "Summary"
        attempt = self.attempt
        headline = self.query_one("#summary-headline", Static)
        headline.update(attempt.headline())
        headline.add_class({"done": "-bought", "failed": "-failed"}.get(attempt.state.value, "-unknown"))
        outcome = self.query_one("#change-outcome", Static)
        if attempt.kind == "update" and attempt.update is not None and attempt.resource is not None:
            outcome.update(self._read_back_table())
        else:
            outcome.display = False
        receipt = attempt.receipt.path if attempt.receipt else None
        self.query_one("#summary-receipt", Static).update(f"Receipt: {receipt}" if receipt else "")
        self.query_one("#summary-error", ErrorPanel).show(
            attempt.error if attempt.state is not ChangeState.DONE else None
        )
        released = attempt.kind == "release" and attempt.state is ChangeState.DONE
        again = self.query_one("#change-again", Button)
        again.display = self.wizard.change is not None and not released
        if self._back_to_review:
            again.label = "◀ Back to the review"

    def _read_back_table(self) -> Table:
        attempt = self.attempt
        assert attempt.update is not None and attempt.resource is not None
        missed = {m.field for m in attempt.mismatches}
        marked = f"bold {self.app.theme_variables.get('text-warning', '')}".strip()
        table = section_table("The number now (read back from Twilio)")
        table.add_column("Setting", no_wrap=True)
        table.add_column("Asked for", overflow="fold")
        table.add_column("Now", overflow="fold")
        table.add_column("", no_wrap=True)
        for change in attempt.update.changes:
            now = getattr(attempt.resource, change.field, None)
            asked = Text("(cleared)") if change.cleared else _shown(change.after)
            if change.field in missed:
                table.add_row(
                    Text(change.spec.label, style=marked), asked, _shown(now), Text("✗ not as asked")
                )
            else:
                table.add_row(change.spec.label, asked, _shown(now), "✓")
        return table

    def action_owned(self) -> None:
        self._leave("owned")

    def action_buy_new(self) -> None:
        self._leave("number")

    def _leave(self, where: str) -> None:
        if self.wizard.change is not None:
            self.wizard.end_change(where)
        else:
            self.wizard.goto(where)

    @on(Button.Pressed, "#change-again")
    def change_again(self, event: Button.Pressed) -> None:
        event.stop()
        change = self.wizard.change
        if change is None:
            return
        if self._back_to_review:
            self.wizard.goto("review")  # the settings as they were asked for, to fix and send again
        else:
            self.wizard.start_change(change.resource)

    @on(Button.Pressed, "#owned")
    def owned_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_owned()

    @on(Button.Pressed, "#buy-new")
    def buy_new_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_buy_new()

    @on(Button.Pressed, "#quit")
    async def quit_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        await self.wizard.action_quit()
