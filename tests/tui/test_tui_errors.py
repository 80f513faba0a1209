"""API errors are shown on the screen they concern, in plain language, with
Twilio's code and link."""

from __future__ import annotations

import pytest

from tests.support.app_factory import fixed_clock, sandbox_of
from tests.support.pilot import buy, go, only_receipt, reach_review, settle, step_of, text_of
from tui.domain.credentials import Credentials, Secret
from tui.domain.errors import KNOWN_ERRORS
from tui.sandbox import Sandbox, SandboxTransport
from tui.sandbox.accounts import MAIN_ACCOUNT_SID
from tui.sandbox.seed import BUNDLE_GB_MOBILE_APPROVED
from tui.services.session import Connection


def error_text(app) -> str:
    panel = app.screen.query_one("#step-error")
    assert panel.display, "no error is shown on this screen"
    return str(panel.content)


def assert_explained(text: str, code: int) -> None:
    assert f"Twilio error {code} (HTTP" in text
    assert KNOWN_ERRORS[code].summary in text  # plain language
    assert f"More: https://www.twilio.com/docs/errors/{code}" in text
    assert f"Next: {KNOWN_ERRORS[code].next_step}" in text


@pytest.mark.parametrize(
    ("number", "code", "step"),
    [
        ("+447491828501", 21422, "number"),  # owned by another account: not for sale
        ("+61491570006", 21631, "compliance"),  # needs a local address, none given
        ("+447929436483", 21649, "compliance"),  # GB mobile needs a bundle, none given
    ],
)
async def test_purchase_error_is_shown_on_its_step(make_app, number, code, step):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await reach_review(pilot, number)
        await buy(pilot)
        assert step == step_of(app)
        assert_explained(error_text(app), code)
        assert not app.pending_errors
        # Nothing was bought, the draft is kept, and fixing a field clears the panel.
        assert only_receipt(app)["outcome"] == "failed"
        assert not app.draft.is_empty()


async def test_error_is_still_shown_after_the_step_has_loaded(make_app):
    """The step refills itself from the draft when shown: that must not wipe the error."""
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await reach_review(pilot, "+61491570006")
        await buy(pilot)
        await pilot.pause(0.3)
        await settle(pilot)
        assert step_of(app) == "compliance"
        assert "21631" in error_text(app)


async def test_fixing_the_field_clears_the_error(make_app):
    from tests.support.pilot import type_into

    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await reach_review(pilot, "+447929436483")
        await buy(pilot)
        assert "21649" in error_text(app)
        await type_into(pilot, "bundle_sid", BUNDLE_GB_MOBILE_APPROVED)
        assert not app.screen.query_one("#step-error").display
        await go(pilot, "review")
        await buy(pilot)
        assert app.screen.id == "summary"


async def test_wrong_credentials_20003_on_the_account_step(make_app):
    connection = Connection(
        credentials=Credentials(MAIN_ACCOUNT_SID, Secret("not-the-token-000000000000000000"), source="test"),
        transport=SandboxTransport(Sandbox(clock=fixed_clock)),
        sandbox=True,
    )
    app = make_app(connection=connection)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        assert step_of(app) == "account"
        assert_explained(error_text(app), 20003)
        assert text_of(app, "#account-check") == "✗ Twilio did not accept these credentials."
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert step_of(app) == "account"
        assert text_of(app, "#nav-status") == "Twilio has not accepted the credentials yet"


async def test_20003_during_the_purchase_goes_to_the_account_step(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await reach_review(pilot, "+447929436483", bundle_sid=BUNDLE_GB_MOBILE_APPROVED)
        sandbox_of(app).faults.add("POST", r"/Mobile\.json$", status=401, code=20003, message="Authenticate")
        await buy(pilot)
        assert step_of(app) == "account"
        assert_explained(error_text(app), 20003)


async def test_a_refusal_no_step_can_fix_is_shown_on_the_review(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await reach_review(pilot, "+447929436483", bundle_sid=BUNDLE_GB_MOBILE_APPROVED)
        sandbox_of(app).faults.add("POST", r"/Mobile\.json$", status=400, code=21999, message="Odd")
        await buy(pilot)
        assert app.screen.STEP_ID == "review"
        text = error_text(app)
        assert "Twilio error 21999 (HTTP 400): Odd" in text
        assert "More: https://www.twilio.com/docs/errors/21999" in text
        assert not app.pending_errors


async def test_a_twilio_500_is_looked_up_and_explained_not_called_a_failure(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await reach_review(pilot, "+447929436483", bundle_sid=BUNDLE_GB_MOBILE_APPROVED)
        sandbox_of(app).faults.add("POST", r"/Mobile\.json$", status=500)
        await buy(pilot)
        assert app.screen.id == "summary"
        assert app.screen.outcome.state.value == "unknown"
        assert "looked up and is not on the account yet" in text_of(app, "#summary-headline")
        panel = str(app.screen.query_one("#summary-error").content)
        assert "Twilio error 20500 (HTTP 500)" in panel and "Twilio had an internal error." in panel


async def test_search_error_is_shown_on_the_number_step(make_app):
    from tests.support.pilot import choose

    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "number")
        await choose(pilot, "country", "GB")
        sandbox_of(app).faults.add("GET", r"/Mobile\.json$", status=403, code=20403, message="Forbidden")
        await pilot.click("#search")
        await settle(pilot)
        text = error_text(app)
        assert text.startswith("The search failed.")
        assert "Twilio error 20403" in text and "https://www.twilio.com/docs/errors/20403" in text
