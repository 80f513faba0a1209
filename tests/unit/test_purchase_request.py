"""The purchase request: field catalogue, PurchaseRequest, cross-field rules,
problems located at their field, the form body and differences()."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from pydantic import ValidationError

from tests.support.fakes import AD_SID, AP_SID, BU_SID, RI_SID, SUBSET, TK_SID, UK_MOBILE
from tui.domain import rules
from tui.domain.fields import FIELDS_BY_WIRE, PURCHASE_FIELDS, field, fields_on_step
from tui.domain.purchase import (
    PurchaseRequest,
    build_request,
    check_fields,
    differences,
    purchase_issues,
)
from tui.domain.resources import IncomingPhoneNumber

MOBILE_BODY = json.loads(SUBSET.read_text("utf-8"))["twilio_api_v2010"]["paths"][
    "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/Mobile.json"
]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]


# ---------------------------------------------------------------------------
# The catalogue against the spec


def test_catalogue_has_the_23_body_parameters_of_the_spec():
    assert len(PURCHASE_FIELDS) == 23
    assert {f.wire for f in PURCHASE_FIELDS} == set(MOBILE_BODY["properties"])
    assert [f.wire for f in PURCHASE_FIELDS if f.required] == MOBILE_BODY["required"] == ["PhoneNumber"]


def test_catalogue_sid_prefixes_match_the_spec_patterns():
    for spec in PURCHASE_FIELDS:
        pattern = MOBILE_BODY["properties"][spec.wire].get("pattern", "")
        if spec.kind == "sid":
            assert pattern == f"^{spec.sid_prefix}[0-9a-fA-F]{{32}}$", spec.wire
        else:
            assert not pattern, spec.wire


def test_catalogue_methods_are_the_spec_enums():
    for spec in PURCHASE_FIELDS:
        if spec.kind == "method":
            assert list(spec.choices) == MOBILE_BODY["properties"][spec.wire]["enum"]


def test_catalogue_names_and_flags():
    spec = field("VoiceCallerIdLookup")
    assert spec is field("voice_caller_id_lookup")
    assert spec.name == "voice_caller_id_lookup"
    assert spec.flag == "--voice-caller-id-lookup"
    assert field("SmsUrl").flag == "--sms-url"
    with pytest.raises(KeyError):
        field("AreaCode")  # the Mobile endpoint has no AreaCode
    assert {field(name).wire for name in fields_on_step("compliance")} == {
        "IdentitySid",
        "AddressSid",
        "EmergencyStatus",
        "EmergencyAddressSid",
        "BundleSid",
    }
    assert all(f.help and f.label and f.twilio_default for f in PURCHASE_FIELDS)


@pytest.mark.parametrize(
    ("wire", "value", "message"),
    [
        ("FriendlyName", 12, None),
        ("FriendlyName", True, "takes text, not true or false"),
        ("VoiceUrl", ["https://example.com"], "takes text"),
        ("VoiceCallerIdLookup", 3.5, "takes text"),
        ("PhoneNumber", 447400123456, "Start with +"),
    ],
)
def test_field_check_never_crashes_on_values_that_are_not_text(wire, value, message):
    spec = FIELDS_BY_WIRE[wire]
    if message is None:
        assert spec.check(value) == str(value)
    else:
        with pytest.raises(rules.RuleError, match=message):
            spec.check(value)


def test_field_check_takes_booleans_for_yes_no_fields():
    assert FIELDS_BY_WIRE["VoiceCallerIdLookup"].check(False) is False
    assert FIELDS_BY_WIRE["VoiceCallerIdLookup"].check(1) is True


# ---------------------------------------------------------------------------
# Field rules through the model


@pytest.mark.parametrize(
    ("name", "raw", "fragment"),
    [
        ("phone_number", "", "Phone number is required."),
        ("phone_number", "447400123456", "Start with +"),
        ("phone_number", "+44 ABC", "no letters"),
        ("friendly_name", "x" * 65, "at most 64 characters"),
        ("voice_url", "example.com/voice", "absolute URL"),
        ("sms_url", "https://a b", "cannot contain spaces"),
        ("status_callback", "https://", "needs a host name"),
        ("voice_method", "PUT", "Choose GET or POST."),
        ("sms_fallback_method", "patch", "Choose GET or POST."),
        ("status_callback_method", "x", "Choose GET or POST."),
        ("voice_application_sid", TK_SID, "starts with AP"),
        ("sms_application_sid", "ap" + AP_SID[2:], "capital AP"),
        ("trunk_sid", TK_SID[:-1], "34 characters"),
        ("address_sid", "AD" + "z" * 32, "only hex digits"),
        ("emergency_address_sid", RI_SID, "starts with AD"),
        ("identity_sid", AD_SID, "starts with RI"),
        ("bundle_sid", AD_SID, "starts with BU"),
        ("emergency_status", "on", "Choose Active or Inactive."),
        ("voice_receive_mode", "sms", "Choose voice or fax."),
        ("voice_caller_id_lookup", "maybe", "Answer true or false."),
        ("api_version", "2099-01-01", "Choose 2010-04-01 or 2008-08-01."),
    ],
)
def test_build_request_reports_each_field_rule_at_its_field(name, raw, fragment):
    values = {"phone_number": UK_MOBILE, name: raw}
    request, problems = build_request(values)
    assert request is None
    assert [p.field for p in problems] == [name]
    assert fragment in problems[0].message
    assert "Value error" not in problems[0].message


def test_build_request_reports_every_bad_field_at_once():
    _, problems = build_request({"phone_number": "x", "voice_url": "nope", "trunk_sid": "TK1"})
    assert {p.field for p in problems} == {"phone_number", "voice_url", "trunk_sid"}


def test_build_request_missing_phone_number_and_unknown_parameter():
    _, problems = build_request({"area_code": "510"})
    assert {(p.field, p.message) for p in problems} == {
        ("phone_number", "Phone number is required."),
        ("area_code", "area_code is not a parameter of the Mobile purchase."),
    }


def test_empty_strings_count_as_unset():
    request, problems = build_request(
        {"phone_number": UK_MOBILE, "voice_url": "", "friendly_name": "   ", "trunk_sid": None}
    )
    assert problems == []
    assert request is not None
    assert request.voice_url is None and request.friendly_name is None and request.trunk_sid is None
    assert request.to_form() == {"PhoneNumber": UK_MOBILE}


def test_model_normalises_values():
    request = PurchaseRequest(
        phone_number="+44 7400-123456",
        voice_method="get",
        emergency_status="active",
        voice_receive_mode="FAX",
        voice_caller_id_lookup="yes",
        friendly_name="  Support  ",
    )
    assert request.phone_number == UK_MOBILE
    assert request.voice_method == "GET"
    assert request.emergency_status == "Active"
    assert request.voice_receive_mode == "fax"
    assert request.voice_caller_id_lookup is True
    assert request.friendly_name == "Support"


def test_model_accepts_twilio_names_and_is_frozen():
    request = PurchaseRequest.model_validate({"PhoneNumber": UK_MOBILE, "SmsUrl": "https://e.com/s"})
    assert request.sms_url == "https://e.com/s"
    assert PurchaseRequest.model_validate(request.to_form()) == request
    with pytest.raises(ValidationError):
        request.sms_url = "https://other.example"  # type: ignore[misc]


def test_check_fields_on_partial_input():
    errors = check_fields(
        {"voice_url": "nope", "sms_url": "https://ok.example"}, ["voice_url", "sms_url", "phone_number"]
    )
    assert set(errors) == {"voice_url", "phone_number"}
    assert "absolute URL" in errors["voice_url"]
    assert errors["phone_number"] == "Phone number is required."


# ---------------------------------------------------------------------------
# Cross-field rules

VOICE = "https://example.com/voice"
SMS = "https://example.com/sms"


def only(issues, level):
    return [i for i in issues if i.level == level]


@pytest.mark.parametrize(
    ("values", "fields", "fragments"),
    [
        (
            {"trunk_sid": TK_SID, "voice_application_sid": AP_SID},
            ("trunk_sid", "voice_application_sid"),
            ("either a SIP trunk or a voice application",),
        ),
        (
            {"sms_fallback_url": SMS},
            ("sms_fallback_url", "sms_url"),
            ("SMS fallback URL needs an SMS URL", "21406"),
        ),
    ],
)
def test_cross_field_errors(values, fields, fragments):
    errors = only(purchase_issues(values), "error")
    assert len(errors) == 1
    assert errors[0].fields == fields
    for fragment in fragments:
        assert fragment in errors[0].message
    # ... and the model refuses, with the problem under the first field.
    request, problems = build_request({"phone_number": UK_MOBILE, **values})
    assert request is None
    assert [p.field for p in problems] == [fields[0]]
    assert problems[0].message == errors[0].message


def test_both_cross_field_errors_are_reported_together():
    _, problems = build_request(
        {
            "phone_number": UK_MOBILE,
            "trunk_sid": TK_SID,
            "voice_application_sid": AP_SID,
            "sms_fallback_url": SMS,
        }
    )
    assert [p.field for p in problems] == ["trunk_sid", "sms_fallback_url"]


def test_sms_fallback_with_sms_url_is_fine():
    assert only(purchase_issues({"sms_url": SMS, "sms_fallback_url": SMS + "/fb"}), "error") == []


@pytest.mark.parametrize(
    ("values", "fields", "fragment"),
    [
        (
            {"voice_application_sid": AP_SID, "voice_url": VOICE},
            ("voice_application_sid", "voice_url"),
            "voice URLs are ignored",
        ),
        (
            {"voice_application_sid": AP_SID, "voice_url": VOICE, "voice_fallback_url": VOICE},
            ("voice_application_sid", "voice_url", "voice_fallback_url"),
            "voice URLs are ignored",
        ),
        ({"trunk_sid": TK_SID, "voice_url": VOICE}, ("trunk_sid", "voice_url"), "calls go to the trunk"),
        (
            {"trunk_sid": TK_SID, "voice_fallback_url": VOICE},
            ("trunk_sid", "voice_fallback_url"),
            "calls go to the trunk",
        ),
        (
            {"sms_application_sid": AP_SID, "sms_url": SMS},
            ("sms_application_sid", "sms_url"),
            "SMS URLs are ignored",
        ),
        (
            {"sms_application_sid": AP_SID, "sms_url": SMS, "sms_fallback_url": SMS},
            ("sms_application_sid", "sms_url", "sms_fallback_url"),
            "SMS URLs are ignored",
        ),
        (
            {"voice_fallback_method": "GET"},
            ("voice_fallback_method", "voice_fallback_url"),
            "A voice fallback method without a voice fallback URL does nothing.",
        ),
        (
            {"sms_fallback_method": "POST"},
            ("sms_fallback_method", "sms_fallback_url"),
            "An SMS fallback method without an SMS fallback URL does nothing.",
        ),
        ({"voice_method": "GET"}, ("voice_method", "voice_url"), "without a voice URL"),
        ({"sms_method": "GET"}, ("sms_method", "sms_url"), "without an SMS URL"),
        (
            {"status_callback_method": "GET"},
            ("status_callback_method", "status_callback"),
            "without a status callback URL",
        ),
        ({"emergency_status": "Active"}, ("emergency_status",), "Twilio ignores EmergencyStatus"),
        ({"emergency_status": "Inactive"}, ("emergency_status",), "Twilio ignores EmergencyStatus"),
        ({"emergency_address_sid": AD_SID}, ("emergency_address_sid",), "ignore the emergency address"),
        ({"voice_receive_mode": "fax", "voice_url": VOICE}, ("voice_receive_mode",), "fax mode"),
        ({"phone_number": "+15005551234"}, ("phone_number",), "not a mobile number"),
        ({"phone_number": "+442071838750"}, ("phone_number",), "landline"),
    ],
)
def test_cross_field_warnings(values, fields, fragment):
    issues = purchase_issues(values)
    assert only(issues, "error") == []
    matching = [i for i in issues if i.fields == fields]
    assert len(matching) == 1, issues
    assert matching[0].level == "warning"
    assert fragment in matching[0].message
    # A warning never stops the purchase.
    request, problems = build_request({"phone_number": UK_MOBILE, **values})
    assert problems == [] and request is not None
    assert any(w.fields == fields for w in request.warnings())


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"phone_number": UK_MOBILE},
        {
            "voice_url": VOICE,
            "voice_method": "GET",
            "voice_fallback_url": VOICE,
            "voice_fallback_method": "POST",
        },
        {"sms_url": SMS, "sms_method": "GET", "sms_fallback_url": SMS, "sms_fallback_method": "GET"},
        {"status_callback": VOICE, "status_callback_method": "GET"},
        {"trunk_sid": TK_SID},
        {"voice_application_sid": AP_SID, "sms_application_sid": AP_SID},
        {"voice_receive_mode": "fax"},
        {"voice_receive_mode": "voice", "voice_url": VOICE},
        {"phone_number": "not a number"},  # the field rule reports that one
        {"trunk_sid": "", "voice_application_sid": AP_SID, "voice_url": ""},
    ],
)
def test_no_issue_for_consistent_settings(values):
    assert purchase_issues(values) == []


def test_emergency_status_with_an_address_warns_about_each_being_ignored_at_purchase():
    issues = purchase_issues({"emergency_status": "Active", "emergency_address_sid": AD_SID})
    assert [i.fields for i in issues] == [("emergency_status",), ("emergency_address_sid",)]


def test_trunk_with_app_and_urls_warns_about_all_of_them():
    issues = purchase_issues({"trunk_sid": TK_SID, "voice_application_sid": AP_SID, "voice_url": VOICE})
    warning = only(issues, "warning")
    assert warning[0].fields == ("trunk_sid", "voice_url", "voice_application_sid")


# ---------------------------------------------------------------------------
# The form body

FULL = {
    "phone_number": UK_MOBILE,
    "api_version": "2010-04-01",
    "friendly_name": "Support & Sales",
    "sms_application_sid": None,
    "sms_fallback_method": "get",
    "sms_fallback_url": SMS + "/fallback",
    "sms_method": "post",
    "sms_url": SMS,
    "status_callback": "https://example.com/status?x=1&y=2",
    "status_callback_method": "GET",
    "voice_application_sid": None,
    "voice_caller_id_lookup": False,
    "voice_fallback_method": "POST",
    "voice_fallback_url": VOICE + "/fallback",
    "voice_method": "GET",
    "voice_url": VOICE,
    "identity_sid": RI_SID,
    "address_sid": AD_SID,
    "emergency_status": "Inactive",
    "emergency_address_sid": AD_SID,
    "trunk_sid": None,
    "voice_receive_mode": "voice",
    "bundle_sid": BU_SID,
}


def test_to_form_twilio_names_in_twilio_order_strings_only():
    request = PurchaseRequest.model_validate(FULL)
    form = request.to_form()
    assert list(form) == [f.wire for f in PURCHASE_FIELDS if FULL[f.name] is not None]
    assert form["VoiceCallerIdLookup"] == "false"
    assert form["SmsFallbackMethod"] == "GET"
    assert form["FriendlyName"] == "Support & Sales"
    assert all(isinstance(v, str) for v in form.values())
    assert "TrunkSid" not in form and "VoiceApplicationSid" not in form


def test_to_form_boolean_true_and_omitted_defaults():
    request = PurchaseRequest(phone_number=UK_MOBILE, voice_caller_id_lookup=True)
    assert request.to_form() == {"PhoneNumber": UK_MOBILE, "VoiceCallerIdLookup": "true"}
    omitted = {spec.wire: default for spec, default in request.omitted_defaults()}
    assert len(omitted) == 21
    assert omitted["VoiceMethod"] == "POST"
    assert omitted["EmergencyStatus"] == "Inactive"
    assert "PhoneNumber" not in omitted and "VoiceCallerIdLookup" not in omitted


# ---------------------------------------------------------------------------
# differences()


def created_from(request: PurchaseRequest, **changes) -> IncomingPhoneNumber:
    body = {
        spec.name: value
        for spec, value in ((s, getattr(request, s.name)) for s in PURCHASE_FIELDS)
        if value is not None
    }
    body.update(sid="PN" + "1" * 32, status="in-use", **changes)
    return IncomingPhoneNumber.model_validate(body)


def test_differences_none_when_twilio_echoes_everything():
    request = PurchaseRequest.model_validate(FULL)
    assert differences(request, created_from(request)) == []


def test_differences_reports_a_field_twilio_dropped():
    request = PurchaseRequest.model_validate(FULL)
    found = differences(request, created_from(request, emergency_address_sid=""))
    assert [(d.field, d.asked, d.got) for d in found] == [("emergency_address_sid", AD_SID, None)]


def test_differences_reports_a_changed_value_and_ignores_method_case():
    request = PurchaseRequest.model_validate(FULL)
    created = created_from(request, voice_method="get", voice_caller_id_lookup=True)
    assert [(d.field, d.asked, d.got) for d in differences(request, created)] == [
        ("voice_caller_id_lookup", False, True)
    ]


def test_differences_ignores_fields_left_unset():
    request = PurchaseRequest(phone_number=UK_MOBILE)
    created = SimpleNamespace(phone_number=UK_MOBILE, voice_method="POST", friendly_name="07400 123456")
    assert differences(request, created) == []
