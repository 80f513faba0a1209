"""Buying with a Messaging Service (in-process sandbox): the Review shows the second
request, the number joins the service right after it is bought, and a second
request that fails never hides or undoes the purchase; Retry sends only it."""

from __future__ import annotations

from textual.widgets import Button, Static

from tests.support.app_factory import sandbox_of
from tests.support.pilot import buy, go, only_receipt, settle, step_of, text_of
from tui.sandbox.seed import BUNDLE_GB_MOBILE_APPROVED, MESSAGING_SERVICE_NOTIFICATIONS
from tui.wizard.draft import SmsMode, VoiceMode

NUMBER = "+447929436483"  # GB: a bundle, no address
JOIN_PATH = f"/v1/Services/{MESSAGING_SERVICE_NOTIFICATIONS}/PhoneNumbers"


async def reach_review_with_service(pilot) -> None:
    app = pilot.app
    draft = app.draft
    draft.set("phone_number", NUMBER)
    draft.voice_mode = VoiceMode.NONE
    draft.sms_mode = SmsMode.SERVICE
    draft.set("messaging_service_sid", MESSAGING_SERVICE_NOTIFICATIONS)
    draft.set("bundle_sid", BUNDLE_GB_MOBILE_APPROVED)
    app.draft_changed()
    # The Messaging step loads the account's services (their names name the service
    # in the Summary).
    await go(pilot, "messaging")
    await go(pilot, "review")
    assert step_of(app) == "review"


def joins(app) -> list[dict]:
    return [r for r in sandbox_of(app).requests if r["method"] == "POST" and r["path"] == JOIN_PATH]


def service_numbers(app) -> list[str]:
    state = sandbox_of(app).state_snapshot()
    entries = state.get("messaging_service_numbers") or []
    return [e["sid"] for e in entries if e["service_sid"] == MESSAGING_SERVICE_NOTIFICATIONS]


async def test_the_review_shows_the_second_request_and_the_purchase_joins_the_service(make_app):
    app = make_app()
    async with app.run_test(size=(110, 40)) as pilot:
        await reach_review_with_service(pilot)
        request_text = text_of(app, "#review-request")
        assert "MessagingServiceSid" not in request_text.split("Then, once")[0]
        assert "a second request adds it to the Messaging Service" in request_text
        assert f"POST https://messaging.twilio.com{JOIN_PATH}" in request_text
        assert "PhoneNumberSid=PN…" in request_text
        table = app.screen.query_one("#review-values", Static).content
        values = [str(cell) for cell in table.columns[2].cells]
        assert f"{MESSAGING_SERVICE_NOTIFICATIONS} (2nd request, once bought)" in values
        await buy(pilot)
        assert app.screen.id == "summary"
        outcome = app.screen.outcome
        assert outcome.state.value == "bought"
        sid = outcome.resource.sid
        follow_up = outcome.follow_ups[0]
        assert follow_up.state == "done" and follow_up.service_name == "Sandbox notifications"
        assert [r["form"] for r in joins(app)] == [{"PhoneNumberSid": sid}]
        assert sid in service_numbers(app)
        lines = text_of(app, "#summary-follow-ups")
        assert (
            lines == f"Added {NUMBER} to Messaging Service {MESSAGING_SERVICE_NOTIFICATIONS} "
            "(Sandbox notifications)."
        )
        assert not app.screen.query_one("#retry-follow-up", Button).display
        receipt = only_receipt(app)
        assert receipt["outcome"] == "bought"
        assert receipt["follow_ups"][0]["outcome"] == "done"
        assert receipt["follow_ups"][0]["request"]["form"] == {"PhoneNumberSid": sid}


async def test_a_failed_second_request_keeps_the_purchase_and_is_retried_alone(make_app):
    app = make_app()
    sandbox = sandbox_of(app)
    # Twilio refuses the join before processing it (a 503: never processed).
    sandbox.faults.add("POST", JOIN_PATH + "$", status=503)
    async with app.run_test(size=(110, 40)) as pilot:
        await reach_review_with_service(pilot)
        await buy(pilot)
        assert app.screen.id == "summary"
        outcome = app.screen.outcome
        # The purchase is bought, whatever happened next.
        assert outcome.state.value == "bought"
        assert text_of(app, "#summary-headline") == f"Bought {NUMBER}."
        follow_up = outcome.follow_ups[0]
        assert follow_up.state == "failed"
        lines = text_of(app, "#summary-follow-ups")
        assert f"{NUMBER} was not added to Messaging Service {MESSAGING_SERVICE_NOTIFICATIONS}" in lines
        assert "The number itself is bought." in lines
        # How to retry just that step, from here or with twilio-cli.
        assert "To retry just this step" in lines
        assert (
            f"twilio api:messaging:v1:services:phone-numbers:create --service-sid "
            f"{MESSAGING_SERVICE_NOTIFICATIONS} --phone-number-sid '{outcome.resource.sid}'"
        ) in lines or f"--phone-number-sid {outcome.resource.sid}" in lines
        assert outcome.resource.sid not in service_numbers(app)
        receipt = only_receipt(app)
        assert receipt["outcome"] == "bought" and receipt["follow_ups"][0]["outcome"] == "failed"
        retry = app.screen.query_one("#retry-follow-up", Button)
        assert retry.display
        purchases_before = [r for r in sandbox.requests if r["path"].endswith("/Mobile.json")]
        retry.press()
        await settle(pilot)
        assert outcome.follow_ups[0].state == "done" and outcome.follow_ups[0].attempts == 2
        assert outcome.resource.sid in service_numbers(app)
        assert len(joins(app)) == 2
        # Nothing was bought again.
        assert [r for r in sandbox.requests if r["path"].endswith("/Mobile.json")] == purchases_before
        assert not retry.display
        assert text_of(app, "#summary-follow-ups").startswith(f"Added {NUMBER} to Messaging Service")
        receipt = only_receipt(app)
        assert receipt["follow_ups"][0]["outcome"] == "done" and receipt["follow_ups"][0]["attempts"] == 2


async def test_a_lost_answer_to_the_second_request_is_looked_up(make_app):
    app = make_app()
    sandbox = sandbox_of(app)
    # Processed, then the connection drops: the lookup finds the number in the service.
    sandbox.faults.add("POST", JOIN_PATH + "$", drop_after_commit=True)
    async with app.run_test(size=(110, 40)) as pilot:
        await reach_review_with_service(pilot)
        await buy(pilot)
        outcome = app.screen.outcome
        follow_up = outcome.follow_ups[0]
        assert follow_up.state == "done" and follow_up.settled_by == "lookup"
        assert "(confirmed by looking it up)" in text_of(app, "#summary-follow-ups")
        assert len(joins(app)) == 1  # never sent twice
