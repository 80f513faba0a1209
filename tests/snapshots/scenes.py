"""Scenes: the wizard driven to one screen or state, for snapshot tests and for
`scripts/screenshots.py` (one definition, so the committed screenshots and the
snapshots show the same thing).

A scene is an app factory plus a `run_before(pilot)` coroutine:

    app = scene.build(directory)          # deterministic WizardApp (tests.support)
    await scene.drive(pilot)              # drive it to the state to shoot

Everything the app writes goes under `directory`, except the receipts: they go
to the *relative* folder `receipts/` so that the Summary shows the same short
path on every machine. Callers run the app with the working directory set to a
temporary folder (`monkeypatch.chdir(tmp_path)` in tests).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from textual.pilot import Pilot

from tests.support.app_factory import (
    draft_store_in,
    fixed_clock,
    make_app,
    sandbox_of,
)
from tests.support.pilot import (
    choose,
    fill_draft,
    go,
    scrolled_still,
    set_mode,
    settle,
    type_into,
    type_number,
)
from tui.app import WizardApp
from tui.domain.credentials import Credentials, Secret
from tui.sandbox import MAIN_ACCOUNT_SID, Sandbox, SandboxTransport
from tui.sandbox.accounts import TRIAL_ACCOUNT_SID, TRIAL_AUTH_TOKEN
from tui.sandbox.seed import (
    BUNDLE_GB_MOBILE_APPROVED,
    MESSAGING_SERVICE_NOTIFICATIONS,
    bundle_sid,
)
from tui.services.receipts import ReceiptBook
from tui.services.session import SANDBOX_SOURCE, Connection
from tui.services.twilio import RetryPolicy

RECEIPTS = Path("receipts")  # relative: see the module doc
MAGIC_NUMBER = "+46701740612"  # seeded in SE: needs no address and no bundle
TAKEN_NUMBER = "+15005550000"  # the sandbox answers 21422
GB_SERVICE_NUMBER = "+447929436483"  # GB: a bundle, no address
VOICE_URL = "https://example.com/voice"
SMS_URL = "https://example.com/sms"

RunBefore = Callable[[Pilot[Any]], Awaitable[None]]


# -- building apps ---------------------------------------------------------------


def build_app(directory: Path, *, theme: str = "textual-dark", **overrides: Any) -> WizardApp:
    app = make_app(directory, theme=theme, **overrides)
    app.receipts = ReceiptBook(RECEIPTS, clock=fixed_clock)
    return app


def wrong_token_connection() -> Connection:
    """The sandbox's main account with an Auth Token it does not know (20003)."""
    return Connection(
        credentials=Credentials(MAIN_ACCOUNT_SID, Secret("0" * 32), source="environment (TWILIO_*)"),
        transport=SandboxTransport(Sandbox(clock=fixed_clock)),
        sandbox=True,
    )


def trial_connection() -> Connection:
    """The sandbox's trial account: no applications, trunks or Messaging Services."""
    return Connection(
        credentials=Credentials(TRIAL_ACCOUNT_SID, Secret(TRIAL_AUTH_TOKEN), source=SANDBOX_SOURCE),
        transport=SandboxTransport(Sandbox(clock=fixed_clock)),
        sandbox=True,
    )


def seed_draft(directory: Path) -> None:
    """A draft left by an earlier session, for the resume dialog."""
    draft_store_in(directory).save(
        {
            "version": 1,
            "values": {"phone_number": MAGIC_NUMBER, "voice_url": VOICE_URL},
            "voice_mode": "webhook",
            "sms_mode": "webhook",
            "search": {},
        }
    )


# -- driving ---------------------------------------------------------------------


async def wait_ready(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await pilot.pause()


async def search(pilot: Pilot[Any], contains: str | None = None) -> None:
    await go(pilot, "number")
    if contains is not None:
        await type_into(pilot, "contains", contains)
    await pilot.click("#search")
    await settle(pilot)


async def fill_to_review(pilot: Pilot[Any], number: str = MAGIC_NUMBER) -> None:
    """Number typed, a voice URL and an SMS URL: ready to buy. Put in the draft
    (fill_draft), not typed: typing on each step is its own scene (number_typed,
    voice, messaging), and a scene shot on the Review and after it needs only the
    Review."""
    app = wizard_of(pilot)
    fill_draft(app, number=number, voice_url=VOICE_URL, sms_url=SMS_URL)
    for step_id in ("number", "voice", "messaging"):  # left with Next, as a person would
        app.mark_done(step_id)
    await go(pilot, "review")


async def buy(pilot: Pilot[Any]) -> None:
    await pilot.press("ctrl+y")
    await settle(pilot)
    await pilot.click("#yes")
    await settle(pilot)
    await settle(pilot)


async def scroll_home(pilot: Pilot[Any]) -> None:
    pilot.app.screen.query_one("#step-body").scroll_home(animate=False)
    await pilot.pause()


# -- the scenes --------------------------------------------------------------------


@dataclass(frozen=True)
class Scene:
    name: str
    run_before: RunBefore
    options: dict[str, Any] = field(default_factory=dict)
    prepare: Callable[[Path], None] | None = None

    async def drive(self, pilot: Pilot[Any]) -> None:
        """Run the scene, then wait for the screen to stop scrolling (a panel is
        brought into view after a refresh, which may come after its workers)."""
        await self.run_before(pilot)
        await scrolled_still(pilot)

    def build(self, directory: Path, *, theme: str = "textual-dark") -> WizardApp:
        if self.prepare is not None:
            self.prepare(directory)
        options = dict(self.options)
        factory = options.pop("connection_factory", None)
        if factory is not None:
            options["connection"] = factory()
        return build_app(directory, theme=theme, **options)


async def account(pilot: Pilot[Any]) -> None:
    await wait_ready(pilot)


async def account_20003(pilot: Pilot[Any]) -> None:
    await wait_ready(pilot)


async def number_search_results(pilot: Pilot[Any]) -> None:
    await search(pilot)


async def number_search_empty(pilot: Pilot[Any]) -> None:
    await search(pilot, "999999")


async def number_typed(pilot: Pilot[Any]) -> None:
    await go(pilot, "number")
    await type_number(pilot, MAGIC_NUMBER)
    await ownership_checked(pilot, MAGIC_NUMBER)


async def ownership_checked(pilot: Pilot[Any], number: str) -> None:
    """Wait for the Number step's ownership check to answer: it starts after a pause
    in typing, so waiting for the workers of the moment is not enough, and a shot
    taken before it answers would show "Checking…" on some runs only."""
    screen = pilot.app.screen
    for _ in range(200):
        checked_number, answer = getattr(screen, "_ownership", ("", None))
        if checked_number == number and answer != "checking":
            break
        await pilot.pause(0.05)
    else:
        raise AssertionError("the ownership check never answered")
    await settle(pilot)


async def number_21422(pilot: Pilot[Any]) -> None:
    # Typed on the Number step, which the refusal sends the person back to.
    await go(pilot, "number")
    await type_number(pilot, TAKEN_NUMBER)
    await pilot.press("ctrl+n")
    await settle(pilot)
    await fill_to_review(pilot, TAKEN_NUMBER)
    await buy(pilot)
    await scroll_home(pilot)


async def voice(pilot: Pilot[Any]) -> None:
    await go(pilot, "voice")
    await type_into(pilot, "voice_url", VOICE_URL)
    await scroll_home(pilot)


async def voice_field_error(pilot: Pilot[Any]) -> None:
    await go(pilot, "voice")
    await type_into(pilot, "voice_url", "example.com/voice", leave=False)
    await pilot.press("ctrl+n")
    await settle(pilot)


async def messaging(pilot: Pilot[Any]) -> None:
    await go(pilot, "messaging")
    await type_into(pilot, "sms_url", SMS_URL)
    await scroll_home(pilot)


async def details(pilot: Pilot[Any]) -> None:
    await go(pilot, "details")
    await type_into(pilot, "friendly_name", "Support line")


async def compliance(pilot: Pilot[Any]) -> None:
    """An Australian mobile picked from the search: it needs an address and a bundle."""
    await search(pilot)
    await pilot.press("enter")  # pick the first result
    await settle(pilot)
    await go(pilot, "compliance")
    await settle(pilot)


async def compliance_pause(pilot: Pilot[Any]) -> None:
    """Next on a number Twilio will refuse: the one pause, said whole."""
    await compliance(pilot)
    await pilot.press("ctrl+n")
    await settle(pilot)


async def number_pick_hint(pilot: Pilot[Any]) -> None:
    """Next on the search tab with no number chosen: what to do, said whole."""
    await go(pilot, "number")
    await pilot.press("ctrl+n")
    await settle(pilot)


async def field_help(pilot: Pilot[Any]) -> None:
    """F1 on the voice fallback URL: the catalogue's help beside the form."""
    await go(pilot, "voice")
    pilot.app.screen.query_one("#control-voice_fallback_url").focus()
    await pilot.press("f1")
    await settle(pilot)


async def compliance_21631(pilot: Pilot[Any]) -> None:
    await search(pilot)
    await pilot.press("enter")
    await settle(pilot)
    # The URLs as the Voice and Messaging steps put them; the number stays the pick.
    fill_draft(wizard_of(pilot), voice_url=VOICE_URL, sms_url=SMS_URL)
    await go(pilot, "review")
    await buy(pilot)
    await scroll_home(pilot)


async def review(pilot: Pilot[Any]) -> None:
    await fill_to_review(pilot)
    await scroll_home(pilot)


async def confirm_purchase(pilot: Pilot[Any]) -> None:
    await fill_to_review(pilot)
    await scroll_home(pilot)
    await pilot.press("ctrl+y")
    await settle(pilot)


async def summary(pilot: Pilot[Any]) -> None:
    await fill_to_review(pilot)
    await buy(pilot)


async def summary_unknown(pilot: Pilot[Any]) -> None:
    """Twilio commits the purchase but the answer is lost (a read timeout), and the
    look-up that should settle it fails too: the outcome is honestly unknown."""
    app = pilot.app
    assert isinstance(app, WizardApp) and app.client is not None and app.connection is not None
    await app.client.aclose()
    app.client = app.connection.client(
        purchase_timeout=httpx.Timeout(10.0, read=0.05), retry=RetryPolicy(attempts=1)
    )
    sandbox = sandbox_of(app)
    await fill_to_review(pilot)
    sandbox.faults.add("POST", r"/IncomingPhoneNumbers/Mobile\.json$", delay_after_commit=5.0)
    # The lookups fail from the moment the request leaves (the ownership checks
    # before it must pass, or nothing would be sent).
    start_receipt = app.receipts.start_in_thread

    async def start_then_fail_lookups(**request: Any) -> Any:
        receipt = await start_receipt(**request)
        sandbox.faults.add("GET", r"/IncomingPhoneNumbers\.json$", status=500, code=20500, times=5)
        return receipt

    app.receipts.start_in_thread = start_then_fail_lookups  # type: ignore[method-assign]
    await buy(pilot)


# -- pickers of the account's resources, a new address, a Messaging Service ------------


def wizard_of(pilot: Pilot[Any]) -> WizardApp:
    app = pilot.app
    assert isinstance(app, WizardApp)
    return app


async def open_picker(pilot: Pilot[Any], step: str, mode: str) -> None:
    await go(pilot, step)
    await set_mode(pilot, mode)
    await settle(pilot)


async def voice_application_picker(pilot: Pilot[Any]) -> None:
    """TwiML application: the account's applications listed, the first highlighted."""
    await open_picker(pilot, "voice", "application")
    screen = pilot.app.screen
    screen.query_one("#picker-voice_application_sid .picker-filter").focus()
    await pilot.press("down")  # from the filter into the list
    await pilot.pause()


async def voice_trunk_picker(pilot: Pilot[Any]) -> None:
    await open_picker(pilot, "voice", "trunk")
    await pilot.pause()


async def messaging_service_picker(pilot: Pilot[Any]) -> None:
    """Messaging Service: the account's services, one picked."""
    await open_picker(pilot, "messaging", "service")
    from tui.widgets.resource_picker import ResourcePicker

    pilot.app.screen.query_one("#picker-messaging_service_sid", ResourcePicker).pick(
        MESSAGING_SERVICE_NOTIFICATIONS
    )
    await settle(pilot)
    await scroll_home(pilot)


async def picker_empty(pilot: Pilot[Any]) -> None:
    """The trial account has no applications: what to do instead."""
    await open_picker(pilot, "voice", "application")


async def picker_error(pilot: Pilot[Any]) -> None:
    """Twilio cannot list the applications: said, with Reload, and the SID field still there."""
    sandbox_of(wizard_of(pilot)).faults.add("GET", r"/Applications\.json$", status=500, code=20500)
    await open_picker(pilot, "voice", "application")


async def address_dialog(pilot: Pilot[Any]) -> None:
    """Add an address, on the Compliance step of an Australian mobile, half filled."""
    await compliance(pilot)
    await pilot.click("#add-address")
    await settle(pilot)
    await pilot.press(*"Sandbox Pty Ltd", "tab", "tab")
    await pilot.press(*"1 Martin Place", "tab")
    await pilot.pause()


async def address_created(pilot: Pilot[Any]) -> None:
    """Twilio's answer to a new address: validated, what it corrected."""
    await compliance(pilot)
    await pilot.click("#add-address")
    await settle(pilot)
    from tui.screens.address_dialog import AddressDialog
    from tui.widgets.form_field import FormField

    dialog = pilot.app.screen
    assert isinstance(dialog, AddressDialog)
    values = {
        "customer_name": "Sandbox Pty Ltd",
        "friendly_name": "Sydney shop",
        "street": "1 Martin Place",
        "city": "Sydney",
        "region": "NSW",
        "postal_code": "2000",
    }
    for name, value in values.items():
        dialog.query_one(f"#address-{name}", FormField).set_value(value)
    await pilot.pause()
    await pilot.click("#address-create")
    await settle(pilot)


async def fill_with_service(pilot: Pilot[Any]) -> None:
    """A British mobile whose messages go to a Messaging Service (a second request).
    The number, the voice URL and the bundle go into the draft as their steps put
    them there (typing and the bundle choice have scenes of their own); the service
    is picked from the list, which is where the wizard learns its name."""
    app = wizard_of(pilot)
    fill_draft(app, number=GB_SERVICE_NUMBER, voice_url=VOICE_URL, bundle_sid=BUNDLE_GB_MOBILE_APPROVED)
    await open_picker(pilot, "messaging", "service")
    from tui.widgets.resource_picker import ResourcePicker

    app.screen.query_one("#picker-messaging_service_sid", ResourcePicker).pick(
        MESSAGING_SERVICE_NOTIFICATIONS
    )
    await settle(pilot)
    await go(pilot, "review")
    await settle(pilot)


async def review_messaging_service(pilot: Pilot[Any]) -> None:
    """The Review with the second request: scrolled to the requests."""
    await fill_with_service(pilot)
    pilot.app.screen.query_one("#review-request").scroll_visible(animate=False, top=True)
    await pilot.pause()


async def summary_follow_up_failed(pilot: Pilot[Any]) -> None:
    """Bought, but adding it to the Messaging Service failed: both said, Retry offered."""
    await fill_with_service(pilot)
    sandbox_of(wizard_of(pilot)).faults.add(
        "POST", rf"/v1/Services/{MESSAGING_SERVICE_NOTIFICATIONS}/PhoneNumbers$", status=503
    )
    await buy(pilot)


async def quit_confirm(pilot: Pilot[Any]) -> None:
    await number_typed(pilot)
    await pilot.press("ctrl+q")
    await settle(pilot)


async def resume_draft(pilot: Pilot[Any]) -> None:
    await wait_ready(pilot)


# -- the tour: a British mobile bought start to finish (scripts/screenshots.py) ----------

GB_BUNDLE = "gb-mobile-business-approved"


async def next_step(pilot: Pilot[Any]) -> None:
    await pilot.press("ctrl+n")
    await settle(pilot)


async def tour_number(pilot: Pilot[Any]) -> None:
    """From the Account step (Next) to a search for British mobiles."""
    await wait_ready(pilot)
    await next_step(pilot)
    await choose(pilot, "country", "GB")
    await pilot.click("#search")
    await settle(pilot)


async def tour_voice(pilot: Pilot[Any]) -> None:
    await tour_number(pilot)
    await pilot.press("enter")  # pick the first number
    await settle(pilot)
    await next_step(pilot)
    await type_into(pilot, "voice_url", VOICE_URL)
    await scroll_home(pilot)


async def tour_messaging(pilot: Pilot[Any]) -> None:
    await tour_voice(pilot)
    await next_step(pilot)
    await type_into(pilot, "sms_url", SMS_URL)
    await scroll_home(pilot)


async def tour_details(pilot: Pilot[Any]) -> None:
    await tour_messaging(pilot)
    await next_step(pilot)
    await type_into(pilot, "friendly_name", "Support line")


async def tour_compliance(pilot: Pilot[Any]) -> None:
    await tour_details(pilot)
    await next_step(pilot)
    await choose(pilot, "pick-bundle", bundle_sid(GB_BUNDLE))
    await settle(pilot)
    await scroll_home(pilot)


async def tour_review(pilot: Pilot[Any]) -> None:
    await tour_compliance(pilot)
    await next_step(pilot)
    await settle(pilot)
    await scroll_home(pilot)


async def tour_confirm(pilot: Pilot[Any]) -> None:
    await tour_review(pilot)
    await pilot.press("ctrl+y")
    await settle(pilot)


async def tour_summary(pilot: Pilot[Any]) -> None:
    await tour_confirm(pilot)
    await pilot.click("#yes")
    await settle(pilot)
    await settle(pilot)


# -- changing a number the account owns ---------------------------------------------

OWNED_UK = "+447802019939"  # seeded: "Support line (UK)", an SMS URL, an approved bundle
OWNED_SE = "+46701740698"  # seeded: nothing configured


async def owned_numbers(pilot: Pilot[Any]) -> None:
    await go(pilot, "number")
    await pilot.click("#open-owned")
    await settle(pilot)


async def open_owned_number(pilot: Pilot[Any], number: str) -> None:
    from textual.widgets import Input

    await owned_numbers(pilot)
    pilot.app.screen.query_one("#owned-search", Input).value = number
    await pilot.pause()
    await pilot.press("ctrl+n")
    await settle(pilot)


async def change_messaging(pilot: Pilot[Any]) -> None:
    """The Messaging step prefilled from the number's own SMS URL."""
    await open_owned_number(pilot, OWNED_UK)
    await go(pilot, "messaging")


async def change_review(pilot: Pilot[Any]) -> None:
    """Calls now go to a voice URL; messages are no longer handled (the SMS URL cleared)."""
    from tests.support.pilot import set_mode

    await open_owned_number(pilot, OWNED_UK)
    await set_mode(pilot, "webhook")
    await type_into(pilot, "voice_url", VOICE_URL)
    await go(pilot, "messaging")
    await set_mode(pilot, "none")
    await go(pilot, "review")
    await scroll_home(pilot)


async def change_confirm(pilot: Pilot[Any]) -> None:
    await change_review(pilot)
    await pilot.press("ctrl+y")
    await settle(pilot)


async def change_summary(pilot: Pilot[Any]) -> None:
    await change_confirm(pilot)
    await pilot.click("#yes")
    await settle(pilot)
    await settle(pilot)


async def release_confirm(pilot: Pilot[Any]) -> None:
    from textual.widgets import DataTable, Input

    await owned_numbers(pilot)
    pilot.app.screen.query_one("#owned-table", DataTable).move_cursor(row=1)
    await pilot.press("ctrl+r")
    await settle(pilot)
    # Focused and its cursor at the end, as after typing: left to timing, the
    # focus (and with it the cursor and the input's look) differed between runs.
    typed = pilot.app.screen.query_one("#release-typed", Input)
    typed.focus()
    await pilot.pause()
    typed.value = OWNED_SE
    typed.cursor_position = len(OWNED_SE)
    await settle(pilot)


async def release_summary(pilot: Pilot[Any]) -> None:
    await release_confirm(pilot)
    await pilot.click("#yes")
    await settle(pilot)
    await settle(pilot)


async def release_refused(pilot: Pilot[Any]) -> None:
    """The UK number has an emergency address: the release is refused, with the fix."""
    import base64
    import json

    from tui.sandbox.accounts import MAIN_AUTH_TOKEN

    sandbox = sandbox_of(pilot.app)  # type: ignore[arg-type]
    token = base64.b64encode(f"{MAIN_ACCOUNT_SID}:{MAIN_AUTH_TOKEN}".encode()).decode()
    headers = {"Authorization": f"Basic {token}", "Content-Type": "application/x-www-form-urlencoded"}
    account = f"/2010-04-01/Accounts/{MAIN_ACCOUNT_SID}"
    address = sandbox.handle(
        "POST",
        f"{account}/Addresses.json",
        [],
        headers,
        b"CustomerName=Ada&Street=1+Main+St&City=London&Region=London&PostalCode=SW1A+1AA"
        b"&IsoCountry=GB&EmergencyEnabled=true",
    )
    numbers = json.loads(sandbox.handle("GET", f"{account}/IncomingPhoneNumbers.json", [], headers, b"").body)
    sid = next(n["sid"] for n in numbers["incoming_phone_numbers"] if n["phone_number"] == OWNED_UK)
    form = f"EmergencyAddressSid={json.loads(address.body)['sid']}".encode()
    sandbox.handle("POST", f"{account}/IncomingPhoneNumbers/{sid}.json", [], headers, form)
    await owned_numbers(pilot)
    await pilot.press("ctrl+r")
    await settle(pilot)


async def number_owned(pilot: Pilot[Any]) -> None:
    """A number the account owns, typed while buying: offered to Change instead."""
    await go(pilot, "number")
    await type_number(pilot, OWNED_UK)
    await ownership_checked(pilot, OWNED_UK)


CHANGE_SCENES: dict[str, Scene] = {
    scene.name: scene
    for scene in (
        Scene("owned_numbers", owned_numbers),
        Scene("change_messaging", change_messaging),
        Scene("change_review", change_review),
        Scene("change_confirm", change_confirm),
        Scene("change_summary", change_summary),
        Scene("release_confirm", release_confirm),
        Scene("release_summary", release_summary),
        Scene("release_refused", release_refused),
        Scene("number_owned", number_owned),
    )
}


TOUR: dict[str, Scene] = {
    scene.name: scene
    for scene in (
        Scene("01-account", account),
        Scene("02-number", tour_number),
        Scene("03-voice", tour_voice),
        Scene("04-messaging", tour_messaging),
        Scene("05-details", tour_details),
        Scene("06-compliance", tour_compliance),
        Scene("07-review", tour_review),
        Scene("08-confirm", tour_confirm),
        Scene("09-summary", tour_summary),
        Scene("10-owned-numbers", owned_numbers),
        Scene("11-change-review", change_review),
        Scene("12-change-summary", change_summary),
        Scene("13-release", release_confirm),
        Scene("14-pick-application", voice_application_picker),
        Scene("15-pick-messaging-service", messaging_service_picker),
        Scene("16-add-address", address_created),
        Scene("17-messaging-service-failed", summary_follow_up_failed),
    )
}


SCENES: dict[str, Scene] = {
    scene.name: scene
    for scene in (
        Scene("account", account),
        Scene("account_20003", account_20003, {"connection_factory": wrong_token_connection}),
        Scene("number_search_results", number_search_results),
        Scene("number_search_empty", number_search_empty),
        Scene("number_typed", number_typed),
        Scene("number_21422", number_21422),
        Scene("voice", voice),
        Scene("voice_field_error", voice_field_error),
        Scene("messaging", messaging),
        Scene("details", details),
        Scene("compliance", compliance),
        Scene("compliance_21631", compliance_21631),
        Scene("compliance_pause", compliance_pause),
        Scene("number_pick_hint", number_pick_hint),
        Scene("field_help", field_help),
        Scene("review", review),
        Scene("confirm_purchase", confirm_purchase),
        Scene("summary", summary),
        Scene("summary_unknown", summary_unknown),
        Scene("quit_confirm", quit_confirm),
        Scene("resume_draft", resume_draft, {"resume_draft": True}, prepare=seed_draft),
        Scene("voice_application_picker", voice_application_picker),
        Scene("voice_trunk_picker", voice_trunk_picker),
        Scene("messaging_service_picker", messaging_service_picker),
        Scene("picker_empty", picker_empty, {"connection_factory": trial_connection}),
        Scene("picker_error", picker_error),
        Scene("address_dialog", address_dialog),
        Scene("address_created", address_created),
        Scene("review_messaging_service", review_messaging_service),
        Scene("summary_follow_up_failed", summary_follow_up_failed),
        *CHANGE_SCENES.values(),
    )
}
