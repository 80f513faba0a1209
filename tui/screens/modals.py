"""Dialogs: quit with unsaved input, resume a saved draft, confirm a purchase."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.widgets.controls import Button
from tui.widgets.footer import SteadyFooter
from tui.wizard.draft import WizardDraft
from tui.wizard.messages import DRAFT_DELETE_WARNING, charge_note, draft_found, quit_lines

if TYPE_CHECKING:
    from tui.services.purchase import PurchaseAttempt


class ChoiceModal(ModalScreen[bool]):
    """A question with a default-safe answer: Escape always means "no"."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(False)", "Cancel", id="cancel")]
    # A question about leaving: pressing the quit key again answers "yes".
    quit_question = False

    def __init__(self, title: str, body: str, yes: str, no: str, *, yes_variant: str = "primary") -> None:
        super().__init__(classes="choice-modal")
        self._title, self._body, self._yes, self._no = title, body, yes, no
        self._yes_variant = yes_variant

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield Static(self._title, classes="modal-title", markup=False)
            yield Static(self._body, classes="modal-body", markup=False)
            with Horizontal(classes="modal-buttons"):
                yield Button(self._no, id="no")
                yield Button(self._yes, id="yes", variant=self._yes_variant)  # type: ignore[arg-type]
        yield SteadyFooter()  # the dialog's own keys (Escape cancels), not the dimmed ones behind it

    # The button that has the focus when the dialog opens: the safe answer.
    FOCUS = "#no"

    def on_mount(self) -> None:
        self.query_one(self.FOCUS, Button).focus()

    # Textual calls a message handler of every class in the MRO, so subclasses
    # answer through `answer`, not handlers of their own.
    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.answer(event.button.id == "yes")

    def answer(self, yes: bool) -> None:
        self.dismiss(yes)


class ConfirmQuitModal(ChoiceModal):
    """Leaving with input that would be lost, or with a purchase whose outcome is
    not known: says exactly which, never "nothing has been bought" after a purchase."""

    def __init__(
        self, *, bought: Sequence[str] = (), unknown: Sequence[str] = (), draft_kept: bool = True
    ) -> None:
        lines = quit_lines(bought=bought, unknown=unknown, draft_kept=draft_kept)
        super().__init__("Quit number-wizard?", "\n\n".join(lines), "Quit", "Stay", yes_variant="error")
        self.quit_question = True


class RecoveredPurchasesModal(ModalScreen[None]):
    """What the start-up check found about purchases an earlier session left
    unfinished: shown before anything else."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close", id="close"),
    ]

    def __init__(self, attempts: Sequence[PurchaseAttempt]) -> None:
        super().__init__(classes="choice-modal")
        self._attempts = list(attempts)

    def compose(self) -> ComposeResult:
        count = len(self._attempts)
        title = (
            "An earlier purchase was interrupted"
            if count == 1
            else f"{count} earlier purchases were interrupted"
        )
        from tui.services.purchase import describe_recovered

        lines = []
        for attempt in self._attempts:
            lines.append(describe_recovered(attempt))
            if attempt.receipt is not None:
                lines.append(f"Receipt: {attempt.receipt.path}")
        with Vertical(classes="modal-box"):
            yield Static(title, classes="modal-title", markup=False)
            yield Static("\n".join(lines), classes="modal-body", markup=False, id="recovered")
            with Horizontal(classes="modal-buttons"):
                yield Button("OK", id="ok", variant="primary")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)


class ResumeDraftModal(ChoiceModal):
    """Resume the earlier session's draft (the default: Enter resumes), or start
    over, which asks once more before the draft is deleted. Escape never deletes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "start_over", "Start over…", id="cancel"),
    ]

    def __init__(self, draft: WizardDraft) -> None:
        super().__init__(
            "Continue where you left off?",
            draft_found(draft),
            "Resume draft",
            "Start over…",
        )
        self._confirming = False

    FOCUS = "#yes"  # resuming loses nothing; Enter resumes

    def action_start_over(self) -> None:
        if self._confirming:
            self._ask_again(False)  # Escape on the second question: back to the first
        else:
            self._ask_again(True)

    def _ask_again(self, confirming: bool) -> None:
        """Switch between "resume?" and "delete the draft?" in place."""
        self._confirming = confirming
        body = self.query_one(".modal-body", Static)
        yes, no = self.query_one("#yes", Button), self.query_one("#no", Button)
        if confirming:
            self.query_one(".modal-title", Static).update("Delete the saved draft?")
            body.update(f"{self._body}\n\n{DRAFT_DELETE_WARNING}")
            yes.label, no.label = "Keep it and resume", "Delete and start over"
            no.variant = "error"
        else:
            self.query_one(".modal-title", Static).update(self._title)
            body.update(self._body)
            yes.label, no.label = self._yes, self._no
            no.variant = "default"
        yes.focus()

    def answer(self, yes: bool) -> None:
        if yes:
            self.dismiss(True)
        elif self._confirming:
            self.dismiss(False)
        else:
            self._ask_again(True)


class ConfirmPurchaseModal(ChoiceModal):
    """Names the number, the price and the account: the last step before money moves."""

    def __init__(
        self, number: str, price: str, account: str, *, sandbox: bool, warnings: Sequence[str] = ()
    ) -> None:
        charge = charge_note(sandbox=sandbox)
        # The Review's warnings again: the last look before money moves.
        warned = "".join(f"\n⚠ {warning}" for warning in warnings)
        super().__init__(
            f"Buy {number}?",
            f"Price: {price}\nAccount: {account}\n\n{charge}" + (f"\n{warned}" if warned else ""),
            f"Buy {number} for {price}" if price != "price unknown" else f"Buy {number} (price unknown)",
            "Cancel",
            yes_variant="warning",
        )
        self.add_class("purchase-modal")  # long "Buy … for …" label: buttons stacked
