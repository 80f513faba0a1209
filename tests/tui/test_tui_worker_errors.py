"""Nothing a background task does fails silently: an unexpected exception in any
worker group reaches the screen as an "Unexpected error" with what to do, is
written (secrets masked) to the log under the state folder, and whatever the
worker left busy is reset."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button, DataTable, Select, Static

from tests.support.app_factory import sandbox_of
from tests.support.pilot import buy, checked, choose, go, reach_review, set_mode, settle, text_of, type_number
from tui.app import WizardApp
from tui.sandbox.seed import BUNDLE_GB_MOBILE_APPROVED
from tui.services import account_session, purchase, rehearsal, twilio
from tui.services.drafts import DraftStore
from tui.wizard import context

pytestmark = pytest.mark.worker_errors_expected

BOOM = "injected failure 7f3e"
NUMBER = "+447929436483"


def boom(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError(BOOM)


async def aboom(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError(BOOM)


def log_file() -> Path:
    from tui.services.error_log import default_log_path

    return default_log_path()


def shown(app: WizardApp) -> str:
    panel = app.screen.query_one("#step-error, #summary-error", Static)
    assert panel.display, "no error is shown"
    return str(panel.content)


@dataclass(frozen=True)
class Case:
    group: str
    patch: Callable[[pytest.MonkeyPatch], None]
    trigger: Callable[[Any], Awaitable[None]]
    doing: str
    reset: Callable[[WizardApp], None]  # asserts the busy state was undone


async def on_number_step(pilot: Any) -> None:
    await go(pilot, "number")


async def search(pilot: Any) -> None:
    await go(pilot, "number")
    await choose(pilot, "country", "GB")
    await pilot.click("#search")
    await settle(pilot)


async def type_the_number(pilot: Any) -> None:
    await go(pilot, "number")
    await type_number(pilot, NUMBER)
    await pilot.pause(0.4)
    await settle(pilot)


async def on_compliance(pilot: Any) -> None:
    await go(pilot, "number")
    await type_number(pilot, NUMBER)
    await go(pilot, "compliance")


async def on_review(pilot: Any) -> None:
    await reach_review(pilot, NUMBER, bundle_sid=BUNDLE_GB_MOBILE_APPROVED)
    await settle(pilot)


async def press_buy(pilot: Any) -> None:
    await reach_review(pilot, NUMBER, bundle_sid=BUNDLE_GB_MOBILE_APPROVED)
    await pilot.press("ctrl+y")
    await checked(pilot)


async def confirm_buy(pilot: Any) -> None:
    await reach_review(pilot, NUMBER, bundle_sid=BUNDLE_GB_MOBILE_APPROVED)
    await buy(pilot)


async def check_again(pilot: Any) -> None:
    app = pilot.app
    await reach_review(pilot, NUMBER, bundle_sid=BUNDLE_GB_MOBILE_APPROVED)
    sandbox_of(app).faults.add("POST", r"/Mobile\.json$", status=500)  # unknown: Check again shows
    await buy(pilot)
    assert app.screen.id == "summary"
    await pilot.click("#check-again")
    await settle(pilot)


async def simulate_a_call(pilot: Any) -> None:
    await reach_review(pilot, NUMBER, bundle_sid=BUNDLE_GB_MOBILE_APPROVED)
    await buy(pilot)
    assert pilot.app.screen.id == "summary"
    await pilot.press("i")
    await settle(pilot)


async def type_anything(pilot: Any) -> None:
    await go(pilot, "number")
    await type_number(pilot, "+4479")
    await settle(pilot)


async def pick_an_application(pilot: Any) -> None:
    await go(pilot, "voice")
    await set_mode(pilot, "application")
    await settle(pilot)


def picker_not_loading(app: WizardApp) -> None:
    from tui.widgets.resource_picker import ResourcePicker

    [picker] = [p for p in app.screen.query(ResourcePicker) if p.field_name == "voice_application_sid"]
    assert picker.state == "error"  # not left "loading"


def nothing(app: WizardApp) -> None:
    return None


def search_not_busy(app: WizardApp) -> None:
    assert not app.screen.query_one("#search", Button).disabled
    assert not app.screen.query_one("#results", DataTable).loading


def countries_unavailable(app: WizardApp) -> None:
    assert app.screen.query_one("#country", Select).prompt == "Countries unavailable"


def ownership_not_checking(app: WizardApp) -> None:
    facts = text_of(app, "#number-facts")
    assert "Checking whether" not in facts and "Could not check" in facts


def requirements_not_loading(app: WizardApp) -> None:
    assert text_of(app, "#requirements") == "Could not load the requirements."


def review_not_checking(app: WizardApp) -> None:
    assert not app.screen.query_one("#next", Button).disabled
    assert not app.purchase_running


def purchase_not_waiting(app: WizardApp) -> None:
    assert not app.purchase_running and app.attempt is not None
    assert app.attempt.state.value == "failed" and app.attempt.retry_safe


def simulation_stopped(app: WizardApp) -> None:
    status = text_of(app, "#rehearsal #webhook-checks-status")
    assert status == "The simulation stopped on an unexpected error (see above)"


def check_again_enabled(app: WizardApp) -> None:
    assert not app.screen.query_one("#check-again", Button).disabled


CASES = (
    Case(
        "countries",
        lambda mp: mp.setattr(account_session.AccountSession, "countries", aboom),
        on_number_step,
        "loading the countries",
        countries_unavailable,
    ),
    Case(
        "search",
        lambda mp: mp.setattr(twilio.TwilioClient, "search_mobile", aboom),
        search,
        "searching for numbers",
        search_not_busy,
    ),
    Case(
        "ownership",
        lambda mp: mp.setattr(purchase, "owned_number", aboom),
        type_the_number,
        "checking whether the account owns the number",
        ownership_not_checking,
    ),
    Case(
        "compliance",
        lambda mp: mp.setattr(context.PurchaseContext, "load_facts", aboom),
        on_compliance,
        "loading what the number needs",
        requirements_not_loading,
    ),
    Case(
        "price",
        lambda mp: mp.setattr(account_session.AccountSession, "mobile_price", aboom),
        on_review,
        "loading the price",
        nothing,
    ),
    Case(
        "owned-check",
        lambda mp: mp.setattr(purchase, "owned_number", aboom),
        press_buy,
        "checking whether the account owns the number",
        review_not_checking,
    ),
    Case(
        "purchase",
        lambda mp: mp.setattr(purchase, "buy", aboom),
        confirm_buy,
        "buying",
        purchase_not_waiting,
    ),
    Case(
        "check-again",
        lambda mp: mp.setattr(purchase, "settle", aboom),
        check_again,
        "looking the number up again",
        check_again_enabled,
    ),
    Case(
        "simulate",
        lambda mp: mp.setattr(rehearsal, "rehearse", aboom),
        simulate_a_call,
        "simulating an incoming call or message",
        simulation_stopped,
    ),
    Case(
        "pickers",
        lambda mp: mp.setattr(twilio.TwilioClient, "list_applications", aboom),
        pick_an_application,
        "loading the account's applications, trunks or Messaging Services",
        picker_not_loading,
    ),
    Case(
        "draft",
        lambda mp: mp.setattr(DraftStore, "save", boom),
        type_anything,
        "saving the draft",
        nothing,
    ),
)


@pytest.mark.parametrize("case", CASES, ids=[c.group for c in CASES])
async def test_an_unexpected_error_in_a_worker_reaches_the_screen(make_app, monkeypatch, case: Case) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32), notifications=True) as pilot:
        await settle(pilot)
        case.patch(monkeypatch)
        await case.trigger(pilot)
        await settle(pilot)
        if case.group == "draft":
            # A thread worker on the App: told in a notification and on the step.
            await pilot.pause(0.2)
        text = shown(app)
        assert "Unexpected error while" in text and case.doing in text and BOOM in text
        assert "This is a bug in number-wizard" in text and str(log_file()) in text
        assert "Next: try again" in text
        case.reset(app)
    logged = log_file().read_text("utf-8")
    assert BOOM in logged and "Traceback" in logged


async def test_the_log_never_holds_a_secret(make_app, monkeypatch) -> None:
    from tui.services.credentials.redact import register_secret

    secret = "s3cr3t-in-an-exception-0192837465"
    register_secret(secret)

    async def leaky(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"token was {secret}")

    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        monkeypatch.setattr(twilio.TwilioClient, "search_mobile", leaky)
        await search(pilot)
        assert secret not in shown(app)
    assert secret not in log_file().read_text("utf-8")
    assert "token was ********" in log_file().read_text("utf-8")


# -- screens that are not steps: the list of owned numbers, the address dialog --------


async def test_an_unexpected_error_listing_owned_numbers_is_shown_on_that_screen(
    make_app, monkeypatch
) -> None:
    from textual.widgets import Button as TextualButton

    from tui.screens.owned import OwnedNumbersScreen

    app = make_app()
    async with app.run_test(size=(100, 32), notifications=True) as pilot:
        monkeypatch.setattr(twilio.TwilioClient, "list_owned_numbers", aboom)
        await go(pilot, "number")
        app.screen.query_one("#open-owned", TextualButton).press()
        await settle(pilot)
        assert isinstance(app.screen, OwnedNumbersScreen)
        text = str(app.screen.query_one("#owned-error", Static).content)
        assert "Unexpected error while listing the numbers the account owns" in text and BOOM in text
        assert text_of(app, "#owned-status") == ""  # no "Loading…" left behind
    assert BOOM in log_file().read_text("utf-8")


async def test_an_unexpected_error_creating_an_address_is_shown_in_the_dialog(make_app, monkeypatch) -> None:
    from textual.widgets import Button as TextualButton

    from tests.tui.test_tui_address_dialog import ADDRESS, AU_NUMBER, fill, open_dialog

    app = make_app()
    async with app.run_test(size=(100, 32), notifications=True) as pilot:
        # Patched first: the dialog is given the session's method when it opens.
        monkeypatch.setattr(account_session.AccountSession, "create_address", aboom)
        dialog = await open_dialog(pilot, AU_NUMBER)
        fill(dialog, **ADDRESS)
        dialog.query_one("#address-create", TextualButton).press()
        await settle(pilot)
        assert app.screen is dialog
        text = str(dialog.query_one("#address-error", Static).content)
        assert "Unexpected error while creating the address" in text and BOOM in text
        assert not dialog.query_one("#address-create", TextualButton).disabled  # can try again
    assert BOOM in log_file().read_text("utf-8")
