"""The settings diff of an owned number: only what changes is sent, a cleared URL
or SID is sent empty, every value is checked by its purchase field rule and the
resulting settings by the purchase's cross-field rules; the handling derived from
the settings; the release rules."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from tui.domain.number_settings import (
    CLEARABLE,
    SETTING_NAMES,
    confirms_release,
    current_settings,
    describe_messaging,
    describe_voice,
    messaging_handling,
    mismatches,
    plan_update,
    release_refusal,
    voice_handling,
)

PN = "PN" + "a" * 32
AP = "AP" + "b" * 32
TK = "TK" + "c" * 32
NUMBER = "+447802019939"


def settings(**values: Any) -> dict[str, Any]:
    base: dict[str, Any] = dict.fromkeys(SETTING_NAMES)
    base.update(voice_method="POST", sms_method="POST", voice_fallback_method="POST")
    base.update(values)
    return base


def plan(before: dict[str, Any], clear: tuple[str, ...] = (), **requested: Any):
    return plan_update(PN, NUMBER, before, requested, clear)


def test_only_changed_fields_are_sent_in_twilios_order() -> None:
    update, problems = plan(
        settings(friendly_name="Support", sms_url="https://example.com/sms"),
        friendly_name="Support",  # the same: not sent
        voice_url="https://example.com/voice",
        voice_method="post",  # the same, in another case: not sent
        sms_url="https://example.com/sms",
    )
    assert problems == []
    assert update is not None
    assert update.to_form() == {"VoiceUrl": "https://example.com/voice"}
    [change] = update.changes
    assert change.describe() == "(not set) → https://example.com/voice"


def test_clearing_sends_an_empty_value_and_says_so() -> None:
    update, problems = plan(settings(sms_url="https://example.com/sms", bundle_sid="BU" + "d" * 32),
                            clear=("sms_url", "bundle_sid"))  # fmt: skip
    assert problems == [] and update is not None
    assert update.to_form() == {"SmsUrl": "", "BundleSid": ""}
    assert [c.cleared for c in update.changes] == [True, True]
    assert update.changes[0].describe() == "https://example.com/sms → (cleared)"


def test_clearing_what_is_not_set_sends_nothing() -> None:
    update, problems = plan(settings(), clear=("voice_url",))
    assert problems == [] and update is not None and update.empty


def test_booleans_go_out_as_true_or_false() -> None:
    update, _ = plan(settings(voice_caller_id_lookup=False), voice_caller_id_lookup=True)
    assert update is not None and update.to_form() == {"VoiceCallerIdLookup": "true"}


@pytest.mark.parametrize(
    ("requested", "field", "words"),
    [
        ({"voice_url": "ftp://example.com"}, "voice_url", "URL"),
        ({"voice_application_sid": "AP123"}, "voice_application_sid", "34 characters"),
        ({"voice_method": "PUT"}, "voice_method", "GET"),
        ({"phone_number": "+447700900123"}, "phone_number", "not a setting"),
    ],
)
def test_each_value_is_checked_by_its_purchase_rule(
    requested: dict[str, Any], field: str, words: str
) -> None:
    update, problems = plan(settings(), **requested)
    assert update is None
    assert [p.field for p in problems] == [field]
    assert words in problems[0].message


def test_the_resulting_settings_are_checked_as_a_whole() -> None:
    # Clearing the SMS URL under an SMS fallback URL: Twilio would refuse (21406).
    before = settings(sms_url="https://example.com/sms", sms_fallback_url="https://example.com/fallback")
    update, problems = plan(before, clear=("sms_url",))
    assert update is None
    assert "21406" in problems[0].message


def test_set_and_cleared_at_once_is_refused() -> None:
    update, problems = plan(settings(), clear=("voice_url",), voice_url="https://example.com/voice")
    assert update is None and "both set and cleared" in problems[0].message


def test_a_method_cannot_be_cleared() -> None:
    assert "voice_method" not in CLEARABLE and "voice_url" in CLEARABLE and "trunk_sid" in CLEARABLE
    update, problems = plan(settings(), clear=("voice_method",))
    assert update is None and "cannot be cleared" in problems[0].message


def test_a_trunk_replacing_an_application_is_warned_not_refused() -> None:
    update, problems = plan(settings(voice_application_sid=AP), trunk_sid=TK)
    assert problems == [] and update is not None
    assert update.to_form() == {"TrunkSid": TK}
    assert any("clear the number's" in w.message and AP in w.message for w in update.warnings)


def test_warnings_are_about_what_changes_only() -> None:
    # Twilio keeps POST methods on numbers with no URL: not worth a word unless changed.
    update, _ = plan(settings(), friendly_name="Support")
    assert update is not None and update.warnings == ()
    update, _ = plan(settings(), sms_method="GET")
    assert update is not None and [w.fields[0] for w in update.warnings] == ["sms_method"]
    # The "ignored when buying" remark does not apply to an update.
    update, _ = plan(settings(), emergency_address_sid="AD" + "e" * 32)
    assert update is not None and update.warnings == ()


@pytest.mark.parametrize(
    ("values", "voice", "described"),
    [
        ({"trunk_sid": TK, "voice_url": "https://example.com/v"}, "trunk", f"SIP trunk {TK}"),
        (
            {"voice_application_sid": AP, "voice_url": "https://example.com/v"},
            "application",
            f"application {AP}",
        ),
        (
            {"voice_url": "https://example.com/v", "voice_method": "GET"},
            "webhook",
            "GET https://example.com/v",
        ),
        ({"voice_url": ""}, "none", "not handled"),
    ],
)
def test_voice_handling_is_derived_from_the_settings(
    values: dict[str, Any], voice: str, described: str
) -> None:
    resource = SimpleNamespace(**settings(**values))
    current = current_settings(resource)
    assert voice_handling(current) == voice
    assert describe_voice(current) == described


def test_messaging_handling_and_empty_values_read_as_unset() -> None:
    current = current_settings(SimpleNamespace(**settings(sms_url="", sms_application_sid="")))
    assert current["sms_url"] is None and messaging_handling(current) == "none"
    current = current_settings(
        SimpleNamespace(**settings(sms_url="https://example.com/s", sms_method="post"))
    )
    assert describe_messaging(current) == "POST https://example.com/s"


def test_mismatches_name_what_the_number_does_not_carry() -> None:
    update, _ = plan(
        settings(sms_url="https://example.com/s"), clear=("sms_url",), voice_url="https://example.com/v"
    )
    assert update is not None
    carried = SimpleNamespace(sms_url="", voice_url="https://example.com/v")
    assert mismatches(update, carried) == []
    dropped = SimpleNamespace(sms_url="https://example.com/s", voice_url=None)
    assert [(m.field, m.asked, m.got) for m in mismatches(update, dropped)] == [
        ("sms_url", None, "https://example.com/s"),
        ("voice_url", "https://example.com/v", None),
    ]


def test_release_refused_while_an_emergency_address_is_set() -> None:
    assert release_refusal(SimpleNamespace(phone_number=NUMBER, emergency_address_sid=None)) is None
    reason = release_refusal(SimpleNamespace(phone_number=NUMBER, emergency_address_sid="AD" + "1" * 32))
    assert reason is not None and "emergency address" in reason and "Remove" in reason


@pytest.mark.parametrize(
    ("typed", "ok"),
    [("+447802019939", True), ("447802019939", True), ("+44 7802 019939", True), ("+44780201993", False),
     ("", False), ("yes", False)],
)  # fmt: skip
def test_the_release_confirmation_is_the_number_typed(typed: str, ok: bool) -> None:
    assert confirms_release(typed, NUMBER) is ok
