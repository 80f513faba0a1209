"""Changing a number the account owns in the wizard: its list, the steps prefilled
from its settings (each way of handling derived from them), a Review that shows
before → after and sends only what changed (asserted on the requests the sandbox
received), the Summary read back from Twilio, the release with the number typed
(refused while an emergency address is set), and the Number step's hand-over of
a number the account already owns."""

from __future__ import annotations

import json
import re
from typing import Any

from rich.console import Console
from textual.widgets import Button, DataTable, Input, OptionList, RadioButton, Select, Static

from tests.support.app_factory import sandbox_of
from tests.support.pilot import field, go, set_mode, settle, step_of, text_of, type_into, type_number
from tui.app import WizardApp
from tui.sandbox import Sandbox
from tui.sandbox.accounts import MAIN_ACCOUNT_SID
from tui.sandbox.seed import TRUNK_PBX
from tui.screens.change import ChangeSummaryScreen
from tui.screens.owned import OwnedNumbersScreen, ReleaseModal

UK = "+447802019939"  # seeded: "Support line (UK)", an SMS URL, an approved bundle
SE = "+46701740698"  # seeded: nothing configured
AP = "AP" + "1" * 32
NUMBERS = f"/2010-04-01/Accounts/{MAIN_ACCOUNT_SID}/IncomingPhoneNumbers"


def sent(sandbox: Sandbox) -> list[tuple[str, Any]]:
    """The requests that changed a number."""
    return [
        (r["method"], r["form"])
        for r in sandbox.requests
        if r["method"] in ("POST", "DELETE") and r["path"].startswith(f"{NUMBERS}/PN")
    ]


def configure(sandbox: Sandbox, number: str, form: dict[str, str]) -> None:
    """Set a number's settings straight on the sandbox (as the Console would)."""
    import urllib.parse

    sid = next(r for r in _owned(sandbox) if r["phone_number"] == number)["sid"]
    body = urllib.parse.urlencode(form).encode()
    answer = sandbox.handle(
        "POST",
        f"{NUMBERS}/{sid}.json",
        [],
        {**_auth(), "Content-Type": "application/x-www-form-urlencoded"},
        body,
    )
    assert answer.status == 200, answer.body


def _auth() -> dict[str, str]:
    import base64

    from tui.sandbox.accounts import MAIN_AUTH_TOKEN

    token = base64.b64encode(f"{MAIN_ACCOUNT_SID}:{MAIN_AUTH_TOKEN}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def _owned(sandbox: Sandbox) -> list[dict[str, Any]]:
    answer = sandbox.handle("GET", f"{NUMBERS}.json", [], _auth(), b"")
    return list(json.loads(answer.body)["incoming_phone_numbers"])


async def open_owned(pilot: Any) -> OwnedNumbersScreen:
    app = pilot.app
    await go(pilot, "number")
    app.screen.query_one("#open-owned", Button).press()
    await settle(pilot)
    assert isinstance(app.screen, OwnedNumbersScreen)
    return app.screen


async def open_number(pilot: Any, number: str) -> None:
    screen = await open_owned(pilot)
    search = screen.query_one("#owned-search", Input)
    search.value = number
    await pilot.pause()
    assert screen.query_one("#owned-table", DataTable).row_count == 1
    await pilot.press("ctrl+n")
    await settle(pilot)
    assert step_of(pilot.app) == "voice"


def rendered(app: WizardApp, selector: str) -> str:
    """A Static's rich content as plain text, runs of spaces made one."""
    console = Console(width=200, record=True, color_system=None)
    console.print(app.screen.query_one(selector, Static).content)
    return re.sub(r"[ \t]+", " ", console.export_text())


def mode_of(app: WizardApp) -> str:
    pressed = [b for b in app.screen.query(RadioButton) if b.value]
    assert len(pressed) == 1
    return str(pressed[0].id).removeprefix("mode-")


async def test_the_list_shows_the_accounts_numbers_and_searches_them(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        screen = await open_owned(pilot)
        table = screen.query_one("#owned-table", DataTable)
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        assert [row[0] for row in rows] == [UK, SE]
        assert rows[0][1:] == [
            "Support line (UK)",
            "not handled",
            "POST https://example.com/sms/uk",
            "bundle",
        ]
        assert rows[1][1:] == ["070-174 06 98", "not handled", "not handled", "none"]
        screen.query_one("#owned-search", Input).value = "support"
        await pilot.pause()
        assert table.row_count == 1
        screen.query_one("#owned-search", Input).value = "nobody"
        await pilot.pause()
        assert table.row_count == 0 and "match" in text_of(app, "#owned-status")
        # "Buy a number" goes back to the Number step.
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert step_of(app) == "number"


async def test_each_way_of_handling_is_prefilled_from_the_number(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        sandbox = sandbox_of(app)
        cases = [
            ({"VoiceUrl": "https://example.com/voice", "VoiceMethod": "GET"}, "webhook"),
            ({"TrunkSid": TRUNK_PBX}, "trunk"),
            ({"TrunkSid": "", "VoiceUrl": ""}, "none"),
        ]
        for form, mode in cases:
            configure(sandbox, SE, form)
            await open_number(pilot, SE)
            assert mode_of(app) == mode
            if mode == "webhook":
                assert app.screen.query_one("#control-voice_url", Input).value == "https://example.com/voice"
            await go(pilot, "messaging")
            assert mode_of(app) == "none"
            app.end_change("owned")
            await settle(pilot)
        # An application: made on the account first.
        answer = sandbox.handle(
            "POST",
            f"/2010-04-01/Accounts/{MAIN_ACCOUNT_SID}/Applications.json",
            [],
            {**_auth(), "Content-Type": "application/x-www-form-urlencoded"},
            b"FriendlyName=IVR",
        )
        app_sid = json.loads(answer.body)["sid"]
        configure(sandbox, SE, {"VoiceApplicationSid": app_sid, "SmsApplicationSid": app_sid})
        await open_number(pilot, SE)
        assert mode_of(app) == "application"
        assert app.screen.query_one("#control-voice_application_sid", Input).value == app_sid
        await go(pilot, "messaging")
        assert mode_of(app) == "application"
        await go(pilot, "details")
        assert app.screen.query_one("#control-friendly_name", Input).value == "070-174 06 98"


async def test_the_review_shows_before_and_after_and_only_changes_are_sent(make_app, tmp_path) -> None:
    app = make_app()
    async with app.run_test(size=(110, 40)) as pilot:
        sandbox = sandbox_of(app)
        await open_number(pilot, UK)
        assert mode_of(app) == "none"  # no voice URL yet
        await set_mode(pilot, "webhook")
        await type_into(pilot, "voice_url", "https://example.com/voice")
        await go(pilot, "messaging")
        assert mode_of(app) == "webhook"
        assert app.screen.query_one("#control-sms_url", Input).value == "https://example.com/sms/uk"
        await set_mode(pilot, "none")  # stop handling messages
        await go(pilot, "review")
        assert app.screen.__class__.__name__ == "ChangeReviewScreen"
        await pilot.pause(0.4)
        # The draft on disk is the purchase's (the Number step's search), never the change's.
        for saved in tmp_path.rglob("draft.json"):
            assert json.loads(saved.read_text())["values"] == {}
        headline = text_of(app, "#change-headline")
        assert "2 settings of +447802019939" in headline
        shown = rendered(app, "#change-table")
        assert "Voice URL (not set) → https://example.com/voice" in shown
        assert "SMS URL https://example.com/sms/uk → (cleared)" in shown
        request = text_of(app, "#change-request")
        assert request.splitlines()[1].startswith("POST ") and request.endswith(
            "SmsUrl=&VoiceUrl=https%3A%2F%2Fexample.com%2Fvoice"
        )
        sandbox.clear_requests()
        await pilot.press("ctrl+y")
        await pilot.pause()
        await pilot.click("#yes")
        await settle(pilot)
        assert isinstance(app.screen, ChangeSummaryScreen)
        assert sent(sandbox) == [("POST", {"SmsUrl": "", "VoiceUrl": "https://example.com/voice"})]
        assert "Updated +447802019939." in text_of(app, "#summary-headline")
        # Read back from Twilio (a GET after the POST).
        assert [r["method"] for r in sandbox.requests][-1] == "GET"
        assert app.change_attempt is not None
        receipt = app.change_attempt.receipt
        assert receipt is not None and receipt.record["outcome"] == "done"
        # Nothing left to send: the Review says so, and sends nothing.
        app.screen.query_one("#change-again", Button).press()
        await settle(pilot)
        await go(pilot, "review")
        assert "already has these settings" in text_of(app, "#change-headline")
        assert app.screen.query_one("#next", Button).disabled


async def test_an_update_whose_answer_is_lost_is_settled_by_reading_the_number(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(110, 40)) as pilot:
        sandbox = sandbox_of(app)
        await open_number(pilot, SE)
        await go(pilot, "details")
        await type_into(pilot, "friendly_name", "Sales")
        await go(pilot, "review")
        # The update goes through, but a gateway answers 500: the number is read to settle it.
        sandbox.faults.add("POST", r"/IncomingPhoneNumbers/PN", status=500, commit=True)
        await pilot.press("ctrl+y")
        await pilot.pause()
        await pilot.click("#yes")
        await settle(pilot)
        assert "confirmed by looking the number up" in text_of(app, "#summary-headline")
        assert [m for m, _ in sent(sandbox)] == ["POST"]  # never sent twice
        assert "Friendly name Sales Sales ✓" in rendered(app, "#change-outcome")


async def test_a_setting_the_number_does_not_carry_is_marked_on_the_summary(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(110, 40)) as pilot:
        sandbox = sandbox_of(app)
        before = next(r for r in _owned(sandbox) if r["phone_number"] == SE)
        await open_number(pilot, SE)
        await go(pilot, "details")
        await type_into(pilot, "friendly_name", "Sales")
        await go(pilot, "review")
        # Read back, the number still has its old name (as if Twilio had dropped it).
        sandbox.faults.add(
            "GET",
            r"/IncomingPhoneNumbers/PN",
            status=200,
            body=json.dumps(before),
            content_type="application/json",
        )
        await pilot.press("ctrl+y")
        await pilot.pause()
        await pilot.click("#yes")
        await settle(pilot)
        headline = text_of(app, "#summary-headline")
        assert headline == "Updated +46701740698, but Twilio does not show as asked: Friendly name."
        assert "Friendly name Sales 070-174 06 98 ✗ not as asked" in rendered(app, "#change-outcome")


async def test_release_needs_the_number_typed(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        sandbox = sandbox_of(app)
        screen = await open_owned(pilot)
        screen.query_one("#owned-table", DataTable).move_cursor(row=1)  # SE
        await pilot.press("ctrl+r")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, ReleaseModal)
        body = " ".join(str(s.content) for s in modal.query(".modal-body").results(Static))
        assert "stop at once" in body and "never be bought back" in body and "restore" in body
        typed = modal.query_one("#release-typed", Input)
        typed.value = "+4670174069"  # one digit short
        await pilot.pause()
        assert modal.query_one("#yes", Button).disabled
        await pilot.press("enter")
        await pilot.pause()
        assert sent(sandbox) == []
        typed.value = "+46 70 174 06 98"
        await pilot.pause()
        assert not modal.query_one("#yes", Button).disabled
        await pilot.click("#yes")
        await settle(pilot)
        assert isinstance(app.screen, ChangeSummaryScreen)
        assert "Released +46701740698" in text_of(app, "#summary-headline")
        assert [m for m, _ in sent(sandbox)] == ["DELETE"]
        assert SE not in [r["phone_number"] for r in _owned(sandbox)]


async def test_release_is_refused_while_an_emergency_address_is_set(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        sandbox = sandbox_of(app)
        answer = sandbox.handle(
            "POST",
            f"/2010-04-01/Accounts/{MAIN_ACCOUNT_SID}/Addresses.json",
            [],
            {**_auth(), "Content-Type": "application/x-www-form-urlencoded"},
            b"CustomerName=Ada&Street=1+Main+St&City=London&Region=London&PostalCode=SW1A+1AA"
            b"&IsoCountry=GB&EmergencyEnabled=true",
        )
        configure(sandbox, UK, {"EmergencyAddressSid": json.loads(answer.body)["sid"]})
        sandbox.clear_requests()
        await open_number(pilot, UK)
        await go(pilot, "review")
        await pilot.press("ctrl+r")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, ReleaseModal)
        body = " ".join(str(s.content) for s in modal.query(".modal-body").results(Static))
        assert "emergency address" in body and "clear the Emergency address" in body
        assert not modal.query("#release-typed") and not modal.query("#yes")
        await pilot.press("escape")
        await pilot.pause()
        assert sent(sandbox) == []


async def test_an_owned_number_typed_while_buying_opens_in_change(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        await go(pilot, "number")
        await type_number(pilot, UK)
        await pilot.pause(0.4)  # the ownership check waits for typing to pause
        await settle(pilot)
        button = app.screen.query_one("#change-owned", Button)
        assert button.display
        button.press()
        await settle(pilot)
        assert step_of(app) == "voice" and app.change is not None
        assert app.change.phone_number == UK
        # Back leads to the account's numbers, and "Buy a number" to the purchase,
        # with the number typed before still there.
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert isinstance(app.screen, OwnedNumbersScreen)
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert step_of(app) == "number" and app.change is None
        assert app.draft.get("phone_number") == UK


async def test_an_unfinished_change_of_an_earlier_session_is_settled_and_said(make_app, tmp_path) -> None:
    from tui.services.receipts import ReceiptBook

    # An earlier session sent a release and stopped before any answer.
    book = ReceiptBook(tmp_path / "receipts")
    receipt = book.start(
        method="DELETE",
        url=f"https://api.twilio.com{NUMBERS}/PN{'0' * 32}.json",
        form={},
        account_sid=MAIN_ACCOUNT_SID,
        auth_kind="auth_token",
        sandbox=True,
        kind="release",
        phone_number=SE,
    )
    app = make_app()
    async with app.run_test(size=(110, 32), notifications=True) as pilot:
        await settle(pilot)
        said = " ".join(str(n.message) for n in app._notifications)
        assert "An earlier release of +46701740698 was interrupted" in said
    settled = json.loads(receipt.path.read_text())
    assert settled["outcome"] == "failed"  # the in-process sandbox forgets everything: nothing was released


async def test_an_owned_number_found_by_the_reviews_check_opens_in_change(make_app) -> None:
    from tests.support.pilot import checked, reach_review

    app = make_app()
    async with app.run_test(size=(110, 40)) as pilot:
        await reach_review(pilot, UK)
        await pilot.press("ctrl+y")
        await checked(pilot)
        assert "already owns +447802019939" in str(app.screen.query_one("#step-error").content)
        button = app.screen.query_one("#review-change-owned", Button)
        assert button.display
        button.press()
        await settle(pilot)
        assert step_of(app) == "voice" and app.change is not None and app.change.phone_number == UK
        assert [r for r in sandbox_of(app).requests if r["method"] == "POST"] == []


async def test_quitting_while_changing_speaks_of_the_purchase_draft_only(make_app) -> None:
    from tui.screens.modals import ConfirmQuitModal

    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        await open_number(pilot, SE)  # nothing typed for a purchase: nothing to lose
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert app.return_code == 0  # left at once, no question about a draft

    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        await go(pilot, "number")
        await type_number(pilot, "+46701740612")  # a purchase begun, then a change
        app.goto("owned")
        await settle(pilot)
        await open_number(pilot, SE)
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmQuitModal)
        assert app.return_code is None


async def test_a_refused_update_is_explained_and_the_edits_are_kept(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(110, 40)) as pilot:
        sandbox = sandbox_of(app)
        await open_number(pilot, SE)
        await go(pilot, "compliance")
        await type_into(pilot, "address_sid", "AD" + "0" * 32)  # nobody's address
        await go(pilot, "review")
        await pilot.press("ctrl+y")
        await pilot.pause()
        await pilot.click("#yes")
        await settle(pilot)
        assert isinstance(app.screen, ChangeSummaryScreen)
        assert "was not updated" in text_of(app, "#summary-headline")
        error = str(app.screen.query_one("#summary-error", Static).content)
        assert "Twilio error" in error and "https://www.twilio.com/docs/errors/" in error
        assert [m for m, _ in sent(sandbox)] == ["POST"]
        app.screen.query_one("#change-again", Button).press()
        await settle(pilot)
        assert app.screen.__class__.__name__ == "ChangeReviewScreen"
        assert "Address" in rendered(app, "#change-table")  # still asked for, to fix


async def test_a_messaging_service_is_refused_on_the_review_with_the_command_that_does_it(make_app) -> None:
    from tui.sandbox.seed import MESSAGING_SERVICE_NOTIFICATIONS

    app = make_app()
    async with app.run_test(size=(110, 40)) as pilot:
        sandbox = sandbox_of(app)
        await open_number(pilot, UK)
        await go(pilot, "messaging")
        await set_mode(pilot, "service")
        app.draft.set("messaging_service_sid", MESSAGING_SERVICE_NOTIFICATIONS)
        app.draft_changed()
        await go(pilot, "review")
        await pilot.pause()
        problems = text_of(app, "#change-problems")
        sid = app.change.sid
        command = (
            f"number-wizard numbers update {sid} --messaging-service-sid {MESSAGING_SERVICE_NOTIFICATIONS}"
        )
        assert "Messaging Service (Messaging step)" in problems and command in problems
        assert app.screen.query_one("#next", Button).disabled
        sandbox.clear_requests()
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert sent(sandbox) == []


async def test_every_text_input_follows_the_one_cursor_blink_switch(make_app) -> None:
    """Snapshots switch blinking off for every text input (tests/conftest.py): the
    owned-number search, the release dialog's and the pickers' filters too, not
    only the fields' (a blinking cursor made the release dialog's shot differ)."""
    from tests.support.pilot import set_mode

    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        screen = await open_owned(pilot)
        assert [i.cursor_blink for i in screen.query(Input)] == [False]
        screen.query_one("#owned-table", DataTable).move_cursor(row=1)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, ReleaseModal)
        assert [i.cursor_blink for i in app.screen.query(Input)] == [False]
        await pilot.press("escape")
        await pilot.press("ctrl+b")  # back to buying a number
        await settle(pilot)
        await go(pilot, "voice")
        await set_mode(pilot, "application")
        await settle(pilot)
        inputs = list(app.screen.query(Input))
        assert len(inputs) > 1 and not any(i.cursor_blink for i in inputs)


# Values with square brackets: a table reads a string as Rich markup, so "[/]"
# stopped the step with a MarkupError and "[red]…" was shown altered.
BRACKETED = "Shop [/] [red]x[/red]"


async def test_bracketed_values_are_shown_as_they_are(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(110, 40)) as pilot:
        configure(sandbox_of(app), UK, {"FriendlyName": BRACKETED})
        screen = await open_owned(pilot)
        table = screen.query_one("#owned-table", DataTable)
        names = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        assert BRACKETED in names
        assert BRACKETED in app.export_screenshot().replace("&#160;", " ")
        await open_number(pilot, UK)
        await go(pilot, "details")
        await type_into(pilot, "friendly_name", BRACKETED + " 2")
        await go(pilot, "review")
        assert f"{BRACKETED} → {BRACKETED} 2" in rendered(app, "#change-table")


async def test_a_bracketed_value_is_shown_as_typed_on_the_purchase_review(make_app) -> None:
    from tests.support.pilot import reach_review

    app = make_app()
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot)
        app.draft.set("friendly_name", BRACKETED)
        await reach_review(pilot, "+31616953194", voice_url="https://example.com/v?[/]")
        shown = rendered(app, "#review-values")
        assert f"Friendly name {BRACKETED}" in shown
        assert "https://example.com/v?[/]" in shown


async def test_a_bracketed_address_is_offered_as_it_is(make_app) -> None:
    """An address of the account named with square brackets: the Compliance step's
    pickers list it as written (a string label stopped the step)."""
    from tests.support.pilot import reach_review

    app = make_app()
    async with app.run_test(size=(110, 40)) as pilot:
        answer = sandbox_of(app).handle(
            "POST",
            f"/2010-04-01/Accounts/{MAIN_ACCOUNT_SID}/Addresses.json",
            [],
            {**_auth(), "Content-Type": "application/x-www-form-urlencoded"},
            b"CustomerName=Shop+%5B%2F%5D+%5Bred%5Dx&Street=1+Main+St&City=London&Region=London"
            b"&PostalCode=SW1A+1AA&IsoCountry=GB&EmergencyEnabled=true",
        )
        sid = json.loads(answer.body)["sid"]
        await settle(pilot)
        await reach_review(pilot, "+447437283605")  # GB: an address is needed
        await go(pilot, "compliance")
        for picker in ("#pick-address", "#pick-emergency-address"):
            options = app.screen.query_one(picker, Select).query_one(OptionList).options
            [label] = [str(option.prompt) for option in options if str(option.prompt).endswith(sid)]
            assert "Shop [/] [red]x" in label
        app.screen.query_one("#pick-address", Select).value = sid
        await settle(pilot)
        assert field(app, "address_sid").value == sid
        assert "Shop [/] [red]x" in app.export_screenshot().replace("&#160;", " ")
