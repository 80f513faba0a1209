"""What the wizard knows about one purchase, free of Textual: the search results,
the chosen number as Twilio's search reports it, and its compliance facts.

"Buy another" starts a new context, so nothing of the previous number (its
results, its requirements, an error about it) leaks into the next purchase.
What concerns the whole account lives in `AccountSession`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tui.domain import rules
from tui.domain.errors import TwilioApiError

if TYPE_CHECKING:
    # The models (pydantic) and the API client load after the wizard's first
    # frame; the context itself is made at start.
    from tui.domain.resources import AvailablePhoneNumber
    from tui.services.account_session import AccountSession
    from tui.wizard.compliance import ComplianceFacts


@dataclass
class PurchaseContext:
    results: list[AvailablePhoneNumber] = field(default_factory=list)
    # A typed number looked up in Twilio's search (its address requirement);
    # None: looked up and not found among the available numbers.
    lookups: dict[str, AvailablePhoneNumber | None] = field(default_factory=dict)
    facts: ComplianceFacts | None = None

    def result(self, phone_number: str) -> AvailablePhoneNumber | None:
        return next((n for n in self.results if n.phone_number == phone_number), None)

    async def available_number(
        self, session: AccountSession, e164: str, picked: AvailablePhoneNumber | None
    ) -> AvailablePhoneNumber | None:
        """The number as Twilio's search reports it: from the search it was picked
        in, or by searching for it exactly (once per purchase)."""
        if picked is not None and picked.phone_number == e164:
            return picked
        if e164 not in self.lookups:
            from tui.domain.search import MobileSearch

            country = rules.phone_number_facts(e164).region
            if not country:
                return None
            try:
                found = await session.client.search_mobile(MobileSearch(country_code=country, contains=e164))
            except TwilioApiError as error:
                # Twilio answers 404 (20404) for a country whose mobile numbers it
                # does not list (the US, for one): the number's needs are then
                # unknown, as for a number the search does not find, which the
                # checks say; it is not a failure to reach Twilio.
                if not (error.from_twilio and error.status == 404):
                    raise
                found = []
            self.lookups[e164] = next((n for n in found if n.phone_number == e164), None)
        return self.lookups[e164]

    async def load_facts(
        self, session: AccountSession, e164: str, picked: AvailablePhoneNumber | None
    ) -> ComplianceFacts:
        """Everything the compliance checks need for this number (raises a
        WizardError when Twilio cannot be asked)."""
        from tui.wizard.compliance import ComplianceFacts

        country = rules.phone_number_facts(e164).region
        assert country, "a valid E.164 number has a region"
        self.facts = ComplianceFacts(
            iso_country=country,
            number=await self.available_number(session, e164, picked),
            regulations=await session.regulations(country),
            addresses=await session.addresses(),
            bundles=await session.bundles(country),
        )
        return self.facts
