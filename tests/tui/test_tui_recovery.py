"""At start the wizard settles the purchases an earlier session left unfinished
(its receipt says "sending" or "unknown") and tells the person before anything
else; a resumed draft for a number that turned out bought goes to its Summary,
never to a Review that offers to buy it again."""

from __future__ import annotations

from pathlib import Path

from tests.support.app_factory import FIXED_NOW, draft_store_in, recording_connection
from tests.support.pilot import settle, text_of
from tui.domain.purchase import PurchaseRequest
from tui.sandbox.accounts import MAIN_ACCOUNT_SID
from tui.services.receipts import ReceiptBook
from tui.services.session import Connection
from tui.wizard.draft import WizardDraft

NUMBER = "+31616953194"  # NL, needs nothing


def live_like(connection: Connection) -> Connection:
    """The in-process sandbox, treated like a real endpoint (its world outlives
    one session here), so that receipts are settled by lookup."""
    connection.sandbox = False
    return connection


def left_unfinished(directory: Path, connection: Connection, outcome: str = "sending") -> Path:
    client = connection.client()
    prepared = client.prepare_purchase(PurchaseRequest(phone_number=NUMBER))
    book = ReceiptBook(directory / "receipts", clock=lambda: FIXED_NOW)
    receipt = book.start(
        method=prepared.method,
        url=prepared.url,
        form=prepared.form,
        account_sid=MAIN_ACCOUNT_SID,
        auth_kind="auth_token",
        sandbox=False,
    )
    if outcome != "sending":
        book.settle(receipt, outcome)
    return receipt.path


def save_draft(directory: Path, number: str) -> None:
    draft = WizardDraft()
    draft.set("phone_number", number)
    draft_store_in(directory).save(draft.to_json())


async def bought_behind_our_back(connection: Connection) -> None:
    """The earlier session's POST went through: the account owns the number."""
    async with connection.client() as client:
        await client.send_purchase(client.prepare_purchase(PurchaseRequest(phone_number=NUMBER)))


async def test_an_interrupted_purchase_that_went_through_is_told_and_shown_as_bought(make_app, tmp_path):
    connection, recorder = recording_connection()
    live_like(connection)
    await bought_behind_our_back(connection)
    posts_before = recorder.count("POST")
    receipt_path = left_unfinished(tmp_path, connection)
    save_draft(tmp_path, NUMBER)
    app = make_app(connection=connection, resume_draft=True)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        # First what was found…
        body = str(app.screen.query_one("#recovered").content)
        assert f"An earlier purchase of {NUMBER}" in body and "it went through" in body
        assert str(receipt_path) in body
        await pilot.press("enter")
        await settle(pilot)
        # …then the draft, which is for that number: its Summary, not a Review.
        assert app.screen.query_one(".modal-title").content == "Continue where you left off?"
        await pilot.click("#yes")
        await settle(pilot)
        assert app.screen.id == "summary"
        assert text_of(app, "#summary-headline").startswith(f"Bought {NUMBER}")
    assert recorder.count("POST") == posts_before  # never bought again
    assert '"outcome": "bought"' in receipt_path.read_text()


async def test_an_interrupted_purchase_that_did_not_go_through_is_told(make_app, tmp_path):
    connection, recorder = recording_connection()
    live_like(connection)
    receipt_path = left_unfinished(tmp_path, connection, outcome="unknown")
    app = make_app(connection=connection, clock=lambda: FIXED_NOW.replace(year=FIXED_NOW.year + 1))
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        body = str(app.screen.query_one("#recovered").content)
        assert "it did not go through" in body and "safe to buy again" in body
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.STEP_ID == "account"
    assert recorder.count("POST") == 0
    assert '"outcome": "failed"' in receipt_path.read_text()


async def test_nothing_unfinished_shows_nothing(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        assert app.screen.STEP_ID == "account" and app.recovered == []
