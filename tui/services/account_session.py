"""What is known about the account in use: loaded from Twilio once per connection
and kept while the person moves between steps and purchases.

One object per connection (new credentials, new session), free of Textual, so the
wizard, `buy` and `search` load and keep these things the same way. What belongs
to one purchase only (search results, the chosen number's requirements) lives in
`tui.wizard.context.PurchaseContext` and is forgotten when the next purchase starts.

Loading policy: a successful answer is kept for the session; a failure is raised
to the caller (to be shown where it matters) and nothing is kept, so the next
attempt asks Twilio again. The one exception is the monthly price, which only
informs: `mobile_price` answers "unknown" when it cannot be had.
"""

from __future__ import annotations

import asyncio

from tui.domain.addresses import NewAddress
from tui.domain.errors import WizardError
from tui.domain.resources import (
    Address,
    Application,
    AvailableCountry,
    Bundle,
    MessagingService,
    MobilePrice,
    Regulation,
    Trunk,
)
from tui.services.twilio import CredentialCheck, TwilioClient


async def mobile_price_or_unknown(client: TwilioClient, iso_country: str | None) -> MobilePrice:
    """The monthly price of a mobile number in a country, or an unknown price
    when there is no country or Twilio's pricing cannot be reached (a price
    informs; its absence never stops a search or a purchase)."""
    if not iso_country:
        return MobilePrice()
    try:
        return await client.fetch_mobile_price(iso_country)
    except WizardError:
        return MobilePrice(iso_country=iso_country)


class AccountSession:
    def __init__(self, client: TwilioClient) -> None:
        self.client = client
        self.account_check: CredentialCheck | None = None
        self._countries: list[AvailableCountry] | None = None
        self._prices: dict[str, MobilePrice] = {}
        self._addresses: list[Address] | None = None
        self._regulations: dict[str, list[Regulation]] = {}
        self._bundles: dict[str, list[Bundle]] = {}
        self._applications: list[Application] | None = None
        self._trunks: list[Trunk] | None = None
        self._messaging_services: list[MessagingService] | None = None
        # One request at a time per thing: two screens asking at once share it.
        self._locks: dict[str, asyncio.Lock] = {}

    def _lock(self, key: str) -> asyncio.Lock:
        return self._locks.setdefault(key, asyncio.Lock())

    async def countries(self) -> list[AvailableCountry]:
        """The countries that sell mobile numbers, by name."""
        async with self._lock("countries"):
            if self._countries is None:
                self._countries = await self.client.list_mobile_countries()
            return self._countries

    def known_price(self, iso_country: str | None) -> MobilePrice | None:
        """The price already known for a country (never asks Twilio)."""
        return self._prices.get(iso_country or "")

    async def mobile_price(self, iso_country: str | None) -> MobilePrice:
        """The monthly price of a mobile number in the country; "unknown" when it
        cannot be had (not kept: the next call asks again)."""
        if not iso_country:
            return MobilePrice()
        async with self._lock(f"price:{iso_country}"):
            if iso_country not in self._prices:
                price = await mobile_price_or_unknown(self.client, iso_country)
                if not price.known:
                    return price
                self._prices[iso_country] = price
            return self._prices[iso_country]

    async def addresses(self) -> list[Address]:
        async with self._lock("addresses"):
            if self._addresses is None:
                self._addresses = await self.client.list_addresses()
            return self._addresses

    async def regulations(self, iso_country: str) -> list[Regulation]:
        async with self._lock(f"regulations:{iso_country}"):
            if iso_country not in self._regulations:
                self._regulations[iso_country] = await self.client.list_regulations(iso_country)
            return self._regulations[iso_country]

    async def bundles(self, iso_country: str) -> list[Bundle]:
        async with self._lock(f"bundles:{iso_country}"):
            if iso_country not in self._bundles:
                self._bundles[iso_country] = await self.client.list_bundles(iso_country)
            return self._bundles[iso_country]

    async def create_address(self, address: NewAddress) -> Address:
        """Create an address; the account's list (if loaded) gets it at once."""
        created = await self.client.create_address(address)
        async with self._lock("addresses"):
            if self._addresses is not None:
                self._addresses = [*self._addresses, created]
        return created

    # What a number's calls and messages can be pointed at. Kept for the session;
    # `refresh` asks again (one made in the Console meanwhile).

    async def applications(self, *, refresh: bool = False) -> list[Application]:
        async with self._lock("applications"):
            if self._applications is None or refresh:
                self._applications = await self.client.list_applications()
            return self._applications

    async def trunks(self, *, refresh: bool = False) -> list[Trunk]:
        async with self._lock("trunks"):
            if self._trunks is None or refresh:
                self._trunks = await self.client.list_trunks()
            return self._trunks

    def known_messaging_service(self, sid: str | None) -> MessagingService | None:
        """A Messaging Service already loaded (never asks Twilio)."""
        return next((s for s in self._messaging_services or [] if s.sid == sid), None)

    async def messaging_services(self, *, refresh: bool = False) -> list[MessagingService]:
        async with self._lock("messaging-services"):
            if self._messaging_services is None or refresh:
                self._messaging_services = await self.client.list_messaging_services()
            return self._messaging_services

    def forget_compliance(self) -> None:
        """Addresses and bundles change outside number-wizard (a bundle approved, an
        address added in the Console): the next purchase reads them afresh."""
        self._addresses = None
        self._bundles.clear()
