"""The mobile-number search: every filter of ListAvailablePhoneNumberMobile.

Like the purchase fields, each filter has one catalogue entry (wire name, help,
rule) that the search screen and `number-wizard search` share.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from tui.domain import rules
from tui.domain.fields import FieldSpec, Kind
from tui.domain.purchase import FieldProblem, Issue, field_problems

# Filters that Twilio only applies in the US and Canada (docs/twilio-api.md#searching-mobile-numbers).
NANP_ONLY = (
    "area_code",
    "near_number",
    "near_lat_long",
    "distance",
    "in_postal_code",
    "in_region",
    "in_rate_center",
    "in_lata",
)


def _spec(
    wire: str, label: str, help: str, kind: Kind, parse: Any, default: str, placeholder: str = ""
) -> FieldSpec:
    return FieldSpec(wire, label, help, "search", kind, parse, default, placeholder=placeholder)


SEARCH_FIELDS: tuple[FieldSpec, ...] = (
    _spec(
        "AreaCode",
        "Area code",
        "Three-digit area code (US and Canada only).",
        "int",
        rules.area_code,
        "any",
        "510",
    ),
    _spec(
        "Contains",
        "Contains",
        "Digits or letters the number contains: * is any one character, % any "
        "characters, + anchors the start and $ the end.",
        "text",
        rules.contains_pattern,
        "anything",
        "777",
    ),
    _spec("SmsEnabled", "SMS", "Only numbers that can send and receive SMS.", "bool", rules.boolean, "any"),
    _spec("MmsEnabled", "MMS", "Only numbers that can send and receive MMS.", "bool", rules.boolean, "any"),
    _spec(
        "VoiceEnabled", "Voice", "Only numbers that can make and receive calls.", "bool", rules.boolean, "any"
    ),
    _spec("FaxEnabled", "Fax", "Only numbers that can send and receive faxes.", "bool", rules.boolean, "any"),
    _spec(
        "ExcludeAllAddressRequired",
        "No address needed",
        "Leave out numbers that need any address.",
        "bool",
        rules.boolean,
        "false",
    ),
    _spec(
        "ExcludeLocalAddressRequired",
        "No local address needed",
        "Leave out numbers that need an address in their country.",
        "bool",
        rules.boolean,
        "false",
    ),
    _spec(
        "ExcludeForeignAddressRequired",
        "No foreign address needed",
        "Leave out numbers that need an address outside their country.",
        "bool",
        rules.boolean,
        "false",
    ),
    _spec("Beta", "Include beta", "Include numbers new to Twilio (beta).", "bool", rules.boolean, "true"),
    _spec(
        "NearNumber",
        "Near number",
        "Numbers near this phone number (US and Canada only).",
        "phone",
        rules.phone_number,
        "none",
        "+15105550100",
    ),
    _spec(
        "NearLatLong",
        "Near latitude,longitude",
        "Numbers near this point, as latitude,longitude (US and Canada only).",
        "text",
        rules.lat_long,
        "none",
        "37.840,-122.270",
    ),
    _spec(
        "Distance",
        "Distance (miles)",
        "Search radius for Near number / Near lat-long, 0-500 (US and Canada only).",
        "int",
        rules.distance,
        "25",
        "25",
    ),
    _spec(
        "InPostalCode",
        "Postal code",
        "Numbers in this postal code (US and Canada only).",
        "text",
        rules.plain_text,
        "any",
        "94612",
    ),
    _spec(
        "InRegion",
        "Region",
        "Numbers in this state or province (US and Canada only).",
        "text",
        rules.plain_text,
        "any",
        "CA",
    ),
    _spec(
        "InRateCenter",
        "Rate center",
        "Numbers in this rate center; needs In LATA (US and Canada only).",
        "text",
        rules.plain_text,
        "any",
    ),
    _spec(
        "InLata", "LATA", "Numbers in this LATA (US and Canada only).", "text", rules.plain_text, "any", "722"
    ),
    _spec(
        "InLocality", "Locality", "Numbers in this city or town.", "text", rules.plain_text, "any", "London"
    ),
    _spec("PageSize", "Results", "How many numbers to ask for, 1-1000.", "int", rules.page_size, "50", "50"),
)

SEARCH_FIELDS_BY_NAME = {f.name: f for f in SEARCH_FIELDS}
SEARCH_LABELS = {"country_code": "Country", **{f.name: f.label for f in SEARCH_FIELDS}}


def search_issues(values: dict[str, Any]) -> list[Issue]:
    issues: list[Issue] = []
    if values.get("in_rate_center") and not values.get("in_lata"):
        issues.append(
            Issue("error", ("in_rate_center", "in_lata"), "A rate center only works together with a LATA.")
        )
    if values.get("distance") is not None and not (values.get("near_number") or values.get("near_lat_long")):
        issues.append(
            Issue(
                "warning",
                ("distance",),
                "Distance does nothing without Near number or Near latitude,longitude.",
            )
        )
    country = values.get("country_code")
    used = [n for n in NANP_ONLY if values.get(n) not in (None, "")]
    if country and country not in ("US", "CA") and used:
        labels = ", ".join(SEARCH_FIELDS_BY_NAME[n].label for n in used)
        issues.append(
            Issue(
                "warning",
                (used[0],),
                f"{labels}: Twilio applies these only in the US and "
                f"Canada; in a {country} search they may match nothing.",
            )
        )
    return issues


class MobileSearch(BaseModel):
    """A search for available mobile numbers in one country."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    country_code: str
    area_code: int | None = None
    contains: str | None = None
    sms_enabled: bool | None = None
    mms_enabled: bool | None = None
    voice_enabled: bool | None = None
    fax_enabled: bool | None = None
    exclude_all_address_required: bool | None = None
    exclude_local_address_required: bool | None = None
    exclude_foreign_address_required: bool | None = None
    beta: bool | None = None
    near_number: str | None = None
    near_lat_long: str | None = None
    distance: int | None = None
    in_postal_code: str | None = None
    in_region: str | None = None
    in_rate_center: str | None = None
    in_lata: str | None = None
    in_locality: str | None = None
    page_size: int | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _apply_rule(cls, value: Any, info: Any) -> Any:
        if info.field_name == "country_code":
            return rules.country_code(str(value or ""))
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return SEARCH_FIELDS_BY_NAME[info.field_name].check(value)

    @model_validator(mode="after")
    def _cross_field(self) -> MobileSearch:
        errors = [i for i in self.issues() if i.level == "error"]
        if errors:
            raise ValidationError.from_exception_data(
                type(self).__name__,
                [
                    InitErrorDetails(
                        type=PydanticCustomError("cross_field", i.message), loc=(i.fields[0],), input=None
                    )
                    for i in errors
                ],
            )
        return self

    def issues(self) -> list[Issue]:
        return search_issues(self.model_dump())

    def to_query(self) -> list[tuple[str, str]]:
        """Query parameters as Twilio's helper libraries send them."""
        query: list[tuple[str, str]] = []
        for spec in SEARCH_FIELDS:
            value = getattr(self, spec.name)
            if value is None:
                continue
            query.append(
                (spec.wire, ("true" if value else "false") if isinstance(value, bool) else str(value))
            )
        return query


def build_search(values: dict[str, Any]) -> tuple[MobileSearch | None, list[FieldProblem]]:
    try:
        return MobileSearch.model_validate(values), []
    except ValidationError as error:
        return None, field_problems(error, labels=SEARCH_LABELS, subject="the mobile-number search")
