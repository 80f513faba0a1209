"""Quitting (asks only when input would be lost) and the draft: saved while
typing, offered on the next start, resumed or discarded."""

from __future__ import annotations

import json

from textual.widgets import RadioButton, Static

from tests.support.app_factory import draft_store_in
from tests.support.pilot import click_again, control, go, set_mode, settle, step_of, type_into, type_number
from tui.sandbox.accounts import MAIN_AUTH_TOKEN
from tui.screens.modals import ConfirmQuitModal, ResumeDraftModal
from tui.wizard.draft import WizardDraft


async def test_quit_without_input_asks_nothing(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await go(pilot, "voice")  # looking around types nothing
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmQuitModal)
        assert app.return_code == 0


async def test_quit_with_input_asks_first(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "details")
        await type_into(pilot, "friendly_name", "Support")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmQuitModal)
        assert app.focused.id == "no"  # the safe answer is the default
        # Escape means stay, and nothing is lost.
        await pilot.press("escape")
        await pilot.pause()
        assert step_of(app) == "details"
        assert control(app, "friendly_name").value == "Support"
        assert app.return_code is None
        # Stay by button.
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.click("#no")
        await pilot.pause()
        assert step_of(app) == "details" and app.return_code is None
        # Quit for real.
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.click("#yes")
        await pilot.pause()
        assert app.return_code == 0


async def test_the_draft_is_saved_while_typing_and_holds_no_secret(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "number")
        await type_number(pilot, "+447929436483")
        await go(pilot, "voice")
        await set_mode(pilot, "application")
        await type_into(pilot, "voice_application_sid", "AP" + "1" * 32)
        await settle(pilot)
    path = draft_store_in(tmp_path).path
    saved = json.loads(path.read_text("utf-8"))
    assert saved["values"]["phone_number"] == "+447929436483"
    assert saved["values"]["voice_application_sid"] == "AP" + "1" * 32
    assert saved["voice_mode"] == "application"
    assert MAIN_AUTH_TOKEN not in path.read_text("utf-8")
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def save_draft(tmp_path) -> WizardDraft:
    draft = WizardDraft()
    draft.set("phone_number", "+447929436483")
    draft.set("friendly_name", "From last time")
    draft.set("sms_application_sid", "AP" + "2" * 32)
    draft.sms_mode = draft.sms_mode.__class__("application")
    draft_store_in(tmp_path).save(draft.to_json())
    return draft


async def test_saved_draft_is_offered_and_resumed(make_app, tmp_path):
    save_draft(tmp_path)
    app = make_app(resume_draft=True)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ResumeDraftModal)
        body = str(app.screen.query_one(".modal-body", Static).content)
        assert "+447929436483" in body and "3 fields filled in" in body
        await pilot.click("#yes")
        await settle(pilot)
        assert step_of(app) == "account"
        assert app.draft.get("friendly_name") == "From last time"
        await go(pilot, "number")
        assert control(app, "phone_number").value == "+447929436483"
        await go(pilot, "messaging")
        assert app.screen.query_one("#mode-application", RadioButton).value
        assert control(app, "sms_application_sid").value == "AP" + "2" * 32
        await go(pilot, "details")
        assert control(app, "friendly_name").value == "From last time"


async def test_saved_draft_can_be_discarded_to_start_over(make_app, tmp_path):
    save_draft(tmp_path)
    app = make_app(resume_draft=True)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ResumeDraftModal)
        await pilot.click("#no")  # "Start over…" asks once more
        await settle(pilot)
        assert isinstance(app.screen, ResumeDraftModal)
        assert app.screen.query_one(".modal-title", Static).content == "Delete the saved draft?"
        assert draft_store_in(tmp_path).path.exists()
        await click_again(pilot, "#no")  # "Delete and start over"
        await settle(pilot)
        assert app.draft.is_empty()
        assert not draft_store_in(tmp_path).path.exists()
        await go(pilot, "details")
        assert control(app, "friendly_name").value == ""
        # Nothing typed now: quitting asks nothing.
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.return_code == 0


async def test_resume_by_keyboard(make_app, tmp_path):
    save_draft(tmp_path)
    app = make_app(resume_draft=True)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        assert app.focused is app.screen.query_one("#yes")  # "Resume draft" has the focus
        await pilot.press("enter")
        await settle(pilot)
        assert app.draft.get("phone_number") == "+447929436483"


async def test_no_offer_without_a_draft_or_when_not_asked(make_app, tmp_path):
    app = make_app(resume_draft=True)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        assert step_of(app) == "account"
    save_draft(tmp_path)
    app = make_app()  # resume_draft=False
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        assert step_of(app) == "account" and app.draft.is_empty()


async def test_palette_discard_draft_forgets_everything(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "details")
        await type_into(pilot, "friendly_name", "Temp")
        await settle(pilot)
        assert draft_store_in(tmp_path).path.exists()
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"Discard draft")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.draft.is_empty()
        assert control(app, "friendly_name").value == ""
        assert not draft_store_in(tmp_path).path.exists()


async def test_rapid_changes_save_the_newest_draft_without_errors(make_app, tmp_path):
    """Saves run in threads; fast typing must not make them trip over each other."""
    import asyncio

    app = make_app()
    warnings: list[str] = []
    app.notify = lambda message, **options: warnings.append(message)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        for index in range(60):
            app.draft.set("friendly_name", f"Name {index}")
            app.draft_changed()
            await asyncio.sleep(0.001)
        await settle(pilot)
        assert warnings == []
        saved = json.loads(draft_store_in(tmp_path).path.read_text("utf-8"))
        assert saved["values"]["friendly_name"] == "Name 59"
        # A discard is final: no save still in flight brings the file back.
        for index in range(20):
            app.draft.set("friendly_name", f"Again {index}")
            app.draft_changed()
            await asyncio.sleep(0.001)
        app.discard_draft()
        await settle(pilot)
        assert not draft_store_in(tmp_path).path.exists()


# -- the draft file is read and removed in threads --------------------------------


async def test_the_draft_is_read_and_removed_off_the_ui_thread(make_app, tmp_path, monkeypatch):
    import threading

    from tui.services.drafts import DraftStore

    ui_thread = threading.current_thread()
    calls: list[tuple[str, bool]] = []
    real_load, real_discard = DraftStore.load, DraftStore.discard

    def load(self):
        calls.append(("load", threading.current_thread() is ui_thread))
        return real_load(self)

    def discard(self):
        calls.append(("discard", threading.current_thread() is ui_thread))
        return real_discard(self)

    monkeypatch.setattr(DraftStore, "load", load)
    monkeypatch.setattr(DraftStore, "discard", discard)
    save_draft(tmp_path)
    app = make_app(resume_draft=True)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ResumeDraftModal)
        await pilot.click("#no")
        await settle(pilot)
        await click_again(pilot, "#no")  # confirmed: delete it
        await settle(pilot)
        assert not draft_store_in(tmp_path).path.exists()
    assert [name for name, _ in calls] == ["load", "discard"]
    assert not any(on_ui for _, on_ui in calls), calls


async def test_a_draft_read_while_the_person_types_is_not_offered(make_app, tmp_path, monkeypatch):
    """What the person does meanwhile wins: an offer that comes late would replace
    (or, declined, discard) what was just typed."""
    import threading

    from tui.services.drafts import DraftStore

    reading = threading.Event()
    release = threading.Event()
    real_load = DraftStore.load

    def slow_load(self):
        reading.set()
        release.wait(5)
        return real_load(self)

    monkeypatch.setattr(DraftStore, "load", slow_load)
    save_draft(tmp_path)
    app = make_app(resume_draft=True)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert reading.wait(5)
        app.draft.set("friendly_name", "Typed now")
        app.draft_changed()
        release.set()
        await settle(pilot)
        assert not isinstance(app.screen, ResumeDraftModal)
        assert app.draft.get("friendly_name") == "Typed now"
    saved = json.loads(draft_store_in(tmp_path).path.read_text("utf-8"))
    assert saved["values"] == {"friendly_name": "Typed now"}


# -- a sandbox run keeps its own draft --------------------------------------------


def test_sandbox_runs_keep_their_draft_beside_the_real_one(isolated_environment):
    from tui.services.drafts import DraftStore

    real, sandbox = DraftStore().path, DraftStore(sandbox=True).path
    assert real.name == "draft.json" and sandbox.name == "draft-sandbox.json"
    assert real.parent == sandbox.parent
    assert real.is_relative_to(isolated_environment)  # the isolated XDG state folder


def test_run_wizard_gives_sandbox_runs_their_own_draft(monkeypatch):
    import tui.app
    from tui.services.drafts import default_path
    from tui.services.session import ConnectionRequest

    built: list[tui.app.WizardApp] = []
    monkeypatch.setattr(tui.app.WizardApp, "run", lambda self, *a, **k: built.append(self))
    tui.app.run_wizard(ConnectionRequest(sandbox=True))
    tui.app.run_wizard(ConnectionRequest())
    sandbox_app, real_app = built
    assert sandbox_app.is_sandbox and sandbox_app.draft_store.path == default_path(sandbox=True)
    assert not real_app.is_sandbox and real_app.draft_store.path == default_path()
    # Built without a draft store, the app picks the same file.
    assert tui.app.WizardApp(None, request=ConnectionRequest(sandbox=True)).draft_store.path == default_path(
        sandbox=True
    )
    assert tui.app.WizardApp(None).draft_store.path == default_path()


async def test_a_sandbox_draft_is_never_offered_to_a_real_session_nor_the_other_way(tmp_path):
    from tests.support.app_factory import profile_store_in
    from tui.app import WizardApp
    from tui.services.drafts import DraftStore
    from tui.services.session import ConnectionRequest, sandbox_connection

    def wizard(sandbox: bool) -> WizardApp:
        app = WizardApp(
            sandbox_connection() if sandbox else None,
            request=ConnectionRequest(sandbox=sandbox),
            profiles=profile_store_in(tmp_path),
            env={},
            resume_draft=True,
        )
        app.animation_level = "none"
        return app

    async def offered(app: WizardApp) -> WizardDraft | None:
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            if not isinstance(app.screen, ResumeDraftModal):
                return None
            await pilot.click("#yes")
            await settle(pilot)
            return app.draft

    sandbox_draft = WizardDraft()
    sandbox_draft.set("phone_number", "+15005550006")
    sandbox_draft.set("address_sid", "AD" + "5" * 32)
    DraftStore(sandbox=True).save(sandbox_draft.to_json())
    assert await offered(wizard(sandbox=False)) is None  # a real session: nothing to offer
    resumed = await offered(wizard(sandbox=True))
    assert resumed is not None and resumed.get("address_sid") == "AD" + "5" * 32

    real_draft = WizardDraft()
    real_draft.set("phone_number", "+447929436483")
    DraftStore().save(real_draft.to_json())
    DraftStore(sandbox=True).discard()
    assert await offered(wizard(sandbox=True)) is None
    resumed = await offered(wizard(sandbox=False))
    assert resumed is not None and resumed.get("phone_number") == "+447929436483"


async def test_escape_and_enter_never_delete_the_draft_by_surprise(make_app, tmp_path):
    save_draft(tmp_path)
    app = make_app(resume_draft=True)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("escape")  # asks whether to delete it…
        await settle(pilot)
        assert app.screen.query_one(".modal-title").content == "Delete the saved draft?"
        await pilot.press("escape")  # …and Escape again goes back to the first question
        await settle(pilot)
        assert app.screen.query_one(".modal-title").content == "Continue where you left off?"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("enter")  # the focused answer on the second question keeps it
        await settle(pilot)
        assert app.draft.get("phone_number") == "+447929436483"
        assert draft_store_in(tmp_path).path.exists()
