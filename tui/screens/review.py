"""Step 7, Review: exactly what will be sent, what Twilio will default, every
warning, the price, and the equivalent commands. Buying needs a confirmation
that names the number and the price."""

from __future__ import annotations

from typing import ClassVar

from rich import box as rich_box
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from tui.domain import rules
from tui.domain.fields import FIELDS_BY_NAME, GROUP_TITLES
from tui.domain.follow_up import FollowUpRequest
from tui.domain.purchase import FieldProblem, PurchaseRequest
from tui.domain.resources import IncomingPhoneNumber, MobilePrice
from tui.screens.modals import ConfirmPurchaseModal
from tui.screens.webhook_testing import WebhookTestingStep
from tui.services import purchase as purchase_service
from tui.services.twilio import form_body
from tui.widgets.controls import Button
from tui.widgets.form_field import FormField
from tui.widgets.text import LiveText
from tui.widgets.webhook_checks import WebhookChecks
from tui.wizard.commands import (
    PHONE_NUMBER_SID_VARIABLE,
    curl_command,
    join_service_twilio_cli,
    number_wizard_command,
    twilio_cli_command,
)
from tui.wizard.compliance import compliance_issues
from tui.wizard.flow import STEPS_BY_ID, step_index, step_of_field


def section_table(title: str) -> Table:
    """A quiet table: bold title, one rule under the header, no borders, two
    spaces between columns, only as wide as its content."""
    return Table(
        title=title,
        title_justify="left",
        title_style="bold",
        box=rich_box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 2, 0, 0),
        header_style="dim",
    )


# The equivalent commands shown on the Review: (key, what it is).
COMMANDS = (("number-wizard", "number-wizard"), ("curl", "curl"), ("twilio-cli", "twilio-cli"))


class ReviewStep(WebhookTestingStep):
    STEP_ID = "review"
    # The page itself, from its top (the price and what is sent come first); its
    # first control is a Copy button far down, which would scroll past them.
    AUTO_FOCUS = "#step-body"
    INTRO = "Nothing has been sent yet. Check everything below, then buy."
    HIDE_WITHOUT_URLS = True  # every URL of the request is tested here

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+y", "buy", "Buy…", id="buy", tooltip="Buy the number (asks first)"),
        Binding(
            "escape",
            "stop_waiting",
            "Stop waiting",
            id="stop-waiting",
            tooltip="Stop waiting for Twilio's answer; the number is then looked up",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._checking = False  # the ownership check before the confirmation is on its way
        self._commands: dict[str, tuple[str, str]] = {}  # key: (title, command)
        self._owned: IncomingPhoneNumber | None = None  # found owned by the check before the confirmation

    def compose_body(self) -> ComposeResult:
        yield LiveText(id="review-headline", markup=False)
        yield LiveText(id="review-problems", classes="error-text", markup=False)
        # Shown when the check before the confirmation finds the number already owned.
        change_owned = Button("Change this number instead ▶", id="review-change-owned", compact=True)
        change_owned.display = False
        yield change_owned
        yield Static(id="review-values")
        yield Static(id="review-defaults")
        yield LiveText(id="review-warnings", classes="warnings", markup=False)
        yield WebhookChecks("every URL of the request", id="review-webhooks")
        yield Static(id="review-request", classes="code", markup=False)
        # Each command whole, with a copy button: copying from the terminal would
        # pick up the line breaks of a long command.
        with Vertical(id="review-commands"):
            for key, _ in COMMANDS:
                with Horizontal(classes="command-title"):
                    yield Static(id=f"title-{key}", markup=False)
                    yield Button("Copy", id=f"copy-{key}", classes="copy-command", compact=True)
                yield Static(id=f"command-{key}", classes="code", markup=False)
            with Horizontal(classes="command-actions"):
                yield Button("Save the commands to a file", id="save-commands", compact=True)
                yield LiveText("", id="commands-status", markup=False)
        stop = Button("Stop waiting", id="stop-waiting", compact=True)
        stop.display = False
        yield stop

    def next_label(self) -> str:
        return "Buy… ▶"

    def build(self) -> tuple[PurchaseRequest | None, list[FieldProblem]]:
        """The purchase, or the problems that keep it from being bought (its
        follow-up's too: a Messaging Service chosen must be valid)."""
        request, problems = self.draft.build()
        _, follow_up_problems = self.draft.build_follow_up()
        return (None if follow_up_problems else request), problems + follow_up_problems

    def _follow_up(self) -> FollowUpRequest:
        follow_up, _ = self.draft.build_follow_up()
        return follow_up or FollowUpRequest()

    def step_shown(self) -> None:
        self.refresh_review()
        self.show_purchase_state()

    # -- content --------------------------------------------------------------

    def refresh_review(self) -> None:
        self._owned = None
        self.query_one("#review-change-owned").display = False
        request, problems = self.build()
        problems_box = self.query_one("#review-problems", Static)
        if problems:
            lines = ["These need attention before buying:"]
            for problem in problems:
                spec = FIELDS_BY_NAME.get(problem.field)
                where = STEPS_BY_ID[step_of_field(problem.field)].title
                lines.append(f"• {spec.label if spec else problem.field} ({where} step): {problem.message}")
            problems_box.update("\n".join(lines))
            problems_box.display = True
        else:
            problems_box.display = False
        self.webhook_settings_changed()
        self.query_one("#next", Button).disabled = (
            request is None or self.wizard.purchase_running or self._checking
        )
        for box in (
            "#review-values",
            "#review-defaults",
            "#review-warnings",
            "#review-request",
            "#review-commands",
        ):
            self.query_one(box).display = request is not None
        if request is None:
            self.query_one("#review-headline", Static).update("")
            return
        self._headline(request)
        self._values(request)
        self._warnings(request)
        self._request(request)
        self.load_price(request.phone_number)

    def _price(self) -> MobilePrice | None:
        country = self._country()
        return self.session.known_price(country)

    def _country(self) -> str | None:
        raw = self.draft.get("phone_number")
        try:
            return rules.phone_number_facts(rules.phone_number(str(raw or ""))).region
        except rules.RuleError:
            return None

    def _headline(self, request: PurchaseRequest) -> None:
        facts = rules.phone_number_facts(request.phone_number)
        account = self._account()
        price = self._price()
        price_text = price.describe() if price else "looking up the price…"
        sandbox = "  [SANDBOX: nothing is charged]" if self.connection.sandbox else ""
        self.query_one("#review-headline", Static).update(
            f"Buying   {request.phone_number} · {facts.describe()}\n"
            f"Price    {price_text}{sandbox}\n"
            f"Account  {account}"
        )

    def _values(self, request: PurchaseRequest) -> None:
        table = section_table("Sent to Twilio")
        table.add_column("Step", style="dim", no_wrap=True)
        table.add_column("Field", no_wrap=True)
        table.add_column("Value", overflow="fold")
        # In the order of the steps they were given on (then the catalogue's).
        sent = [(name, value) for name, value in request.values().items() if value is not None]
        sent.sort(key=lambda item: step_index(step_of_field(item[0])))
        for name, value in sent:
            spec = FIELDS_BY_NAME[name]
            shown = ("true" if value else "false") if isinstance(value, bool) else str(value)
            # Text, not a string: a string is read as Rich markup, and a value such as
            # "Shop [/]" would be shown altered, or stop the step with a MarkupError.
            table.add_row(GROUP_TITLES[spec.group], spec.label, Text(shown))
        for name, value in self._follow_up().values().items():
            if value is not None:
                spec = FIELDS_BY_NAME[name]
                table.add_row(
                    GROUP_TITLES[spec.group], spec.label, Text(f"{value} (2nd request, once bought)")
                )
        self.query_one("#review-values", Static).update(table)
        defaults = section_table("Left to Twilio's defaults")
        defaults.add_column("Field", no_wrap=True)
        defaults.add_column("Twilio uses", overflow="fold")
        for spec, default in request.omitted_defaults():
            defaults.add_row(spec.label, Text(default))
        self.query_one("#review-defaults", Static).update(defaults)

    def warnings(self, request: PurchaseRequest) -> list[str]:
        """What the Review warns about: the request's own findings and the
        compliance checks (the confirmation dialog repeats them)."""
        warnings = [i.message for i in request.warnings()]
        facts = self.context.facts
        if facts is not None:
            warnings += [i.message for i in compliance_issues(self.draft.request_values(), facts)]
        return warnings

    def _warnings(self, request: PurchaseRequest) -> None:
        warnings = self.warnings(request)
        box = self.query_one("#review-warnings", Static)
        box.update("\n".join(f"⚠ {w}" for w in warnings) if warnings else "✓ No warnings.")
        box.set_class(not warnings, "-none")

    def _request(self, request: PurchaseRequest) -> None:
        prepared = self.client.prepare_purchase(request)
        follow_up = self._follow_up()
        text = (
            f"The request\n{prepared.method} {prepared.url}\n"
            f"Content-Type: application/x-www-form-urlencoded\n\n{form_body(prepared.form)}"
        )
        join = None
        if follow_up.messaging_service_sid:
            # Sent only once the number is bought, with its SID from the first answer;
            # it never undoes or hides the purchase.
            join = self.client.prepare_messaging_service_join(
                follow_up.messaging_service_sid, PHONE_NUMBER_SID_VARIABLE
            )
            text += (
                "\n\nThen, once the number is bought, a second request adds it to the Messaging "
                f"Service:\n{join.method} {join.url}\n"
                "Content-Type: application/x-www-form-urlencoded\n\n"
                "PhoneNumberSid=PN… (the SID of the number bought, from the first answer)"
            )
        self.query_one("#review-request", Static).update(text)
        api_key = self.connection.credentials.auth_kind == "api_key"
        sandbox = self.connection.sandbox
        # curl and twilio-cli reach the real Twilio, never this in-process sandbox.
        real = " (against the real Twilio API, with your own credentials)" if sandbox else ""
        curl = curl_command(prepared, api_key=api_key)
        twilio_cli = twilio_cli_command(request)
        if join is not None and follow_up.messaging_service_sid:
            then = "\n# then, with the new number's SID (PN…) in PHONE_NUMBER_SID:\n"
            curl += then + curl_command(join, api_key=api_key)
            twilio_cli += then + join_service_twilio_cli(follow_up.messaging_service_sid)
        self._commands = {
            "number-wizard": (
                "The same with number-wizard",
                number_wizard_command(request, sandbox=sandbox, follow_up=follow_up),
            ),
            "curl": (f"With curl{real}", curl),
            "twilio-cli": (f"With twilio-cli{real}", twilio_cli),
        }
        for key, (title, command) in self._commands.items():
            self.query_one(f"#title-{key}", Static).update(title)
            self.query_one(f"#command-{key}", Static).update(command)

    @work(exclusive=True, group="price", exit_on_error=False)
    async def load_price(self, phone_number: str) -> None:
        if self.session.known_price(self._country()) is None:
            await self.session.mobile_price(self._country())
            request, _ = self.build()
            if request is not None:
                self._headline(request)

    def _account(self) -> str:
        creds = self.connection.credentials
        check = self.session.account_check
        return creds.account_sid + (f" ({check.friendly_name})" if check and check.friendly_name else "")

    # -- buying -----------------------------------------------------------------

    def check_step(self) -> list[tuple[FormField | None, str]]:
        _, problems = self.build()
        return [(None, "Fix the fields listed above first")] if problems else []

    def action_next(self) -> None:
        self.action_buy()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        busy = self.wizard.purchase_running or self._checking
        if action == "stop_waiting":
            return self.wizard.purchase_running
        if action in ("buy", "next") and busy:
            return None  # one purchase at a time: shown dimmed while waiting
        if action == "back" and busy:
            return None  # nothing may change what the purchase is about
        return super().check_action(action, parameters)

    def action_buy(self) -> None:
        if self.wizard.purchase_running or self._checking:
            return
        request, problems = self.build()
        if request is None or problems:
            self.set_status("Fix the fields listed above first")
            return
        self.show_step_error(None)
        self._checking = True
        self.show_purchase_state()
        self.set_status(f"Checking whether this account already owns {request.phone_number}…")
        self.check_then_confirm(request)

    @work(exclusive=True, group="owned-check", exit_on_error=False)
    async def check_then_confirm(self, request: PurchaseRequest) -> None:
        """A fresh lookup just before the confirmation: an owned number is never
        offered for sale (the purchase checks once more, under its lock)."""
        try:
            owned = await purchase_service.owned_number(self.client, request.phone_number)
        except purchase_service.OwnershipCheckFailed as error:
            self._checked(None)
            self.show_step_error(error)
            return
        if owned is not None:
            self._checked(None)
            self.show_step_error(purchase_service.AlreadyOwned(request.phone_number, owned))
            self._owned = owned
            self.query_one("#review-change-owned").display = True
            return
        self._checked(request)

    @on(Button.Pressed, "#review-change-owned")
    def change_owned_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if self._owned is not None:
            self.wizard.start_change(self._owned)

    def _checked(self, request: PurchaseRequest | None) -> None:
        self._checking = False
        self.set_status("")
        self.show_purchase_state()
        if request is None:
            return
        price = self._price()
        modal = ConfirmPurchaseModal(
            request.phone_number,
            price.describe() if price else "price unknown",
            self._account(),
            sandbox=self.connection.sandbox,
            warnings=self.warnings(request),
        )

        follow_up = self._follow_up()
        service = self.session.known_messaging_service(follow_up.messaging_service_sid)

        def confirmed(yes: bool | None) -> None:
            # The draft may not change while the dialog is open: buy what was checked.
            if yes:
                self.wizard.buy(request, follow_up, service.friendly_name if service else None)

        self.app.push_screen(modal, confirmed)

    def focus_first_field(self) -> None:
        if self.wizard.purchase_running:
            # Back from the confirmation with the purchase on its way: Enter stops waiting.
            self.query_one("#stop-waiting", Button).focus()
        else:
            super().focus_first_field()

    def worker_failed(self, group: str) -> None:
        super().worker_failed(group)
        if group == "owned-check":
            self._checking = False
            self.show_purchase_state()

    def show_purchase_state(self) -> None:
        """Buttons, keys and status follow the App's purchase attempt."""
        running = self.wizard.purchase_running
        attempt = self.wizard.attempt
        request, _ = self.build()
        self.query_one("#next", Button).disabled = request is None or running or self._checking
        self.query_one("#back", Button).disabled = running or self._checking
        stop = self.query_one("#stop-waiting", Button)
        was_shown = stop.display
        stop.display = running
        if running and not was_shown:
            self.call_after_refresh(stop.focus)  # in view, and Enter stops waiting
        if running and attempt is not None:
            self.set_status(attempt.headline())
        elif not self._checking:
            self.set_status("")
        self._intro()
        self.refresh_bindings()

    def _intro(self) -> None:
        """The line under the title says whether anything was sent for this number."""
        attempt = self.wizard.attempt
        number = self.draft.get("phone_number")
        text = self.INTRO
        if attempt is not None and attempt.phone_number == number and attempt.state.value != "ready":
            if attempt.sending or self.wizard.purchase_running:
                text = f"A purchase of {number} is on its way: nothing here can change until it is settled."
            elif attempt.state.value == "bought":
                text = f"{number} was bought in this session; buying it again is refused."
            elif attempt.state.value == "unknown":
                text = (
                    f"A purchase of {number} was sent and its outcome is unknown. Buying again "
                    "first looks the number up, so it is never bought twice."
                )
        self.query_one(".step-intro", Static).update(text)

    def stop_waiting(self) -> None:
        """Stop waiting for Twilio's answer. The request may already have been
        processed, so the number is looked up rather than assumed not bought."""
        self.wizard.stop_waiting()

    def action_stop_waiting(self) -> None:
        self.stop_waiting()

    @on(Button.Pressed, "#stop-waiting")
    def stop_waiting_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.stop_waiting()

    @on(Button.Pressed, ".copy-command")
    def copy_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        key = (event.button.id or "").removeprefix("copy-")
        title, command = self._commands[key]
        self.app.copy_to_clipboard(command)
        self.query_one("#commands-status", Static).update(f"✓ Copied: {title.split(' (')[0]}")

    @on(Button.Pressed, "#save-commands")
    def save_commands_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.save_commands()

    @work(thread=True, exclusive=True, group="save-commands", exit_on_error=False)
    def save_commands(self) -> None:
        from tui.services.exports import save_commands

        number = str(self.draft.get("phone_number") or "")
        commands = {title: command for title, command in self._commands.values()}
        try:
            path = save_commands(number, commands)
        except OSError as error:
            self.app.call_from_thread(
                self.query_one("#commands-status", Static).update, f"✗ Could not save: {error}"
            )
            return
        self.app.call_from_thread(self.query_one("#commands-status", Static).update, f"✓ Saved to {path}")
