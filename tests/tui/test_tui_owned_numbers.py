"""A number the account already owns is never POSTed by the wizard (Twilio treats a
re-POST as an update that overwrites the number's settings): typed on the Number
step, reached again through the palette after a purchase, or chosen again after
"Buy another"."""

from __future__ import annotations

from tests.support.app_factory import recording_connection
from tests.support.pilot import buy, checked, go, reach_review, settle, text_of, type_number
from tui.sandbox.seed import BUNDLE_GB_MOBILE_APPROVED

OWNED = "+447802019939"  # seeded on the main account ("Support line (UK)")
NUMBER = "+447929436483"  # GB, for sale; needs the approved bundle
MOBILE_POST = "/IncomingPhoneNumbers/Mobile.json"


async def wait_for_ownership(pilot) -> None:
    await pilot.pause(0.4)  # the check waits for typing to pause
    await settle(pilot)


async def test_a_typed_number_the_account_owns_is_refused_on_the_number_step(make_app):
    connection, recorder = recording_connection()
    app = make_app(connection=connection)
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "number")
        await type_number(pilot, OWNED)
        await wait_for_ownership(pilot)
        facts = text_of(app, "#number-facts")
        assert "already owns +447802019939" in facts and "overwrite its settings" in facts
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.screen.STEP_ID == "number"
        assert "already owns this number" in str(
            app.screen.query_one("#field-phone_number .field-error").content
        )
        # Another number clears it.
        await type_number(pilot, NUMBER)
        await wait_for_ownership(pilot)
        assert "already owns" not in text_of(app, "#number-facts")
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.screen.STEP_ID == "voice"
    assert recorder.count("POST") == 0


async def test_the_review_refuses_an_owned_number_before_the_confirmation(make_app):
    connection, recorder = recording_connection()
    app = make_app(connection=connection)
    async with app.run_test(size=(100, 32)) as pilot:
        await reach_review(pilot, OWNED)
        await pilot.press("ctrl+y")
        await checked(pilot)
        assert app.screen.STEP_ID == "review"  # no dialog
        panel = str(app.screen.query_one("#step-error").content)
        assert "already owns +447802019939" in panel and "nothing was sent" in panel
    assert recorder.count("POST") == 0


async def test_after_a_purchase_the_palette_back_to_compliance_cannot_buy_it_again(make_app):
    connection, recorder = recording_connection()
    app = make_app(connection=connection)
    async with app.run_test(size=(100, 32)) as pilot:
        await reach_review(pilot, NUMBER, bundle_sid=BUNDLE_GB_MOBILE_APPROVED)
        await buy(pilot)
        assert app.screen.id == "summary"
        assert recorder.count("POST", MOBILE_POST) == 1
        # Back through the palette's "Go to step" commands.
        await go(pilot, "compliance")
        await go(pilot, "review")
        assert "was bought in this session" in str(app.screen.query_one(".step-intro").content)
        await pilot.press("ctrl+y")
        await checked(pilot)
        assert app.screen.STEP_ID == "review"
        assert "already owns" in str(app.screen.query_one("#step-error").content)
        # Quitting now loses nothing: the draft is of the number just bought.
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app._exit
    assert recorder.count("POST", MOBILE_POST) == 1


async def test_buy_another_with_the_same_number_is_stopped_on_the_number_step(make_app):
    connection, recorder = recording_connection()
    app = make_app(connection=connection)
    async with app.run_test(size=(100, 32)) as pilot:
        await reach_review(pilot, NUMBER, bundle_sid=BUNDLE_GB_MOBILE_APPROVED)
        await buy(pilot)
        await pilot.press("ctrl+a")
        await settle(pilot)
        assert app.screen.STEP_ID == "number"
        await type_number(pilot, NUMBER)
        await wait_for_ownership(pilot)
        assert f"already owns {NUMBER}" in text_of(app, "#number-facts")
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.screen.STEP_ID == "number"
        # Even if the person pushes on to the review, nothing is sent.
        await reach_review(pilot, NUMBER, bundle_sid=BUNDLE_GB_MOBILE_APPROVED)
        await pilot.press("ctrl+y")
        await checked(pilot)
        assert "already owns" in str(app.screen.query_one("#step-error").content)
        # With another number typed, the quit dialog says what was bought, not
        # "nothing has been bought".
        await go(pilot, "number")
        await type_number(pilot, "+447956893485")
        await pilot.press("ctrl+q")
        await pilot.pause()
        body = str(app.screen.query_one(".modal-body").content)
        assert f"Bought in this session: {NUMBER}." in body and "Nothing has been bought" not in body
    assert recorder.count("POST", MOBILE_POST) == 1
