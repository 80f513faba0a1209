"""The wizard application: steps, shared state, and the I/O that outlives a screen.

Screens present and collect; the services (client, receipts, drafts) do the I/O,
always from workers. The App holds the draft, the connection and what was loaded
from Twilio, so that moving between steps never loses or reloads anything.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from tui.domain.errors import WizardError
from tui.screens import create_step_screen
from tui.services.drafts import DraftStore
from tui.services.receipts import ReceiptBook
from tui.services.session import Connection, ConnectionRequest
from tui.wizard.draft import WizardDraft
from tui.wizard.flow import STEPS, STEPS_BY_ID, step_of_error

if TYPE_CHECKING:
    # The API client, the models (pydantic) and keyring load after the first frame,
    # with the Account step's first check (see run_wizard).
    from tui.services.credentials.profiles import ProfileStore
    from tui.services.purchase import PurchaseOutcome
    from tui.services.twilio import TwilioClient

TITLE = "number-wizard"
DRAFT_WRITE_INTERVAL = 0.25  # seconds; see draft_changed


def stylesheet_path() -> Path:
    """styles.tcss: inside the package when installed from a wheel, at the
    repository root in a checkout or an editable install."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "styles.tcss", here.parent / "styles.tcss"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"styles.tcss not found beside {here} or in its parent folder")


class WizardApp(App[None]):
    TITLE = TITLE
    CSS_PATH = stylesheet_path()
    ENABLE_COMMAND_PALETTE = True
    # Each step is created when first shown, then kept (switch_screen), so input
    # survives Back; only the Account step is built before the first frame.
    SCREENS: ClassVar[dict[str, Callable[[], Screen[Any]]]] = {
        step.id: partial(create_step_screen, step.id) for step in STEPS
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+q",
            "quit",
            "Quit",
            id="quit",
            priority=True,
            tooltip="Leave the wizard (asks first when input would be lost)",
        ),
    ]

    def __init__(
        self,
        connection: Connection | None = None,
        *,
        request: ConnectionRequest | None = None,
        profiles: ProfileStore | None = None,
        env: Mapping[str, str] | None = None,
        draft_store: DraftStore | None = None,
        receipts: ReceiptBook | None = None,
        theme: str = "textual-dark",
        resume_draft: bool = True,
    ) -> None:
        """`connection`: ready to use (the sandbox, tests). Without it the Account
        step resolves `request` (--profile, TWILIO_* variables, the active profile)
        in a thread, or asks for credentials."""
        super().__init__()
        self.connection = connection
        self.request = request or ConnectionRequest()
        self.env: Mapping[str, str] = os.environ if env is None else env
        self._profiles = profiles
        self._profiles_lock = threading.Lock()
        # A --sandbox run has a draft file of its own (see drafts.default_path).
        self.draft_store = draft_store or DraftStore(sandbox=self.is_sandbox)
        self.receipts = receipts or ReceiptBook()
        self.draft = WizardDraft()
        self.done_steps: set[str] = set()
        self.pending_errors: dict[str, WizardError] = {}
        self.cache: dict[str, Any] = {}
        self._resume_draft = resume_draft
        self._initial_theme = theme
        # Saves run in threads: one at a time, and only the newest change is written
        # (a discard counts as a change), so a slow disk never writes a stale draft.
        self._draft_lock = threading.Lock()
        self._draft_generation = 0
        self._draft_newest: tuple[int, dict[str, Any]] = (0, {})
        self._draft_save_waiting = False
        self._draft_written_at = -DRAFT_WRITE_INTERVAL
        self.client: TwilioClient | None = connection.client() if connection else None

    @property
    def is_sandbox(self) -> bool:
        return self.request.sandbox or bool(self.connection and self.connection.sandbox)

    @property
    def profiles(self) -> ProfileStore:
        """The stored profiles (opened on first use, from a thread: it reads the
        config file; two threads asking at once get the same store)."""
        with self._profiles_lock:
            if self._profiles is None:
                from tui.services.credentials.profiles import ProfileStore

                self._profiles = ProfileStore.open_default()
            return self._profiles

    def set_connection(self, connection: Connection) -> None:
        """Use other credentials from now on. What was loaded with the previous
        ones (account, addresses, bundles, prices…) is forgotten."""
        previous = self.client
        self.connection = connection
        self.client = connection.client()
        self.cache.clear()
        if previous is not None:
            self.run_worker(previous.aclose(), group="close-client", exit_on_error=False)

    def on_mount(self) -> None:
        self.theme = self._initial_theme
        self.push_screen("account")
        if self._resume_draft:
            self.offer_saved_draft()

    async def on_unmount(self) -> None:
        if self.client is not None:
            await self.client.aclose()

    # -- navigation ---------------------------------------------------------

    def goto(self, step_id: str) -> None:
        if step_id != "account" and self.client is None:
            # Every other step talks to Twilio (countries, prices, addresses…).
            self.notify("Add credentials on the Account step first.", severity="warning")
            step_id = "account"
        if self.get_screen(step_id) is not self.screen:
            self.switch_screen(step_id)

    def mark_done(self, step_id: str) -> None:
        self.done_steps.add(step_id)

    def show_error_on_step(self, error: WizardError) -> str:
        """Send an API error to the step where it can be fixed, and go there."""
        from tui.screens.base import StepScreen

        code = getattr(error, "code", None)
        step_id = step_of_error(code)
        screen = self.get_screen(step_id)
        if screen is self.screen and isinstance(screen, StepScreen):
            # Already there (e.g. a purchase refused for a reason the Review shows):
            # no screen switch will come to pick the pending error up.
            screen.show_step_error(error)
            return step_id
        self.pending_errors[step_id] = error
        self.goto(step_id)
        return step_id

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for index, step in enumerate(STEPS, start=1):
            yield SystemCommand(
                f"Go to step {index}: {step.title}",
                f"Jump to the {step.title} step (nothing you typed is lost)",
                lambda step_id=step.id: self.goto(step_id),
            )
        yield SystemCommand(
            "Discard draft", "Forget everything typed so far and start over", self.discard_draft
        )

    # -- draft --------------------------------------------------------------
    #
    # The draft file is read, written and removed in threads. Every change (a
    # discard too) takes a new generation on the UI thread; a thread writes or
    # removes the file only if its generation is still the newest, holding the lock,
    # so a slow disk never leaves a stale draft behind.
    #
    # While the person types, the file is written at most once per
    # DRAFT_WRITE_INTERVAL, with the newest draft: a write ends in an fsync, which
    # costs more than the keystroke itself. One save waits at a time; the changes
    # made meanwhile only replace what it will write. A crash loses at most the
    # last DRAFT_WRITE_INTERVAL of typing.

    def draft_changed(self) -> None:
        self._draft_generation += 1
        self._draft_newest = (self._draft_generation, self.draft.to_json())
        if not self._draft_save_waiting:
            self._draft_save_waiting = True
            self.save_draft()

    @work(thread=True, group="draft", exit_on_error=False)
    def save_draft(self) -> None:
        time.sleep(max(0.0, self._draft_written_at + DRAFT_WRITE_INTERVAL - time.monotonic()))
        self._draft_save_waiting = False  # a change from now on starts another save
        generation, data = self._draft_newest
        try:
            with self._draft_lock:
                if generation != self._draft_generation:
                    return  # a newer change (saved by its own save) or a discard supersedes it
                self.draft_store.save(data)
                self._draft_written_at = time.monotonic()
        except OSError as error:
            self.call_from_thread(
                self.notify, f"Could not save the draft: {error}", severity="warning", markup=False
            )

    def offer_saved_draft(self) -> None:
        """Offer the draft an earlier session left, once read (in a thread)."""
        # The generation now, on the UI thread: any change made before the file has
        # been read outdates the offer.
        self._read_saved_draft(self._draft_generation)

    @work(thread=True, exclusive=True, group="draft-offer", exit_on_error=False)
    def _read_saved_draft(self, generation: int) -> None:
        saved = self.draft_store.load()
        if not saved:
            return
        try:
            draft = WizardDraft.from_json(saved)
        except (ValueError, KeyError):
            return
        if draft.is_empty():
            return
        self.call_from_thread(self._offer_draft, draft, generation)

    def _offer_draft(self, draft: WizardDraft, generation: int) -> None:
        if generation != self._draft_generation:
            # Something was typed (and saved) or discarded while the file was read:
            # what the person is doing now wins over the earlier session's draft.
            return
        from tui.screens.modals import ResumeDraftModal

        def resume(answer: bool | None) -> None:
            if answer:
                self.draft = draft
                self._refill_steps()
            else:
                self.discard_draft()

        self.push_screen(ResumeDraftModal(draft), resume)

    def discard_draft(self) -> None:
        self.draft = WizardDraft()
        self.done_steps.clear()
        self._forget_saved_draft()
        self._refill_steps()

    def _forget_saved_draft(self) -> None:
        self._draft_generation += 1  # outdates every save queued or in progress
        self.remove_saved_draft(self._draft_generation)

    @work(thread=True, exclusive=True, group="draft", exit_on_error=False)
    def remove_saved_draft(self, generation: int) -> None:
        try:
            with self._draft_lock:  # waits for a save in progress
                if generation != self._draft_generation:
                    return  # a newer change was made: its save writes the file
                self.draft_store.discard()
        except OSError as error:
            self.call_from_thread(
                self.notify,
                f"Could not remove the saved draft: {error}",
                severity="warning",
                markup=False,
            )

    def _refill_steps(self) -> None:
        from tui.screens.base import StepScreen

        for step_id in STEPS_BY_ID:
            if self.is_screen_installed(step_id):
                screen = self.get_screen(step_id)
                if isinstance(screen, StepScreen) and screen.is_mounted:
                    screen.load_from_draft()

    # -- purchase -------------------------------------------------------------

    def purchase_finished(self, outcome: PurchaseOutcome) -> None:
        """Show a purchase's outcome: the summary when bought (or unknown), the
        error on the step that can fix it when refused."""
        from tui.screens.summary import SummaryScreen

        if outcome.status == "failed":
            assert outcome.error is not None
            self.show_error_on_step(outcome.error)
            return
        if outcome.status == "bought":
            self.purchase_settled()
        else:
            self.cache["purchase_unknown"] = True
        self.switch_screen(SummaryScreen(outcome))

    def purchase_settled(self) -> None:
        """The number is bought: the draft has served its purpose."""
        self.cache["purchased"] = True
        self.cache.pop("purchase_unknown", None)
        self._forget_saved_draft()

    def start_over(self) -> None:
        """Buy another: keep the account, forget the number-specific input."""
        self.cache.pop("purchased", None)
        self.cache.pop("purchase_unknown", None)
        for key in [k for k in self.cache if k.startswith("lookup:") or k in ("facts", "results")]:
            del self.cache[key]
        # How calls and messages are handled usually stays the same for the next
        # number; the number, its label and its compliance settings do not.
        previous = self.draft
        self.draft = WizardDraft(voice_mode=previous.voice_mode, sms_mode=previous.sms_mode)
        for name in previous.handling_fields():
            self.draft.set(name, previous.get(name))
        self.done_steps = {"account"}
        self._refill_steps()
        self.switch_screen("number")

    # -- quitting -------------------------------------------------------------

    async def action_quit(self) -> None:
        if self.draft.is_empty() or self.cache.get("purchased"):
            self.exit()
            return
        from tui.screens.modals import ConfirmQuitModal

        def answer(leave: bool | None) -> None:
            if leave:
                self.exit()

        self.push_screen(ConfirmQuitModal(purchase_in_doubt=self.purchase_in_doubt()), answer)

    def purchase_in_doubt(self) -> bool:
        """A purchase is on its way, or its outcome is unknown: "nothing has been
        bought" would not be true."""
        return bool(self.cache.get("purchase_unknown")) or any(
            worker.group in ("purchase", "purchase-settle") and not worker.is_finished
            for worker in self.workers
        )


def run_wizard(request: ConnectionRequest) -> None:
    # The connection, the sandbox's too, is made by the Account step in a thread
    # once its first frame is on the screen: loading the API client, the models and
    # the sandbox takes longer than drawing the wizard. The sandbox's draft is kept
    # apart from a real account's (draft-sandbox.json).
    WizardApp(None, request=request, draft_store=DraftStore(sandbox=request.sandbox)).run()
