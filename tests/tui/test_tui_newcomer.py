"""What a first-time user tripped over, one test each: no stale state after Buy
another, errors that belong to the field they were about, hints that wrap, control
characters refused at the field, focus that is obvious and where it should be,
examples that look like examples, the confirmation repeating the Review's
warnings, the Keys panel, Ctrl+C, the Review's order and commands, field help."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Button, Input, Select, Static

from tests.support.pilot import (
    buy,
    checked,
    choose,
    control,
    field,
    go,
    reach_review,
    settle,
    step_of,
    text_of,
    type_into,
    type_number,
)
from tui.domain.fields import FIELDS_BY_NAME
from tui.sandbox.seed import BUNDLE_GB_MOBILE_APPROVED, BUNDLE_GB_MOBILE_REJECTED
from tui.widgets.tickbox import TickBox

GB_NUMBER = "+447929436483"  # needs the approved GB bundle
NL_NUMBER = "+31616953194"  # needs nothing


# 1 ----------------------------------------------------------------------------


async def test_after_buy_another_the_search_uses_the_country_shown(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "number")
        await choose(pilot, "country", "NL")
        await settle(pilot)
        await reach_review(pilot, NL_NUMBER)
        await buy(pilot)
        assert app.screen.id == "summary"
        await pilot.press("ctrl+a")
        await settle(pilot)
        assert app.screen.query_one("#country", Select).value == "NL"
        await pilot.click("#search")
        await settle(pilot)
        status = text_of(app, "#search-status")
        assert "Country is required" not in status and "numbers" in status


# 2 ----------------------------------------------------------------------------


async def test_an_error_of_the_last_purchase_is_not_shown_on_the_next(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await reach_review(pilot, GB_NUMBER)  # no bundle: 21649 on Compliance
        await buy(pilot)
        assert app.screen.STEP_ID == "compliance"
        assert "21649" in str(app.screen.query_one("#step-error", Static).content)
        # Picking a bundle replaces what the error was about: it goes away.
        await choose(pilot, "pick-bundle", BUNDLE_GB_MOBILE_APPROVED)
        await settle(pilot)
        assert not app.screen.query_one("#step-error").display
        await go(pilot, "review")
        await buy(pilot)
        assert app.screen.id == "summary"
        # A failed purchase's error, then Buy another: nothing of it on the next one.
        await pilot.press("ctrl+a")
        await settle(pilot)
        await go(pilot, "compliance")
        assert not app.screen.query_one("#step-error").display


# 5 ----------------------------------------------------------------------------


async def test_the_compliance_pause_is_said_whole_at_80_columns(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await go(pilot, "number")
        await type_number(pilot, GB_NUMBER)
        await go(pilot, "compliance")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        status = app.screen.query_one("#nav-status", Static)
        text = str(status.content)
        assert text.endswith("Press Next again to review anyway.")
        assert status.size.height >= 2  # wrapped, not cut off with "…"


# 7 ----------------------------------------------------------------------------


async def test_a_pasted_escape_sequence_is_refused_at_the_field(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "details")
        name = control(app, "friendly_name")
        assert isinstance(name, Input)
        name.focus()
        await pilot.pause()
        name.insert_text_at_cursor("Support\x1b[2J line")  # what a paste delivers
        await pilot.pause()
        assert "an escape character (ESC)" in field(app, "friendly_name").error
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.screen.STEP_ID == "details"


# 8 ----------------------------------------------------------------------------


async def test_every_step_starts_on_its_first_field_never_on_back(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "details")
        await pilot.click("#back")  # the focus was left on Back…
        await settle(pilot)
        await go(pilot, "details")  # …and coming back starts on the first field
        assert app.focused is control(app, "friendly_name")
        await go(pilot, "voice")
        assert app.focused is app.screen.query_one("#mode")


async def test_ticks_are_drawn_not_only_coloured(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "number")
        sms = app.screen.query_one("#filter-sms", TickBox)
        assert sms.BUTTON_INNER == TickBox.UNTICKED
        sms.value = True
        await pilot.pause()
        assert sms.BUTTON_INNER == TickBox.TICKED


# 9 ----------------------------------------------------------------------------


async def test_placeholders_are_marked_as_examples(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "voice")
        voice_url = control(app, "voice_url")
        assert isinstance(voice_url, Input)
        assert voice_url.placeholder == "e.g. https://example.com/voice"
        assert voice_url.value == ""


# 10, 11 -----------------------------------------------------------------------


async def test_the_confirmation_repeats_the_reviews_warnings(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await reach_review(pilot, GB_NUMBER, bundle_sid=BUNDLE_GB_MOBILE_REJECTED)
        await go(pilot, "compliance")  # loads what the number needs
        await go(pilot, "review")
        warnings = text_of(app, "#review-warnings")
        assert "twilio-rejected" in warnings
        await pilot.press("ctrl+y")
        await checked(pilot)
        body = str(app.screen.query_one(".modal-body", Static).content)
        assert "⚠" in body and "twilio-rejected" in body


# 12 ---------------------------------------------------------------------------


async def test_escape_closes_the_keys_panel(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await go(pilot, "details")
        app.action_show_help_panel()
        await pilot.pause()
        assert app.screen.query("HelpPanel")
        await pilot.press("escape")
        await pilot.pause()
        assert not app.screen.query("HelpPanel")
        assert app.screen.STEP_ID == "details"


# 13 ---------------------------------------------------------------------------


@pytest.mark.parametrize("step", ["account", "number", "voice", "details", "review"])
async def test_ctrl_c_opens_the_quit_dialog(make_app, step):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "number")
        await type_number(pilot, NL_NUMBER)  # something to lose: the dialog asks
        await go(pilot, step)
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert str(app.screen.query_one(".modal-title", Static).content) == "Quit number-wizard?"
        await pilot.press("ctrl+c")  # again: leave
        await pilot.pause()
        assert app._exit


async def test_on_the_summary_c_copies_the_sid_and_ctrl_c_asks_to_quit(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await reach_review(pilot, NL_NUMBER)
        await buy(pilot)
        assert app.screen.id == "summary"
        await pilot.press("c")
        await pilot.pause()
        assert "copied to the clipboard" in text_of(app, "#summary-sid")
        assert "Receipt:" in text_of(app, "#summary-receipt")  # not covered by a toast
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app._exit  # bought, nothing typed since: nothing to lose


# 14 ---------------------------------------------------------------------------


async def test_the_review_lists_fields_in_step_order_and_saves_the_commands(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await reach_review(
            pilot, GB_NUMBER, bundle_sid=BUNDLE_GB_MOBILE_APPROVED, voice_url="https://x.example/v"
        )
        await go(pilot, "details")
        await type_into(pilot, "friendly_name", "Front desk")
        await go(pilot, "review")
        table = app.screen.query_one("#review-values", Static).content
        steps = [str(cell) for cell in table.columns[0].cells]
        order = ["Number", "Voice", "Messaging", "Details", "Compliance"]
        assert steps == sorted(steps, key=order.index)
        app.screen.query_one("#save-commands", Button).press()
        await settle(pilot)
        status = text_of(app, "#commands-status")
        assert status.startswith("✓ Saved to ")
        text = Path(status.removeprefix("✓ Saved to ")).read_text("utf-8")
        assert "number-wizard buy" in text and "curl -X POST" in text and "twilio api:core" in text
        assert "TWILIO_AUTH_TOKEN" in text and app.connection.credentials.secret.reveal() not in text
        app.screen.query_one("#copy-curl", Button).press()
        await pilot.pause()
        assert text_of(app, "#commands-status") == "✓ Copied: With curl"


# Field help and the palette ------------------------------------------------------


async def test_f1_opens_the_focused_fields_help_from_the_catalogue(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "voice")
        control(app, "voice_fallback_url").focus()
        await pilot.press("f1")
        await pilot.pause()
        shown = str(app.screen.query_one("#field-help", Static).content)
        spec = FIELDS_BY_NAME["voice_fallback_url"]
        assert spec.about in shown and spec.docs in shown and "--voice-fallback-url" in shown
        control(app, "voice_url").focus()  # the panel follows the focus
        await pilot.pause()
        assert FIELDS_BY_NAME["voice_url"].about in str(app.screen.query_one("#field-help", Static).content)
        # "?" in a text field is text, not help.
        await pilot.press("question_mark")
        assert control(app, "voice_url").value == "?"
        await pilot.press("escape")
        await pilot.pause()
        assert not app.screen.query_one("#field-help").display


async def test_the_palette_finds_a_field_by_what_it_is_about(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "account")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"fax")
        await pilot.pause(0.8)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.pause(0.2)
        assert app.screen.STEP_ID == "voice"
        assert app.focused is control(app, "voice_receive_mode")
        help_text = str(app.screen.query_one("#field-help", Static).content)
        assert "Receive mode" in help_text and "faxes" in help_text


async def test_the_stop_waiting_button_is_not_shown_without_a_purchase(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await reach_review(pilot, NL_NUMBER)
        assert not app.screen.query_one("#stop-waiting", Button).display


# Next right after typing ---------------------------------------------------------


async def test_next_at_once_after_typing_takes_the_value_on_the_screen(make_app):
    """Next pressed before the typed value's messages reach the draft (a paste and
    ctrl+n at once, a loaded machine) judged the older value: the URL was on the
    screen and the step said "Enter the SMS URL" (the smoke test's flake)."""
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "messaging")
        sms_url = control(app, "sms_url")
        assert isinstance(sms_url, Input)
        sms_url.value = "https://example.org/messages"  # its Changed message is only queued
        app.screen.action_next()  # handled before that message, as a key can be
        await settle(pilot)
        assert step_of(app) == "details"
        assert app.draft.get("sms_url") == "https://example.org/messages"
