"""Buying against the in-process sandbox: the summary, "Stop waiting", "unknown"
and "Check again", one purchase at a time, and "Buy another"."""

from __future__ import annotations

import asyncio

from textual.widgets import Button, DataTable

from tests.support.app_factory import FIXED_NOW, recording_connection, sandbox_of
from tests.support.pilot import (
    buy,
    choose,
    control,
    go,
    only_receipt,
    reach_review,
    settle,
    step_of,
    text_of,
    type_number,
)
from tui.sandbox.accounts import MAIN_ACCOUNT_SID
from tui.sandbox.seed import BUNDLE_GB_MOBILE_APPROVED

NUMBER = "+447929436483"  # GB, no address needed; a bundle is
MOBILE_POST = "/IncomingPhoneNumbers/Mobile.json"


def owned_numbers(app) -> list[str]:
    state = sandbox_of(app).state_snapshot()
    return [
        n["phone_number"] for n in state["incoming_phone_numbers"] if n["account_sid"] == MAIN_ACCOUNT_SID
    ]


async def test_purchase_reaches_the_summary_with_the_created_number(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await reach_review(
            pilot, NUMBER, bundle_sid=BUNDLE_GB_MOBILE_APPROVED, voice_url="https://example.com/voice"
        )
        headline = text_of(app, "#review-headline")
        assert headline.startswith(f"Buying   {NUMBER}")
        assert "1.00 USD / month" in headline and "SANDBOX" in headline
        await buy(pilot)
        assert app.screen.id == "summary"
        outcome = app.screen.outcome
        assert outcome.state.value == "bought"
        resource = outcome.resource
        assert resource.phone_number == NUMBER
        assert resource.sid.startswith("PN")
        assert resource.voice_url == "https://example.com/voice"
        assert resource.date_created == FIXED_NOW  # the sandbox's fixed clock
        assert text_of(app, "#summary-headline") == f"Bought {NUMBER}."
        assert text_of(app, "#summary-sid").startswith(f"SID  {resource.sid}")
        assert "Receipt:" in text_of(app, "#summary-receipt")
        assert NUMBER in owned_numbers(app)
        receipts = [r.record for r in app.receipts.load_all()]
        assert [r["outcome"] for r in receipts] == ["bought"]
        assert receipts[0]["started_at"] == FIXED_NOW.isoformat()
        # The draft has served its purpose; quitting now asks nothing.
        assert not app.draft_store.path.exists()
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.return_code == 0  # quit without asking


async def test_the_purchase_asks_first_and_cancel_sends_nothing(make_app):
    connection, recorder = recording_connection()
    app = make_app(connection=connection)
    async with app.run_test(size=(100, 32)) as pilot:
        await reach_review(pilot, NUMBER, bundle_sid=BUNDLE_GB_MOBILE_APPROVED)
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert app.screen.query_one(".modal-title").content == f"Buy {NUMBER}?"
        await pilot.press("escape")
        await settle(pilot)
        assert step_of(app) == "review"
        assert recorder.count("POST") == 0
        # Enter on the focused default ("Cancel") is safe too.
        await pilot.press("ctrl+y")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert recorder.count("POST") == 0
        # Buying by keyboard: Tab to the buy button, Enter.
        await pilot.press("ctrl+y")
        await pilot.pause()
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert app.screen.id == "summary"
        assert recorder.count("POST", MOBILE_POST) == 1


async def test_stop_waiting_looks_the_number_up_and_posts_once(make_app):
    connection, recorder = recording_connection()
    app = make_app(connection=connection)
    async with app.run_test(size=(100, 32)) as pilot:
        await reach_review(pilot, NUMBER, bundle_sid=BUNDLE_GB_MOBILE_APPROVED)
        # Twilio buys the number, then its answer is held back for 20 s.
        sandbox_of(app).faults.add("POST", MOBILE_POST, delay_after_commit=20)
        await buy(pilot, wait=False)
        await pilot.pause()
        review = app.screen
        assert review.STEP_ID == "review"
        assert text_of(app, "#nav-status") == f"Buying {NUMBER}… waiting for Twilio."
        stop = review.query_one("#stop-waiting", Button)
        assert stop.display and app.focused is stop  # in view; Enter stops waiting
        assert review.query_one("#next", Button).disabled
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.id == "summary"
        outcome = app.screen.outcome
        assert outcome.state.value == "bought" and outcome.settled_by == "lookup"
        assert "confirmed by looking it up on the account" in text_of(app, "#summary-headline")
        assert outcome.resource.phone_number == NUMBER
        assert recorder.count("POST") == 1
        # Owned? before the dialog and under the lock (and maybe on the Number step);
        # after the POST, only the lookup that settles it.
        posted = recorder.requests.index(("POST", f"/2010-04-01/Accounts/{MAIN_ACCOUNT_SID}{MOBILE_POST}"))
        after = recorder.requests[posted + 1 :]
        assert after == [("GET", f"/2010-04-01/Accounts/{MAIN_ACCOUNT_SID}/IncomingPhoneNumbers.json")]
        assert recorder.count("GET", "/IncomingPhoneNumbers.json") >= 3
        assert owned_numbers(app).count(NUMBER) == 1
        receipt = only_receipt(app)
        assert receipt["outcome"] == "bought" and receipt["settled_by"] == "lookup"


async def test_stop_waiting_with_escape_and_a_failed_lookup_says_unknown(make_app):
    connection, recorder = recording_connection()
    app = make_app(connection=connection)
    async with app.run_test(size=(100, 32)) as pilot:
        await reach_review(pilot, NUMBER, bundle_sid=BUNDLE_GB_MOBILE_APPROVED)
        faults = sandbox_of(app).faults
        faults.add("POST", MOBILE_POST, delay_after_commit=20)
        await buy(pilot, wait=False)
        await pilot.pause()
        # The lookup after the stop fails (a 500 is not retried).
        faults.add("GET", r"/IncomingPhoneNumbers\.json$", status=500)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.id == "summary"
        outcome = app.screen.outcome
        assert outcome.state.value == "unknown"
        headline = text_of(app, "#summary-headline")
        assert headline.startswith(f"Unknown whether {NUMBER} was bought")
        assert "never bought twice" in headline
        assert app.screen.query_one("#check-again", Button).display
        assert not app.screen.query_one("#copy-sid", Button).display
        error_panel = app.screen.query_one("#summary-error")
        assert error_panel.display and "stopped waiting" in str(error_panel.content)
        assert only_receipt(app)["outcome"] == "unknown"
        assert recorder.count("POST") == 1
        # Unknown is not bought: the draft is kept, so quitting still asks.
        assert app.draft_store.path.exists() or not app.draft.is_empty()

        # Check again: the number is on the account after all.
        await pilot.click("#check-again")
        await settle(pilot)
        outcome = app.screen.outcome
        assert outcome.state.value == "bought" and outcome.settled_by == "lookup"
        assert text_of(app, "#summary-headline").startswith(f"Bought {NUMBER}")
        assert only_receipt(app)["outcome"] == "bought"
        assert recorder.count("POST") == 1


async def test_only_one_purchase_at_a_time(make_app):
    connection, recorder = recording_connection()
    # Twilio's answer to the purchase is held back until the test has tried to buy
    # again (a fixed delay would be a race with a slow machine).
    answer = asyncio.Event()
    recorder.hold("POST", answer)
    app = make_app(connection=connection)
    async with app.run_test(size=(100, 32)) as pilot:
        await reach_review(pilot, NUMBER, bundle_sid=BUNDLE_GB_MOBILE_APPROVED)
        await buy(pilot, wait=False)
        await pilot.pause()
        # Buy keys do nothing while waiting: no second dialog, no second POST.
        await pilot.press("ctrl+y")
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert step_of(app) == "review" and app.purchase_running
        assert len(app.screen_stack) == 2  # no dialog on top
        answer.set()
        await settle(pilot)
        assert app.screen.id == "summary"
        assert app.screen.outcome.state.value == "bought"
        assert recorder.count("POST") == 1


async def test_buy_another_resets_the_number_specific_input(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "number")
        await choose(pilot, "country", "GB")
        await pilot.click("#search")
        await settle(pilot)
        await pilot.press("enter")  # picks the first result: +447929436483
        await settle(pilot)
        assert app.draft.picked is not None
        await reach_review(
            pilot, NUMBER, bundle_sid=BUNDLE_GB_MOBILE_APPROVED, voice_url="https://example.com/voice"
        )
        await buy(pilot)
        assert app.screen.id == "summary"
        await pilot.press("ctrl+a")
        await settle(pilot)
        assert step_of(app) == "number"
        assert app.draft.get("phone_number") is None and app.draft.picked is None
        # How calls and messages are handled is kept for the next number.
        assert app.draft.values == {"voice_url": "https://example.com/voice"}
        assert control(app, "phone_number").value == ""
        assert text_of(app, "#number-facts") == "No number chosen yet."
        # The old results (which include the number just bought) are gone.
        assert app.screen.query_one("#results", DataTable).row_count == 0
        assert app.context.results == [] and app.attempt is None
        # The account stays checked: Back goes to it, Next from it works.
        assert "account" in app.done_steps
        await go(pilot, "compliance")
        for name in ("address_sid", "bundle_sid", "identity_sid", "emergency_address_sid"):
            assert control(app, name).value == ""
        await go(pilot, "voice")
        assert control(app, "voice_url").value == "https://example.com/voice"
        # The next number gets the compliance pause again (no bundle given).
        await go(pilot, "number")
        await type_number(pilot, "+447956893485")
        await go(pilot, "compliance")
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert step_of(app) == "compliance"
        assert "Press Next again" in text_of(app, "#nav-status")
        # Typing again makes quitting ask again.
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.screen.query_one(".modal-title").content == "Quit number-wizard?"


async def test_quitting_after_an_unknown_outcome_does_not_claim_nothing_was_bought(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await reach_review(pilot, NUMBER, bundle_sid=BUNDLE_GB_MOBILE_APPROVED)
        faults = sandbox_of(app).faults
        faults.add("POST", MOBILE_POST, delay_after_commit=20)
        await buy(pilot, wait=False)
        await pilot.pause()
        faults.add("GET", r"/IncomingPhoneNumbers\.json$", status=500)
        # While waiting: quitting asks, and says a purchase is on its way.
        await pilot.press("ctrl+q")
        await pilot.pause()
        body = str(app.screen.query_one(".modal-body").content)
        assert "Nothing has been bought" not in body and f"is buying {NUMBER}" in body
        await pilot.press("escape")  # keep waiting
        await pilot.pause()
        await pilot.press("escape")  # stop waiting; the lookup fails: unknown
        await settle(pilot)
        assert app.screen.outcome.state.value == "unknown"
        await pilot.press("ctrl+q")
        await pilot.pause()
        body = str(app.screen.query_one(".modal-body").content)
        assert "Nothing has been bought" not in body and "may have been bought" in body


async def test_quitting_while_buying_stops_waiting_and_settles_first(make_app):
    connection, recorder = recording_connection()
    app = make_app(connection=connection)
    async with app.run_test(size=(100, 32)) as pilot:
        await reach_review(pilot, NUMBER, bundle_sid=BUNDLE_GB_MOBILE_APPROVED)
        sandbox_of(app).faults.add("POST", MOBILE_POST, delay_after_commit=20)
        await buy(pilot, wait=False)
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.click("#yes")  # "Stop waiting and quit"
        await settle(pilot)
        assert app._exit
    # The number was looked up before the app closed: the receipt is settled.
    [record] = [r.record for r in app.receipts.load_all()]
    assert record["outcome"] == "bought" and record["settled_by"] == "lookup"
    assert recorder.count("POST") == 1


async def test_no_back_palette_or_jumps_while_buying(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await reach_review(pilot, NUMBER, bundle_sid=BUNDLE_GB_MOBILE_APPROVED)
        sandbox_of(app).faults.add("POST", MOBILE_POST, delay_after_commit=2)
        await buy(pilot, wait=False)
        await pilot.pause()
        assert app.purchase_running
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert app.screen.STEP_ID == "review"
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert app.screen.STEP_ID == "review"  # no palette opened
        app.goto("number")  # what a palette command would do
        await pilot.pause()
        assert app.screen.STEP_ID == "review"
        assert app.screen.query_one("#back", Button).disabled
        await settle(pilot)
        assert app.screen.id == "summary"
