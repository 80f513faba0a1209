"""Changing a number the account owns: its current settings, the changes asked
for, and the update request that sends exactly those changes.

UpdateIncomingPhoneNumber (`POST …/IncomingPhoneNumbers/{Sid}.json`) takes the
purchase's optional parameters (not `PhoneNumber`), all optional; a parameter
left out keeps its value, and an empty value clears a URL or a SID
(https://www.twilio.com/docs/phone-numbers/api/incomingphonenumber-resource#update-an-incomingphonenumber-resource).
Each value is checked by the same field rule as a purchase (`tui.domain.fields`),
and the cross-field rules (`purchase_issues`) are applied to the settings the
number will have after the update, so that clearing the SMS URL under an SMS
fallback URL is refused here, not by Twilio (21406).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tui.domain import rules
from tui.domain.fields import FIELDS_BY_NAME, PURCHASE_FIELDS, FieldSpec
from tui.domain.purchase import FieldProblem, Issue, purchase_issues

# The update's parameters: the purchase's, less the number itself. (The update's
# `AccountSid`, which moves a number to another account, is not offered.)
SETTING_FIELDS: tuple[FieldSpec, ...] = tuple(spec for spec in PURCHASE_FIELDS if spec.name != "phone_number")
SETTING_NAMES: tuple[str, ...] = tuple(spec.name for spec in SETTING_FIELDS)

# The settings that can be cleared (sent empty): see FieldSpec.clearable.
CLEARABLE: tuple[str, ...] = tuple(spec.name for spec in SETTING_FIELDS if spec.clearable)


def _unset(value: Any) -> bool:
    return value is None or value == ""


def current_settings(resource: Any) -> dict[str, Any]:
    """The number's settings as the wizard's field values (model field names),
    read from an IncomingPhoneNumber; an empty URL or SID counts as unset (None)."""
    values: dict[str, Any] = {}
    for spec in SETTING_FIELDS:
        value = getattr(resource, spec.name, None)
        if _unset(value):
            value = None
        elif spec.kind == "method" and isinstance(value, str):
            value = value.upper()
        values[spec.name] = value
    return values


def voice_handling(settings: Mapping[str, Any]) -> str:
    """How the number handles calls, derived as Twilio does: a trunk wins over an
    application, which wins over the voice URL (fields.py: HandlingMode)."""
    if not _unset(settings.get("trunk_sid")):
        return "trunk"
    if not _unset(settings.get("voice_application_sid")):
        return "application"
    if not _unset(settings.get("voice_url")):
        return "webhook"
    return "none"


def messaging_handling(settings: Mapping[str, Any]) -> str:
    if not _unset(settings.get("sms_application_sid")):
        return "application"
    if not _unset(settings.get("sms_url")):
        return "webhook"
    return "none"


def describe_voice(settings: Mapping[str, Any]) -> str:
    mode = voice_handling(settings)
    if mode == "trunk":
        return f"SIP trunk {settings['trunk_sid']}"
    if mode == "application":
        return f"application {settings['voice_application_sid']}"
    if mode == "webhook":
        return f"{settings.get('voice_method') or 'POST'} {settings['voice_url']}"
    return "not handled"


def describe_messaging(settings: Mapping[str, Any]) -> str:
    mode = messaging_handling(settings)
    if mode == "application":
        return f"application {settings['sms_application_sid']}"
    if mode == "webhook":
        return f"{settings.get('sms_method') or 'POST'} {settings['sms_url']}"
    return "not handled"


def describe_compliance(settings: Mapping[str, Any]) -> str:
    """The compliance documents the number carries, by kind (`show` gives the SIDs)."""
    parts = [
        label
        for name, label in (
            ("bundle_sid", "bundle"),
            ("address_sid", "address"),
            ("identity_sid", "identity"),
            ("emergency_address_sid", "emergency address"),
        )
        if not _unset(settings.get(name))
    ]
    return ", ".join(parts) or "none"


@dataclass(frozen=True)
class SettingChange:
    """One setting changed: its value before and after (None after = cleared)."""

    field: str  # model field name
    before: Any
    after: Any

    @property
    def spec(self) -> FieldSpec:
        return FIELDS_BY_NAME[self.field]

    @property
    def cleared(self) -> bool:
        return self.after is None

    def wire_value(self) -> str:
        """The value on the wire: empty to clear (as Twilio's helper libraries send
        an empty string), booleans `true`/`false`."""
        if self.after is None:
            return ""
        if isinstance(self.after, bool):
            return "true" if self.after else "false"
        return str(self.after)

    def describe(self) -> str:
        """`before → after`, in words."""
        return f"{_shown(self.before)} → {'(cleared)' if self.cleared else _shown(self.after)}"


def _shown(value: Any) -> str:
    if value is None:
        return "(not set)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


@dataclass(frozen=True)
class NumberUpdate:
    """The changes to send to one owned number, in Twilio's parameter order."""

    sid: str
    phone_number: str
    changes: tuple[SettingChange, ...]
    warnings: tuple[Issue, ...] = field(default=())

    def to_form(self) -> dict[str, str]:
        return {change.spec.wire: change.wire_value() for change in self.changes}

    def after(self) -> dict[str, Any]:
        return {change.field: change.after for change in self.changes}

    @property
    def empty(self) -> bool:
        return not self.changes


def _same(spec: FieldSpec, before: Any, after: Any) -> bool:
    if _unset(before) and _unset(after):
        return True
    if spec.kind == "method" and isinstance(before, str) and isinstance(after, str):
        return before.upper() == after.upper()
    return bool(before == after)


def plan_update(
    sid: str,
    phone_number: str,
    before: Mapping[str, Any],
    requested: Mapping[str, Any],
    clear: Iterable[str] = (),
) -> tuple[NumberUpdate | None, list[FieldProblem]]:
    """The update that takes the number from `before` (its current settings) to
    what is `requested` (raw values by field name; None = leave as is) with the
    fields in `clear` emptied. Each value is checked by its field rule, then the
    settings the number would have are checked as a whole. Values equal to the
    current ones are not sent."""
    problems: list[FieldProblem] = []
    wanted: dict[str, Any] = {}
    for name in clear:
        if name not in CLEARABLE:
            problems.append(FieldProblem(name, f"{FIELDS_BY_NAME[name].label} cannot be cleared."))
            continue
        wanted[name] = None
    for name, raw in requested.items():
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        if name not in FIELDS_BY_NAME or name == "phone_number":
            problems.append(FieldProblem(name, f"{name} is not a setting of an owned number."))
            continue
        if name in wanted:
            label = FIELDS_BY_NAME[name].label
            problems.append(FieldProblem(name, f"{label} is both set and cleared: choose one."))
            continue
        try:
            wanted[name] = FIELDS_BY_NAME[name].check(raw)
        except rules.RuleError as error:
            problems.append(FieldProblem(name, str(error)))
    if problems:
        return None, problems

    changes = tuple(
        SettingChange(spec.name, before.get(spec.name), wanted[spec.name])
        for spec in SETTING_FIELDS
        if spec.name in wanted and not _same(spec, before.get(spec.name), wanted[spec.name])
    )
    changed = {change.field for change in changes}
    resulting = settings_after(before, {change.field: change.after for change in changes})
    issues = [
        issue
        for issue in purchase_issues(resulting)
        if changed & set(issue.fields) and _concerns_update(issue, changed)
    ]
    errors = [i for i in issues if i.level == "error"]
    if errors:
        return None, [FieldProblem(issue.fields[0], issue.message) for issue in errors]
    warnings = [i for i in issues if i.level == "warning"] + _replacements(before, changes)
    return NumberUpdate(sid, phone_number, changes, tuple(warnings)), []


def _concerns_update(issue: Issue, changed: set[str]) -> bool:
    if issue.fields == ("emergency_address_sid",):
        return False  # about buying only: an update does apply the emergency address
    # Twilio keeps a method (POST) on every number, URL or not: only a method
    # being changed without its URL is worth a word.
    unchanged_method = issue.fields[0].endswith("_method") and issue.fields[0] not in changed
    return not (issue.level == "warning" and unchanged_method)


def settings_after(before: Mapping[str, Any], changed: Mapping[str, Any]) -> dict[str, Any]:
    """The settings after an update, as Twilio applies it: a trunk and a voice
    application clear each other."""
    after = {name: before.get(name) for name in SETTING_NAMES}
    after.update(changed)
    if not _unset(changed.get("trunk_sid")) and "voice_application_sid" not in changed:
        after["voice_application_sid"] = None
    if not _unset(changed.get("voice_application_sid")) and "trunk_sid" not in changed:
        after["trunk_sid"] = None
    return after


def _replacements(before: Mapping[str, Any], changes: Iterable[SettingChange]) -> list[Issue]:
    found = []
    changed = {change.field: change.after for change in changes}
    for setting, other in (("trunk_sid", "voice_application_sid"), ("voice_application_sid", "trunk_sid")):
        if not _unset(changed.get(setting)) and other not in changed and not _unset(before.get(other)):
            found.append(
                Issue(
                    "warning",
                    (setting, other),
                    f"Twilio will clear the number's {FIELDS_BY_NAME[other].label} ({before[other]}): "
                    "a SIP trunk and a voice application clear each other.",
                )
            )
    return found


@dataclass(frozen=True)
class Mismatch:
    """A setting the number does not carry as the update asked."""

    field: str
    asked: Any
    got: Any


def mismatches(update: NumberUpdate, resource: Any) -> list[Mismatch]:
    """The changes the number (as read back) does not carry."""
    found = []
    for change in update.changes:
        got = getattr(resource, change.field, None)
        if not _same(change.spec, got, change.after):
            found.append(Mismatch(change.field, change.after, None if _unset(got) else got))
    return found


def release_refusal(resource: Any) -> str | None:
    """Why the number cannot be released now, or None. Twilio's rule: the
    emergency address must be removed first
    (https://support.twilio.com/hc/en-us/articles/223183028-Cancel-or-release-a-Twilio-number)."""
    address = getattr(resource, "emergency_address_sid", None)
    if _unset(address):
        return None
    return (
        f"{resource.phone_number} has an emergency address ({address}), and Twilio releases "
        "no number while one is set. Remove the emergency address first, then release it."
    )


RELEASE_CONSEQUENCES = (
    "Calls and messages to the number stop at once.",
    "The number may never be bought back: Twilio may give it to someone else.",
    "Twilio's Console can restore a released number for a limited time (about 10 days).",
)


def confirms_release(typed: str, phone_number: str) -> bool:
    """Whether what the person typed is the number (spaces, dashes and brackets
    ignored; the + may be left out)."""
    digits = "".join(ch for ch in typed if ch.isdigit())
    return bool(digits) and digits == "".join(ch for ch in phone_number if ch.isdigit())
