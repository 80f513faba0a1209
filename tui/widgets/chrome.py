"""The parts every step shares: the step indicator, the sandbox banner and the
panel that explains an API error."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tui.domain.errors import TwilioApiError, WizardError
from tui.wizard.flow import STEPS


class StepIndicator(Static):
    """`1 Account ✓ › 2 Number › …` with the current step highlighted; in a
    narrow terminal the other steps shrink to their numbers."""

    def __init__(self, current: str, *, id: str | None = "step-indicator") -> None:
        super().__init__(id=id, markup=False)
        self.current = current
        self.done: set[str] = set()

    def set_done(self, done: set[str]) -> None:
        self.done = set(done)
        self.refresh()

    def render(self) -> Text:
        full = self._text(compact=False)
        width = self.size.width or 80
        return full if full.cell_len <= width else self._text(compact=True)

    def _text(self, *, compact: bool) -> Text:
        text = Text()
        for index, step in enumerate(STEPS, start=1):
            if index > 1:
                text.append(" › ", style="dim")
            current = step.id == self.current
            label = f"{index} {step.title}" if current or not compact else str(index)
            if current:
                text.append(f" {label} ", style="bold reverse")
            elif step.id in self.done:
                text.append(label + "✓")
            else:
                text.append(label, style="dim")
        return text


class SandboxBanner(Static):
    def __init__(self) -> None:
        super().__init__(
            "SANDBOX · nothing is bought, nothing is charged · offline Twilio emulator",
            id="sandbox-banner",
            markup=False,
        )


class ErrorPanel(Static):
    """An API or network error, in plain language with the code, link and next step."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, classes="error-panel", markup=False)
        self.display = False

    def show(self, error: WizardError | None, *, title: str | None = None) -> None:
        if error is None:
            self.display = False
            self.update("")
            return
        lines = error.lines() if isinstance(error, TwilioApiError) else [str(error)]
        if title:
            lines.insert(0, title)
        self.update("\n".join(lines))
        self.display = True
