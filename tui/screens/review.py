"""Step 7, Review: exactly what will be sent, what Twilio will default, every
warning, the price, and the equivalent commands. Buying needs a confirmation
that names the number and the price."""

from __future__ import annotations

from typing import ClassVar

from rich import box as rich_box
from rich.table import Table
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Button, Static

from tui.domain import rules
from tui.domain.errors import TwilioUnreachable, WizardError
from tui.domain.fields import FIELDS_BY_NAME, GROUP_TITLES
from tui.domain.purchase import PurchaseRequest
from tui.domain.resources import MobilePrice
from tui.screens.base import StepScreen
from tui.screens.modals import ConfirmPurchaseModal
from tui.services import purchase as purchase_service
from tui.services.receipts import Receipt
from tui.services.twilio import form_body
from tui.widgets.form_field import FormField
from tui.widgets.text import LiveText
from tui.wizard.commands import curl_command, number_wizard_command, twilio_cli_command
from tui.wizard.compliance import compliance_issues
from tui.wizard.flow import STEPS_BY_ID, step_of_field


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


class ReviewStep(StepScreen):
    STEP_ID = "review"
    INTRO = "Nothing has been sent yet. Check everything below, then buy."

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
        self._receipt: Receipt | None = None
        self._purchasing = False  # a purchase was sent and its outcome is not shown yet

    def compose_body(self) -> ComposeResult:
        yield LiveText(id="review-headline", markup=False)
        yield LiveText(id="review-problems", classes="error-text", markup=False)
        yield Static(id="review-values")
        yield Static(id="review-defaults")
        yield LiveText(id="review-warnings", classes="warnings", markup=False)
        yield Static(id="review-request", classes="code", markup=False)
        yield Static(id="review-commands", classes="code", markup=False)
        stop = Button("Stop waiting", id="stop-waiting", compact=True)
        stop.display = False
        yield stop

    def next_label(self) -> str:
        return "Buy… ▶"

    def step_shown(self) -> None:
        self.refresh_review()

    # -- content --------------------------------------------------------------

    def refresh_review(self) -> None:
        request, problems = self.draft.build()
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
        self.query_one("#next", Button).disabled = request is None or self._purchasing
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
        return self.wizard.cache.get(f"price:{country}") if country else None

    def _country(self) -> str | None:
        raw = self.draft.get("phone_number")
        try:
            return rules.phone_number_facts(rules.phone_number(str(raw or ""))).region
        except rules.RuleError:
            return None

    def _headline(self, request: PurchaseRequest) -> None:
        facts = rules.phone_number_facts(request.phone_number)
        creds = self.wizard.connection.credentials
        check = self.wizard.cache.get("account_check")
        account = creds.account_sid + (f" ({check.friendly_name})" if check and check.friendly_name else "")
        price = self._price()
        price_text = price.describe() if price else "looking up the price…"
        sandbox = "  [SANDBOX: nothing is charged]" if self.wizard.connection.sandbox else ""
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
        for name, value in request.values().items():
            if value is None:
                continue
            spec = FIELDS_BY_NAME[name]
            shown = ("true" if value else "false") if isinstance(value, bool) else str(value)
            table.add_row(GROUP_TITLES[spec.group], spec.label, shown)
        self.query_one("#review-values", Static).update(table)
        defaults = section_table("Left to Twilio's defaults")
        defaults.add_column("Field", no_wrap=True)
        defaults.add_column("Twilio uses", overflow="fold")
        for spec, default in request.omitted_defaults():
            defaults.add_row(spec.label, default)
        self.query_one("#review-defaults", Static).update(defaults)

    def _warnings(self, request: PurchaseRequest) -> None:
        warnings = [i.message for i in request.warnings()]
        facts = self.wizard.cache.get("facts")
        if facts is not None:
            warnings += [i.message for i in compliance_issues(self.draft.request_values(), facts)]
        box = self.query_one("#review-warnings", Static)
        box.update("\n".join(f"⚠ {w}" for w in warnings) if warnings else "✓ No warnings.")
        box.set_class(not warnings, "-none")

    def _request(self, request: PurchaseRequest) -> None:
        prepared = self.wizard.client.prepare_purchase(request)
        self.query_one("#review-request", Static).update(
            f"The request\n{prepared.method} {prepared.url}\n"
            f"Content-Type: application/x-www-form-urlencoded\n\n{form_body(prepared.form)}"
        )
        api_key = self.wizard.connection.credentials.auth_kind == "api_key"
        sandbox = self.wizard.connection.sandbox
        # curl and twilio-cli reach the real Twilio, never this in-process sandbox.
        real = " (against the real Twilio API, with your own credentials)" if sandbox else ""
        self.query_one("#review-commands", Static).update(
            "The same with number-wizard\n"
            f"{number_wizard_command(request, sandbox=sandbox)}\n\n"
            f"With curl{real}\n{curl_command(prepared, api_key=api_key)}\n\n"
            f"With twilio-cli{real}\n{twilio_cli_command(request)}"
        )

    @work(exclusive=True, group="price", exit_on_error=False)
    async def load_price(self, phone_number: str) -> None:
        country = self._country()
        if not country or f"price:{country}" in self.wizard.cache:
            return
        try:
            self.wizard.cache[f"price:{country}"] = await self.wizard.client.fetch_mobile_price(country)
        except WizardError:
            self.wizard.cache[f"price:{country}"] = MobilePrice(iso_country=country)
        request, _ = self.draft.build()
        if request is not None:
            self._headline(request)

    # -- buying -----------------------------------------------------------------

    def check_step(self) -> list[tuple[FormField | None, str]]:
        _, problems = self.draft.build()
        return [(None, "Fix the fields listed above first")] if problems else []

    def action_next(self) -> None:
        self.action_buy()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop_waiting":
            return self._purchasing
        if action in ("buy", "next") and self._purchasing:
            return None  # one purchase at a time: shown dimmed while waiting
        return super().check_action(action, parameters)

    def action_buy(self) -> None:
        if self._purchasing:
            return
        request, problems = self.draft.build()
        if request is None or problems:
            self.set_status("Fix the fields listed above first")
            return
        price = self._price()
        creds = self.wizard.connection.credentials
        check = self.wizard.cache.get("account_check")
        account = creds.account_sid + (f" ({check.friendly_name})" if check and check.friendly_name else "")
        modal = ConfirmPurchaseModal(
            request.phone_number,
            price.describe() if price else "price unknown",
            account,
            sandbox=self.wizard.connection.sandbox,
        )

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.start_purchase(request)

        self.app.push_screen(modal, confirmed)

    def start_purchase(self, request: PurchaseRequest) -> None:
        self._receipt = None
        self._purchasing = True
        self.refresh_bindings()
        self.query_one("#next", Button).disabled = True
        stop = self.query_one("#stop-waiting", Button)
        stop.display = True
        self.call_after_refresh(stop.focus)  # in view, and Enter stops waiting
        self.set_status(f"Buying {request.phone_number}… waiting for Twilio")
        self.purchase(request)

    def _purchase_done(self) -> None:
        self._purchasing = False
        self.refresh_bindings()
        self.query_one("#next", Button).disabled = False
        self.query_one("#stop-waiting", Button).display = False
        self.set_status("")

    def _remember_receipt(self, receipt: Receipt) -> None:
        self._receipt = receipt

    @work(exclusive=True, group="purchase", exit_on_error=False)
    async def purchase(self, request: PurchaseRequest) -> None:
        wizard = self.wizard
        try:
            outcome = await purchase_service.buy(
                wizard.client,
                request,
                wizard.receipts,
                sandbox=wizard.connection.sandbox,
                on_receipt=self._remember_receipt,
            )
        except Exception as error:
            if self._receipt is None:  # nothing was sent
                self._purchase_done()
                self.show_step_error(WizardError(f"The purchase could not start: {error!r}"))
                return
            # Sent, then something unexpected: only a lookup can tell what happened.
            self.set_status("Something unexpected happened; checking whether the number was bought…")
            self.settle(request, self._receipt)
            return
        self._purchase_done()
        wizard.purchase_finished(outcome)

    def stop_waiting(self) -> None:
        """Stop waiting for Twilio's answer. The request may already have been
        processed, so the number is looked up rather than assumed not bought."""
        request, _ = self.draft.build()
        self.workers.cancel_group(self, "purchase")
        if request is None or self._receipt is None:
            self._purchase_done()
            return
        self.set_status("Stopped waiting; checking whether the number was bought…")
        self.settle(request, self._receipt)

    def action_stop_waiting(self) -> None:
        if self._purchasing:
            self.stop_waiting()

    @work(exclusive=True, group="purchase-settle", exit_on_error=False)
    async def settle(self, request: PurchaseRequest, receipt: Receipt) -> None:
        wizard = self.wizard
        outcome = await purchase_service.settle_interrupted(
            wizard.client,
            request,
            wizard.receipts,
            receipt,
            TwilioUnreachable("You stopped waiting for Twilio's answer.", sent=True),
        )
        self._purchase_done()
        wizard.purchase_finished(outcome)

    def button_pressed(self, button: Button) -> None:
        if button.id == "stop-waiting":
            self.stop_waiting()
