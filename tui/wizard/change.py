"""Changing a number the account owns in the wizard, free of Textual.

The wizard's Voice, Messaging, Details and Compliance steps edit a `WizardDraft`;
for a change, that draft starts as the number's current settings (the ways of
handling calls and messages derived from them: a trunk, an application, a URL,
nothing). What the steps then hold is compared with the number as it was, and
only the differences are sent (tui.domain.number_settings).

What the draft means for a change: the fields of the chosen ways of handling
and of the other steps are the settings wanted (an emptied URL or SID is
cleared); the URLs and SIDs of the ways *not* chosen are cleared, so that the
number ends up handled the way the steps show (choosing "Not now" for calls
clears the voice URL). Methods, modes and yes/no settings always keep a value.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tui.domain.fields import FIELDS_BY_NAME, PURCHASE_FIELDS
from tui.wizard.draft import SmsMode, VoiceMode, WizardDraft

if TYPE_CHECKING:
    from tui.domain.number_settings import NumberUpdate
    from tui.domain.purchase import FieldProblem
    from tui.domain.resources import IncomingPhoneNumber

SETTING_NAMES = tuple(spec.name for spec in PURCHASE_FIELDS if spec.name != "phone_number")


def change_service_refused(phone_number_sid: str, service_sid: str | None) -> str:
    """Why the wizard's change does not join a Messaging Service, and the ways to
    do it: the command line's `numbers update`, or the Console."""
    command = shlex.join(
        [
            "number-wizard",
            "numbers",
            "update",
            phone_number_sid or "PN…",
            "--messaging-service-sid",
            service_sid or "MG…",
        ]
    )
    return (
        "A Messaging Service is joined only when buying here. To put a number you own in "
        f"one, run `{command}` (add --leave-messaging-service to move it from another "
        "service), or add it in the Console (Messaging › Services › Sender Pool); or "
        "choose another way of handling messages."
    )


def draft_for(resource: IncomingPhoneNumber) -> WizardDraft:
    """A draft holding the number's current settings, for the steps to show."""
    from tui.domain.number_settings import current_settings, messaging_handling, voice_handling

    settings = current_settings(resource)
    draft = WizardDraft(
        voice_mode=VoiceMode(voice_handling(settings)),
        sms_mode=SmsMode(messaging_handling(settings)),
    )
    draft.set("phone_number", resource.phone_number)
    for name, value in settings.items():
        draft.set(name, value)
    return draft


def wanted_settings(draft: WizardDraft) -> tuple[dict[str, Any], list[str]]:
    """What the steps ask for: (values by field name, fields to clear)."""
    active = set(draft.active_fields())
    requested: dict[str, Any] = {}
    clear: list[str] = []
    for name in SETTING_NAMES:
        spec = FIELDS_BY_NAME[name]
        value = draft.get(name) if name in active else None
        if value is None or (isinstance(value, str) and not value.strip()):
            if spec.clearable:
                clear.append(name)
            continue
        requested[name] = value
    return requested, clear


@dataclass
class ChangeSession:
    """One owned number being changed: the number as read when the change began,
    and the purchase draft put aside meanwhile (restored when the change ends)."""

    resource: IncomingPhoneNumber
    purchase_draft: WizardDraft = field(default_factory=WizardDraft)

    @property
    def sid(self) -> str:
        return self.resource.sid or ""

    @property
    def phone_number(self) -> str:
        return self.resource.phone_number or ""

    def before(self) -> dict[str, Any]:
        from tui.domain.number_settings import current_settings

        return current_settings(self.resource)

    def plan(self, draft: WizardDraft) -> tuple[NumberUpdate | None, list[FieldProblem]]:
        """The update from the number as it was to what the steps hold."""
        from tui.domain.number_settings import plan_update
        from tui.domain.purchase import FieldProblem

        if draft.sms_mode is SmsMode.SERVICE:
            # A Messaging Service is joined by a request of its own after a purchase
            # (tui.services.purchase, follow-ups) or by `numbers update
            # --messaging-service-sid`; the wizard's change sends the number's own
            # settings only, so it would leave the number out of the service.
            refused = change_service_refused(self.sid, draft.get("messaging_service_sid"))
            return None, [FieldProblem("messaging_service_sid", refused)]
        requested, clear = wanted_settings(draft)
        return plan_update(self.sid, self.phone_number, self.before(), requested, clear)
