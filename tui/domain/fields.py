"""The field catalogue: one entry per body parameter of the Mobile purchase, plus
the follow-up fields (what is done with the number right after it is bought, by a
request of its own: the Messaging Service it joins).

Each entry names the field on the wire, in Python and on the command line, says in
one line what it is for (the wizard's help line and the command line's `--help`
use the same text), names the rule that checks it and what Twilio does when it is
left out. It also says where the field lives in the wizard: its step, its place
on that step and, on the Voice and Messaging steps, the way of handling calls or
messages it belongs to. The purchase model, the wizard's draft and steps, the
screens, the command line and the review all read this table; nothing else
restates a field's rule, help or place.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

from tui.domain import rules

# The wizard's steps, in order (tui/wizard/flow.py gives them titles).
StepId = Literal["account", "number", "voice", "messaging", "details", "compliance", "review"]
# Where a field is entered: a purchase field's group is its step; the search and
# the account form have fields of their own.
Group = Literal["number", "voice", "messaging", "details", "compliance", "search", "account", "address"]
Kind = Literal["phone", "sid", "url", "method", "text", "choice", "bool", "int", "secret"]
# How incoming calls or messages are handled, on the Voice and Messaging steps:
# only the fields of the way chosen are sent ("common" fields always are).
HandlingMode = Literal["webhook", "application", "trunk", "service", "common"]

GROUP_TITLES: dict[Group, str] = {
    "number": "Number",
    "voice": "Voice",
    "messaging": "Messaging",
    "details": "Details",
    "compliance": "Compliance",
    "search": "Search",
    "account": "Account",
    "address": "Address",
}


def _kebab(wire: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", wire).lower()


def _snake(wire: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", wire).lower()


@dataclass(frozen=True)
class FieldSpec:
    wire: str  # Twilio's form parameter, e.g. "VoiceUrl"
    label: str
    help: str  # one line, shown under the field and in --help
    group: Group
    kind: Kind
    parse: Callable[[Any], Any]  # raw text -> wire value; raises rules.RuleError
    twilio_default: str  # what Twilio does when the field is left out
    placeholder: str = ""
    choices: tuple[str, ...] = ()
    sid_prefix: str | None = None
    required: bool = False
    # Voice and Messaging: the way of handling the field belongs to.
    mode: HandlingMode | None = None
    # The field's place on its step (1 = first), when it differs from Twilio's order.
    position: int = 0
    # About this number in particular (its label, its compliance documents), so not
    # carried over when the person buys another number.
    number_specific: bool = False
    # Not a body parameter of the purchase: sent by a request of its own right after
    # the number is bought (FOLLOW_UP_FIELDS).
    follow_up: bool = False

    @property
    def name(self) -> str:
        """The Python attribute and model field name, e.g. `voice_url`."""
        return _snake(self.wire)

    @property
    def flag(self) -> str:
        """The command-line flag, e.g. `--voice-url` (twilio-cli's spelling)."""
        return "--" + _kebab(self.wire)

    def could_become_valid(self, text: str) -> bool:
        """Whether typing more could still make this text valid (see rules)."""
        limit = rules.FRIENDLY_NAME_MAX if self.wire == "FriendlyName" else None
        return rules.could_become_valid(self.kind, text, sid_prefix=self.sid_prefix, max_length=limit)

    def check(self, raw: Any) -> Any:
        """Apply this field's rule to raw input (text from a screen or a flag)."""
        # The rules read text (and true/false for yes/no fields); anything else
        # (a number from a JSON file, a list) gets a RuleError, not a crash.
        if isinstance(raw, bool):
            if self.kind != "bool":
                raise rules.RuleError(f"{self.label} takes text, not true or false.")
        elif isinstance(raw, int):
            raw = str(raw)
        elif not isinstance(raw, str):
            raise rules.RuleError(f"{self.label} takes text.")
        else:
            rules.printable(raw)
        return self.parse(raw)


def _sid(prefix: str) -> Callable[[str], str]:
    return partial(rules.sid, prefix=prefix)


def _choice(choices: tuple[str, ...]) -> Callable[[str], str]:
    return partial(rules.choice, choices=choices)


def _sid_placeholder(prefix: str) -> str:
    return prefix + "x" * 32


# The order is Twilio's (the spec's and the helper libraries'), which is also the
# order of the form body we send.
PURCHASE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "PhoneNumber",
        "Phone number",
        "The mobile number to buy, in E.164: + then country code and number.",
        "number",
        "phone",
        rules.phone_number,
        "required",
        placeholder="+447400123456",
        required=True,
        position=1,
        number_specific=True,
    ),
    FieldSpec(
        "ApiVersion",
        "API version",
        "The API version used to call your webhooks.",
        "details",
        "choice",
        rules.api_version,
        "2010-04-01",
        choices=rules.API_VERSIONS,
        position=4,
    ),
    FieldSpec(
        "FriendlyName",
        "Friendly name",
        "Your own label for the number, up to 64 characters.",
        "details",
        "text",
        rules.friendly_name,
        "the number, formatted",
        placeholder="Support line",
        position=1,
        number_specific=True,
    ),
    FieldSpec(
        "SmsApplicationSid",
        "Messaging application",
        "SID of a TwiML application that handles incoming messages (AP...).",
        "messaging",
        "sid",
        _sid("AP"),
        "none: the SMS URL is used",
        placeholder=_sid_placeholder("AP"),
        sid_prefix="AP",
        mode="application",
        position=5,
    ),
    FieldSpec(
        "SmsFallbackMethod",
        "SMS fallback method",
        "How Twilio calls the SMS fallback URL: GET or POST.",
        "messaging",
        "method",
        rules.http_method,
        "POST",
        choices=rules.HTTP_METHODS,
        mode="webhook",
        position=4,
    ),
    FieldSpec(
        "SmsFallbackUrl",
        "SMS fallback URL",
        "Called when the SMS URL fails or answers with an error.",
        "messaging",
        "url",
        rules.url,
        "none",
        placeholder="https://example.com/sms-fallback",
        mode="webhook",
        position=3,
    ),
    FieldSpec(
        "SmsMethod",
        "SMS method",
        "How Twilio calls the SMS URL: GET or POST.",
        "messaging",
        "method",
        rules.http_method,
        "POST",
        choices=rules.HTTP_METHODS,
        mode="webhook",
        position=2,
    ),
    FieldSpec(
        "SmsUrl",
        "SMS URL",
        "Your webhook that Twilio calls when a message arrives.",
        "messaging",
        "url",
        rules.url,
        "none: Twilio answers incoming messages with its default auto-reply",
        placeholder="https://example.com/sms",
        mode="webhook",
        position=1,
    ),
    FieldSpec(
        "StatusCallback",
        "Status callback URL",
        "Twilio reports the status of calls to this number here.",
        "details",
        "url",
        rules.url,
        "none",
        placeholder="https://example.com/status",
        position=2,
    ),
    FieldSpec(
        "StatusCallbackMethod",
        "Status callback method",
        "How Twilio calls the status callback URL: GET or POST.",
        "details",
        "method",
        rules.http_method,
        "POST",
        choices=rules.HTTP_METHODS,
        position=3,
    ),
    FieldSpec(
        "VoiceApplicationSid",
        "Voice application",
        "SID of a TwiML application that handles incoming calls (AP...).",
        "voice",
        "sid",
        _sid("AP"),
        "none: the voice URL is used",
        placeholder=_sid_placeholder("AP"),
        sid_prefix="AP",
        mode="application",
        position=5,
    ),
    FieldSpec(
        "VoiceCallerIdLookup",
        "Caller name lookup",
        "Look up the caller's name (CNAM) on incoming calls; $0.01 per lookup.",
        "voice",
        "bool",
        rules.boolean,
        "false",
        mode="common",
        position=7,
    ),
    FieldSpec(
        "VoiceFallbackMethod",
        "Voice fallback method",
        "How Twilio calls the voice fallback URL: GET or POST.",
        "voice",
        "method",
        rules.http_method,
        "POST",
        choices=rules.HTTP_METHODS,
        mode="webhook",
        position=4,
    ),
    FieldSpec(
        "VoiceFallbackUrl",
        "Voice fallback URL",
        "Called when the voice URL fails or answers with an error.",
        "voice",
        "url",
        rules.url,
        "none",
        placeholder="https://example.com/voice-fallback",
        mode="webhook",
        position=3,
    ),
    FieldSpec(
        "VoiceMethod",
        "Voice method",
        "How Twilio calls the voice URL: GET or POST.",
        "voice",
        "method",
        rules.http_method,
        "POST",
        choices=rules.HTTP_METHODS,
        mode="webhook",
        position=2,
    ),
    FieldSpec(
        "VoiceUrl",
        "Voice URL",
        "Your webhook that Twilio calls when a call comes in.",
        "voice",
        "url",
        rules.url,
        "none: incoming calls are not answered",
        placeholder="https://example.com/voice",
        mode="webhook",
        position=1,
    ),
    FieldSpec(
        "IdentitySid",
        "Identity",
        "SID of the identity some countries require for the number's owner (RI...).",
        "compliance",
        "sid",
        _sid("RI"),
        "none",
        placeholder=_sid_placeholder("RI"),
        sid_prefix="RI",
        position=2,
        number_specific=True,
    ),
    FieldSpec(
        "AddressSid",
        "Address",
        "SID of the address that meets the number's address requirement (AD...).",
        "compliance",
        "sid",
        _sid("AD"),
        "none",
        placeholder=_sid_placeholder("AD"),
        sid_prefix="AD",
        position=1,
        number_specific=True,
    ),
    FieldSpec(
        "EmergencyStatus",
        "Emergency calling",
        "Ignored by Twilio since 2021: emergency calling comes from the emergency address.",
        "compliance",
        "choice",
        _choice(rules.EMERGENCY_STATUSES),
        "Inactive",
        choices=rules.EMERGENCY_STATUSES,
        position=4,
        number_specific=True,
    ),
    FieldSpec(
        "EmergencyAddressSid",
        "Emergency address",
        "SID of the address given to emergency services (AD...).",
        "compliance",
        "sid",
        _sid("AD"),
        "none",
        placeholder=_sid_placeholder("AD"),
        sid_prefix="AD",
        position=5,
        number_specific=True,
    ),
    FieldSpec(
        "TrunkSid",
        "SIP trunk",
        "SID of an Elastic SIP trunk that takes the number's calls (TK...).",
        "voice",
        "sid",
        _sid("TK"),
        "none",
        placeholder=_sid_placeholder("TK"),
        sid_prefix="TK",
        mode="trunk",
        position=6,
    ),
    FieldSpec(
        "VoiceReceiveMode",
        "Receive mode",
        "Whether the number receives voice calls or faxes.",
        "voice",
        "choice",
        _choice(rules.VOICE_RECEIVE_MODES),
        "voice",
        choices=rules.VOICE_RECEIVE_MODES,
        mode="common",
        position=8,
    ),
    FieldSpec(
        "BundleSid",
        "Regulatory bundle",
        "SID of an approved regulatory bundle for the country (BU...).",
        "compliance",
        "sid",
        _sid("BU"),
        "none",
        placeholder=_sid_placeholder("BU"),
        sid_prefix="BU",
        position=3,
        number_specific=True,
    ),
)

# What the wizard and `buy` do with the number right after buying it, each by a
# request of its own (tui/services/purchase.py, "follow-ups"). Kept out of
# PURCHASE_FIELDS, which is exactly the purchase's form body.
FOLLOW_UP_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        # https://www.twilio.com/docs/messaging/api/phonenumber-resource (PhoneNumberSid
        # of the new number, posted to the service).
        "MessagingServiceSid",
        "Messaging Service",
        "SID of the Messaging Service the number joins right after it is bought (MG...).",
        "messaging",
        "sid",
        _sid("MG"),
        "none: the number is in no Messaging Service",
        placeholder=_sid_placeholder("MG"),
        sid_prefix="MG",
        mode="service",
        position=6,
        follow_up=True,
    ),
)

# Every field by name and by wire name, purchase and follow-up alike (one entry,
# one description per field).
FIELDS_BY_NAME: dict[str, FieldSpec] = {f.name: f for f in (*PURCHASE_FIELDS, *FOLLOW_UP_FIELDS)}
FIELDS_BY_WIRE: dict[str, FieldSpec] = {f.wire: f for f in (*PURCHASE_FIELDS, *FOLLOW_UP_FIELDS)}


def field(name_or_wire: str) -> FieldSpec:
    """Look a field up by its Python name or its Twilio name."""
    spec = FIELDS_BY_NAME.get(name_or_wire) or FIELDS_BY_WIRE.get(name_or_wire)
    if spec is None:
        raise KeyError(name_or_wire)
    return spec


def fields_on_step(step: StepId, mode: HandlingMode | None = None) -> tuple[str, ...]:
    """The names of the fields on a step, purchase and follow-up (of one way of
    handling, if `mode` is given), in the order the step shows them."""
    return tuple(
        spec.name
        for spec in sorted(FIELDS_BY_NAME.values(), key=lambda spec: spec.position)
        if spec.group == step and (mode is None or spec.mode == mode)
    )
