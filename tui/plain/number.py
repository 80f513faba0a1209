"""Step 2, Number, in plain lines: keep the number chosen, type one, or search
Twilio's available mobile numbers (country, filters, then a numbered, paged
list of results to answer with a number from the list, or a number typed)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from tui.domain import rules
from tui.domain.fields import FIELDS_BY_NAME
from tui.domain.rules import RuleError
from tui.plain.prompts import Option
from tui.wizard.draft import preferred_country

if TYPE_CHECKING:
    from tui.domain.resources import AvailableCountry, AvailablePhoneNumber, MobilePrice
    from tui.plain.wizard import Answer, PlainWizard, Question

# The search's capability filters: (name in the draft's search, label).
CAPABILITIES = (
    ("voice_enabled", "Voice"),
    ("sms_enabled", "SMS"),
    ("mms_enabled", "MMS"),
    ("fax_enabled", "Fax"),
)


def capabilities_filter(raw: str) -> dict[str, bool | None]:
    """`voice, sms` → the search's capability filters (the ones not named: None)."""
    words = [w for w in raw.replace(",", " ").split() if w]
    by_label = {label.lower(): name for name, label in CAPABILITIES}
    unknown = [w for w in words if w.lower() not in by_label]
    if unknown:
        raise RuleError(f"{', '.join(unknown)}: choose from Voice, SMS, MMS and Fax, separated by commas.")
    chosen = {by_label[w.lower()] for w in words}
    return {name: (True if name in chosen else None) for name, _ in CAPABILITIES}


class NumberPart:
    def __init__(self, wizard: PlainWizard) -> None:
        self.w = wizard
        self._countries: list[AvailableCountry] | None = None

    @property
    def search(self) -> dict[str, Any]:
        return self.w.draft.search

    def questions(self) -> list[Question]:
        from tui.plain.wizard import Question

        searching = lambda: self.w.number_how == "search"  # noqa: E731
        return [
            Question("number.how", self.ask_how),
            Question("search.country", self.ask_country, searching),
            Question("search.contains", self.ask_contains, searching),
            Question("search.capabilities", self.ask_capabilities, searching),
            Question("search.no_address", self.ask_no_address, searching),
            Question("search.beta", self.ask_beta, searching),
            Question("search.results", self.ask_result, searching),
            Question("phone_number", self.ask_typed, lambda: self.w.number_how == "type"),
        ]

    # -- how ---------------------------------------------------------------------

    def ask_how(self) -> None:
        current = self.w.draft.get("phone_number")
        options = [Option("search", "Search the available numbers"), Option("type", "Type a number")]
        if current:
            options.insert(0, Option("keep", f"Keep {current}"))
        while True:
            how = self.w.ask.choose(
                "Choose the number",
                options,
                current="keep" if current else (self.w.number_how or "search"),
                help=[
                    "Search lists the mobile numbers Twilio has for sale in a country; or type one you know."
                ],
            )
            self.w.number_how = how
            if how != "keep":
                return
            try:
                e164 = rules.phone_number(str(current))
            except RuleError as error:
                self.w.say(f"{current}: {error}")
                self.w.number_how = None
                continue
            if self.accept(e164, self.w.draft.picked):
                return
            self.w.number_how = None

    # -- the search's filters ------------------------------------------------------

    def _load_countries(self) -> list[AvailableCountry] | None:
        if self._countries is None:
            assert self.w.session is not None
            from tui.domain.errors import WizardError

            try:
                self._countries = self.w.call(self.w.session.countries())
            except WizardError as error:
                self.w.say_error(error, "Could not load the countries that sell mobile numbers.")
                return None
        return self._countries

    def ask_country(self) -> None:
        countries = self._load_countries() or []
        codes = {c.country_code for c in countries}
        names = {(c.country or "").lower(): c.country_code for c in countries}

        def typed(raw: str) -> str:
            if raw.strip().lower() in names:
                return names[raw.strip().lower()]
            code = rules.country_code(raw)
            if countries and code not in codes:
                raise RuleError(f"{code} sells no mobile numbers on Twilio: choose a country from the list.")
            return code

        offered = [c.country_code for c in countries]
        current = self.search.get("country_code") or preferred_country(self.w.env, offered)
        code = self.w.ask.choose(
            "Country",
            [Option(c.country_code, f"{c.country} ({c.country_code})") for c in countries],
            current=current,
            other=typed,
            other_hint="a country code",
            title="Countries that sell mobile numbers:" if countries else None,
            help=["The country to search in: its number from the list, its name or its two-letter code."],
        )
        self.search["country_code"] = code
        self.w.save_draft()

    def ask_contains(self) -> None:
        from tui.domain.search import SEARCH_FIELDS_BY_NAME

        value = self.w.ask.field(SEARCH_FIELDS_BY_NAME["contains"], self.search.get("contains"))
        self.search["contains"] = value
        self.w.save_draft()

    def ask_capabilities(self) -> None:
        current = [label for name, label in CAPABILITIES if self.search.get(name)]
        self.w.say("Only numbers that can do (optional): Voice, SMS, MMS, Fax, separated by commas.")
        chosen = self.w.ask.text(
            "Can do",
            check=capabilities_filter,
            current=", ".join(current) or None,
            shown=", ".join(current) or "any",
            help=["Only numbers with every capability named are listed; empty lists them all."],
        )
        self.search.update(chosen or {name: None for name, _ in CAPABILITIES})
        self.w.save_draft()

    def ask_no_address(self) -> None:
        only = self.w.ask.yes_no(
            "Only numbers that need no address",
            current=bool(self.search.get("exclude_all_address_required")),
            help=["Yes leaves out the numbers that need an address on the account (any, local or foreign)."],
        )
        self.search["exclude_all_address_required"] = True if only else None
        self.w.save_draft()

    def ask_beta(self) -> None:
        include = self.w.ask.yes_no(
            "Include beta numbers",
            current=self.search.get("beta", True) is not False,
            help=["Beta numbers are new to Twilio."],
        )
        # Twilio's default is to include beta numbers: only "off" is sent.
        self.search["beta"] = None if include else False
        self.w.save_draft()

    # -- results -------------------------------------------------------------------

    def ask_result(self) -> Answer:
        from tui.domain.errors import WizardError
        from tui.domain.search import build_search
        from tui.plain.wizard import Jump

        assert self.w.client is not None and self.w.session is not None
        values = {k: v for k, v in self.search.items() if v is not None}
        query, problems = build_search(values)
        if problems:
            for problem in problems:
                self.w.say(problem.message)
            where = "search.contains" if any(p.field == "contains" for p in problems) else "search.country"
            return Jump("number", where)
        assert query is not None
        self.w.say(f"Searching {query.country_code}…")
        try:
            numbers = self.w.call(self.w.client.search_mobile(query))
            price = self.w.call(self.w.session.mobile_price(query.country_code))
        except WizardError as error:
            self.w.say_error(error, "The search failed.")
            return Jump("number", "search.contains")
        self.w.context.results = numbers
        if not numbers:
            self.w.say(
                f"No mobile numbers in {query.country_code} match. Loosen a filter: clear "
                "Contains, leave out a capability or the address filter."
            )
            return Jump("number", "search.contains")
        return self._pick(numbers, price, query.country_code)

    def _show_page(self, numbers: list[AvailablePhoneNumber], price: MobilePrice, page: int) -> None:
        from tui.wizard.compliance import ADDRESS_REQUIREMENT_TEXT

        pages = math.ceil(len(numbers) / self.w.page_size)
        first = page * self.w.page_size
        shown = numbers[first : first + self.w.page_size]
        self.w.say(f"Page {page + 1} of {pages}, numbers {first + 1} to {first + len(shown)}:")
        monthly = price.describe()
        for index, number in enumerate(shown, start=first + 1):
            caps = number.capabilities.describe() if number.capabilities else "capabilities unknown"
            need = number.address_requirements or ""
            address = ADDRESS_REQUIREMENT_TEXT.get(need, f"address: {need or 'unknown'}")
            where = f"{number.locality}, " if number.locality else ""
            self.w.say(f"  {index}. {number.phone_number}, {where}{caps}; {address}; {monthly}")

    def _pick(self, numbers: list[AvailablePhoneNumber], price: MobilePrice, country: str) -> Answer:
        pages = math.ceil(len(numbers) / self.w.page_size)
        self.w.say(f"{len(numbers)} mobile numbers in {country}, {price.describe()} each.")
        page = 0
        self._show_page(numbers, price, page)
        current = self.w.draft.get("phone_number")
        listed = current if any(n.phone_number == current for n in numbers) else None
        more = ", more for the next page" if pages > 1 else ""
        help = [
            "Answer with a number from the list, or type a phone number in E.164 (+ then country "
            f"code and number){more}."
        ]
        while True:
            answer = self.w.ask.read(
                f"Number (1-{len(numbers)}{more}, or type one) [{listed or 'empty'}]: ", help
            )
            if answer.lower() in ("more", "m", "next", "n") and pages > 1:
                page = (page + 1) % pages
                if page == 0:
                    self.w.say("That was the last page; back to the first.")
                self._show_page(numbers, price, page)
                continue
            if answer == "" and listed:
                picked = next(n for n in numbers if n.phone_number == listed)
            elif answer.isdigit() and 1 <= int(answer) <= len(numbers):
                picked = numbers[int(answer) - 1]
            elif not answer or (answer.isdigit() and len(answer) <= len(str(len(numbers)))):
                self.w.say(
                    f"Choose a number from 1 to {len(numbers)}, or type one with + and its country code."
                )
                continue
            else:
                try:
                    e164 = rules.phone_number(answer)
                except RuleError as error:
                    self.w.say(str(error))
                    continue
                if self.accept(e164, self.w.context.result(e164)):
                    return None
                continue
            if picked.phone_number and self.accept(picked.phone_number, picked):
                return None

    # -- typed -------------------------------------------------------------------

    def ask_typed(self) -> None:
        spec = FIELDS_BY_NAME["phone_number"]
        while True:
            e164 = self.w.ask.field(
                spec, self.w.draft.get("phone_number"), required=self.w.required_message("phone_number")
            )
            if self.accept(e164, self.w.context.result(e164)):
                return

    # -- the number chosen -----------------------------------------------------------

    def accept(self, e164: str, picked: AvailablePhoneNumber | None) -> bool:
        """Take `e164` as the number to buy, say what it is, and look it up on the
        account: an owned number cannot be bought again (False: ask again)."""
        from tui.services import purchase as purchase_service
        from tui.wizard.compliance import ADDRESS_REQUIREMENT_TEXT

        assert self.w.client is not None
        draft = self.w.draft
        draft.set("phone_number", e164)
        draft.picked = picked if picked is not None and picked.phone_number == e164 else None
        self.w.save_draft()
        facts = rules.phone_number_facts(e164)
        self.w.say(f"Chosen: {e164}, {facts.describe()}")
        if draft.picked is not None:
            caps = draft.picked.capabilities.describe() if draft.picked.capabilities else "unknown"
            need = ADDRESS_REQUIREMENT_TEXT.get(
                draft.picked.address_requirements or "", "address needs unknown"
            )
            where = f"{draft.picked.locality}, " if draft.picked.locality else ""
            self.w.say(f"From the search: {where}{caps}; {need}.")
        warning = rules.not_mobile_warning(e164)
        if warning:
            self.w.say(f"Warning: {warning}")
        self.w.say(f"Checking whether this account already owns {e164}…")
        try:
            owned = self.w.call(purchase_service.owned_number(self.w.client, e164))
        except purchase_service.OwnershipCheckFailed:
            self.w.say(
                f"Warning: Could not check whether this account already owns {e164}. "
                "It is checked again before anything is bought."
            )
            return True
        if owned is not None:
            self.w.say(str(purchase_service.AlreadyOwned(e164, owned)))
            return False
        self.w.say(f"{e164} is not on this account yet.")
        return True
