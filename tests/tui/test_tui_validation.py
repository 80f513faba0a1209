"""Live validation: errors under the field as the person types (at once when no
more typing could mend the value, else when typing pauses) and on leaving it,
cleared as soon as the value is valid, Next refused with focus on the first invalid field; help lines
and messages come from the field catalogue (the domain's rules)."""

from __future__ import annotations

import pytest
from textual.widgets import Input, RadioButton

from tests.support.pilot import (
    control,
    field,
    go,
    open_type_tab,
    set_mode,
    settle,
    step_of,
    text_of,
    type_into,
)
from tui.domain.fields import FIELDS_BY_NAME
from tui.domain.rules import RuleError
from tui.domain.search import SEARCH_FIELDS_BY_NAME
from tui.screens import STEP_SCREENS
from tui.widgets.form_field import TYPING_PAUSE, FormField


def rule_message(name: str, raw: str) -> str:
    """What the domain's rule says about `raw` (the one source of every message)."""
    spec = FIELDS_BY_NAME.get(name) or SEARCH_FIELDS_BY_NAME[name]
    with pytest.raises(RuleError) as caught:
        spec.check(raw)
    return str(caught.value)


# (step, mode to choose first, field, bad value, good value)
TEXT_FIELDS = [
    ("number", None, "phone_number", "447400123456", "+447929436483"),
    ("voice", "webhook", "voice_url", "ftp://example.com/voice", "https://example.com/voice"),
    ("voice", "webhook", "voice_fallback_url", "https://exa mple.com", "https://example.com/fb"),
    ("voice", "application", "voice_application_sid", "AP123", "AP" + "a" * 32),
    ("voice", "trunk", "trunk_sid", "TR" + "0" * 32, "TK" + "0" * 32),
    ("messaging", "webhook", "sms_url", "example.com/sms", "https://example.com/sms"),
    ("messaging", "webhook", "sms_fallback_url", "http://", "https://example.com/sms-fb"),
    ("messaging", "application", "sms_application_sid", "ap" + "0" * 32, "AP" + "0" * 32),
    ("details", None, "friendly_name", "x" * 65, "Support line"),
    ("details", None, "status_callback", "https://", "https://example.com/status"),
    ("compliance", None, "address_sid", "AD12", "AD" + "1" * 32),
    ("compliance", None, "identity_sid", "RI" + "z" * 32, "RI" + "2" * 32),
    ("compliance", None, "bundle_sid", "BN" + "3" * 32, "BU" + "3" * 32),
    ("compliance", None, "emergency_address_sid", "AD-not-a-sid", "AD" + "4" * 32),
]


@pytest.mark.parametrize(
    ("step", "mode", "name", "bad", "good"), TEXT_FIELDS, ids=[row[2] for row in TEXT_FIELDS]
)
async def test_bad_input_shows_its_message_and_blocks_next(make_app, step, mode, name, bad, good):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, step)
        if step == "number":
            await open_type_tab(pilot)
        if mode:
            await set_mode(pilot, mode)
        main_url = {"voice_fallback_url": "voice_url", "sms_fallback_url": "sms_url"}.get(name)
        if main_url:  # a fallback alone is a different error (see below)
            await type_into(pilot, main_url, "https://example.com/main")
        expected = rule_message(name, bad)

        # While typing: a value no more typing could mend is told at once; one
        # that could still become valid is told once typing pauses.
        await type_into(pilot, name, bad, leave=False)
        spec = FIELDS_BY_NAME[name]
        if spec.could_become_valid(bad):
            assert field(app, name).error == ""
            await pilot.pause(TYPING_PAUSE + 0.3)
        assert field(app, name).error == expected
        await pilot.press("tab")
        await pilot.pause()
        assert field(app, name).error == expected
        assert field(app, name).has_class("-has-error")
        assert control(app, name).has_class("-invalid")

        # Next refuses and puts the cursor back in the field.
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert step == step_of(app)
        assert app.focused is control(app, name)
        assert text_of(app, "#nav-status") == "1 field needs attention"

        # Fixing it clears the error at once, before leaving the field.
        await type_into(pilot, name, good, leave=False)
        assert field(app, name).error == ""
        assert not control(app, name).has_class("-invalid")


async def test_next_focuses_the_first_of_several_invalid_fields(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "details")
        await type_into(pilot, "status_callback", "nope")
        await type_into(pilot, "friendly_name", "y" * 80)
        control(app, "status_callback").focus()
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert step_of(app) == "details"
        assert app.focused is control(app, "friendly_name")  # first on the screen
        assert text_of(app, "#nav-status") == "2 fields need attention"
        assert field(app, "status_callback").error == rule_message("status_callback", "nope")


async def test_chosen_webhook_without_its_url_blocks_next(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "voice")
        await set_mode(pilot, "webhook")
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert step_of(app) == "voice"
        assert field(app, "voice_url").error == (
            "Enter the Voice URL, or choose another way of handling this."
        )
        assert app.focused is control(app, "voice_url")


@pytest.mark.parametrize("step", ["voice", "messaging"])
async def test_fallback_without_main_url_focuses_the_main_url(make_app, step):
    main, fallback = (
        ("voice_url", "voice_fallback_url") if step == "voice" else ("sms_url", "sms_fallback_url")
    )
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, step)
        await set_mode(pilot, "webhook")
        await type_into(pilot, fallback, "https://example.com/fb")
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert step == step_of(app)
        assert field(app, main).error  # the mode's key field is missing
        # The URL above the fallback gets the cursor, whatever order the checks ran in.
        assert app.focused is control(app, main)
        if step == "messaging":  # plus the cross-field rule (Twilio's 21406)
            assert "21406" in field(app, fallback).error
            assert text_of(app, "#nav-status") == "2 fields need attention"


async def test_empty_number_blocks_next_on_the_type_tab(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "number")
        await open_type_tab(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert step_of(app) == "number"
        assert field(app, "phone_number").error == "Phone number is required."


async def test_search_tab_without_a_pick_blocks_next(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "number")
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert step_of(app) == "number"
        assert "Pick a number" in text_of(app, "#nav-status")


async def test_bad_contains_filter_is_explained_and_blocks_the_search(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "number")
        await type_into(pilot, "contains", "**")
        assert field(app, "contains").error == rule_message("contains", "**")
        await pilot.click("#search")
        await settle(pilot)
        assert field(app, "contains").error == rule_message("contains", "**")
        assert app.focused is control(app, "contains")
        assert app.context.results == []


async def test_every_field_has_its_catalogue_help_line(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        seen: set[str] = set()
        for step_id in STEP_SCREENS:
            await go(pilot, step_id)
            # A way of handling calls or messages builds its fields when chosen.
            for mode in app.screen.query(RadioButton).results() if step_id in ("voice", "messaging") else []:
                mode.value = True
                await pilot.pause()
            for form_field in app.screen.query(FormField):
                help_text = str(form_field.query_one(".field-help").content)
                assert help_text == form_field.spec.help
                assert help_text and "\n" not in help_text
                seen.add(form_field.field_name)
        assert set(FIELDS_BY_NAME) <= seen  # every purchase field is on some step


async def test_field_rules_are_the_domain_rules(make_app):
    """The field's error is the catalogue's rule, message for message, and the rule
    runs once: Textual's own validation of the Input is off."""
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "voice")
        await set_mode(pilot, "webhook")
        widget = control(app, "voice_url")
        assert isinstance(widget, Input)
        assert not widget.validators and not widget.validate_on
        await type_into(pilot, "voice_url", "ftp://x")
        assert field(app, "voice_url").error == rule_message("voice_url", "ftp://x")
        assert widget.has_class("-invalid")


async def test_next_focuses_the_topmost_invalid_field_whatever_the_rule(make_app):
    """A rule error below (the fallback) and a missing key field above (the URL):
    the cursor goes to the one above."""
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "voice")
        await set_mode(pilot, "webhook")
        await type_into(pilot, "voice_fallback_url", "ftp://example.com/fb")
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert step_of(app) == "voice"
        assert field(app, "voice_url").error and field(app, "voice_fallback_url").error
        assert app.focused is control(app, "voice_url")
        assert text_of(app, "#nav-status") == "2 fields need attention"
