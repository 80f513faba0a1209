"""Voice and Messaging modes, and the Compliance step's pause and pickers."""

from __future__ import annotations

from textual.widgets import OptionList, Select

from tests.support.pilot import (
    buy,
    control,
    field,
    go,
    only_receipt,
    reach_review,
    set_mode,
    settle,
    step_of,
    text_of,
    type_into,
    type_number,
)
from tui.sandbox.seed import (
    ADDRESS_AU,
    ADDRESS_GB,
    ADDRESS_US,
    BUNDLE_AU_MOBILE_APPROVED,
    BUNDLE_AU_MOBILE_PENDING,
    BUNDLE_GB_MOBILE_APPROVED,
)

APP_SID = "AP" + "1" * 32
SMS_APP_SID = "AP" + "2" * 32


async def test_mode_switching_sends_only_the_chosen_modes_fields(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "number")
        await type_number(pilot, "+447929436483")
        await go(pilot, "voice")
        await set_mode(pilot, "webhook")
        await type_into(pilot, "voice_url", "https://example.com/voice")
        await set_mode(pilot, "application")
        assert not app.screen.query_one("#panel-webhook").display
        await type_into(pilot, "voice_application_sid", APP_SID)
        await go(pilot, "messaging")
        await set_mode(pilot, "application")
        await type_into(pilot, "sms_application_sid", SMS_APP_SID)
        await set_mode(pilot, "webhook")
        await type_into(pilot, "sms_url", "https://example.com/sms")
        await go(pilot, "compliance")
        await type_into(pilot, "bundle_sid", BUNDLE_GB_MOBILE_APPROVED)
        await go(pilot, "review")

        request_text = text_of(app, "#review-request")
        assert "VoiceApplicationSid=" + APP_SID in request_text
        assert "VoiceUrl" not in request_text
        assert "SmsUrl=https%3A%2F%2Fexample.com%2Fsms" in request_text
        assert "SmsApplicationSid" not in request_text
        # Values of the modes not chosen are kept, not sent: switching back restores them.
        assert app.draft.get("voice_url") == "https://example.com/voice"
        await go(pilot, "voice")
        await set_mode(pilot, "webhook")
        assert control(app, "voice_url").value == "https://example.com/voice"
        await set_mode(pilot, "application")

        await go(pilot, "review")
        await buy(pilot)
        assert app.screen.id == "summary"
        form = only_receipt(app)["request"]["form"]
        assert form["VoiceApplicationSid"] == APP_SID and "VoiceUrl" not in form
        assert form["SmsUrl"] == "https://example.com/sms" and "SmsApplicationSid" not in form
        resource = app.screen.outcome.resource
        assert resource.voice_application_sid == APP_SID and resource.voice_url is None


async def test_a_way_of_handling_is_built_when_chosen_and_shows_the_draft(make_app):
    """The ways not chosen are not built when the step opens (their pickers made the
    step twice as slow to open); chosen later, their fields show what the draft
    holds, and a value typed there is kept and sent like any other."""
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "number")
        await type_number(pilot, "+447929436483")
        await go(pilot, "voice")
        assert not app.screen.query("#panel-application FormField")
        assert not app.screen.query("#panel-trunk FormField")
        app.draft.set("voice_application_sid", APP_SID)  # e.g. from a resumed draft
        await set_mode(pilot, "application")
        assert control(app, "voice_application_sid").value == APP_SID
        await set_mode(pilot, "trunk")
        await type_into(pilot, "trunk_sid", "TK" + "3" * 32)
        await set_mode(pilot, "application")
        await set_mode(pilot, "trunk")
        assert control(app, "trunk_sid").value == "TK" + "3" * 32
        assert app.draft.request_values()["trunk_sid"] == "TK" + "3" * 32
        await go(pilot, "messaging")
        assert not app.screen.query("#panel-service FormField")
        await set_mode(pilot, "service")
        assert app.screen.query_one("#panel-service FormField").field_name == "messaging_service_sid"


async def test_a_step_opened_on_another_way_still_has_its_webhook_tests(make_app, tmp_path):
    """A draft resumed with an application for calls: the Voice step opens on that
    way (built at once); the webhook way, chosen afterwards, works as usual."""
    from tests.support.app_factory import draft_store_in
    from tui.wizard.draft import VoiceMode, WizardDraft

    draft = WizardDraft()
    draft.set("phone_number", "+447929436483")
    draft.voice_mode = VoiceMode.APPLICATION
    draft.set("voice_application_sid", APP_SID)
    draft_store_in(tmp_path).save(draft.to_json())
    app = make_app(resume_draft=True)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.click("#yes")  # resume the draft
        await settle(pilot)
        await go(pilot, "voice")
        assert control(app, "voice_application_sid").value == APP_SID
        await set_mode(pilot, "webhook")
        await type_into(pilot, "voice_url", "https://example.com/voice")
        assert app.screen.check_action("test_webhooks", ()) is True
        await set_mode(pilot, "application")
        assert app.screen.check_action("test_webhooks", ()) is False
        assert app.draft.request_values()["voice_application_sid"] == APP_SID


async def test_not_now_sends_no_handling_fields_and_says_what_happens(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "voice")
        await type_into(pilot, "voice_url", "https://example.com/voice")
        await set_mode(pilot, "none")
        assert "will not be answered" in str(app.screen.query_one("#panel-none .note").content)
        await go(pilot, "messaging")
        await set_mode(pilot, "none")
        assert "auto-reply" in str(app.screen.query_one("#panel-none .note").content)
        assert "voice_url" not in app.draft.request_values()


async def test_compliance_pause_first_next_warns_second_proceeds(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "number")
        await type_number(pilot, "+61491570006")  # AU: local address and a bundle needed
        await go(pilot, "compliance")
        requirements = text_of(app, "#requirements")
        assert "needs a local address" in requirements
        assert "AU requires an approved regulatory bundle" in requirements
        warnings = text_of(app, "#step-warnings")
        assert "21631" in warnings and "21649" in warnings
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert step_of(app) == "compliance"
        assert "Press Next again" in text_of(app, "#nav-status")
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert step_of(app) == "review"


async def test_no_pause_when_nothing_would_be_refused(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "number")
        await type_number(pilot, "+31616953194")  # NL, no address, no bundle needed
        await go(pilot, "compliance")
        assert text_of(app, "#step-warnings") == ""
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert step_of(app) == "review"


async def test_pickers_fill_the_sid_fields(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "number")
        await type_number(pilot, "+61491570006")
        await go(pilot, "compliance")
        # By keyboard: open the address picker, find Sydney, Enter.
        picker = app.screen.query_one("#pick-address", Select)
        picker.focus()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"1 Martin")
        await pilot.press("enter")
        await settle(pilot)
        assert picker.value == ADDRESS_AU
        assert control(app, "address_sid").value == ADDRESS_AU
        assert app.draft.get("address_sid") == ADDRESS_AU
        # Bundle by value (the mouse path is the same Select): only approved ones
        # are offered; the pending one is listed as not usable, with why.
        bundles = app.screen.query_one("#pick-bundle", Select)
        offered = [value for _, value in bundles._options if value is not Select.NULL]
        assert offered == [BUNDLE_AU_MOBILE_APPROVED]
        note = text_of(app, "#bundle-note")
        assert BUNDLE_AU_MOBILE_PENDING in note and "waiting for Twilio's review" in note
        bundles.value = BUNDLE_AU_MOBILE_APPROVED
        await settle(pilot)
        assert control(app, "bundle_sid").value == BUNDLE_AU_MOBILE_APPROVED
        assert app.draft.get("bundle_sid") == BUNDLE_AU_MOBILE_APPROVED
        # A pending bundle typed by SID is still warned about, but no longer "will refuse".
        await type_into(pilot, "bundle_sid", BUNDLE_AU_MOBILE_PENDING)
        warnings = text_of(app, "#step-warnings")
        assert "pending-review" in warnings and "21631" not in warnings
        # Only emergency-enabled addresses are offered for emergency calling.
        emergency = app.screen.query_one("#pick-emergency-address", Select)
        prompts = [str(option.prompt) for option in emergency.query_one(OptionList).options]
        addresses = [prompt for prompt in prompts if " · AD" in prompt]  # address_label() ends with the SID
        assert len(addresses) == 1 and addresses[0].endswith(ADDRESS_US)
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert step_of(app) == "review"


async def test_picked_address_reaches_the_purchase(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await reach_review(pilot, "+447437283605")  # GB, needs an address (any) and a bundle
        await go(pilot, "compliance")
        app.screen.query_one("#pick-address", Select).value = ADDRESS_GB
        app.screen.query_one("#pick-bundle", Select).value = BUNDLE_GB_MOBILE_APPROVED
        await settle(pilot)
        assert field(app, "address_sid").value == ADDRESS_GB
        await pilot.press("ctrl+n")
        await settle(pilot)
        await buy(pilot)
        assert app.screen.id == "summary"
        assert app.screen.outcome.resource.address_sid == ADDRESS_GB
        assert app.screen.outcome.resource.bundle_sid == BUNDLE_GB_MOBILE_APPROVED


async def test_compliance_pause_comes_back_for_another_number(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "number")
        await type_number(pilot, "+61491570006")
        await go(pilot, "compliance")
        await pilot.press("ctrl+n")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert step_of(app) == "review"
        # Another AU number with the same requirements: the pause is owed again.
        await go(pilot, "number")
        await type_number(pilot, "+61491570110")
        await go(pilot, "compliance")
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert step_of(app) == "compliance"
        assert "Press Next again" in text_of(app, "#nav-status")
