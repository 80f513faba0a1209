"""Request parameters the sandbox accepts, with the types Twilio's OpenAPI gives them.

The tables below are transcribed from the spec (`requestBody` schemas and query
`parameters`); tests/sandbox/test_params_match_spec.py checks them against the spec so
the sandbox judges requests by the spec's rules, not by what the client happens to send.
Parameters a table does not list are ignored, as Twilio ignores unknown ones (20001 is
only a warning).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from urllib.parse import urlsplit

from tui.sandbox import errors
from tui.sandbox.errors import TwilioApiError

E164 = re.compile(r"^\+[1-9]\d{1,14}$")


class Kind(Enum):
    STRING = "string"
    BOOLEAN = "boolean"
    INTEGER = "integer"
    SID = "sid"
    URL = "uri"
    HTTP_METHOD = "http-method"
    ENUM = "enum"
    PHONE_NUMBER = "phone-number"
    DATE_TIME = "date-time"


@dataclass(frozen=True)
class Param:
    name: str
    kind: Kind = Kind.STRING
    sid_prefix: str | None = None
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    required: bool = False

    def sid_pattern(self) -> re.Pattern[str]:
        return re.compile(rf"^{self.sid_prefix}[0-9a-fA-F]{{32}}$")


def sid(name: str, prefix: str) -> Param:
    return Param(name, Kind.SID, sid_prefix=prefix)


HTTP_METHODS = ("GET", "POST")

# The settings every IncomingPhoneNumber create and update takes (spec order).
NUMBER_SETTINGS: tuple[Param, ...] = (
    Param("ApiVersion"),
    Param("FriendlyName"),
    sid("SmsApplicationSid", "AP"),
    Param("SmsFallbackMethod", Kind.HTTP_METHOD, choices=HTTP_METHODS),
    Param("SmsFallbackUrl", Kind.URL),
    Param("SmsMethod", Kind.HTTP_METHOD, choices=HTTP_METHODS),
    Param("SmsUrl", Kind.URL),
    Param("StatusCallback", Kind.URL),
    Param("StatusCallbackMethod", Kind.HTTP_METHOD, choices=HTTP_METHODS),
    sid("VoiceApplicationSid", "AP"),
    Param("VoiceCallerIdLookup", Kind.BOOLEAN),
    Param("VoiceFallbackMethod", Kind.HTTP_METHOD, choices=HTTP_METHODS),
    Param("VoiceFallbackUrl", Kind.URL),
    Param("VoiceMethod", Kind.HTTP_METHOD, choices=HTTP_METHODS),
    Param("VoiceUrl", Kind.URL),
    Param("EmergencyStatus", Kind.ENUM, choices=("Active", "Inactive")),
    sid("EmergencyAddressSid", "AD"),
    sid("TrunkSid", "TK"),
    sid("IdentitySid", "RI"),
    sid("AddressSid", "AD"),
    Param("VoiceReceiveMode", Kind.ENUM, choices=("voice", "fax")),
    sid("BundleSid", "BU"),
)

CREATE_MOBILE_NUMBER: tuple[Param, ...] = (
    Param("PhoneNumber", Kind.PHONE_NUMBER, required=True),
    *NUMBER_SETTINGS,
)
# The generic endpoint wants PhoneNumber or AreaCode; the spec marks neither required.
CREATE_NUMBER: tuple[Param, ...] = (
    Param("PhoneNumber", Kind.PHONE_NUMBER),
    Param("AreaCode"),
    *NUMBER_SETTINGS,
)
UPDATE_NUMBER: tuple[Param, ...] = (sid("AccountSid", "AC"), *NUMBER_SETTINGS)

CREATE_ADDRESS: tuple[Param, ...] = (
    Param("CustomerName", required=True),
    Param("Street", required=True),
    Param("City", required=True),
    Param("Region", required=True),
    Param("PostalCode", required=True),
    Param("IsoCountry", required=True),
    Param("FriendlyName"),
    Param("EmergencyEnabled", Kind.BOOLEAN),
    Param("AutoCorrectAddress", Kind.BOOLEAN),
    Param("StreetSecondary"),
)

# UpdateAddress: everything optional, IsoCountry not changeable.
UPDATE_ADDRESS: tuple[Param, ...] = (
    Param("FriendlyName"),
    Param("CustomerName"),
    Param("Street"),
    Param("City"),
    Param("Region"),
    Param("PostalCode"),
    Param("EmergencyEnabled", Kind.BOOLEAN),
    Param("AutoCorrectAddress", Kind.BOOLEAN),
    Param("StreetSecondary"),
)

# CreateApplication and UpdateApplication take the same optional settings.
APPLICATION_SETTINGS: tuple[Param, ...] = (
    Param("ApiVersion"),
    Param("VoiceUrl", Kind.URL),
    Param("VoiceMethod", Kind.HTTP_METHOD, choices=HTTP_METHODS),
    Param("VoiceFallbackUrl", Kind.URL),
    Param("VoiceFallbackMethod", Kind.HTTP_METHOD, choices=HTTP_METHODS),
    Param("StatusCallback", Kind.URL),
    Param("StatusCallbackMethod", Kind.HTTP_METHOD, choices=HTTP_METHODS),
    Param("VoiceCallerIdLookup", Kind.BOOLEAN),
    Param("SmsUrl", Kind.URL),
    Param("SmsMethod", Kind.HTTP_METHOD, choices=HTTP_METHODS),
    Param("SmsFallbackUrl", Kind.URL),
    Param("SmsFallbackMethod", Kind.HTTP_METHOD, choices=HTTP_METHODS),
    Param("SmsStatusCallback", Kind.URL),
    Param("MessageStatusCallback", Kind.URL),
    Param("FriendlyName"),
    Param("PublicApplicationConnectEnabled", Kind.BOOLEAN),
)

# messaging.twilio.com/v1/Services
CREATE_MESSAGING_SERVICE: tuple[Param, ...] = (
    Param("FriendlyName", required=True),
    Param("InboundRequestUrl", Kind.URL),
    Param("InboundMethod", Kind.HTTP_METHOD, choices=HTTP_METHODS),
    Param("FallbackUrl", Kind.URL),
    Param("FallbackMethod", Kind.HTTP_METHOD, choices=HTTP_METHODS),
    Param("StatusCallback", Kind.URL),
    Param("StickySender", Kind.BOOLEAN),
    Param("MmsConverter", Kind.BOOLEAN),
    Param("SmartEncoding", Kind.BOOLEAN),
    Param("ScanMessageContent", Kind.ENUM, choices=("inherit", "enable", "disable")),
    Param("FallbackToLongCode", Kind.BOOLEAN),
    Param("AreaCodeGeomatch", Kind.BOOLEAN),
    Param("ValidityPeriod", Kind.INTEGER),
    Param("SynchronousValidation", Kind.BOOLEAN),
    Param("Usecase"),
    Param("UseInboundWebhookOnNumber", Kind.BOOLEAN),
)

# trunking.twilio.com/v1/Trunks
CREATE_TRUNK: tuple[Param, ...] = (
    Param("FriendlyName"),
    Param("DomainName"),
    Param("DisasterRecoveryUrl", Kind.URL),
    Param("DisasterRecoveryMethod", Kind.HTTP_METHOD, choices=HTTP_METHODS),
    Param("TransferMode", Kind.ENUM, choices=("disable-all", "enable-all", "sip-only")),
    Param("Secure", Kind.BOOLEAN),
    Param("CnamLookupEnabled", Kind.BOOLEAN),
    Param("TransferCallerId", Kind.ENUM, choices=("from-transferee", "from-transferor")),
)

# Adding an owned number to a Messaging Service or a SIP trunk.
ADD_PHONE_NUMBER: tuple[Param, ...] = (Param("PhoneNumberSid", Kind.SID, sid_prefix="PN", required=True),)

PAGING: tuple[Param, ...] = (
    Param("PageSize", Kind.INTEGER, minimum=1, maximum=1000),
    Param("Page", Kind.INTEGER, minimum=0),
    Param("PageToken"),
)

LIST_AVAILABLE_COUNTRIES: tuple[Param, ...] = PAGING

SEARCH_MOBILE: tuple[Param, ...] = (
    Param("AreaCode", Kind.INTEGER),
    Param("Contains"),
    Param("SmsEnabled", Kind.BOOLEAN),
    Param("MmsEnabled", Kind.BOOLEAN),
    Param("VoiceEnabled", Kind.BOOLEAN),
    Param("ExcludeAllAddressRequired", Kind.BOOLEAN),
    Param("ExcludeLocalAddressRequired", Kind.BOOLEAN),
    Param("ExcludeForeignAddressRequired", Kind.BOOLEAN),
    Param("Beta", Kind.BOOLEAN),
    Param("NearNumber", Kind.PHONE_NUMBER),
    Param("NearLatLong"),
    Param("Distance", Kind.INTEGER),
    Param("InPostalCode"),
    Param("InRegion"),
    Param("InRateCenter"),
    Param("InLata"),
    Param("InLocality"),
    Param("FaxEnabled", Kind.BOOLEAN),
    *PAGING,
)

LIST_NUMBERS: tuple[Param, ...] = (
    Param("Beta", Kind.BOOLEAN),
    Param("FriendlyName"),
    Param("PhoneNumber"),  # a partial number with `*` wildcards, not E.164
    Param("Origin"),
    *PAGING,
)

LIST_ADDRESSES: tuple[Param, ...] = (
    Param("CustomerName"),
    Param("FriendlyName"),
    Param("EmergencyEnabled", Kind.BOOLEAN),
    Param("IsoCountry"),
    *PAGING,
)

BUNDLE_STATUSES = (
    "draft",
    "pending-review",
    "in-review",
    "twilio-rejected",
    "twilio-approved",
    "provisionally-approved",
)
END_USER_TYPES = ("individual", "business")

LIST_BUNDLES: tuple[Param, ...] = (
    Param("Status", Kind.ENUM, choices=BUNDLE_STATUSES),
    Param("BundleSids"),
    Param("FriendlyName"),
    sid("RegulationSid", "RN"),
    Param("IsoCountry"),
    Param("NumberType"),
    Param("EndUserType", Kind.ENUM, choices=("business", "individual")),
    Param("HasValidUntilDate", Kind.BOOLEAN),
    Param("SortBy", Kind.ENUM, choices=("valid-until", "date-updated")),
    Param("SortDirection", Kind.ENUM, choices=("ASC", "DESC")),
    Param("ValidUntilDate", Kind.DATE_TIME),
    Param("ValidUntilDate<", Kind.DATE_TIME),
    Param("ValidUntilDate>", Kind.DATE_TIME),
    *PAGING,
)
BUNDLE_SIDS_PATTERN = re.compile(r"^BU[0-9a-fA-F]{32}(,BU[0-9a-fA-F]{32}){0,19}$")

LIST_REGULATIONS: tuple[Param, ...] = (
    Param("EndUserType", Kind.ENUM, choices=END_USER_TYPES),
    Param("IsoCountry"),
    Param("NumberType"),
    Param("IncludeConstraints", Kind.BOOLEAN),
    *PAGING,
)

LIST_PRICING_COUNTRIES: tuple[Param, ...] = PAGING
LIST_APPLICATIONS: tuple[Param, ...] = (Param("FriendlyName"), *PAGING)
LIST_MESSAGING_SERVICES: tuple[Param, ...] = PAGING
LIST_MESSAGING_SERVICE_NUMBERS: tuple[Param, ...] = PAGING
LIST_TRUNKS: tuple[Param, ...] = PAGING
LIST_TRUNK_NUMBERS: tuple[Param, ...] = PAGING


Value = str | bool | int


def parse(pairs: Iterable[tuple[str, str]], accepted: tuple[Param, ...]) -> dict[str, Value]:
    """The accepted parameters among `pairs`, converted; the first occurrence wins.

    An empty value for an optional URL or SID is kept as "" because Twilio reads it as
    "clear this setting".
    """
    raw: dict[str, str] = {}
    for name, value in pairs:
        raw.setdefault(name, value)
    values: dict[str, Value] = {}
    for param in accepted:
        if param.name not in raw:
            if param.required:
                raise _missing(param)
            continue
        values[param.name] = _convert(param, raw[param.name])
    return values


def _missing(param: Param) -> TwilioApiError:
    if param.kind is Kind.PHONE_NUMBER:
        # Twilio answered "did or area_code is required" without a code of its own
        # (twilio-cli#98); 21421 keeps the answer on the PhoneNumber family of codes.
        return TwilioApiError(400, errors.PHONE_NUMBER_INVALID, f"A '{param.name}' is required.")
    return TwilioApiError(
        400, errors.PARAMETER_INVALID, f"Missing required parameter {param.name} in the post body"
    )


def _convert(param: Param, value: str) -> Value:
    if param.kind is Kind.BOOLEAN:
        if value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise errors.invalid_parameter(param.name, f"Expected true or false, got '{value}'.")
    if param.kind is Kind.INTEGER:
        return _integer(param, value)
    if param.kind is Kind.PHONE_NUMBER:
        if not E164.match(value):
            raise TwilioApiError(
                400,
                errors.PHONE_NUMBER_INVALID,
                f"{param.name} '{value}' is invalid: expected E.164, like +447400123456.",
            )
        return value
    if param.kind is Kind.SID:
        if value == "" and not param.required:
            return value
        if not param.sid_pattern().match(value):
            raise errors.invalid_parameter(
                param.name, f"Expected a {param.sid_prefix} SID (34 characters), got '{value}'."
            )
        return value
    if param.kind is Kind.URL:
        if value == "" or _is_absolute_http_url(value):
            return value
        raise TwilioApiError(
            400,
            errors.INVALID_URL,
            f"{param.name} '{value}' is not a valid URL: use a fully qualified http(s) URL.",
        )
    if param.kind is Kind.HTTP_METHOD:
        if value in param.choices:
            return value
        raise TwilioApiError(
            400,
            errors.INVALID_METHOD,
            f"{param.name} '{value}' is not a valid method: use GET or POST.",
        )
    if param.kind is Kind.ENUM:
        if value in param.choices:
            return value
        raise errors.invalid_parameter(
            param.name, f"Expected one of {', '.join(param.choices)}, got '{value}'."
        )
    if param.kind is Kind.DATE_TIME:
        if re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", value):
            return value
        raise errors.invalid_parameter(param.name, f"Expected an ISO 8601 date-time, got '{value}'.")
    return value


def _integer(param: Param, value: str) -> int:
    if not re.fullmatch(r"-?\d+", value):
        raise errors.invalid_parameter(param.name, f"Expected an integer, got '{value}'.")
    number = int(value)
    if param.name == "PageSize" and param.maximum is not None and number > param.maximum:
        raise TwilioApiError(
            400, errors.PAGE_SIZE_TOO_LARGE, f"Page size {number} is over the maximum of 1000."
        )
    if param.minimum is not None and number < param.minimum:
        raise errors.invalid_parameter(param.name, f"Must be at least {param.minimum}.")
    if param.maximum is not None and number > param.maximum:
        raise errors.invalid_parameter(param.name, f"Must be at most {param.maximum}.")
    return number


def _is_absolute_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def text_value(values: dict[str, Value], name: str) -> str | None:
    """A parsed string parameter (None when absent)."""
    value = values.get(name)
    return None if value is None else str(value)


def int_value(values: dict[str, Value], name: str, default: int) -> int:
    """A parsed integer parameter, or `default` when absent."""
    value = values.get(name, default)
    return value if isinstance(value, int) and not isinstance(value, bool) else default
