"""Step 2, Number: type an E.164 number, or search the available mobile numbers."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import (
    Checkbox,
    DataTable,
    Input,
    Label,
    Select,
    Static,
    TabbedContent,
    TabPane,
)
from textual.widgets.select import InvalidSelectValueError

from tui.domain import rules
from tui.domain.errors import WizardError
from tui.domain.resources import AvailablePhoneNumber, Capabilities, IncomingPhoneNumber, MobilePrice
from tui.domain.search import SEARCH_FIELDS_BY_NAME, build_search
from tui.screens.base import StepScreen
from tui.services import purchase as purchase_service
from tui.services.purchase import AlreadyOwned
from tui.widgets.controls import Button
from tui.widgets.form_field import FormField
from tui.widgets.text import LiveText
from tui.widgets.tickbox import TickBox
from tui.wizard.compliance import ADDRESS_REQUIREMENT_TEXT
from tui.wizard.draft import preferred_country

# Search switches: (id, label, filter name, value sent when checked)
CAPABILITY_FILTERS = (
    ("filter-sms", "SMS", "sms_enabled"),
    ("filter-mms", "MMS", "mms_enabled"),
    ("filter-voice", "Voice", "voice_enabled"),
    ("filter-fax", "Fax", "fax_enabled"),
)
# Seconds of no typing before a typed number is looked up on the account.
OWNERSHIP_CHECK_PAUSE = 0.3

ADDRESS_SHORT = {"none": "none", "any": "any", "local": "local", "foreign": "foreign"}


class NumberStep(StepScreen):
    STEP_ID = "number"
    INTRO = "Type the number you want, or search the mobile numbers Twilio has for sale."

    def __init__(self) -> None:
        super().__init__()
        # The number last looked up on the account, and what was found: "checking",
        # the owned number, None (not owned) or the error that stopped the check.
        self._ownership: tuple[str, IncomingPhoneNumber | WizardError | str | None] = ("", None)

    def compose_body(self) -> ComposeResult:
        with TabbedContent(id="number-tabs"):
            with TabPane("Search available numbers", id="tab-search"):
                # A label column on the left keeps the filters readable at 80 columns.
                with Vertical(id="search-form"):
                    with Horizontal(classes="form-row"):
                        yield Label("Country", classes="row-label")
                        yield Select([], prompt="Loading countries…", id="country", compact=True)
                    yield FormField(SEARCH_FIELDS_BY_NAME["contains"], label="Contains", classes="-inline")
                    with Horizontal(classes="form-row", id="capability-filters"):
                        yield Label("Can do", classes="row-label")
                        for widget_id, label, _ in CAPABILITY_FILTERS:
                            yield TickBox(label, id=widget_id, compact=True)
                    with Horizontal(classes="form-row"):
                        yield Label("Also", classes="row-label")
                        yield TickBox(
                            "Only numbers that need no address", id="filter-no-address", compact=True
                        )
                        yield TickBox("Include beta numbers", True, id="filter-beta", compact=True)
                    with Horizontal(classes="form-row", id="search-actions"):
                        yield Label("", classes="row-label")
                        yield Button("Search", id="search", variant="primary", compact=True)
                        yield Button("Cancel search", id="cancel-search", compact=True, disabled=True)
                    yield LiveText("", id="search-status", markup=False)
                table: DataTable[Any] = DataTable(id="results", cursor_type="row", zebra_stripes=True)
                yield table
            with TabPane("Type a number", id="tab-type"):
                yield self.form_field("phone_number")
        yield LiveText("", id="number-facts", markup=False)
        owned = Button("Change this number instead ▶", id="change-owned", compact=True)
        owned.display = False
        yield owned

    def compose_nav(self) -> ComposeResult:
        # The other way in: a number the account already owns, to change or release.
        yield Button("Numbers you own…", id="open-owned", compact=True)

    @on(Button.Pressed, "#open-owned")
    def open_owned_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.wizard.goto("owned")

    @on(Button.Pressed, "#change-owned")
    def change_owned_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        owned = self._ownership[1]
        if isinstance(owned, IncomingPhoneNumber):
            self.wizard.start_change(owned)

    def step_mounted(self) -> None:
        table = self.query_one("#results", DataTable)
        table.add_columns("Number", "Locality", "Capabilities", "Address", "Monthly")
        # The table measures new rows when it is next idle, and only then grows
        # (see _show_results).
        self.watch(table, "virtual_size", self._results_measured, init=False)
        self.load_countries()

    # -- the typed number -----------------------------------------------------

    def after_change(self) -> None:
        self._describe_number()

    def step_shown(self) -> None:
        # A fresh look every time the step is shown: a number may have been
        # bought (here or elsewhere) since the last one.
        self._ownership = ("", None)
        self._describe_number()

    def _describe_number(self) -> None:
        facts_line = self.query_one("#number-facts", Static)
        self.query_one("#change-owned").display = False
        raw = self.draft.get("phone_number")
        if not raw:
            facts_line.update("No number chosen yet.")
            return
        try:
            e164 = rules.phone_number(str(raw))
        except rules.RuleError:
            facts_line.update("")
            return
        if self._ownership[0] != e164:
            self._ownership = (e164, "checking")
            self.check_ownership(e164)
        facts = rules.phone_number_facts(e164)
        lines = [f"Chosen: {e164} · {facts.describe()}"]
        picked = self.draft.picked
        if picked and picked.phone_number == e164:
            caps = picked.capabilities.describe() if picked.capabilities else "unknown"
            address = ADDRESS_REQUIREMENT_TEXT.get(picked.address_requirements or "", "address needs unknown")
            where = f"{picked.locality} · " if picked.locality else ""
            lines.append(f"From the search: {where}{caps} · {address}")
        warning = rules.not_mobile_warning(e164)
        if warning:
            lines.append(f"⚠ {warning}")
        owned = self._ownership[1]
        self.query_one("#change-owned").display = isinstance(owned, IncomingPhoneNumber)
        if owned == "checking":
            lines.append("Checking whether this account already owns it…")
        elif isinstance(owned, IncomingPhoneNumber):
            lines.append(f"✗ {AlreadyOwned(e164, owned)}")
        elif isinstance(owned, WizardError):
            lines.append(f"⚠ {owned} It is checked again before anything is bought.")
        facts_line.update("\n".join(lines))

    @work(exclusive=True, group="ownership", exit_on_error=False)
    async def check_ownership(self, e164: str) -> None:
        """Whether the account owns the chosen number already: buying it would only
        overwrite its settings (Twilio treats a re-POST as an update), so an owned
        number cannot go on. The purchase checks again, afresh, before sending."""
        await asyncio.sleep(OWNERSHIP_CHECK_PAUSE)  # typing on: only the number settled on is looked up
        result: IncomingPhoneNumber | WizardError | None
        try:
            result = await purchase_service.owned_number(self.client, e164)
        except purchase_service.OwnershipCheckFailed as error:
            result = WizardError(f"Could not check whether this account already owns {e164}.")
            result.__cause__ = error.cause
        if self._ownership[0] == e164:
            self._ownership = (e164, result)
            self._describe_number()

    def stored_value(self, form_field: FormField) -> Any:
        if form_field.field_name in SEARCH_FIELDS_BY_NAME:
            return self.draft.search.get(form_field.field_name)
        return super().stored_value(form_field)

    def store_field(self, form_field: FormField, value: Any) -> bool:
        if form_field.field_name in SEARCH_FIELDS_BY_NAME:
            self.draft.search[form_field.field_name] = value
            return True
        if form_field.field_name == "phone_number":
            picked = self.draft.picked
            if picked and picked.phone_number != str(value).strip():
                self.draft.picked = None
        return super().store_field(form_field, value)

    def extra_problems(self) -> list[tuple[FormField | None, str]]:
        phone_field = self.query_one("#field-phone_number", FormField)
        typed_tab = phone_field.field_name in {f.field_name for f in self.visible_fields()}
        owned = self._ownership[1]
        if isinstance(owned, IncomingPhoneNumber):
            message = "This account already owns this number: choose another one"
            return [(phone_field if typed_tab else None, message)]
        if typed_tab:
            return []  # the field rule speaks for itself on the Type tab
        if not self.draft.get("phone_number"):
            return [(None, "Pick a number from the results (Enter on a row), or type one")]
        return []

    def load_from_draft(self) -> None:
        super().load_from_draft()
        table = self.query_one("#results", DataTable)
        if table.row_count and not self.context.results:
            # The results were forgotten (Buy another): they may list the number just bought.
            table.clear()
            self.query_one("#search-status", Static).update("")
        search = self.draft.search
        self.query_one("#field-contains", FormField).set_value(search.get("contains"))
        for widget_id, _, name in CAPABILITY_FILTERS:
            self.query_one(f"#{widget_id}", Checkbox).value = bool(search.get(name))
        self.query_one("#filter-no-address", Checkbox).value = bool(
            search.get("exclude_all_address_required")
        )
        self.query_one("#filter-beta", Checkbox).value = search.get("beta", True) is not False
        # The country shown is the one searched: the draft and the list never disagree.
        select = self.query_one("#country", Select)
        wanted = search.get("country_code")
        if wanted and select.value != wanted:
            with contextlib.suppress(InvalidSelectValueError):  # the list is not loaded yet
                select.value = wanted
        elif not wanted and select.value is not Select.NULL:
            search["country_code"] = select.value

    def worker_failed(self, group: str) -> None:
        super().worker_failed(group)
        if group == "search":
            self._searching(False, "")
        elif group == "countries":
            self.query_one("#country", Select).prompt = "Countries unavailable"
        elif group == "ownership":
            number = self._ownership[0]
            self._ownership = (number, WizardError(f"Could not check whether this account owns {number}."))
            self._describe_number()

    # -- countries ------------------------------------------------------------

    @work(exclusive=True, group="countries", exit_on_error=False)
    async def load_countries(self) -> None:
        select = self.query_one("#country", Select)
        try:
            countries = await self.session.countries()
        except WizardError as error:
            select.prompt = "Countries unavailable"
            self.show_step_error(error, title="Could not load the countries that sell mobile numbers.")
            return
        select.set_options([(Text(f"{c.country} ({c.country_code})"), c.country_code) for c in countries])
        select.prompt = "Country"
        offered = [c.country_code for c in countries]
        wanted = self.draft.search.get("country_code") or preferred_country(self.wizard.env, offered)
        if wanted in {c.country_code for c in countries}:
            select.value = wanted

    @on(Select.Changed, "#country")
    def country_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.value is not Select.NULL:
            self.draft.search["country_code"] = event.value
            self.wizard.draft_changed()

    @on(Checkbox.Changed)
    def filter_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        search = self.draft.search
        for widget_id, _, name in CAPABILITY_FILTERS:
            if event.checkbox.id == widget_id:
                search[name] = True if event.value else None
        if event.checkbox.id == "filter-no-address":
            search["exclude_all_address_required"] = True if event.value else None
        if event.checkbox.id == "filter-beta":
            # Twilio's default is to include beta numbers: only "off" is sent.
            search["beta"] = None if event.value else False
        self.wizard.draft_changed()

    # -- search ---------------------------------------------------------------

    def input_submitted(self, control: Input) -> bool:
        # Enter in the search form searches, as in any search box.
        if control.id == "control-contains":
            self.run_search()
            return True
        return False

    @on(Button.Pressed, "#search")
    def search_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.run_search()

    @on(Button.Pressed, "#cancel-search")
    def cancel_search_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.workers.cancel_group(self, "search")
        self._searching(False, "Search cancelled.")

    def _searching(self, busy: bool, status: str) -> None:
        self.query_one("#results", DataTable).loading = busy
        self.query_one("#search", Button).disabled = busy
        self.query_one("#cancel-search", Button).disabled = not busy
        self.query_one("#search-status", Static).update(status)

    def run_search(self) -> None:
        self.take_shown_values()  # what was typed a moment ago is what is searched
        values = {k: v for k, v in self.draft.search.items() if v is not None}
        query, problems = build_search(values)
        contains = self.query_one("#field-contains", FormField)
        contains.show_error(None)
        if problems:
            for problem in problems:
                if problem.field == "contains":
                    contains.show_error(problem.message)
                    contains.focus_control()
                else:
                    self.query_one("#search-status", Static).update(problem.message)
            return
        assert query is not None
        self.show_step_error(None)
        self._searching(True, f"Searching {query.country_code}…")
        self.search_numbers(query)

    @work(exclusive=True, group="search", exit_on_error=False)
    async def search_numbers(self, query: Any) -> None:
        try:
            # The price is asked for alongside the numbers, not after them: the
            # table is shown once, with both (a price that cannot be had is
            # "unknown", never an error).
            numbers, price = await asyncio.gather(
                self.client.search_mobile(query), self.session.mobile_price(query.country_code)
            )
        except WizardError as error:
            self._searching(False, "")
            self.show_step_error(error, title="The search failed.")
            return
        self.context.results = numbers
        self._show_results(numbers, price, query.country_code)

    def _show_results(self, numbers: list[AvailablePhoneNumber], price: MobilePrice, country: str) -> None:
        table = self.query_one("#results", DataTable)
        table.clear()
        # Text, not strings, which the table would read as markup (and parse). The
        # table only reads its cells, so rows share one Text per repeated value (a
        # locality, the capabilities, the address need, the price): 1,000 results
        # make a few dozen of them, not 5,000.
        shared: dict[str, Text] = {}

        def text(cell: str) -> Text:
            found = shared.get(cell)
            if found is None:
                found = shared[cell] = Text(cell)
            return found

        # A few combinations of capabilities across all the results (the frozen
        # model is its own key): each described once.
        described: dict[Capabilities, Text] = {}
        monthly = text(f"{price.monthly:.2f} {price.currency}" if price.known else "unknown")
        for number in numbers:
            capabilities = number.capabilities
            if capabilities is None:
                caps = text("")
            elif (caps_found := described.get(capabilities)) is not None:
                caps = caps_found
            else:
                caps = described[capabilities] = text(capabilities.describe())
            address = number.address_requirements or ""
            table.add_row(
                Text(number.phone_number or ""),
                text(number.locality or ""),
                caps,
                text(ADDRESS_SHORT.get(address, address)),
                monthly,
                key=number.phone_number,
            )
        if numbers:
            status = f"{len(numbers)} numbers · Enter picks one"
            # Focus the results and bring them into view after the next refresh:
            # focus() alone scrolls at once, to the table as it was before. Rows
            # that change the table's size are measured later, when it is idle;
            # _results_measured brings them into view again then.
            table.focus(scroll_visible=False)
            self.call_after_refresh(self._bring_into_view, table)
        else:
            status = (
                f"No mobile numbers in {country} match. Loosen a filter: clear "
                "Contains, untick a capability or the address filter."
            )
        self._searching(False, status)

    def _results_measured(self) -> None:
        table = self.query_one("#results", DataTable)
        if table.row_count:
            self.call_after_refresh(self._bring_into_view, table)

    def _bring_into_view(self, table: DataTable[Any]) -> None:
        if self.focused is table and not self.can_view_entire(table):
            self.scroll_to_center(table, origin_visible=True)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        number = str(event.row_key.value)
        picked = self.context.result(number)
        self.draft.set("phone_number", number)
        self.draft.picked = picked
        self.wizard.draft_changed()
        self.query_one("#field-phone_number", FormField).set_value(number)
        self.query_one("#search-status", Static).update(
            Text(f"✓ Picked {number}. Press Next (ctrl+n) to continue.").plain
        )
        self.show_step_error(None)
        self._describe_number()
