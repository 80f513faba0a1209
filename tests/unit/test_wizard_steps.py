"""One description per field: the wizard's steps, the draft's ways of handling
calls and messages, the purchase model and the error table all follow the field
catalogue and the error table, so none of them can forget a field or disagree."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from tests.support.fakes import SUBSET
from tui.domain.errors import KNOWN_ERRORS, ErrorCategory, TwilioApiError, step_of_error
from tui.domain.fields import FIELDS_BY_NAME, FOLLOW_UP_FIELDS, PURCHASE_FIELDS, fields_on_step
from tui.domain.purchase import PurchaseRequest
from tui.wizard.draft import SMS_MODE_FIELDS, VOICE_MODE_FIELDS, SmsMode, VoiceMode, WizardDraft
from tui.wizard.flow import STEP_IDS, STEPS, step_of_field

MOBILE_BODY = json.loads(SUBSET.read_text("utf-8"))["twilio_api_v2010"]["paths"][
    "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/Mobile.json"
]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]["properties"]

# A valid value for every purchase field (the phone number needs no bundle in the
# sandbox; the rest only has to pass the field rules).
VALUES = {
    "phone_number": "+447400123456",
    "api_version": "2010-04-01",
    "friendly_name": "Support line",
    "sms_application_sid": "AP" + "2" * 32,
    "sms_fallback_method": "GET",
    "sms_fallback_url": "https://example.com/sms-fallback",
    "sms_method": "GET",
    "sms_url": "https://example.com/sms",
    "status_callback": "https://example.com/status",
    "status_callback_method": "GET",
    "voice_application_sid": "AP" + "3" * 32,
    "voice_caller_id_lookup": True,
    "voice_fallback_method": "GET",
    "voice_fallback_url": "https://example.com/voice-fallback",
    "voice_method": "GET",
    "voice_url": "https://example.com/voice",
    "identity_sid": "RI" + "5" * 32,
    "address_sid": "AD" + "4" * 32,
    "emergency_status": "Inactive",
    "emergency_address_sid": "AD" + "7" * 32,
    "trunk_sid": "TK" + "3" * 32,
    "voice_receive_mode": "fax",
    "bundle_sid": "BU" + "6" * 32,
}
# And for every follow-up field (sent by a request of its own after the purchase).
FOLLOW_UP_VALUES = {"messaging_service_sid": "MG" + "8" * 32}


def test_every_purchase_body_parameter_is_on_exactly_one_step():
    on_steps = Counter(name for step in STEPS for name in step.fields)
    assert set(on_steps) == {spec.name for spec in (*PURCHASE_FIELDS, *FOLLOW_UP_FIELDS)}
    assert {spec.wire for spec in PURCHASE_FIELDS} == set(MOBILE_BODY)
    assert [name for name, count in on_steps.items() if count != 1] == []
    for spec in (*PURCHASE_FIELDS, *FOLLOW_UP_FIELDS):
        assert step_of_field(spec.name) == spec.group


def test_follow_up_fields_are_not_purchase_parameters():
    assert all(spec.follow_up for spec in FOLLOW_UP_FIELDS)
    assert not any(spec.follow_up for spec in PURCHASE_FIELDS)
    assert {spec.wire for spec in FOLLOW_UP_FIELDS}.isdisjoint(MOBILE_BODY)
    assert set(FIELDS_BY_NAME) == {spec.name for spec in (*PURCHASE_FIELDS, *FOLLOW_UP_FIELDS)}


def test_the_purchase_model_has_exactly_the_catalogue_fields():
    assert list(PurchaseRequest.model_fields) == [spec.name for spec in PURCHASE_FIELDS]
    assert set(VALUES) == {spec.name for spec in PURCHASE_FIELDS}
    assert set(FOLLOW_UP_VALUES) == {spec.name for spec in FOLLOW_UP_FIELDS}


def test_fields_have_one_place_each_on_their_step():
    for step in STEPS:
        positions = [FIELDS_BY_NAME[name].position for name in step.fields]
        assert positions == list(range(1, len(positions) + 1)), step.id


def test_only_voice_and_messaging_fields_have_a_way_of_handling():
    for spec in PURCHASE_FIELDS:
        if spec.group == "voice":
            assert spec.mode in ("webhook", "application", "trunk", "common"), spec.name
        elif spec.group == "messaging":
            assert spec.mode in ("webhook", "application"), spec.name
        else:
            assert spec.mode is None, spec.name
    for spec in FOLLOW_UP_FIELDS:
        if spec.group == "messaging":
            assert spec.mode == "service", spec.name
        else:
            assert spec.mode is None, spec.name


def test_each_way_of_handling_sends_its_own_fields_and_nothing_of_the_others():
    for mode in VoiceMode:
        draft = WizardDraft(values=dict(VALUES), voice_mode=mode, sms_mode=SmsMode.NONE)
        sent = set(draft.request_values())
        voice = {name for name in sent if FIELDS_BY_NAME[name].group == "voice"}
        assert voice == set(VOICE_MODE_FIELDS[mode]) | set(fields_on_step("voice", "common")), mode
    for sms_mode in SmsMode:
        values = {**VALUES, **FOLLOW_UP_VALUES}
        draft = WizardDraft(values=values, voice_mode=VoiceMode.NONE, sms_mode=sms_mode)
        sent = set(draft.request_values()) | set(draft.follow_up_values())
        messaging = {name for name in sent if FIELDS_BY_NAME[name].group == "messaging"}
        assert messaging == set(SMS_MODE_FIELDS[sms_mode]), sms_mode


def test_a_messaging_service_is_sent_after_the_purchase_not_in_it():
    values = {"phone_number": VALUES["phone_number"], **FOLLOW_UP_VALUES, "sms_url": VALUES["sms_url"]}
    draft = WizardDraft(values=values, voice_mode=VoiceMode.NONE, sms_mode=SmsMode.SERVICE)
    request, problems = draft.build()
    assert problems == [] and request is not None
    assert "MessagingServiceSid" not in request.to_form() and "SmsUrl" not in request.to_form()
    follow_up, problems = draft.build_follow_up()
    assert problems == [] and follow_up is not None
    assert follow_up.messaging_service_sid == FOLLOW_UP_VALUES["messaging_service_sid"]
    # Chosen but not given: the way of handling needs its service.
    draft.set("messaging_service_sid", None)
    follow_up, problems = draft.build_follow_up()
    assert follow_up is None and [p.field for p in problems] == ["messaging_service_sid"]
    assert "messaging_service_sid" in draft.field_errors(("messaging_service_sid",))
    # Another way of handling messages: no follow-up at all.
    draft.set("messaging_service_sid", FOLLOW_UP_VALUES["messaging_service_sid"])
    draft.sms_mode = SmsMode.WEBHOOK
    follow_up, _ = draft.build_follow_up()
    assert follow_up is not None and follow_up.empty


@pytest.mark.parametrize("spec", PURCHASE_FIELDS, ids=lambda spec: spec.name)
def test_every_field_can_be_sent_by_the_wizard(spec):
    """A field the draft never offers (left out of its step or of its way of
    handling) would silently never be sent: each one reaches the request in the
    way of handling it belongs to."""
    voice = VoiceMode(spec.mode) if spec.group == "voice" and spec.mode != "common" else VoiceMode.NONE
    sms = SmsMode(spec.mode) if spec.group == "messaging" else SmsMode.NONE
    draft = WizardDraft(values={"phone_number": VALUES["phone_number"]}, voice_mode=voice, sms_mode=sms)
    # With the other fields of its way of handling (a fallback URL needs its URL).
    together = fields_on_step(spec.group, spec.mode) if spec.mode else (spec.name,)
    for name in together:
        draft.set(name, VALUES[name])
    assert spec.name in draft.request_values()
    request, problems = draft.build()
    assert problems == [] and request is not None
    assert request.to_form()[spec.wire] == ("true" if VALUES[spec.name] is True else str(VALUES[spec.name]))


def test_buy_another_keeps_how_the_number_is_used_and_forgets_the_number():
    kept = set(WizardDraft().handling_fields())
    assert kept == {
        *fields_on_step("voice"),
        *fields_on_step("messaging"),
        "status_callback",
        "status_callback_method",
        "api_version",
    }


# -- Twilio's errors, classified once ----------------------------------------------


def test_every_known_error_goes_to_a_step_of_the_wizard():
    assert {known.step for known in KNOWN_ERRORS.values()} <= set(STEP_IDS)
    assert step_of_error(None) == step_of_error(99999) == "review"


@pytest.mark.parametrize(
    ("code", "step", "category"),
    [
        (20003, "account", ErrorCategory.CREDENTIALS),
        (20008, "account", ErrorCategory.CREDENTIALS),
        # The account may not buy (suspended, unpaid): not a credentials problem.
        (20005, "account", ErrorCategory.ACCOUNT_LIMIT),
        (20403, "account", ErrorCategory.ACCOUNT_LIMIT),
        (21404, "number", ErrorCategory.ACCOUNT_LIMIT),
        (21422, "number", ErrorCategory.NUMBER_UNAVAILABLE),
        (21406, "messaging", ErrorCategory.OTHER),
        (21409, "voice", ErrorCategory.OTHER),
        (21631, "compliance", ErrorCategory.COMPLIANCE),
        (21649, "compliance", ErrorCategory.COMPLIANCE),
        (20500, "review", ErrorCategory.OTHER),
    ],
)
def test_an_error_is_explained_sent_to_a_step_and_categorised_by_one_table(code, step, category):
    known = KNOWN_ERRORS[code]
    assert (known.step, known.category) == (step, category)
    error = TwilioApiError(400, code, "message")
    assert error.explanation is known
    assert error.summary == known.summary and error.next_step == known.next_step
    assert step_of_error(code) == step
