"""The wizard application: steps, shared state, and the I/O that outlives a screen.

Screens present and collect; the services (client, receipts, drafts) do the I/O,
always from workers. The App holds the draft, the connection and what was loaded
from Twilio, so that moving between steps never loses or reloads anything.
"""

from __future__ import annotations

import asyncio
import contextlib
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
from textual.command import Provider
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from tui.domain.attempt import AttemptState
from tui.domain.errors import TwilioApiError, WizardError
from tui.screens import create_change_screen, create_step_screen
from tui.services.drafts import DraftStore
from tui.services.error_log import UnexpectedError, record_unexpected
from tui.services.purchase_lock import PurchaseLocks
from tui.services.receipts import ReceiptBook
from tui.services.session import Connection, ConnectionRequest
from tui.wizard.context import PurchaseContext
from tui.wizard.draft import WizardDraft
from tui.wizard.flow import STEPS, STEPS_BY_ID, step_of_error

if TYPE_CHECKING:
    # The API client, the models (pydantic) and keyring load after the first frame,
    # with the Account step's first check (see run_wizard).
    from tui.domain.follow_up import FollowUpRequest
    from tui.domain.purchase import PurchaseRequest
    from tui.services.account_session import AccountSession
    from tui.services.credentials.profiles import ProfileStore
    from tui.services.number_changes import ChangeAttempt
    from tui.services.purchase import PurchaseAttempt
    from tui.services.twilio import TwilioClient
    from tui.services.webhooks import WebhookChecker
    from tui.wizard.change import ChangeSession

TITLE = "number-wizard"
# Where the steps lead while an owned number is being changed.
CHANGE_DETOURS = {"number": "owned", "review": "change-review"}
DRAFT_WRITE_INTERVAL = 0.25  # seconds; see draft_changed

# What each worker group does, for the message when one fails unexpectedly.
WORKER_DOING = {
    "account-resolve": "reading the credentials",
    "account-check": "checking the credentials with Twilio",
    "account-profiles": "reading the stored profiles",
    "account-keyring": "using the keyring",
    "account-add": "saving the credentials",
    "countries": "loading the countries that sell mobile numbers",
    "search": "searching for numbers",
    "ownership": "checking whether the account owns the number",
    "compliance": "loading what the number needs",
    "price": "loading the price",
    "owned-check": "checking whether the account owns the number",
    "purchase": "buying the number",
    "check-again": "looking the number up again",
    "follow-up": "adding the number to its Messaging Service",
    "pickers": "loading the account's applications, trunks or Messaging Services",
    "address-create": "creating the address",
    "recover": "checking earlier purchases",
    "draft": "saving the draft",
    "draft-offer": "reading the saved draft",
    "close-client": "closing the connection",
    "webhooks": "testing the webhooks",
    "simulate": "simulating an incoming call or message",
    "owned-list": "listing the numbers the account owns",
    "owned-open": "reading the number to change",
    "change": "changing the number",
}


def _field_commands() -> type[Provider]:
    from tui.screens.palette import FieldCommands

    return FieldCommands


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
    COMMANDS = App.COMMANDS | {lambda: _field_commands()}
    # Each step is created when first shown, then kept (switch_screen), so input
    # survives Back; only the Account step is built before the first frame.
    SCREENS: ClassVar[dict[str, Callable[[], Screen[Any]]]] = {
        **{step.id: partial(create_step_screen, step.id) for step in STEPS},
        # Changing a number the account owns: its list, and the Review of a change.
        "owned": partial(create_change_screen, "owned"),
        "change-review": partial(create_change_screen, "change-review"),
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        # Ctrl+C is what people press to leave a terminal program: it opens the same
        # quit dialog (Textual's default only tells them to press ctrl+q).
        Binding("ctrl+c", "quit", "Quit", id="quit-ctrl-c", show=False, priority=True),
        # Escape closes the Keys panel when it is open (and does nothing here otherwise).
        Binding("escape", "hide_help_panel", "Close keys", id="close-keys", show=False, priority=True),
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
        locks: PurchaseLocks | None = None,
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
        self.locks = locks or PurchaseLocks()
        # The purchase of this session (the latest), and every number bought.
        self.attempt: PurchaseAttempt | None = None
        self.bought: list[PurchaseAttempt] = []
        # Interrupted purchases of earlier sessions, settled at start.
        self.recovered: list[PurchaseAttempt] = []
        self._draft_offer_waiting = False
        self.quit_during_purchase = False
        self.draft = WizardDraft()
        self.done_steps: set[str] = set()
        self.pending_errors: dict[str, WizardError] = {}
        # What is known about the account in use (one per connection) and about
        # the purchase in progress (one per purchase; "Buy another" starts anew).
        self.session: AccountSession | None = None
        self.context = PurchaseContext()
        self._resume_draft = resume_draft
        self._initial_theme = theme
        # How "Test webhooks" calls them (None: directly, made on first use; tests
        # route them to a loopback receiver).
        self.webhook_checker: WebhookChecker | None = None
        # The owned number being changed (the steps then edit its settings, and
        # the purchase draft waits aside), and the latest update or release sent.
        self.change: ChangeSession | None = None
        self.change_attempt: ChangeAttempt | None = None
        # Saves run in threads: one at a time, and only the newest change is written
        # (a discard counts as a change), so a slow disk never writes a stale draft.
        self._draft_lock = threading.Lock()
        self._draft_generation = 0
        self._draft_newest: tuple[int, dict[str, Any]] = (0, {})
        self._draft_save_waiting = False
        self._draft_written_at = -DRAFT_WRITE_INTERVAL
        self.client: TwilioClient | None = connection.client() if connection else None
        if self.client is not None:
            from tui.services.account_session import AccountSession

            self.session = AccountSession(self.client)

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
        if self.purchase_running:
            return  # the Account step is out of reach while buying; never switch under it
        from tui.services.account_session import AccountSession

        previous = self.client
        self.connection = connection
        self.client = connection.client()
        # Nothing loaded with the previous credentials is kept.
        self.session = AccountSession(self.client)
        self.context = PurchaseContext()
        if previous is not None:
            self.run_worker(previous.aclose(), group="close-client", exit_on_error=False)
        self._connection_ready()

    # How many times the CSS was refreshed (a theme chosen, the terminal's colours
    # changed): a step coming back restyles itself only if this moved while it
    # was away (StepScreen.on_screen_resume).
    styles_version = 0

    def refresh_css(self, animate: bool = True) -> None:
        self.styles_version += 1
        super().refresh_css(animate=animate)

    def on_mount(self) -> None:
        self.theme = self._initial_theme
        self.push_screen("account")
        # Interrupted purchases are settled and told first, as soon as there is a
        # connection (now, or once the Account step has resolved the credentials);
        # the saved draft is offered after that.
        self._draft_offer_waiting = self._resume_draft
        if self.connection is not None:
            self._connection_ready()

    async def on_unmount(self) -> None:
        if self.client is not None:
            await self.client.aclose()

    # -- unexpected errors in workers ------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.report_worker_error(self, event.worker)

    def report_worker_error(self, node: object, worker: Worker[Any]) -> None:
        """The one funnel for a worker's unexpected exception: logged (secrets
        masked) under the state folder, shown on the current step's error panel
        with what to do, and the busy state it left reset."""
        error = worker.error
        if error is None:
            return
        doing = WORKER_DOING.get(worker.group, "working in the background")
        unexpected = UnexpectedError(error, doing, record_unexpected(error, doing))
        failed = getattr(node, "worker_failed", None)
        if callable(failed):
            failed(worker.group)
        self.show_unexpected(unexpected)

    def show_unexpected(self, error: WizardError) -> None:
        from tui.screens.base import StepScreen

        # The topmost screen with an error panel says it: a step, the Summary, the
        # list of owned numbers, the address dialog.
        shown_on = None
        for screen in reversed(self.screen_stack):
            if isinstance(screen, StepScreen):
                screen.show_step_error(error)
                shown_on = screen
                break
            show_error = getattr(screen, "show_error", None)
            if callable(show_error):  # the Summary, the owned numbers, the address dialog
                show_error(error)
                shown_on = screen
                break
        # A dialog without a panel may cover it: say it there too.
        if shown_on is not self.screen:
            self.notify(str(error), severity="error", timeout=15, markup=False)

    # -- navigation ---------------------------------------------------------

    def goto(self, step_id: str) -> None:
        if self.purchase_running:
            return  # nothing may change what the purchase on its way is about
        if self.change_running:
            return  # nothing may change what the update or release on its way is about
        if step_id != "account" and self.client is None:
            # Every other step talks to Twilio (countries, prices, addresses…).
            self.notify("Add credentials on the Account step first.", severity="warning")
            step_id = "account"
        if self.change is not None:
            # Changing an owned number: its list stands where the Number step is,
            # and the Review shows the change, not a purchase.
            step_id = CHANGE_DETOURS.get(step_id, step_id)
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

    def open_field(self, name: str) -> None:
        """Go to a field's step, put the cursor in it and open its help (the palette's
        field search). A field of a way of handling not chosen is explained, not shown."""
        from tui.domain.fields import FIELDS_BY_NAME
        from tui.screens.base import StepScreen

        spec = FIELDS_BY_NAME[name]
        self.goto(spec.group)

        def arrive() -> None:
            screen = self.screen
            if not isinstance(screen, StepScreen) or spec.group != screen.STEP_ID:
                return
            shown = [f for f in screen.visible_fields() if f.field_name == name]
            note = ""
            if shown:
                shown[0].focus_control()
                shown[0].scroll_visible()
            elif spec.mode and spec.mode != "common":
                note = (
                    f"This field belongs to another way of handling ({spec.mode}): choose it "
                    "above to fill it."
                )
            screen.show_field_help(name, note)

        self.call_after_refresh(arrive)

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
        if self.change is not None:
            return  # the steps hold an owned number's settings: not a purchase draft to keep
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
                self._show_recovered_purchase()
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
    #
    # The App owns the purchase attempt (never a screen): the Review starts it,
    # Escape stops waiting, the Summary, the quit dialog and the exit path read
    # it. While it runs, nothing that could change what it is about is allowed
    # (back, palette jumps, Buy another).

    @property
    def purchase_running(self) -> bool:
        return any(worker.group == "purchase" and not worker.is_finished for worker in self.workers)

    def buy(
        self,
        request: PurchaseRequest,
        follow_up: FollowUpRequest | None = None,
        service_name: str | None = None,
    ) -> None:
        """Start the one purchase attempt for `request` (confirmed by the person),
        with what follows it once bought (`follow_up`: the Messaging Service to join,
        named `service_name`)."""
        if self.purchase_running or self.client is None or self.connection is None:
            return
        from tui.services.purchase import PurchaseAttempt

        self.attempt = PurchaseAttempt.prepare(
            self.client,
            request,
            sandbox=self.connection.sandbox,
            follow_up=follow_up,
            service_name=service_name,
        )
        self._run_purchase(self.attempt)
        self._purchase_changed()

    @work(group="purchase", exit_on_error=False)
    async def _run_purchase(self, attempt: PurchaseAttempt) -> None:
        from tui.services import purchase as purchase_service

        assert self.client is not None
        try:
            await self._buy(attempt)
        except Exception as error:
            # A bug: never "waiting…" for ever, never a false outcome. What may
            # have reached Twilio is looked up; what cannot have is not bought.
            unexpected = UnexpectedError(error, "buying", record_unexpected(error, "buying the number"))
            if attempt.state is AttemptState.SENDING:
                attempt.state, attempt.error = AttemptState.UNKNOWN, unexpected
                with contextlib.suppress(Exception):
                    await purchase_service.settle(self.client, attempt, self.receipts)
            elif attempt.state is AttemptState.READY:
                attempt.state, attempt.error, attempt.retry_safe = AttemptState.FAILED, unexpected, True
        finally:
            self.call_later(self._purchase_done, attempt)

    async def _buy(self, attempt: PurchaseAttempt) -> None:
        from tui.services import purchase as purchase_service

        assert self.client is not None
        await purchase_service.buy(
            self.client,
            attempt,
            self.receipts,
            self.locks,
            on_lock_wait=lambda: self._purchase_status(
                f"Another number-wizard on this computer is buying {attempt.phone_number}; waiting for it…"
            ),
            on_sending=lambda _: self._purchase_changed(),
        )

    def _purchase_done(self, attempt: PurchaseAttempt) -> None:
        self._purchase_changed()
        if self.quit_during_purchase:
            self.exit()
            return
        self.purchase_finished(attempt)

    def stop_waiting(self) -> None:
        """Stop waiting for Twilio: before sending nothing is sent, after it the
        number is looked up (never assumed bought or not)."""
        if self.attempt is not None and self.purchase_running:
            if self.attempt.sending:
                self._purchase_status("Stopped waiting; checking whether the number was bought…")
            self.attempt.stop_waiting()

    def _purchase_status(self, text: str) -> None:
        from tui.screens.review import ReviewStep

        if isinstance(self.screen, ReviewStep):
            self.screen.set_status(text)

    def _purchase_changed(self) -> None:
        """The attempt moved on: the keys and buttons that depend on it follow."""
        from tui.screens.review import ReviewStep

        if isinstance(self.screen, ReviewStep):
            self.screen.show_purchase_state()
        self.screen.refresh_bindings()

    def purchase_finished(self, attempt: PurchaseAttempt) -> None:
        """Show an attempt's outcome: the summary when bought (or unknown), the
        error on the step that can fix it when refused."""
        from tui.screens.summary import SummaryScreen
        from tui.services.purchase import AlreadyOwned

        if attempt.state is AttemptState.BOUGHT:
            self.purchase_settled(attempt)
        if attempt.state is AttemptState.FAILED:
            error = attempt.error or WizardError(attempt.headline())
            if isinstance(error, AlreadyOwned):
                self.pending_errors["number"] = error
                self.goto("number")
            elif isinstance(error, TwilioApiError) and error.refused:
                self.show_error_on_step(error)
            else:
                self.show_error_on_step(_NotBought(attempt))
            return
        self.switch_screen(SummaryScreen(attempt))

    def purchase_settled(self, attempt: PurchaseAttempt) -> None:
        """The number is bought: the draft has served its purpose."""
        if attempt not in self.bought:
            self.bought.append(attempt)
        self._forget_saved_draft()

    async def check_again(self, attempt: PurchaseAttempt) -> PurchaseAttempt:
        """Look an unknown outcome up again (the Summary's "Check again")."""
        from tui.services import purchase as purchase_service

        assert self.client is not None
        if attempt.state is AttemptState.UNKNOWN:
            await purchase_service.settle(self.client, attempt, self.receipts)
            if attempt.state is AttemptState.BOUGHT:
                self.purchase_settled(attempt)
        return attempt

    # -- interrupted purchases of earlier sessions -----------------------------

    def _connection_ready(self) -> None:
        """Settle what earlier sessions left unfinished with this account before
        anything else happens; then offer the saved draft."""
        self._recover_unfinished()

    @work(group="recover", exclusive=True, exit_on_error=False)
    async def _recover_unfinished(self) -> None:
        from tui.services import purchase as purchase_service

        assert self.client is not None and self.connection is not None
        try:
            found = await purchase_service.recover_unfinished(
                self.client, self.receipts, self.locks, sandbox=self.connection.sandbox
            )
        except WizardError as error:
            self.notify(f"Could not check earlier purchases: {error}", severity="warning", markup=False)
            found = []
        except Exception:
            self._after_recovery()  # reported by the error funnel; the draft is still offered
            raise
        await self._recover_unfinished_changes()
        self.recovered.extend(found)
        # Bought numbers count as bought in this session (the quit dialog, a
        # draft of one of them); the saved draft stays, to be offered and, if it is
        # of a number found bought, to open that number's Summary.
        self.bought.extend(a for a in found if a.state is AttemptState.BOUGHT)
        if found:
            from tui.screens.modals import RecoveredPurchasesModal

            self.push_screen(RecoveredPurchasesModal(found), lambda _: self._after_recovery())
        else:
            self._after_recovery()

    async def _recover_unfinished_changes(self) -> None:
        """Updates and releases an earlier session left unfinished: settled by
        reading their number, and said."""
        from tui.services.number_changes import describe_recovered_change, recover_unfinished_changes

        assert self.client is not None and self.connection is not None
        try:
            changes = await recover_unfinished_changes(
                self.client, self.receipts, sandbox=self.connection.sandbox
            )
        except WizardError as error:
            self.notify(f"Could not check earlier changes: {error}", severity="warning", markup=False)
            return
        for change in changes:
            self.notify(describe_recovered_change(change), timeout=20, markup=False)
        from tui.services.service_membership import (
            describe_recovered_membership,
            recover_unfinished_memberships,
        )

        try:
            memberships = await recover_unfinished_memberships(
                self.client, self.receipts, sandbox=self.connection.sandbox
            )
        except WizardError as error:
            self.notify(
                f"Could not check earlier Messaging Service changes: {error}",
                severity="warning",
                markup=False,
            )
            return
        for membership in memberships:
            self.notify(describe_recovered_membership(membership), timeout=20, markup=False)

    def no_connection_yet(self) -> None:
        """The Account step found no usable credentials: nothing to settle yet, so
        the saved draft is offered now (purchases are settled once credentials
        are given)."""
        if self._draft_offer_waiting:
            self._draft_offer_waiting = False
            self.offer_saved_draft()

    def _after_recovery(self) -> None:
        self._show_recovered_purchase()
        if self._draft_offer_waiting:
            self._draft_offer_waiting = False
            self.offer_saved_draft()

    def _show_recovered_purchase(self) -> None:
        """A draft for a number an interrupted purchase turned out to have bought
        goes to that number's Summary, not to a Review offering to buy it again."""
        from tui.screens.summary import SummaryScreen

        number = self.draft.get("phone_number")
        for attempt in self.recovered:
            if attempt.state is not AttemptState.UNKNOWN and attempt.state is not AttemptState.BOUGHT:
                continue
            if number and attempt.phone_number == str(number).strip():
                if attempt.state is AttemptState.BOUGHT:
                    self._forget_saved_draft()  # it has served its purpose
                self.switch_screen(SummaryScreen(attempt))
                return

    # -- changing a number the account owns -----------------------------------
    #
    # The Voice, Messaging, Details and Compliance steps edit the number's
    # settings (a draft made from them); the change Review sends only what
    # differs. The App owns the update or release on its way, as it owns a purchase.

    @property
    def change_running(self) -> bool:
        return any(worker.group == "change" and not worker.is_finished for worker in self.workers)

    def start_change(self, resource: Any) -> None:
        """Open an owned number (an IncomingPhoneNumber read just now) in the steps."""
        if self.purchase_running or self.change_running:
            return
        from tui.wizard.change import ChangeSession, draft_for

        purchase_draft = self.change.purchase_draft if self.change is not None else self.draft
        self.change = ChangeSession(resource, purchase_draft)
        self.change_attempt = None
        self.draft = draft_for(resource)
        self.done_steps = {"account", "number"}
        self.pending_errors.clear()
        self.context = PurchaseContext()
        self._refill_steps()
        self._clear_step_errors()
        self.goto("voice")

    def end_change(self, then: str = "number") -> None:
        """Back to buying: the purchase draft put aside comes back."""
        if self.change is None or self.change_running:
            return
        self.draft = self.change.purchase_draft
        self.change = None
        self.change_attempt = None
        self.done_steps = {"account"}
        self.context = PurchaseContext()
        self._refill_steps()
        self._clear_step_errors()
        self.goto(then)

    def send_change(self, attempt: ChangeAttempt) -> None:
        """Start an update or a release (confirmed by the person)."""
        if self.change_running or self.purchase_running or self.client is None:
            return
        self.change_attempt = attempt
        self._run_change(attempt)

    @work(group="change", exit_on_error=False)
    async def _run_change(self, attempt: ChangeAttempt) -> None:
        from tui.domain.attempt import ChangeState
        from tui.services.number_changes import run_change, settle_change

        assert self.client is not None
        try:
            await run_change(self.client, attempt, self.receipts)
        except Exception as error:
            # A bug: never a false outcome. What may have reached Twilio is looked up.
            unexpected = UnexpectedError(error, "changing", record_unexpected(error, "changing the number"))
            if attempt.state is ChangeState.SENDING:
                attempt.state, attempt.error = ChangeState.UNKNOWN, unexpected
                with contextlib.suppress(Exception):
                    await settle_change(self.client, attempt, self.receipts)
            elif attempt.state is ChangeState.READY:
                attempt.state, attempt.error, attempt.retry_safe = ChangeState.FAILED, unexpected, True
        finally:
            self.call_later(self._change_done, attempt)

    def _change_done(self, attempt: ChangeAttempt) -> None:
        from tui.domain.attempt import ChangeState
        from tui.screens.change import ChangeSummaryScreen

        if self.quit_during_purchase:
            self.exit()
            return
        change = self.change if attempt.state is ChangeState.DONE else None
        if change is not None and attempt.kind == "update" and attempt.resource is not None:
            change.resource = attempt.resource  # further changes start from the number as it is now
        elif change is not None and attempt.kind == "release":
            # The number is gone: nothing left to change; the purchase draft comes back.
            self.draft = change.purchase_draft
            self.change = None
            self.done_steps = {"account"}
            self._refill_steps()
        self.switch_screen(ChangeSummaryScreen(attempt))

    def start_over(self) -> None:
        """Buy another: keep the account, forget the number-specific input."""
        if self.purchase_running:
            return
        self.attempt = None
        self.context = PurchaseContext()
        self.pending_errors.clear()
        if self.session is not None:
            self.session.forget_compliance()
        # How calls and messages are handled usually stays the same for the next
        # number; the number, its label and its compliance settings do not.
        previous = self.draft
        # The search (country, filters) stays too: the next number is often
        # searched for in the same place.
        self.draft = WizardDraft(
            voice_mode=previous.voice_mode, sms_mode=previous.sms_mode, search=dict(previous.search)
        )
        for name in previous.handling_fields():
            self.draft.set(name, previous.get(name))
        self.done_steps = {"account"}
        self._refill_steps()
        self._clear_step_errors()  # an error about the last number is not about the next
        self.switch_screen("number")

    def _clear_step_errors(self) -> None:
        from tui.screens.base import StepScreen

        for step_id in STEPS_BY_ID:
            if self.is_screen_installed(step_id):
                screen = self.get_screen(step_id)
                if isinstance(screen, StepScreen) and screen.is_mounted:
                    screen.show_step_error(None)
                    screen.set_status("")

    # -- quitting -------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "hide_help_panel":
            # Textual mounts the keys panel on the screen itself: looking at the
            # screen's children is enough, where a query would walk every widget on
            # each binding check (each focus move, each footer refresh).
            return bool(self.screen.query_children("HelpPanel"))
        # No jumping elsewhere while a purchase is on its way.
        return not (action == "command_palette" and self.purchase_running)

    async def action_quit(self) -> None:
        from tui.screens.modals import ChoiceModal, ConfirmQuitModal

        if getattr(self.screen, "quit_question", False):
            # Ctrl+C (or ctrl+q) again on the quit question answers it: leave (a
            # purchase on its way is still looked up first).
            self.screen.dismiss(True)
            return
        if self.purchase_running:
            attempt = self.attempt
            number = attempt.phone_number if attempt else "the number"

            def stop_and_quit(leave: bool | None) -> None:
                if leave:
                    self.quit_during_purchase = True
                    self.stop_waiting()

            question = ChoiceModal(
                "A purchase is on its way",
                f"number-wizard is buying {number}. Quitting stops waiting for Twilio's "
                "answer; the number is then looked up, so the receipt says whether it "
                "was bought, before number-wizard closes.",
                "Stop waiting and quit",
                "Keep waiting",
                yes_variant="error",
            )
            question.quit_question = True
            self.push_screen(question, stop_and_quit)
            return
        if self.change_running:
            # An update or release is on its way: its outcome is settled (and its
            # receipt completed) before number-wizard closes.
            self.quit_during_purchase = True
            self.notify("Quitting once Twilio has answered the change on its way…", markup=False)
            return
        unknown = [a for a in (self.attempt, *self.recovered) if a and a.state is AttemptState.UNKNOWN]
        # While an owned number is being changed, the steps hold its settings; the
        # draft kept on disk is the purchase's, put aside.
        draft = self.change.purchase_draft if self.change is not None else self.draft
        draft_kept = not draft.is_empty() and not self._draft_of_bought_number()
        if not unknown and not draft_kept:
            self.exit()
            return

        def answer(leave: bool | None) -> None:
            if leave:
                self.exit()

        self.push_screen(
            ConfirmQuitModal(
                bought=[a.phone_number for a in self.bought],
                unknown=[a.phone_number for a in unknown],
                draft_kept=draft_kept,
            ),
            answer,
        )

    def _draft_of_bought_number(self) -> bool:
        """The draft is of a number bought already: nothing is lost by leaving."""
        draft = self.change.purchase_draft if self.change is not None else self.draft
        number = draft.get("phone_number")
        return any(a.phone_number == number for a in self.bought)


class _NotBought(WizardError):
    """A failed attempt whose error has no step of its own: the headline says it all."""

    def __init__(self, attempt: PurchaseAttempt) -> None:
        self.attempt = attempt
        super().__init__(attempt.headline())

    def lines(self) -> list[str]:
        lines = [self.attempt.headline()]
        error = self.attempt.error
        if error is not None and str(error) not in lines[0]:
            lines.extend(getattr(error, "lines", lambda: [str(error)])())
        if self.attempt.receipt is not None:
            lines.append(f"Receipt: {self.attempt.receipt.path}")
        return lines


def run_wizard(request: ConnectionRequest) -> None:
    # The connection, the sandbox's too, is made by the Account step in a thread
    # once its first frame is on the screen: loading the API client, the models and
    # the sandbox takes longer than drawing the wizard. The sandbox's draft is kept
    # apart from a real account's (draft-sandbox.json).
    app = WizardApp(None, request=request, draft_store=DraftStore(sandbox=request.sandbox))
    app.run()
    settle_on_exit(app)


def settle_on_exit(app: WizardApp) -> None:
    """The wizard closed while a purchase's answer was outstanding (its receipt
    says "unknown" and the number was never looked up): look it up now, before
    the process ends, and say what was found."""
    from tui.services import purchase as purchase_service

    attempt = app.attempt
    if attempt is None or app.connection is None:
        return
    if attempt.state is AttemptState.UNKNOWN and attempt.lookup is None:

        async def look_up() -> None:
            assert app.connection is not None
            async with app.connection.client() as client:
                await purchase_service.settle(client, attempt, app.receipts)

        print(f"Checking whether {attempt.phone_number} was bought…", flush=True)
        asyncio.run(look_up())
    if attempt.state is not AttemptState.READY and app.quit_during_purchase:
        print(attempt.headline())
        if attempt.receipt is not None:
            print(f"Receipt: {attempt.receipt.path}")
