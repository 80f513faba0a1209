"""A new address, created from the wizard's Compliance step (CreateAddress).

Like the purchase and search fields, each field has one catalogue entry (wire name,
label, help, rule) that the address dialog shows and checks as the person types.
What Twilio answers (validated, verified, the values it corrected) is read back by
`corrections`.

Twilio's Address resource: https://www.twilio.com/docs/usage/api/address
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from tui.domain import rules
from tui.domain.country_names import COUNTRY_NAMES
from tui.domain.fields import FieldSpec, Kind
from tui.domain.purchase import FieldProblem, Issue, field_problems
from tui.domain.resources import Address

# Emergency calling, and so an emergency-enabled address, is offered in a few
# countries only (https://twilio.com/docs/voice/sip/api/emergency-calling-api).
EMERGENCY_COUNTRIES = ("US", "CA", "GB")
# "up to 64 characters long for Regulatory Compliance addresses and 32 characters
# long for Emergency addresses" (CreateAddress, FriendlyName).
FRIENDLY_NAME_MAX = 64
EMERGENCY_FRIENDLY_NAME_MAX = 32


def address_part(raw: str) -> str:
    text = " ".join(raw.split())
    if not text:
        raise rules.RuleError("Enter this part of the address.")
    return text


def iso_country(raw: str) -> str:
    code = rules.country_code(raw)
    if code not in COUNTRY_NAMES:
        raise rules.RuleError(f"{code} is not a country code; use two letters such as GB, DE or AU.")
    return code


def address_friendly_name(raw: str) -> str:
    text = raw.strip()
    if len(text) > FRIENDLY_NAME_MAX:
        raise rules.RuleError(f"At most {FRIENDLY_NAME_MAX} characters; this one has {len(text)}.")
    return text


def _spec(
    wire: str,
    label: str,
    help: str,
    kind: Kind,
    parse: Any,
    *,
    placeholder: str = "",
    required: bool = False,
    default: str = "none",
) -> FieldSpec:
    return FieldSpec(
        wire, label, help, "address", kind, parse, default, placeholder=placeholder, required=required
    )


ADDRESS_FIELDS: tuple[FieldSpec, ...] = (
    _spec(
        "CustomerName",
        "Customer name",
        "The person or business the number is for (it must be the end user's address).",
        "text",
        address_part,
        placeholder="Sandbox Ltd",
        required=True,
    ),
    _spec(
        "FriendlyName",
        "Friendly name",
        "Your own label for the address, up to 64 characters (32 for emergency calling).",
        "text",
        address_friendly_name,
        placeholder="London office",
    ),
    _spec(
        "Street",
        "Street",
        "Number and street.",
        "text",
        address_part,
        placeholder="221B Baker Street",
        required=True,
    ),
    _spec("City", "City", "City or town.", "text", address_part, placeholder="London", required=True),
    _spec(
        "Region",
        "Region",
        "State, province, county or region.",
        "text",
        address_part,
        placeholder="Greater London",
        required=True,
    ),
    _spec(
        "PostalCode",
        "Postal code",
        "As the country writes it; Twilio may correct its spelling.",
        "text",
        address_part,
        placeholder="NW1 6XE",
        required=True,
    ),
    _spec(
        "IsoCountry",
        "Country",
        "Two-letter ISO country code, e.g. GB.",
        "text",
        iso_country,
        placeholder="GB",
        required=True,
    ),
    _spec(
        "EmergencyEnabled",
        "For emergency calling",
        "Give this address to emergency services for calls from the number (US, Canada, UK only).",
        "bool",
        rules.boolean,
        default="false",
    ),
)

ADDRESS_FIELDS_BY_NAME = {spec.name: spec for spec in ADDRESS_FIELDS}
ADDRESS_LABELS = {spec.name: spec.label for spec in ADDRESS_FIELDS}


def address_issues(values: Mapping[str, Any]) -> list[Issue]:
    """Cross-field rules of a new address (errors: Twilio would refuse it)."""
    issues: list[Issue] = []
    if values.get("emergency_enabled"):
        country = values.get("iso_country")
        if country and country not in EMERGENCY_COUNTRIES:
            issues.append(
                Issue(
                    "error",
                    ("emergency_enabled", "iso_country"),
                    "Emergency calling is offered in the US, Canada and the UK only: turn this off "
                    f"for an address in {COUNTRY_NAMES.get(country, country)}.",
                )
            )
        name = values.get("friendly_name") or ""
        if len(name) > EMERGENCY_FRIENDLY_NAME_MAX:
            issues.append(
                Issue(
                    "error",
                    ("friendly_name", "emergency_enabled"),
                    f"An emergency address's friendly name can be at most {EMERGENCY_FRIENDLY_NAME_MAX} "
                    f"characters; this one has {len(name)}.",
                )
            )
    return issues


class NewAddress(BaseModel):
    """What is sent to create an address. Empty optional values count as unset."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    customer_name: str
    friendly_name: str | None = None
    street: str
    city: str
    region: str
    postal_code: str
    iso_country: str
    emergency_enabled: bool | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _apply_rule(cls, value: Any, info: Any) -> Any:
        spec = ADDRESS_FIELDS_BY_NAME[info.field_name]
        if value is None or (isinstance(value, str) and not value.strip()):
            if spec.required:
                raise rules.RuleError(f"{spec.label} is required.")
            return None
        return spec.check(value)

    @model_validator(mode="after")
    def _cross_field(self) -> NewAddress:
        errors = [i for i in address_issues(self.model_dump()) if i.level == "error"]
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

    def to_form(self) -> dict[str, str]:
        """The form body, in the spec's order; unset fields left out."""
        form: dict[str, str] = {}
        for spec in ADDRESS_FIELDS:
            value = getattr(self, spec.name)
            if value is None:
                continue
            form[spec.wire] = ("true" if value else "false") if isinstance(value, bool) else str(value)
        return form


def build_address(values: Mapping[str, Any]) -> tuple[NewAddress | None, list[FieldProblem]]:
    try:
        return NewAddress.model_validate(dict(values)), []
    except ValidationError as error:
        return None, field_problems(error, labels=ADDRESS_LABELS, subject="a new address")


# The parts Twilio may correct when it validates an address.
CORRECTABLE = ("street", "city", "region", "postal_code")


def corrections(sent: NewAddress, created: Address) -> list[tuple[str, str, str]]:
    """What Twilio changed: (label, sent, kept) for each corrected part."""
    changed = []
    for name in CORRECTABLE:
        asked, kept = getattr(sent, name), getattr(created, name)
        if kept is not None and kept != asked:
            changed.append((ADDRESS_LABELS[name], asked, kept))
    return changed


def describe_created(sent: NewAddress, created: Address) -> list[str]:
    """Twilio's answer to a new address, in plain words."""
    lines = [f"Created {created.sid}: {created.one_line()}."]
    if created.validated:
        lines.append("✓ Validated: Twilio checked it against the country's address data.")
    else:
        lines.append(
            "⚠ Not validated: Twilio does not validate addresses in this country, or could not yet; "
            "a number that needs a validated address may be refused with it."
        )
    lines.append(
        "✓ Verified for regulation."
        if created.verified
        else "Not verified yet: Twilio reviews addresses for regulation later, when a number needs it."
    )
    for label, asked, kept in corrections(sent, created):
        lines.append(f"Twilio corrected the {label.lower()}: {asked!r} → {kept!r}.")
    if created.emergency_enabled:
        lines.append("Emergency calling: enabled for this address.")
    return lines
