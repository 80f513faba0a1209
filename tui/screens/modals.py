"""Dialogs: quit with unsaved input, resume a saved draft, confirm a purchase."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Static

from tui.wizard.draft import WizardDraft


class ChoiceModal(ModalScreen[bool]):
    """A question with a default-safe answer: Escape always means "no"."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(False)", "Cancel", id="cancel")]

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
        yield Footer()  # the dialog's own keys (Escape cancels), not the dimmed ones behind it

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")


class ConfirmQuitModal(ChoiceModal):
    def __init__(self, *, purchase_in_doubt: bool = False) -> None:
        if purchase_in_doubt:
            body = (
                "A purchase was sent and its outcome is not known yet: the number may "
                "have been bought. Its receipt records the request; check the account's "
                "numbers before buying again. What you typed is kept as a draft."
            )
        else:
            body = (
                "Nothing has been bought. What you typed is kept as a draft and offered "
                "the next time you start."
            )
        super().__init__("Quit number-wizard?", body, "Quit", "Stay", yes_variant="error")


class ResumeDraftModal(ChoiceModal):
    def __init__(self, draft: WizardDraft) -> None:
        number = draft.get("phone_number") or "no number chosen yet"
        filled = len(draft.values)
        super().__init__(
            "Continue where you left off?",
            f"A draft from an earlier session was found: {number}, "
            f"{filled} field{'s' if filled != 1 else ''} filled in.",
            "Resume draft",
            "Start over",
        )


class ConfirmPurchaseModal(ChoiceModal):
    """Names the number, the price and the account: the last step before money moves."""

    def __init__(self, number: str, price: str, account: str, *, sandbox: bool) -> None:
        charge = (
            "In the sandbox nothing is charged."
            if sandbox
            else "Twilio bills the first month today; numbers are billed monthly, without proration."
        )
        super().__init__(
            f"Buy {number}?",
            f"Price: {price}\nAccount: {account}\n\n{charge}",
            f"Buy {number} for {price}" if price != "price unknown" else f"Buy {number} (price unknown)",
            "Cancel",
            yes_variant="warning",
        )
        self.add_class("purchase-modal")  # long "Buy … for …" label: buttons stacked
