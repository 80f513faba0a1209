"""Small Pilot helpers to drive the wizard in tests (Pilot and snapshot tests).

They use the keyboard where the behaviour is under test and the app's own
`goto` where a test only needs to *be* somewhere.
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Button, Input, Select, Static, TabbedContent

from tui.app import WizardApp
from tui.screens.base import StepScreen
from tui.widgets.form_field import FormField


async def settle(pilot: Pilot[Any], *workers: Any) -> None:
    """Let screen switches happen and the (given, or all) workers finish."""
    app = pilot.app
    await pilot.pause()
    await app.workers.wait_for_complete(list(workers) or None)
    await pilot.pause()


async def scrolled_still(pilot: Pilot[Any]) -> None:
    """Wait until no scrollable region of the screen moves any more. A step brings
    a panel into view after the next refresh (`call_after_refresh`), which on a
    loaded machine can come after the workers have finished: a shot taken before
    it shows the screen not yet scrolled."""

    def offsets() -> list[tuple[float, float]]:
        screen = pilot.app.screen
        return [(w.scroll_x, w.scroll_y) for w in [screen, *screen.query("*")] if w.is_scrollable]

    previous = offsets()
    for _ in range(3):  # the first pauses let pending after-refresh callbacks run
        await pilot.pause(0.05)
    for _ in range(40):
        await pilot.pause(0.05)
        current = offsets()
        if current == previous:
            return
        previous = current


async def checked(pilot: Pilot[Any]) -> None:
    """Let the Review's ownership check (before the confirmation dialog) finish."""
    app = pilot.app
    await pilot.pause()
    await app.workers.wait_for_complete([w for w in app.workers if w.group == "owned-check"])
    await pilot.pause()


async def go(pilot: Pilot[Any], step_id: str) -> None:
    """Jump to a step (as the palette does) and let it load."""
    app = pilot.app
    assert isinstance(app, WizardApp)
    app.goto(step_id)
    await settle(pilot)


async def click_again(pilot: Pilot[Any], selector: str) -> None:
    """Click a button a second time, as a person would: once it stops showing the
    first press. Textual's Button ignores clicks while it shows one (its
    `active_effect_duration`, 0.2 s), so a second click that comes sooner is lost
    or not depending on how fast the machine got there."""
    button = pilot.app.screen.query_one(selector, Button)
    for _ in range(100):
        if not button.has_class("-active"):
            break
        await pilot.pause(button.active_effect_duration / 4)
    await pilot.click(selector)


def step_of(app: App[Any]) -> str | None:
    """The id of the step on screen (None for a dialog or the summary)."""
    screen = app.screen
    return screen.STEP_ID if isinstance(screen, StepScreen) else None


def field(app: App[Any], name: str) -> FormField:
    return app.screen.query_one(f"#field-{name}", FormField)


def control(app: App[Any], name: str) -> Any:
    return app.screen.query_one(f"#control-{name}")


def text_of(app: App[Any], selector: str) -> str:
    return str(app.screen.query_one(selector, Static).content)


async def type_into(
    pilot: Pilot[Any], name: str, text: str, *, leave: bool = True, keys: bool = False
) -> None:
    """Focus a text field and replace its value, then (by default) leave it with Tab.

    With `keys=True` every character is a key press; otherwise all but the last
    character arrive at once (like a paste) and the last one is typed, which is
    much faster and still goes through the Input's own editing.
    """
    app = pilot.app
    widget = control(app, name)
    assert isinstance(widget, Input)
    widget.focus()
    await pilot.pause()
    if keys:
        widget.value = ""
        if text:
            await pilot.press(*text)
    else:
        widget.value = text[:-1]
        widget.cursor_position = len(widget.value)
        if text:
            await pilot.press(text[-1])
    if leave:
        await pilot.press("tab")
    await pilot.pause()


async def choose(pilot: Pilot[Any], select_id: str, value: Any) -> None:
    """Set a Select (by id, e.g. "control-voice_method" or "pick-address") to a value."""
    select = pilot.app.screen.query_one(f"#{select_id}", Select)
    select.value = value
    await pilot.pause()


async def open_type_tab(pilot: Pilot[Any]) -> None:
    """On the Number step: show the "Type a number" tab."""
    pilot.app.screen.query_one("#number-tabs", TabbedContent).active = "tab-type"
    await pilot.pause()


async def type_number(pilot: Pilot[Any], number: str) -> None:
    """On the Number step: open the "Type a number" tab and type the number."""
    await open_type_tab(pilot)
    await type_into(pilot, "phone_number", number)


async def set_mode(pilot: Pilot[Any], mode: str) -> None:
    """On the Voice or Messaging step: choose a way of handling (webhook, application, trunk, none)."""
    from textual.widgets import RadioButton

    pilot.app.screen.query_one(f"#mode-{mode}", RadioButton).value = True
    await pilot.pause()


def fill_draft(
    app: WizardApp,
    *,
    number: str | None = None,
    voice_url: str | None = None,
    sms_url: str | None = None,
    address_sid: str | None = None,
    bundle_sid: str | None = None,
) -> None:
    """Put values into the wizard's draft as the steps put them there, without
    visiting each step: voice and messaging by webhook when a URL is given (else
    not now), the compliance SIDs given, the number unless None (kept as it is)."""
    from tui.wizard.draft import SmsMode, VoiceMode

    draft = app.draft
    if number is not None:
        draft.set("phone_number", number)
    draft.voice_mode = VoiceMode.WEBHOOK if voice_url else VoiceMode.NONE
    draft.set("voice_url", voice_url)
    draft.sms_mode = SmsMode.WEBHOOK if sms_url else SmsMode.NONE
    draft.set("sms_url", sms_url)
    draft.set("address_sid", address_sid)
    draft.set("bundle_sid", bundle_sid)
    app.draft_changed()


async def reach_review(
    pilot: Pilot[Any],
    number: str,
    *,
    address_sid: str | None = None,
    bundle_sid: str | None = None,
    voice_url: str | None = None,
) -> None:
    """Open the Review step with the wizard filled in for `number`: voice by
    `voice_url` (or not now), no messaging, the compliance SIDs given.

    The values go into the wizard's draft (fill_draft): the tests that use this
    are about buying, not typing. Typing on every step is covered by the
    navigation, steps and validation tests, the snapshot scenes and the
    real-terminal smoke test."""
    app = pilot.app
    assert isinstance(app, WizardApp)
    fill_draft(app, number=number, voice_url=voice_url, address_sid=address_sid, bundle_sid=bundle_sid)
    await go(pilot, "review")
    assert step_of(app) == "review"


async def buy(pilot: Pilot[Any], *, wait: bool = True) -> None:
    """On the Review step: ctrl+y, let the ownership check run, confirm in the
    dialog, and (by default) wait for the outcome."""
    await pilot.press("ctrl+y")
    await checked(pilot)
    await pilot.click("#yes")
    await pilot.pause()
    if wait:
        await settle(pilot)


def only_receipt(app: WizardApp) -> dict[str, Any]:
    """The record of the one receipt the app wrote (fails if there are several)."""
    [receipt] = app.receipts.load_all()
    return receipt.record
