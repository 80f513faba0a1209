"""The wizard's change of an owned number, without Textual: the draft made from
the number's settings, and what the steps' draft asks for (the ways of handling
not chosen are cleared, so the number ends up handled as the steps show)."""

from __future__ import annotations

from typing import Any

from tui.domain.resources import IncomingPhoneNumber
from tui.wizard.change import ChangeSession, draft_for, wanted_settings
from tui.wizard.draft import SmsMode, VoiceMode

PN = "PN" + "a" * 32
AP = "AP" + "b" * 32
TK = "TK" + "c" * 32
BU = "BU" + "d" * 32


def number(**settings: Any) -> IncomingPhoneNumber:
    base: dict[str, Any] = {
        "sid": PN,
        "phone_number": "+447802019939",
        "friendly_name": "Support",
        "voice_method": "POST",
        "sms_method": "POST",
        "voice_fallback_method": "POST",
        "sms_fallback_method": "POST",
        "status_callback_method": "POST",
        "voice_caller_id_lookup": False,
        "voice_receive_mode": "voice",
        "emergency_status": "Inactive",
        "api_version": "2010-04-01",
        "sms_url": "",
        "voice_url": None,
    }
    return IncomingPhoneNumber.model_validate({**base, **settings})


def test_the_draft_holds_the_settings_and_the_derived_ways() -> None:
    draft = draft_for(
        number(trunk_sid=TK, voice_url="https://example.com/v", sms_application_sid=AP, bundle_sid=BU)
    )
    assert (draft.voice_mode, draft.sms_mode) == (VoiceMode.TRUNK, SmsMode.APPLICATION)
    assert draft.get("trunk_sid") == TK and draft.get("voice_url") == "https://example.com/v"
    assert draft.get("bundle_sid") == BU and draft.get("phone_number") == "+447802019939"
    assert draft.get("sms_url") is None  # "" is unset
    assert draft.get("voice_caller_id_lookup") is False


def test_an_unchanged_draft_sends_nothing() -> None:
    resource = number(voice_url="https://example.com/v", sms_url="https://example.com/s", bundle_sid=BU)
    update, problems = ChangeSession(resource).plan(draft_for(resource))
    assert problems == [] and update is not None and update.empty


def test_choosing_not_now_clears_the_ways_not_chosen() -> None:
    resource = number(voice_url="https://example.com/v", voice_fallback_url="https://example.com/f")
    draft = draft_for(resource)
    draft.voice_mode = VoiceMode.NONE
    requested, clear = wanted_settings(draft)
    assert "voice_url" in clear and "voice_fallback_url" in clear
    assert "voice_method" not in clear and "voice_method" not in requested  # kept as it is
    update, _ = ChangeSession(resource).plan(draft)
    assert update is not None and update.to_form() == {"VoiceFallbackUrl": "", "VoiceUrl": ""}


def test_an_emptied_field_is_cleared_and_a_new_way_is_set() -> None:
    resource = number(sms_url="https://example.com/s", bundle_sid=BU)
    draft = draft_for(resource)
    draft.set("bundle_sid", "")
    draft.voice_mode = VoiceMode.APPLICATION
    draft.set("voice_application_sid", AP)
    update, problems = ChangeSession(resource).plan(draft)
    assert problems == [] and update is not None
    assert update.to_form() == {"VoiceApplicationSid": AP, "BundleSid": ""}


def test_a_messaging_service_is_refused_for_a_change_with_the_way_to_do_it() -> None:
    resource = number(sms_url="https://example.com/sms")
    draft = draft_for(resource)
    draft.sms_mode = SmsMode.SERVICE
    draft.set("messaging_service_sid", "MG" + "e" * 32)
    update, problems = ChangeSession(resource).plan(draft)
    assert update is None
    assert [p.field for p in problems] == ["messaging_service_sid"]
    assert "Console (Messaging › Services › Sender Pool)" in problems[0].message
    # The command line does it: the exact command, with this number and service.
    sid = resource.sid
    assert (
        f"number-wizard numbers update {sid} --messaging-service-sid {'MG' + 'e' * 32}" in problems[0].message
    )
    # Nothing of the number's own settings is cleared by it.
    draft.sms_mode = SmsMode.WEBHOOK
    _, problems = ChangeSession(resource).plan(draft)
    assert problems == []
