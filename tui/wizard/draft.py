"""The wizard's state, free of Textual: what the person has entered so far.

Screens read and write a `WizardDraft`; the draft turns it into a
`PurchaseRequest` with the domain's rules. Voice and messaging handling are
chosen explicitly (a webhook, an application, a trunk, or nothing) and only the
fields of the chosen way are sent, so Twilio's precedence between them is never
a surprise. The draft holds no secret, so it can be saved as is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, cast

from tui.domain.fields import (
    FIELDS_BY_NAME,
    FOLLOW_UP_FIELDS,
    PURCHASE_FIELDS,
    HandlingMode,
    StepId,
    fields_on_step,
)

if TYPE_CHECKING:
    # The models (pydantic) are imported where a draft is checked or read back: an
    # empty draft, the wizard's first frame, needs none of them.
    from tui.domain.follow_up import FollowUpRequest
    from tui.domain.purchase import FieldProblem, Issue, PurchaseRequest
    from tui.domain.resources import AvailablePhoneNumber


class VoiceMode(StrEnum):
    WEBHOOK = "webhook"
    APPLICATION = "application"
    TRUNK = "trunk"
    NONE = "none"


class SmsMode(StrEnum):
    WEBHOOK = "webhook"
    APPLICATION = "application"
    SERVICE = "service"
    NONE = "none"


def _mode_fields(step: StepId, mode: VoiceMode | SmsMode) -> tuple[str, ...]:
    """The fields a way of handling sends, from the field catalogue ("not now": none)."""
    if mode.value == "none":
        return ()
    return fields_on_step(step, cast(HandlingMode, mode.value))


VOICE_MODE_FIELDS: dict[VoiceMode, tuple[str, ...]] = {
    mode: _mode_fields("voice", mode) for mode in VoiceMode
}
VOICE_COMMON_FIELDS = fields_on_step("voice", "common")

SMS_MODE_FIELDS: dict[SmsMode, tuple[str, ...]] = {mode: _mode_fields("messaging", mode) for mode in SmsMode}

# The field a way of handling cannot do without (choosing "webhook" means giving
# its URL): the first one it shows.
VOICE_KEY_FIELD = {mode: names[0] for mode, names in VOICE_MODE_FIELDS.items() if names}
SMS_KEY_FIELD = {mode: names[0] for mode, names in SMS_MODE_FIELDS.items() if names}

VOICE_MODE_LABELS = {
    VoiceMode.WEBHOOK: "Webhook: Twilio calls your URL",
    VoiceMode.APPLICATION: "TwiML application",
    VoiceMode.TRUNK: "Elastic SIP trunk",
    VoiceMode.NONE: "Not now",
}
SMS_MODE_LABELS = {
    SmsMode.WEBHOOK: "Webhook: Twilio calls your URL",
    SmsMode.APPLICATION: "Messaging application",
    SmsMode.SERVICE: "Messaging Service",
    SmsMode.NONE: "Not now",
}
NO_VOICE_NOTE = "Incoming calls will not be answered until you configure voice."
NO_SMS_NOTE = (
    "Twilio answers incoming messages with its default sample auto-reply until you configure messaging."
)

FOLLOW_UP_NAMES = tuple(spec.name for spec in FOLLOW_UP_FIELDS)
DETAILS_FIELDS = fields_on_step("details")
COMPLIANCE_FIELDS = fields_on_step("compliance")


@dataclass
class WizardDraft:
    # Raw values keyed by model field name, as entered (strings, or booleans for
    # switches). Values of modes not chosen are kept, so switching back restores them.
    values: dict[str, Any] = field(default_factory=dict)
    voice_mode: VoiceMode = VoiceMode.WEBHOOK
    sms_mode: SmsMode = SmsMode.WEBHOOK
    # The search result the number was picked from, if any: it carries the number's
    # address requirement and capabilities.
    picked: AvailablePhoneNumber | None = None
    search: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        return self.values.get(name)

    def set(self, name: str, value: Any) -> None:
        if value is None or (isinstance(value, str) and value == ""):
            self.values.pop(name, None)
        else:
            self.values[name] = value

    def voice_fields(self) -> tuple[str, ...]:
        return VOICE_MODE_FIELDS[self.voice_mode] + VOICE_COMMON_FIELDS

    def sms_fields(self) -> tuple[str, ...]:
        return SMS_MODE_FIELDS[self.sms_mode]

    def handling_fields(self) -> tuple[str, ...]:
        """Fields about how the number is used rather than which number it is
        (every voice and messaging field of every way, the status callback, the
        API version): kept by "Buy another"."""
        return tuple(spec.name for spec in (*PURCHASE_FIELDS, *FOLLOW_UP_FIELDS) if not spec.number_specific)

    def active_fields(self) -> tuple[str, ...]:
        """The fields that are sent: those of the chosen ways of handling calls and
        messages, and every field of the other steps."""
        return tuple(
            spec.name
            for spec in PURCHASE_FIELDS
            if spec.mode is None or spec.name in self.voice_fields() or spec.name in self.sms_fields()
        )

    def request_values(self) -> dict[str, Any]:
        """The values that will be sent: only those of the chosen modes."""
        return {
            name: self.values[name]
            for name in self.active_fields()
            if name in self.values and self.values[name] not in (None, "")
        }

    def follow_up_values(self) -> dict[str, Any]:
        """The follow-up values that will be sent after the purchase (those of the
        chosen ways of handling)."""
        chosen = self.voice_fields() + self.sms_fields()
        return {
            spec.name: self.values[spec.name]
            for spec in FOLLOW_UP_FIELDS
            if spec.name in chosen and self.values.get(spec.name) not in (None, "")
        }

    def field_errors(self, names: tuple[str, ...]) -> dict[str, str]:
        """Field-rule errors for `names`, plus "required" for a mode's key field."""
        from tui.domain.purchase import check_fields

        errors = check_fields(self.values, [n for n in names if n in FIELDS_BY_NAME])
        for key in (VOICE_KEY_FIELD.get(self.voice_mode), SMS_KEY_FIELD.get(self.sms_mode)):
            if key in names and key not in errors and not self.values.get(key):
                label = FIELDS_BY_NAME[key].label
                errors[key] = f"Enter the {label}, or choose another way of handling this."
        return errors

    def issues(self) -> list[Issue]:
        """Cross-field findings on what would be sent (errors and warnings)."""
        from tui.domain.purchase import purchase_issues

        values = {}
        for name, raw in self.request_values().items():
            try:
                values[name] = FIELDS_BY_NAME[name].check(raw)
            except ValueError:
                continue  # reported by the field rule
        return purchase_issues(values)

    def build(self) -> tuple[PurchaseRequest | None, list[FieldProblem]]:
        from tui.domain.purchase import build_request

        return build_request(self.request_values())

    def build_follow_up(self) -> tuple[FollowUpRequest | None, list[FieldProblem]]:
        """What follows the purchase (the Messaging Service to join), or the problems."""
        from tui.domain.follow_up import build_follow_up

        follow_up, problems = build_follow_up(self.follow_up_values())
        key = SMS_KEY_FIELD.get(self.sms_mode)
        if follow_up is not None and key in FOLLOW_UP_NAMES and getattr(follow_up, key) is None:
            from tui.domain.purchase import FieldProblem

            label = FIELDS_BY_NAME[key].label
            problems = [FieldProblem(key, f"Choose the {label}, or another way of handling messages.")]
            follow_up = None
        return follow_up, problems

    # -- persistence (no secrets ever live here) --------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "values": dict(self.values),
            "voice_mode": self.voice_mode.value,
            "sms_mode": self.sms_mode.value,
            "picked": self.picked.model_dump(mode="json") if self.picked else None,
            "search": dict(self.search),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WizardDraft:
        from tui.domain.resources import AvailablePhoneNumber

        if data.get("version") != 1:
            raise ValueError("unknown draft version")
        return cls(
            values={k: v for k, v in (data.get("values") or {}).items() if k in FIELDS_BY_NAME},
            voice_mode=VoiceMode(data.get("voice_mode", VoiceMode.WEBHOOK.value)),
            sms_mode=SmsMode(data.get("sms_mode", SmsMode.WEBHOOK.value)),
            picked=AvailablePhoneNumber.model_validate(data["picked"]) if data.get("picked") else None,
            search=dict(data.get("search") or {}),
        )

    def is_empty(self) -> bool:
        return not self.values and self.picked is None


def preferred_country(env: Mapping[str, str], offered: Sequence[str]) -> str | None:
    """The country to search first: the one of the person's locale (LC_ALL,
    LC_MESSAGES, LANG: `en_GB.UTF-8` → GB) when it sells mobile numbers, else the
    first one offered."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            territory = value.split(".")[0].split("@")[0].partition("_")[2].upper()
            if territory in offered:
                return territory
            break  # the first one set is the one in force
    return offered[0] if offered else None
