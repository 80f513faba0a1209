"""The Voice and Messaging steps' pickers of the account's TwiML applications, SIP
trunks and Messaging Services (on the in-process sandbox): listed with their names
and where calls or messages go, filtered, picked into the SID field, a typed SID
checked against the list; an account with none, and a list Twilio cannot give."""

from __future__ import annotations

import re

import pytest
from textual.widgets import Button

from tests.support.app_factory import fixed_clock, sandbox_of
from tests.support.pilot import go, set_mode, settle, type_into
from tui.domain.credentials import Credentials, Secret
from tui.sandbox import Sandbox, SandboxTransport
from tui.sandbox.accounts import TRIAL_ACCOUNT_SID, TRIAL_AUTH_TOKEN
from tui.sandbox.seed import (
    APPLICATION_HOTLINE,
    APPLICATION_IVR,
    MESSAGING_SERVICE_SUPPORT,
    TRUNK_CALL_CENTRE,
    TRUNK_PBX,
)
from tui.services.session import SANDBOX_SOURCE, Connection
from tui.widgets.resource_picker import ResourcePicker
from tui.wizard.draft import SmsMode, VoiceMode


def picker(app, name: str) -> ResourcePicker:
    return app.screen.query_one(f"#picker-{name}", ResourcePicker)


def listed(picker: ResourcePicker) -> list[str]:
    options = picker.options
    return [str(options.get_option_at_index(i).id) for i in range(options.option_count)]


def prompts(picker: ResourcePicker) -> list[str]:
    options = picker.options
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def open_picker(pilot, step: str, mode: str, name: str) -> ResourcePicker:
    await go(pilot, step)
    await set_mode(pilot, mode)
    await settle(pilot)
    return picker(pilot.app, name)


def trial_connection() -> Connection:
    """The sandbox's trial account: no applications, trunks or services."""
    return Connection(
        credentials=Credentials(TRIAL_ACCOUNT_SID, Secret(TRIAL_AUTH_TOKEN), source=SANDBOX_SOURCE),
        transport=SandboxTransport(Sandbox(clock=fixed_clock)),
        sandbox=True,
    )


async def test_voice_application_picker_lists_filters_and_picks(make_app):
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        found = await open_picker(pilot, "voice", "application", "voice_application_sid")
        assert found.state == "ready"
        assert len(listed(found)) == 3 and APPLICATION_IVR in listed(found)
        shown = "\n".join(prompts(found))
        # Names and where calls go, not bare SIDs; a GET voice URL says its method.
        assert "Sandbox IVR" in shown and "calls → https://example.com/ivr/voice" in shown
        assert "calls → https://example.com/hotline (GET)" in shown
        assert "no voice URL: calls are not answered" in shown  # the SMS-only application
        assert found.status.startswith("Your TwiML applications (3)")
        # Typing filters by name, URL or SID; Enter on the filter picks the only match.
        found.filter.focus()
        await pilot.press(*"hotline")
        await pilot.pause()
        assert listed(found) == [APPLICATION_HOTLINE]
        assert "1 of your 3 TwiML applications match" in found.status
        await pilot.press("enter")
        await pilot.pause()
        assert app.draft.get("voice_application_sid") == APPLICATION_HOTLINE
        assert found.sid == APPLICATION_HOTLINE
        assert found.note.startswith("✓ Support hotline")
        # A filter nothing matches says so.
        found.filter.value = "nothing like it"
        await pilot.pause()
        assert listed(found) == [] and "None of your 3 TwiML applications match" in found.status


async def test_a_typed_sid_is_checked_against_the_account(make_app):
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        found = await open_picker(pilot, "voice", "application", "voice_application_sid")
        unknown = "AP" + "0" * 32
        await type_into(pilot, "voice_application_sid", unknown)
        assert app.draft.get("voice_application_sid") == unknown  # a warning, not an error
        assert found.note.startswith(f"⚠ {unknown} is not one of this account's TwiML applications")
        await type_into(pilot, "voice_application_sid", APPLICATION_IVR)
        assert found.note.startswith("✓ Sandbox IVR")
        assert found.options.highlighted == listed(found).index(APPLICATION_IVR)


async def test_trunk_picker_lists_the_trunks_with_their_domains(make_app):
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        found = await open_picker(pilot, "voice", "trunk", "trunk_sid")
        assert set(listed(found)) == {TRUNK_PBX, TRUNK_CALL_CENTRE}
        assert "sandbox-pbx.pstn.twilio.com" in "\n".join(prompts(found))
        found.options.focus()
        found.options.highlighted = listed(found).index(TRUNK_CALL_CENTRE)
        await pilot.press("enter")
        await pilot.pause()
        assert app.draft.voice_mode is VoiceMode.TRUNK
        assert app.draft.get("trunk_sid") == TRUNK_CALL_CENTRE
        assert found.note.startswith("✓ Call centre")


async def test_messaging_pickers_list_applications_and_services(make_app):
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        apps = await open_picker(pilot, "messaging", "application", "sms_application_sid")
        shown = "\n".join(prompts(apps))
        assert "messages → https://example.com/ivr/sms" in shown
        assert "no SMS URL: messages get no answer" in shown  # the voice-only hotline
        await set_mode(pilot, "service")
        await settle(pilot)
        services = picker(app, "messaging_service_sid")
        shown = "\n".join(prompts(services))
        assert len(listed(services)) == 3
        assert "messages → https://example.com/messages/inbound" in shown
        # A service that defers to the number's own SMS URL says so.
        assert "the number's own SMS URL (the service defers to it)" in shown
        assert "no inbound URL" in shown
        services.pick(MESSAGING_SERVICE_SUPPORT)
        await pilot.pause()
        assert app.draft.sms_mode is SmsMode.SERVICE
        assert app.draft.get("messaging_service_sid") == MESSAGING_SERVICE_SUPPORT
        # Sent after the purchase, never in it.
        request, problems = app.draft.build()
        assert problems == [] or all(p.field != "messaging_service_sid" for p in problems)
        assert request is None or "MessagingServiceSid" not in request.to_form()


async def test_an_account_without_any_says_what_to_do(make_app):
    app = make_app(connection=trial_connection())
    async with app.run_test(size=(100, 40)) as pilot:
        for step, mode, name, hint in (
            ("voice", "application", "voice_application_sid", "Voice › Manage › TwiML apps"),
            ("voice", "trunk", "trunk_sid", "Elastic SIP Trunking › Manage › Trunks"),
            ("messaging", "service", "messaging_service_sid", "Messaging › Services"),
        ):
            found = await open_picker(pilot, step, mode, name)
            assert found.state == "empty", name
            assert hint in found.status and "or choose a webhook instead" in found.status
            assert not found.options.display
            # Typing a SID stays possible; it is flagged as not the account's.
            await type_into(pilot, name, f"{found.spec.sid_prefix}{'1' * 32}")
            assert "is not one of this account's" in found.note


@pytest.mark.parametrize(
    ("step", "mode", "name", "path", "noun", "count"),
    [
        ("voice", "application", "voice_application_sid", "/Applications.json", "TwiML applications", 3),
        ("voice", "trunk", "trunk_sid", "/v1/Trunks", "SIP trunks", 2),
        ("messaging", "service", "messaging_service_sid", "/v1/Services", "Messaging Services", 3),
    ],
)
async def test_a_list_twilio_cannot_give_is_explained_and_reloaded(
    make_app, step, mode, name, path, noun, count
):
    app = make_app()
    sandbox = sandbox_of(app)
    sandbox.faults.add("GET", re.escape(path) + "$", status=500)
    async with app.run_test(size=(100, 40)) as pilot:
        found = await open_picker(pilot, step, mode, name)
        assert found.state == "error"
        assert found.status.startswith(f"Could not load your {noun}:")
        assert "500" in found.status
        # The field still takes a typed SID, checked by its rule only.
        await type_into(pilot, name, f"{found.spec.sid_prefix}{'2' * 32}")
        assert app.draft.get(name) == f"{found.spec.sid_prefix}{'2' * 32}" and found.note == ""
        # Reload asks again (the fault is spent).
        found.query_one(".picker-reload", Button).press()
        await settle(pilot)
        assert found.state == "ready" and len(listed(found)) == count
        gets = [r for r in sandbox.requests if r["method"] == "GET" and r["path"].endswith(path)]
        assert len(gets) == 2
