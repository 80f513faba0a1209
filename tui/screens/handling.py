"""Steps 3 and 4, Voice and Messaging: how calls and messages are handled.

The way is chosen explicitly (webhook, application, trunk, or not now) and only
that way's fields are shown and sent, so Twilio's precedence (an application
beats URLs, a trunk beats both) never surprises anyone.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from enum import Enum
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import RadioSet, Static

from tui.screens.pickers import PickerStep
from tui.screens.webhook_testing import WebhookTestingStep
from tui.widgets.controls import RadioButton
from tui.widgets.text import LiveText
from tui.widgets.webhook_checks import WebhookChecks
from tui.wizard.draft import (
    NO_SMS_NOTE,
    NO_VOICE_NOTE,
    SMS_MODE_FIELDS,
    SMS_MODE_LABELS,
    VOICE_COMMON_FIELDS,
    VOICE_MODE_FIELDS,
    VOICE_MODE_LABELS,
    SmsMode,
    VoiceMode,
)


class HandlingStep(WebhookTestingStep, PickerStep):
    MODES: ClassVar[type[Enum]]
    MODE_FIELDS: ClassVar[Mapping[Any, tuple[str, ...]]]
    MODE_LABELS: ClassVar[Mapping[Any, str]]
    NONE_NOTE: ClassVar[str]
    COMMON_FIELDS: ClassVar[tuple[str, ...]] = ()
    WEBHOOK_WORDS: ClassVar[str]  # what "Test webhooks" calls, for its panel

    def current_mode(self) -> Enum:
        raise NotImplementedError

    def set_mode(self, mode: Enum) -> None:
        raise NotImplementedError

    def compose_body(self) -> ComposeResult:
        with RadioSet(id="mode"):
            for mode in self.MODES:
                yield RadioButton(self.MODE_LABELS[mode], id=f"mode-{mode.value}")
        # A way's fields are built the first time that way is chosen, not all at
        # once: the application, trunk and Messaging Service ways each bring a
        # picker of the account's resources, and building every way made the step
        # take nearly twice as long to open. The webhook way is always built (its
        # panel holds the step's webhook tests).
        self._built = {self.MODES("webhook"), self.current_mode()}
        for mode in self.MODES:
            with Vertical(id=f"panel-{mode.value}", classes="mode-panel"):
                if mode in self._built:
                    yield from self._panel_content(mode)
        for name in self.COMMON_FIELDS:
            yield self.form_field(name)
        yield LiveText("", id="step-warnings", classes="warnings", markup=False)

    def _panel_content(self, mode: Enum) -> Iterator[Widget]:
        """A way's widgets, its fields showing the draft's values once mounted
        (a panel built later misses the step's own filling from the draft)."""
        if mode.value == "none":
            yield Static(self.NONE_NOTE, classes="note", markup=False)
        for name in self.MODE_FIELDS[mode]:
            # An application, a trunk, a Messaging Service: picked from the account.
            yield self.field_or_picker(name, value=self.draft.get(name))
        if mode.value == "webhook":
            yield WebhookChecks(self.WEBHOOK_WORDS)

    def load_from_draft(self) -> None:
        mode = self.current_mode()
        button = self.query_one(f"#mode-{mode.value}", RadioButton)
        if not button.value:
            button.value = True
        self._show_panel(mode)
        super().load_from_draft()
        self.after_change()

    def _show_panel(self, mode: Enum) -> None:
        if mode not in self._built:
            self._built.add(mode)
            self.query_one(f"#panel-{mode.value}").mount_all(self._panel_content(mode))
        for each in self.MODES:
            self.query_one(f"#panel-{each.value}").display = each == mode

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        mode = self.MODES(str(event.pressed.id).removeprefix("mode-"))
        if mode != self.current_mode():
            self.set_mode(mode)
            self.wizard.draft_changed()
        self._show_panel(mode)
        self.after_change()

    def after_change(self) -> None:
        names = set(self.MODE_FIELDS[self.current_mode()]) | set(self.COMMON_FIELDS)
        warnings = [i.message for i in self.draft.issues() if i.level == "warning" and i.fields[0] in names]
        self.query_one("#step-warnings", Static).update("\n".join(f"⚠ {w}" for w in warnings))
        self.webhook_settings_changed()


class VoiceStep(HandlingStep):
    STEP_ID = "voice"
    INTRO = "How incoming calls to the number are handled."
    MODES = VoiceMode
    MODE_FIELDS = VOICE_MODE_FIELDS
    MODE_LABELS = VOICE_MODE_LABELS
    NONE_NOTE = NO_VOICE_NOTE
    COMMON_FIELDS = VOICE_COMMON_FIELDS
    WEBHOOK_KINDS = ("voice",)
    WEBHOOK_WORDS = "the voice URL and its fallback"

    def current_mode(self) -> VoiceMode:
        return self.draft.voice_mode

    def set_mode(self, mode: Enum) -> None:
        self.draft.voice_mode = VoiceMode(mode.value)


class MessagingStep(HandlingStep):
    STEP_ID = "messaging"
    INTRO = "How incoming SMS and MMS messages to the number are handled."
    MODES = SmsMode
    MODE_FIELDS = SMS_MODE_FIELDS
    MODE_LABELS = SMS_MODE_LABELS
    NONE_NOTE = NO_SMS_NOTE
    WEBHOOK_KINDS = ("sms",)
    WEBHOOK_WORDS = "the SMS URL and its fallback"

    def current_mode(self) -> SmsMode:
        return self.draft.sms_mode

    def set_mode(self, mode: Enum) -> None:
        self.draft.sms_mode = SmsMode(mode.value)
