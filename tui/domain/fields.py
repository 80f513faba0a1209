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
from dataclasses import dataclass, replace
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
    # The field's help panel (F1 in the wizard, `?` in plain mode, `buy --help`):
    # what it does in plain words and how it interacts with other fields; where
    # Twilio documents it; words people look for it by (the command palette).
    about: str = ""
    docs: str = ""
    keywords: tuple[str, ...] = ()

    def allowed(self) -> str:
        """The values the field takes, in words (derived from its kind)."""
        if self.choices:
            return " or ".join(self.choices)
        return {
            "phone": "a phone number in E.164: + then the country code and the number",
            "sid": f"a SID: {self.sid_prefix} followed by 32 hexadecimal digits",
            "url": "an absolute https:// (or http://) URL Twilio can reach",
            "bool": "yes or no",
            "text": "text without control characters"
            + (f", up to {rules.FRIENDLY_NAME_MAX} characters" if self.wire == "FriendlyName" else ""),
            "int": "a whole number",
        }.get(self.kind, "text")

    def help_lines(self) -> list[str]:
        """Everything the catalogue says about the field, as lines for a help panel."""
        lines = [self.label, self.help]
        if self.about:
            lines.append(self.about)
        lines.append(f"Allowed: {self.allowed()}.")
        lines.append("Required." if self.required else f"Left empty: {self.twilio_default}.")
        if self.docs:
            lines.append(f"Twilio's documentation: {self.docs}")
        return lines

    @property
    def name(self) -> str:
        """The Python attribute and model field name, e.g. `voice_url`."""
        return _snake(self.wire)

    @property
    def clearable(self) -> bool:
        """Whether an owned number's value can be cleared (sent empty): URLs and
        SIDs. A method, a mode or a yes/no always has a value on Twilio's side."""
        return self.kind in ("url", "sid")

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

_RESOURCE_DOCS = "https://www.twilio.com/docs/phone-numbers/api/incomingphonenumber-resource"
_VOICE_DOCS = "https://www.twilio.com/docs/usage/webhooks/voice-webhooks"
_SMS_DOCS = "https://www.twilio.com/docs/usage/webhooks/messaging-webhooks"

# (about, docs, keywords) per field, in our words from Twilio's descriptions of the
# IncomingPhoneNumber parameters.
_ABOUT: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "PhoneNumber": (
        "The exact number to buy: Twilio sells that one number or refuses (21422 when "
        "it is taken or not Twilio's). Search the available numbers to find one for sale.",
        _RESOURCE_DOCS,
        ("number", "mobile", "e164", "buy"),
    ),
    "ApiVersion": (
        "The version of Twilio's API used when Twilio calls your webhooks for this "
        "number. Leave it unless your application was written for 2008-08-01.",
        _RESOURCE_DOCS,
        ("version", "webhook"),
    ),
    "FriendlyName": (
        "Only for you: shown in the Console and in lists of your numbers. Twilio shows "
        "the number itself, formatted, when it is empty.",
        _RESOURCE_DOCS,
        ("name", "label", "description"),
    ),
    "SmsApplicationSid": (
        "A TwiML application handles incoming messages instead of the number's own SMS "
        "URLs: when one is set, the SMS URL and SMS fallback URL are ignored.",
        "https://www.twilio.com/docs/usage/api/applications",
        ("sms", "messages", "application", "twiml app"),
    ),
    "SmsFallbackMethod": (
        "The HTTP method for the SMS fallback URL.",
        _SMS_DOCS,
        ("sms", "fallback", "method", "get", "post"),
    ),
    "SmsFallbackUrl": (
        "Twilio calls it when the SMS URL cannot be reached, answers with an error, or "
        "answers with something that is not TwiML. It needs an SMS URL (21406).",
        _SMS_DOCS,
        ("sms", "fallback", "backup", "error", "messages"),
    ),
    "SmsMethod": (
        "The HTTP method for the SMS URL: POST sends the message's details in the body, "
        "GET in the query string.",
        _SMS_DOCS,
        ("sms", "method", "get", "post"),
    ),
    "SmsUrl": (
        "Twilio sends each incoming message here and replies with the TwiML your server "
        "answers (an empty answer sends no reply). A messaging application replaces it.",
        _SMS_DOCS,
        ("sms", "text", "messages", "webhook", "mms"),
    ),
    "StatusCallback": (
        "Twilio reports how calls to this number progress and end (ringing, answered, "
        "completed…) to this URL, for your records.",
        _VOICE_DOCS,
        ("status", "callback", "events", "call progress"),
    ),
    "StatusCallbackMethod": (
        "The HTTP method for the status callback URL.",
        _VOICE_DOCS,
        ("status", "callback", "method"),
    ),
    "VoiceApplicationSid": (
        "A TwiML application handles incoming calls instead of the number's own voice "
        "URLs: when one is set, the voice URL and voice fallback URL are ignored. A SIP "
        "trunk and a voice application clear each other.",
        "https://www.twilio.com/docs/usage/api/applications",
        ("voice", "calls", "application", "twiml app"),
    ),
    "VoiceCallerIdLookup": (
        "Twilio looks up the caller's name (CNAM, where available) on each incoming call "
        "and passes it to your webhook; each lookup is billed.",
        _RESOURCE_DOCS,
        ("caller id", "cnam", "name", "lookup"),
    ),
    "VoiceFallbackMethod": (
        "The HTTP method for the voice fallback URL.",
        _VOICE_DOCS,
        ("voice", "fallback", "method"),
    ),
    "VoiceFallbackUrl": (
        "Twilio calls it when the voice URL cannot be reached, answers with an error, or "
        "answers with something that is not TwiML; without one, the caller hears an "
        "application error message.",
        _VOICE_DOCS,
        ("voice", "fallback", "backup", "error", "calls"),
    ),
    "VoiceMethod": (
        "The HTTP method for the voice URL: POST sends the call's details in the body, "
        "GET in the query string.",
        _VOICE_DOCS,
        ("voice", "method", "get", "post"),
    ),
    "VoiceUrl": (
        "Twilio asks this URL what to do with each incoming call and follows the TwiML "
        "it answers (say something, forward the call, record…). A voice application or "
        "a SIP trunk replaces it.",
        _VOICE_DOCS,
        ("voice", "calls", "webhook", "twiml"),
    ),
    "IdentitySid": (
        "An identity (RI…) is Twilio's record of the number's owner, made once Twilio has "
        "verified their identity document (Console › Phone Numbers › Regulatory Compliance). "
        "A few countries' numbers ask for one (21650 without it); most ask for an approved "
        "regulatory bundle instead and need no separate identity.",
        "https://www.twilio.com/docs/phone-numbers/regulatory/api/end-users",
        ("identity", "owner", "end user", "compliance", "regulation"),
    ),
    "AddressSid": (
        "Numbers whose address requirement is any, local or foreign need one of your "
        "addresses with the purchase (21631 without it); a local requirement wants an "
        "address in the number's country.",
        "https://www.twilio.com/docs/usage/api/address",
        ("address", "compliance", "local", "regulation"),
    ),
    "EmergencyStatus": (
        "Twilio ignores this parameter since 2021: emergency calling is enabled by an "
        "emergency address on the number (below), in the countries where Twilio offers it.",
        "https://www.twilio.com/docs/voice/sip/api/emergency-calling-api",
        ("emergency", "911", "999", "112"),
    ),
    "EmergencyAddressSid": (
        "An emergency-enabled address of yours, given to emergency services for calls "
        "from this number. Its registration starts pending; the number cannot be "
        "released while it is set.",
        "https://www.twilio.com/docs/voice/sip/api/emergency-calling-api",
        ("emergency", "address", "911", "999", "112"),
    ),
    "TrunkSid": (
        "An Elastic SIP trunk takes the number's calls to your own phone system: the voice "
        "URLs and the voice application are then ignored.",
        "https://www.twilio.com/docs/sip-trunking",
        ("sip", "trunk", "pbx", "voice", "calls"),
    ),
    "VoiceReceiveMode": (
        "Whether incoming calls are voice calls (the voice handling above) or faxes.",
        _RESOURCE_DOCS,
        ("fax", "voice", "receive"),
    ),
    "BundleSid": (
        "Most mobile numbers outside the US and Canada need an approved regulatory bundle "
        "(documents about you, checked by Twilio) with the purchase (21649 without one). "
        "Only a bundle with status twilio-approved is accepted.",
        "https://www.twilio.com/docs/phone-numbers/regulatory/api/bundles",
        ("bundle", "regulatory", "compliance", "documents", "regulation"),
    ),
}

PURCHASE_FIELDS = tuple(
    replace(
        spec,
        about=_ABOUT[spec.wire][0],
        docs=_ABOUT[spec.wire][1],
        keywords=_ABOUT[spec.wire][2],
        # A URL's messages give the field's own example (an SMS URL's is not …/voice).
        parse=partial(rules.url, example=spec.placeholder) if spec.kind == "url" else spec.parse,
    )
    for spec in PURCHASE_FIELDS
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
        about="A Messaging Service sends and receives messages for a pool of numbers, with "
        "its own settings (where incoming messages go, sticky sender, opt-outs). The number "
        "is added to it by a second request once bought; if that fails, the number stays "
        "bought and only the second request needs retrying.",
        docs="https://www.twilio.com/docs/messaging/api/phonenumber-resource",
        keywords=("messaging service", "sms", "messages", "pool", "sender"),
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
