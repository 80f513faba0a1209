"""What the sandbox's Twilio looks like on first start: plain, readable data.

The story the data tells (keep it consistent when editing):

* Countries that sell mobile numbers list `mobile` in their subresources: GB, AU, DE,
  NL, SE, BR, and BE (which has none in stock today). US, CA and DK sell only local and
  toll-free numbers, so their Mobile.json is a 404.
* A mobile purchase needs an approved Bundle exactly where a Regulation exists for the
  country and `mobile`: GB, AU, DE and BE, following Twilio's rule that most mobile
  numbers outside the US and Canada need one (https://twilio.com/en-us/changelog/
  regulated-number-bundle-provisioning-requirement). That NL, SE and
  BR need none is illustrative, not Twilio's list: it lets a purchase be rehearsed
  without compliance steps (README, "The sandbox", says so).
* Address requirements per number: GB none/any, AU local/any, DE local/any, NL
  none/foreign, SE any/none, BR local/none.
* The main account has addresses in GB, AU, DE, NL and US but not BR, so a BR number
  with a `local` requirement can only fail (21631); approved mobile bundles for GB and
  DE, a pending one for AU, a rejected one for GB, and an approved one for GB `local`.
* Phone numbers are valid mobile numbers for `phonenumbers`. AU and SE ones come from
  the ranges their regulators reserve for fiction (0491 570-573xxx, 070-1740 6xx).
* One TwiML application, one Messaging Service and one SIP trunk for the main account,
  nothing attached to them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple

from tui.sandbox.accounts import MAIN_ACCOUNT_SID, OTHER_ACCOUNT_SID
from tui.sandbox.formats import make_sid

SEED_DATE = datetime(2024, 1, 15, 9, 30, 0, tzinfo=UTC)


class CountryRow(NamedTuple):
    iso_country: str
    name: str
    # Keys of `subresource_uris`: local, toll_free, mobile, national, ...
    number_types: tuple[str, ...]
    beta: bool = False


COUNTRIES: tuple[CountryRow, ...] = (
    CountryRow("AU", "Australia", ("local", "mobile", "toll_free")),
    CountryRow("BE", "Belgium", ("local", "mobile", "toll_free")),
    CountryRow("BR", "Brazil", ("local", "mobile")),
    CountryRow("CA", "Canada", ("local", "toll_free")),
    CountryRow("DE", "Germany", ("local", "mobile", "national", "toll_free")),
    CountryRow("DK", "Denmark", ("local", "toll_free")),
    CountryRow("GB", "United Kingdom", ("local", "mobile", "national", "toll_free")),
    CountryRow("NL", "Netherlands", ("local", "mobile", "national", "toll_free")),
    CountryRow("SE", "Sweden", ("local", "mobile", "toll_free")),
    CountryRow("US", "United States", ("local", "toll_free")),
)


class MobileNumberRow(NamedTuple):
    phone_number: str
    locality: str | None
    voice: bool
    sms: bool
    mms: bool
    fax: bool
    address_requirements: str  # none, any, local, foreign
    beta: bool = False


# fmt: off
MOBILE_INVENTORY: dict[str, tuple[MobileNumberRow, ...]] = {
    "GB": (
        #               phone number     locality voice  sms    mms    fax    address  beta
        MobileNumberRow("+447929436483", None,    True,  True,  False, False, "none"),
        MobileNumberRow("+447956893485", None,    True,  True,  False, False, "none"),
        MobileNumberRow("+447437283605", None,    True,  True,  False, False, "any"),
        MobileNumberRow("+447971256553", None,    True,  False, False, False, "none"),
        MobileNumberRow("+447866593633", None,    True,  True,  False, True,  "none"),
        MobileNumberRow("+447430485969", None,    True,  True,  False, False, "any"),
        MobileNumberRow("+447459337523", None,    False, True,  False, False, "none"),
        MobileNumberRow("+447879246955", None,    True,  True,  False, False, "none"),
        MobileNumberRow("+447922539112", None,    True,  True,  False, False, "any"),
        MobileNumberRow("+447427353134", None,    True,  True,  False, False, "none", True),
        MobileNumberRow("+447579478663", None,    True,  False, False, False, "any"),
        MobileNumberRow("+447444429481", None,    True,  True,  False, False, "none"),
        MobileNumberRow("+447933628355", None,    True,  True,  False, False, "none"),
        MobileNumberRow("+447498611308", None,    True,  True,  False, False, "any"),
    ),
    "AU": (
        MobileNumberRow("+61491570006",  None,    True,  True,  True,  False, "local"),
        MobileNumberRow("+61491570110",  None,    True,  True,  True,  False, "local"),
        MobileNumberRow("+61491570156",  None,    True,  True,  True,  False, "any"),
        MobileNumberRow("+61491570157",  None,    True,  True,  False, False, "local"),
        MobileNumberRow("+61491570159",  None,    True,  True,  True,  True,  "local"),
        MobileNumberRow("+61491571234",  None,    True,  False, False, False, "local"),
        MobileNumberRow("+61491571266",  None,    True,  True,  True,  False, "any"),
        MobileNumberRow("+61491571491",  None,    True,  True,  True,  False, "local", True),
        MobileNumberRow("+61491571804",  None,    False, True,  True,  False, "local"),
        MobileNumberRow("+61491572549",  None,    True,  True,  True,  False, "local"),
        MobileNumberRow("+61491572665",  None,    True,  True,  True,  False, "any"),
        MobileNumberRow("+61491572983",  None,    True,  True,  True,  False, "local"),
    ),
    "DE": (
        MobileNumberRow("+4916037275477", None,   True,  True,  False, False, "local"),
        MobileNumberRow("+4916069769232", None,   True,  True,  False, False, "local"),
        MobileNumberRow("+4917063257015", None,   True,  True,  False, False, "any"),
        MobileNumberRow("+4915138603978", None,   True,  False, False, False, "local"),
        MobileNumberRow("+4917680650858", None,   True,  True,  False, True,  "local"),
        MobileNumberRow("+4917023916122", None,   True,  True,  False, False, "any"),
        MobileNumberRow("+4915154472576", None,   True,  True,  False, False, "local"),
        MobileNumberRow("+4917695201156", None,   False, True,  False, False, "local"),
        MobileNumberRow("+4916081060431", None,   True,  True,  False, False, "local", True),
        MobileNumberRow("+4917089239916", None,   True,  True,  False, False, "any"),
        MobileNumberRow("+4915194682308", None,   True,  True,  False, False, "local"),
        MobileNumberRow("+4915136896792", None,   True,  True,  False, False, "local"),
    ),
    "NL": (
        MobileNumberRow("+31616953194",  None,    True,  True,  False, False, "none"),
        MobileNumberRow("+31648362374",  None,    True,  True,  False, False, "none"),
        MobileNumberRow("+31639324261",  None,    True,  True,  False, False, "foreign"),
        MobileNumberRow("+31656558309",  None,    True,  False, False, False, "none"),
        MobileNumberRow("+31654797804",  None,    True,  True,  False, True,  "none"),
        MobileNumberRow("+31632775902",  None,    True,  True,  False, False, "foreign"),
        MobileNumberRow("+31658474903",  None,    True,  True,  False, False, "none"),
        MobileNumberRow("+31634545029",  None,    False, True,  False, False, "none"),
        MobileNumberRow("+31655205095",  None,    True,  True,  False, False, "none", True),
        MobileNumberRow("+31632478021",  None,    True,  True,  False, False, "foreign"),
        MobileNumberRow("+31646063225",  None,    True,  True,  False, False, "none"),
        MobileNumberRow("+31641585157",  None,    True,  True,  False, False, "none"),
    ),
    "SE": (
        MobileNumberRow("+46701740605",  None,    True,  True,  False, False, "any"),
        MobileNumberRow("+46701740612",  None,    True,  True,  False, False, "none"),
        MobileNumberRow("+46701740618",  None,    True,  True,  False, False, "any"),
        MobileNumberRow("+46701740623",  None,    True,  False, False, False, "any"),
        MobileNumberRow("+46701740631",  None,    True,  True,  False, True,  "none"),
        MobileNumberRow("+46701740640",  None,    True,  True,  False, False, "any"),
        MobileNumberRow("+46701740647",  None,    False, True,  False, False, "none"),
        MobileNumberRow("+46701740655",  None,    True,  True,  False, False, "any"),
        MobileNumberRow("+46701740662",  None,    True,  True,  False, False, "any", True),
        MobileNumberRow("+46701740670",  None,    True,  True,  False, False, "none"),
        MobileNumberRow("+46701740681",  None,    True,  True,  False, False, "any"),
        MobileNumberRow("+46701740690",  None,    True,  True,  False, False, "any"),
    ),
    "BR": (
        MobileNumberRow("+5511976991686", "Sao Paulo",      True,  True,  False, False, "local"),
        MobileNumberRow("+5511982719967", "Sao Paulo",      True,  True,  False, False, "none"),
        MobileNumberRow("+5511999675817", "Sao Paulo",      True,  False, False, False, "local"),
        MobileNumberRow("+5511973671800", "Sao Paulo",      True,  True,  False, False, "none", True),
        MobileNumberRow("+5521979148492", "Rio de Janeiro", True,  True,  False, False, "local"),
        MobileNumberRow("+5521915157193", "Rio de Janeiro", True,  True,  False, False, "none"),
        MobileNumberRow("+5521985042943", "Rio de Janeiro", False, True,  False, False, "none"),
        MobileNumberRow("+5521944851231", "Rio de Janeiro", True,  True,  False, True,  "local", True),
        MobileNumberRow("+5531942353270", "Belo Horizonte", True,  True,  False, False, "local"),
        MobileNumberRow("+5531924636626", "Belo Horizonte", True,  True,  False, False, "none"),
        MobileNumberRow("+5531999677595", "Belo Horizonte", True,  False, False, False, "none"),
        MobileNumberRow("+5531983239608", "Belo Horizonte", True,  True,  False, False, "local"),
    ),
    # Belgium lists `mobile` but has nothing in stock today: a country can return
    # nothing (docs/twilio-api.md#countries-that-sell-mobile-numbers).
    "BE": (),
}
# fmt: on


class OwnedNumberRow(NamedTuple):
    account_sid: str
    phone_number: str
    friendly_name: str | None  # None: Twilio's default, the nationally formatted number
    voice: bool
    sms: bool
    mms: bool
    fax: bool
    address_requirements: str
    bundle_key: str | None
    sms_url: str


ALREADY_OWNED_NUMBERS: tuple[OwnedNumberRow, ...] = (
    # The main account's numbers, bought before the sandbox's story starts.
    OwnedNumberRow(
        MAIN_ACCOUNT_SID,
        "+447802019939",
        "Support line (UK)",
        True,
        True,
        False,
        False,
        "none",
        "gb-mobile-business-approved",
        "https://example.com/sms/uk",
    ),
    OwnedNumberRow(
        MAIN_ACCOUNT_SID,
        "+46701740698",
        None,
        True,
        True,
        False,
        False,
        "none",
        None,
        "",
    ),
    # Taken by somebody else: not for sale (21422), not visible to our accounts.
    OwnedNumberRow(
        OTHER_ACCOUNT_SID,
        "+447491828501",
        None,
        True,
        True,
        False,
        False,
        "none",
        None,
        "",
    ),
    OwnedNumberRow(
        OTHER_ACCOUNT_SID,
        "+31625480735",
        None,
        True,
        True,
        False,
        False,
        "none",
        None,
        "",
    ),
)
FOREIGN_OWNED_NUMBERS = tuple(
    row.phone_number for row in ALREADY_OWNED_NUMBERS if row.account_sid == OTHER_ACCOUNT_SID
)


class AddressRow(NamedTuple):
    key: str
    customer_name: str
    friendly_name: str
    street: str
    city: str
    region: str
    postal_code: str
    iso_country: str
    validated: bool
    verified: bool
    emergency_enabled: bool = False


MAIN_ACCOUNT_ADDRESSES: tuple[AddressRow, ...] = (
    AddressRow(
        "gb-london",
        "Sandbox Ltd",
        "London office",
        "221B Baker Street",
        "London",
        "Greater London",
        "NW1 6XE",
        "GB",
        True,
        True,
    ),
    AddressRow(
        "au-sydney",
        "Sandbox Pty Ltd",
        "Sydney office",
        "1 Martin Place",
        "Sydney",
        "NSW",
        "2000",
        "AU",
        True,
        False,
    ),
    AddressRow(
        "de-berlin",
        "Sandbox GmbH",
        "Berlin office",
        "Unter den Linden 77",
        "Berlin",
        "Berlin",
        "10117",
        "DE",
        False,
        False,
    ),
    AddressRow(
        "nl-amsterdam",
        "Sandbox B.V.",
        "Amsterdam office",
        "Damrak 1",
        "Amsterdam",
        "Noord-Holland",
        "1012 LG",
        "NL",
        True,
        False,
    ),
    AddressRow(
        "us-san-francisco",
        "Sandbox Inc",
        "Head office",
        "375 Beale Street",
        "San Francisco",
        "CA",
        "94105",
        "US",
        True,
        True,
        True,
    ),
)


def address_sid(key: str, account_sid: str = MAIN_ACCOUNT_SID) -> str:
    return make_sid("AD", account_sid, "seed", key)


ADDRESS_GB = address_sid("gb-london")
ADDRESS_AU = address_sid("au-sydney")
ADDRESS_DE = address_sid("de-berlin")
ADDRESS_NL = address_sid("nl-amsterdam")
ADDRESS_US = address_sid("us-san-francisco")


class RegulationRow(NamedTuple):
    iso_country: str
    country_name: str
    number_type: str
    end_user_type: str  # individual, business


# A Regulation for (country, mobile) means a mobile purchase there needs an approved
# Bundle. GB `local` is here only because one seeded bundle was made for it.
REGULATIONS: tuple[RegulationRow, ...] = (
    RegulationRow("AU", "Australia", "mobile", "business"),
    RegulationRow("AU", "Australia", "mobile", "individual"),
    RegulationRow("BE", "Belgium", "mobile", "business"),
    RegulationRow("DE", "Germany", "mobile", "business"),
    RegulationRow("DE", "Germany", "mobile", "individual"),
    RegulationRow("GB", "United Kingdom", "local", "business"),
    RegulationRow("GB", "United Kingdom", "mobile", "business"),
    RegulationRow("GB", "United Kingdom", "mobile", "individual"),
)


def regulation_sid(iso_country: str, number_type: str, end_user_type: str) -> str:
    return make_sid("RN", "regulation", iso_country, number_type, end_user_type)


class BundleRow(NamedTuple):
    key: str
    friendly_name: str
    iso_country: str
    number_type: str
    end_user_type: str
    status: str
    valid_until: datetime | None


MAIN_ACCOUNT_BUNDLES: tuple[BundleRow, ...] = (
    BundleRow(
        "gb-mobile-business-approved",
        "Sandbox Ltd - UK mobile",
        "GB",
        "mobile",
        "business",
        "twilio-approved",
        datetime(2030, 1, 15, tzinfo=UTC),
    ),
    BundleRow(
        "de-mobile-individual-approved",
        "Erika Mustermann - DE mobile",
        "DE",
        "mobile",
        "individual",
        "twilio-approved",
        datetime(2030, 1, 15, tzinfo=UTC),
    ),
    # AU has one bundle still in review and one approved, so the compliance picker
    # shows why only some bundles count, and AU numbers can still be bought.
    BundleRow(
        "au-mobile-business-pending",
        "Sandbox Pty Ltd - AU mobile",
        "AU",
        "mobile",
        "business",
        "pending-review",
        None,
    ),
    BundleRow(
        "au-mobile-individual-approved",
        "Jane Citizen - AU mobile",
        "AU",
        "mobile",
        "individual",
        "twilio-approved",
        datetime(2030, 1, 15, tzinfo=UTC),
    ),
    BundleRow(
        "gb-mobile-individual-rejected",
        "Jane Doe - UK mobile",
        "GB",
        "mobile",
        "individual",
        "twilio-rejected",
        None,
    ),
    BundleRow(
        "gb-local-business-approved",
        "Sandbox Ltd - UK local",
        "GB",
        "local",
        "business",
        "twilio-approved",
        datetime(2030, 1, 15, tzinfo=UTC),
    ),
)


def bundle_sid(key: str, account_sid: str = MAIN_ACCOUNT_SID) -> str:
    return make_sid("BU", account_sid, "seed", key)


BUNDLE_GB_MOBILE_APPROVED = bundle_sid("gb-mobile-business-approved")
BUNDLE_DE_MOBILE_APPROVED = bundle_sid("de-mobile-individual-approved")
BUNDLE_AU_MOBILE_PENDING = bundle_sid("au-mobile-business-pending")
BUNDLE_AU_MOBILE_APPROVED = bundle_sid("au-mobile-individual-approved")
BUNDLE_GB_MOBILE_REJECTED = bundle_sid("gb-mobile-individual-rejected")
BUNDLE_GB_LOCAL_APPROVED = bundle_sid("gb-local-business-approved")


# What a number can be pointed at besides webhooks: TwiML applications, Messaging
# Services, Elastic SIP trunks. A few of each for the main account (none attached to
# a number yet), none for the trial account, so the wizard's pickers have something
# to list and something to be empty about.
class ApplicationRow(NamedTuple):
    key: str
    friendly_name: str
    voice_url: str | None
    sms_url: str | None
    voice_method: str = "POST"
    sms_method: str = "POST"


MAIN_ACCOUNT_APPLICATIONS: tuple[ApplicationRow, ...] = (
    ApplicationRow("ivr", "Sandbox IVR", "https://example.com/ivr/voice", "https://example.com/ivr/sms"),
    ApplicationRow("hotline", "Support hotline", "https://example.com/hotline", None, voice_method="GET"),
    ApplicationRow("auto-reply", "SMS auto-reply", None, "https://example.com/auto-reply"),
)


class MessagingServiceRow(NamedTuple):
    key: str
    friendly_name: str
    inbound_request_url: str | None
    # True: the number's own SMS URL answers its messages, not the service's.
    use_inbound_webhook_on_number: bool = False


MAIN_ACCOUNT_MESSAGING_SERVICES: tuple[MessagingServiceRow, ...] = (
    MessagingServiceRow("notifications", "Sandbox notifications", "https://example.com/messages/inbound"),
    MessagingServiceRow("support", "Customer support", "https://example.com/support/sms", True),
    MessagingServiceRow("alerts", "Outbound alerts", None),
)


class TrunkRow(NamedTuple):
    key: str
    friendly_name: str
    domain_name: str


MAIN_ACCOUNT_TRUNKS: tuple[TrunkRow, ...] = (
    TrunkRow("pbx", "Sandbox PBX", "sandbox-pbx.pstn.twilio.com"),
    TrunkRow("call-centre", "Call centre", "sandbox-call-centre.pstn.twilio.com"),
)


def application_sid(key: str, account_sid: str = MAIN_ACCOUNT_SID) -> str:
    return make_sid("AP", account_sid, "seed", key)


def messaging_service_sid(key: str, account_sid: str = MAIN_ACCOUNT_SID) -> str:
    return make_sid("MG", account_sid, "seed", key)


def trunk_sid(key: str, account_sid: str = MAIN_ACCOUNT_SID) -> str:
    return make_sid("TK", account_sid, "seed", key)


APPLICATION_IVR = application_sid("ivr")
APPLICATION_HOTLINE = application_sid("hotline")
APPLICATION_AUTO_REPLY = application_sid("auto-reply")
MESSAGING_SERVICE_NOTIFICATIONS = messaging_service_sid("notifications")
MESSAGING_SERVICE_SUPPORT = messaging_service_sid("support")
MESSAGING_SERVICE_ALERTS = messaging_service_sid("alerts")
TRUNK_PBX = trunk_sid("pbx")
TRUNK_CALL_CENTRE = trunk_sid("call-centre")


class PriceRow(NamedTuple):
    number_type: str  # as the pricing API spells it: "local", "mobile", "toll free", ...
    base_price: str
    current_price: str


PRICE_UNIT = "USD"

# base_price is the list price, current_price what this account pays (docs/twilio-api.md#prices).
PHONE_NUMBER_PRICES: dict[str, tuple[PriceRow, ...]] = {
    "AU": (
        PriceRow("local", "6.50", "6.50"),
        PriceRow("mobile", "6.50", "6.00"),
        PriceRow("toll free", "16.00", "16.00"),
    ),
    "BE": (
        PriceRow("local", "1.50", "1.50"),
        PriceRow("mobile", "1.50", "1.50"),
        PriceRow("toll free", "25.00", "25.00"),
    ),
    "BR": (PriceRow("local", "8.00", "8.00"), PriceRow("mobile", "8.00", "7.00")),
    "CA": (PriceRow("local", "1.15", "1.15"), PriceRow("toll free", "2.15", "2.15")),
    "DE": (
        PriceRow("local", "1.15", "1.15"),
        PriceRow("mobile", "1.50", "1.50"),
        PriceRow("national", "1.15", "1.15"),
        PriceRow("toll free", "25.00", "25.00"),
    ),
    "DK": (PriceRow("local", "6.00", "6.00"), PriceRow("toll free", "25.00", "25.00")),
    "GB": (
        PriceRow("local", "1.15", "1.15"),
        PriceRow("mobile", "1.15", "1.00"),
        PriceRow("national", "1.15", "1.15"),
        PriceRow("toll free", "2.15", "2.15"),
    ),
    "NL": (
        PriceRow("local", "4.25", "4.25"),
        PriceRow("mobile", "4.25", "4.00"),
        PriceRow("national", "4.25", "4.25"),
        PriceRow("toll free", "25.00", "25.00"),
    ),
    "SE": (
        PriceRow("local", "3.00", "3.00"),
        PriceRow("mobile", "3.00", "3.00"),
        PriceRow("toll free", "25.00", "25.00"),
    ),
    "US": (PriceRow("local", "1.15", "1.15"), PriceRow("toll free", "2.15", "2.15")),
}
